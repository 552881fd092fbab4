"""Page fingerprints for the production diff: normalised words, their hash, a MinHash signature, an image hash.

Pure functions over text and images; record_fingerprints() keeps PageFingerprint rows in step with page
text (called where the pipeline writes pages, as record_citations is). The normalisation forgives what
OCR and re-extraction change without changing the page: case, spacing, punctuation, line-break hyphens,
and the usual letter/digit confusions (l/1/I/|, O/0, rn/m).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Iterable
from functools import cache

import numpy as np
from datasketch import MinHash

MIN_WORDS = 5  # fewer normalised words than this: no text hash (a page number, a stamp)
SHINGLE = 3  # words per shingle
NUM_PERM = 64  # MinHash permutations: 256 bytes a page; LSH bands over these (records/review/diff.py)
SCHEME = "affine32"  # datasketch's 32-bit permutations: stored signatures must keep one scheme
HASH_SIDE = 16  # difference hash of a HASH_SIDE x HASH_SIDE grid: 256 bits
_WORD = re.compile(r"\S+")
_HYPHEN_BREAK = re.compile(r"(\w)-\s*\n\s*(\w)")
_NOT_WORD = re.compile(r"[\W_]+")
_PUNCTUATION = re.compile(r"[^\w\s]+|_+")
_CONFUSABLE = str.maketrans({"1": "l", "i": "l", "|": "l", "!": "l", "0": "o"})


def normal_word(token: str) -> str:
    """A word as the diff compares it: "Tbe," → "tbe", "0ffice" → "offlce"; "" for punctuation only."""
    word = _NOT_WORD.sub("", unicodedata.normalize("NFKC", token).casefold())
    return word.translate(_CONFUSABLE).replace("rn", "m")


def tokens(text: str) -> list[str]:
    """The page's words as written (whitespace-separated), line-break hyphens joined."""
    return _WORD.findall(_HYPHEN_BREAK.sub(r"\1\2", text or ""))


def normal_words(text: str) -> list[str]:
    """normal_word() of each of tokens(text), done on the whole text at once (it runs on every page written)."""
    text = _HYPHEN_BREAK.sub(r"\1\2", unicodedata.normalize("NFKC", text or "").casefold())
    return _PUNCTUATION.sub("", text).translate(_CONFUSABLE).replace("rn", "m").split()


def text_hash(words: list[str]) -> str:
    if len(words) < MIN_WORDS:
        return ""
    return hashlib.blake2b(" ".join(words).encode(), digest_size=16).hexdigest()


def _hash32(data: bytes) -> int:
    return zlib.crc32(data)  # stable across processes, and in C: most of the signature's cost is hashing shingles


@cache
def _permutations():
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME).permutations


def minhash(words: list[str]) -> MinHash | None:
    """The MinHash of the page's word shingles; None for a page with too few words to compare."""
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}
    signature = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_hash32, permutations=_permutations(), scheme=SCHEME)
    signature.update_batch(list(shingles))
    return signature


def minhash_bytes(signature: MinHash | None) -> bytes:
    return b"" if signature is None else signature.hashvalues.astype("<u4").tobytes()


def minhash_from_bytes(data: bytes) -> MinHash | None:
    if not data:
        return None
    values = np.frombuffer(bytes(data), dtype="<u4").astype(np.uint32)
    return MinHash(num_perm=NUM_PERM, seed=1, hashvalues=values, permutations=_permutations(), scheme=SCHEME)


def difference_hash(image) -> str:
    """dHash of a Pillow image: is each cell brighter than its right neighbour, on a 16x16 grid; hex."""
    from PIL import Image

    small = image.convert("L").resize((HASH_SIDE + 1, HASH_SIDE), Image.Resampling.LANCZOS)
    pixels = np.asarray(small, dtype=np.int16)
    bits = (pixels[:, 1:] > pixels[:, :-1]).flatten()
    return np.packbits(bits).tobytes().hex()


def image_hash_distance(a: str, b: str) -> int:
    """How many of the 256 bits differ."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def page_image_hashes(path: str, password: str, numbers: list[int], detected_type: str):
    """Yield (number, dHash) for these pages of a PDF or image file; runs inside run_isolated.

    A small grayscale render is enough for a 16x16 hash: the cost stays far below the OCR it accompanies.
    """
    from PIL import Image

    if detected_type == "pdf":
        import pypdfium2

        document = pypdfium2.PdfDocument(path, password=password or None)
        try:
            for number in numbers:
                yield number, pdf_page_hash(document[number - 1])
        finally:
            document.close()
        return
    with Image.open(path) as image:
        for number in numbers:
            image.seek(number - 1)
            frame = image.copy()
            frame.thumbnail((400, 400))
            yield number, difference_hash(frame)


def pdf_page_hash(page) -> str:
    """The dHash of a pypdfium2 page (OCR's chunk hashes the page it has loaded: its images are decoded once)."""
    scale = 200 / max(page.get_width(), page.get_height(), 1)  # about 200 pixels on the long side
    return difference_hash(page.render(scale=scale, grayscale=True).to_pil())


def record_fingerprints(page_ids: Iterable[int], image_hashes: dict[int, str] | None = None) -> int:
    """Write the fingerprints of these pages from their stored text (and the image hashes given, by page id)."""
    from records.models import Page

    page_ids = list(page_ids)
    if not page_ids:
        return 0
    return write_fingerprints(Page.objects.filter(pk__in=page_ids).values_list("pk", "text"), image_hashes)


def write_fingerprints(pages: Iterable[tuple[int, str]], image_hashes: dict[int, str] | None = None) -> int:
    """Write the fingerprints of these (page id, text) pairs in one statement; returns how many.

    A page keeps the image hash it has unless one is given here (OCR rewrites the text, not the image).
    """
    from records.models import PageFingerprint

    image_hashes = image_hashes or {}
    rows = []
    for page_id, text in pages:
        words = normal_words(text)
        rows.append(
            PageFingerprint(
                page_id=page_id,
                text_hash=text_hash(words),
                minhash=minhash_bytes(minhash(words)),
                image_hash=image_hashes.get(page_id, ""),
            )
        )
    update = ["text_hash", "minhash"] + (["image_hash"] if image_hashes else [])
    PageFingerprint.objects.bulk_create(rows, update_conflicts=True, unique_fields=["page"], update_fields=update)
    return len(rows)
