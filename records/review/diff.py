"""Production diff (issue 14): a release's pages against everything released before it.

A release is one document; "before" is by upload order (uploaded_at, then id) on the same request, or
across the request's campaign when asked. Always within the document's own team. Each page is:
- same: its normalised text (records/review/fingerprints.py) or, for a scan, its image hash matches an earlier page;
- near: a near duplicate (MinHash LSH candidates, then a word-level diff) whose differences are only noise;
- changed: a near duplicate with words newly hidden or revealed (a run of words removed or added, a
  redaction marker or exemption code that came or went, a box over text that came or went);
- new: none of these.
compute_release_diff() stores the result (ReleaseDiff, PageComparison) and is idempotent: run again, it
replaces it.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from datasketch import MinHashLSH
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from records.models import Document, Page, PageComparison, PageFingerprint, ReleaseDiff

from .fingerprints import HASH_SIDE, NUM_PERM, minhash_from_bytes, normal_word, record_fingerprints, tokens

logger = logging.getLogger(__name__)

Kind = PageComparison.Kind
LSH_THRESHOLD = 0.5  # estimated Jaccard of 3-word shingles for a candidate
MAX_CANDIDATES = 5  # best candidates (by estimated Jaccard) given a word-level diff
NEAR_RATIO = 0.6  # word-level similarity from which two pages are the same page, re-released
IMAGE_BITS = HASH_SIDE * HASH_SIDE
IMAGE_DISTANCE = 20  # of 256 bits: a re-compressed or re-rasterised copy of one scan stays well under
IMAGE_MIN_BITS = 16  # a blank or all-black page has no edges: its hash says nothing
NOISE_RATIO = 0.5  # a one-for-one word swap at least this alike (characters) is OCR noise, not a redaction
# Words a redaction leaves behind: they come and go with redactions, and are never "revealed" text.
REDACTION_MARK = re.compile(
    r"redact|withh[eo]ld|exempt|^\W*\(?b\)?\(\d|^\W*b\d\W*$|[█■▇▆]|^\W*x{3,}\W*$", re.IGNORECASE
)
_PUNCTUATION = re.compile(r"^[\W_]*$")
RESEND_AFTER = timedelta(minutes=30)  # longer than the task's time limit (records/tasks.py)
UNEXPECTED = "The comparison could not be completed. An administrator can see the details in the log."


@dataclass
class WordDiff:
    """The word-level diff of an earlier page (a) and its re-release (b)."""

    segments: list[tuple[str, str]]  # (equal | hidden | revealed | noise, words as written)
    hidden: list[str] = field(default_factory=list)
    revealed: list[str] = field(default_factory=list)
    markers_changed: bool = False
    ratio: float = 0.0

    @property
    def redactions_changed(self) -> bool:
        return bool(self.hidden or self.revealed or self.markers_changed)


def word_diff(earlier_text: str, text: str) -> WordDiff:
    """Which words the earlier page showed that this one hides, and which it reveals; OCR noise set apart."""
    a, b = tokens(earlier_text), tokens(text)
    a_keys = [normal_word(t) or t for t in a]
    b_keys = [normal_word(t) or t for t in b]
    matcher = difflib.SequenceMatcher(None, a_keys, b_keys, autojunk=False)
    result = WordDiff(segments=[], ratio=matcher.ratio())
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = a[i1:i2], b[j1:j2]
        if op == "equal":
            result.segments.append(("equal", " ".join(new)))
        elif _is_noise(old, new, a_keys[i1:i2], b_keys[j1:j2]):
            result.segments.append(("noise", " ".join(new)))
        else:
            _add_change(result, old, new)
    return result


def _is_noise(old: list[str], new: list[str], old_keys: list[str], new_keys: list[str]) -> bool:
    """Stray punctuation, a misread letter, a word split or joined: what OCR changes, not what an agency does."""
    if any(REDACTION_MARK.search(w) for w in old + new):
        return False
    old_words = [k for k in old_keys if not _PUNCTUATION.match(k)]
    new_words = [k for k in new_keys if not _PUNCTUATION.match(k)]
    if not old_words and not new_words:
        return True
    if not old_words or not new_words:
        return False
    if len(old_words) == len(new_words) and all(
        difflib.SequenceMatcher(None, x, y).ratio() >= NOISE_RATIO for x, y in zip(old_words, new_words, strict=True)
    ):
        return True
    joined_old, joined_new = "".join(old_words), "".join(new_words)
    return difflib.SequenceMatcher(None, joined_old, joined_new).ratio() >= 0.8


def _add_change(result: WordDiff, old: list[str], new: list[str]) -> None:
    hidden = [w for w in old if not REDACTION_MARK.search(w) and not _PUNCTUATION.match(w)]
    revealed = [w for w in new if not REDACTION_MARK.search(w) and not _PUNCTUATION.match(w)]
    if any(REDACTION_MARK.search(w) for w in old + new):
        result.markers_changed = True
    if old:
        result.segments.append(("hidden", " ".join(old)))
    if new:
        result.segments.append(("revealed", " ".join(new)))
    result.hidden += hidden
    result.revealed += revealed


# Which pages came before.


def earlier_pages(document: Document, scope: str):
    """Pages released before this document, in its team only: on its request, or across its campaign."""
    records_request = document.request
    before = Q(document__uploaded_at__lt=document.uploaded_at) | Q(
        document__uploaded_at=document.uploaded_at, document_id__lt=document.pk
    )
    pages = Page.objects.filter(before, document__request__team_id=records_request.team_id)
    if scope == ReleaseDiff.Scope.CAMPAIGN and records_request.campaign_id:
        return pages.filter(document__request__campaign_id=records_request.campaign_id)
    return pages.filter(document__request_id=records_request.pk)


class EarlierIndex:
    """The earlier pages' fingerprints, indexed: text hash → page, LSH over MinHash, image hashes as bits."""

    def __init__(self, pages):
        self.by_text: dict[str, int] = {}
        self.minhashes: dict[int, object] = {}
        self.lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        image_ids, image_bits = [], []
        rows = PageFingerprint.objects.filter(page__in=pages).order_by("page__document__uploaded_at", "page_id")
        self.count = 0
        for page_id, text_hash, signature, image_hash in rows.values_list(
            "page_id", "text_hash", "minhash", "image_hash"
        ):
            self.count += 1
            if text_hash:
                self.by_text.setdefault(text_hash, page_id)
            if signature and (minhash := minhash_from_bytes(signature)) is not None:
                self.minhashes[page_id] = minhash
                self.lsh.insert(page_id, minhash, check_duplication=False)
            if _informative(image_hash):
                image_ids.append(page_id)
                image_bits.append(_bits(image_hash))
        self.image_ids = image_ids
        self.image_bits = np.array(image_bits, dtype=np.bool_).reshape(len(image_ids), IMAGE_BITS)

    def candidates(self, signature) -> list[int]:
        found = self.lsh.query(signature)
        found.sort(key=lambda pk: (-signature.jaccard(self.minhashes[pk]), pk))
        return found[:MAX_CANDIDATES]

    def same_image(self, image_hash: str) -> int | None:
        if not self.image_ids or not _informative(image_hash):
            return None
        distances = (self.image_bits != _bits(image_hash)).sum(axis=1)
        best = int(distances.argmin())
        return self.image_ids[best] if distances[best] <= IMAGE_DISTANCE else None


def _bits(image_hash: str) -> np.ndarray:
    return np.unpackbits(np.frombuffer(bytes.fromhex(image_hash), dtype=np.uint8)).astype(np.bool_)


def _informative(image_hash: str) -> bool:
    if len(image_hash) != IMAGE_BITS // 4:
        return False
    ones = int(image_hash, 16).bit_count()
    return IMAGE_MIN_BITS <= ones <= IMAGE_BITS - IMAGE_MIN_BITS


# The comparison.


def compute_release_diff(document_id: int, scope: str = ReleaseDiff.Scope.REQUEST) -> ReleaseDiff | None:
    """Compare the document's pages with the earlier ones and store the result; None if the document is gone."""
    document = Document.objects.select_related("request").filter(pk=document_id).first()
    if document is None:
        return None
    diff, _ = ReleaseDiff.objects.get_or_create(document=document, scope=scope)
    try:
        comparisons = compare_pages(document, scope)
    except Exception:
        logger.exception("Production diff of document %s failed", document_id)
        ReleaseDiff.objects.filter(pk=diff.pk).update(state=ReleaseDiff.State.FAILED, error=UNEXPECTED)
        diff.refresh_from_db()
        return diff
    earlier, rows = comparisons
    counts = {kind: sum(r.kind == kind for r in rows) for kind in Kind.values}
    with transaction.atomic():
        PageComparison.objects.filter(diff=diff).delete()
        for row in rows:
            row.diff = diff
        PageComparison.objects.bulk_create(rows, batch_size=500)
        diff.state, diff.error, diff.computed_at = ReleaseDiff.State.DONE, "", timezone.now()
        diff.pages, diff.new, diff.changed = len(rows), counts[Kind.NEW], counts[Kind.CHANGED]
        diff.already_released = counts[Kind.SAME] + counts[Kind.NEAR]
        diff.earlier_pages = earlier
        diff.save()
    return diff


def compare_pages(document: Document, scope: str) -> tuple[int, list[PageComparison]]:
    """(how many earlier pages, one unsaved PageComparison per page of the document)."""
    earlier = earlier_pages(document, scope)
    fill_missing_fingerprints(earlier)
    fill_missing_fingerprints(Page.objects.filter(document=document))
    index = EarlierIndex(earlier)
    pages = list(Page.objects.filter(document=document).select_related("fingerprint").order_by("number"))
    candidates = {page.pk: _candidates(page, index) for page in pages}
    wanted = {pk for found in candidates.values() for pk in found}
    rows = Page.objects.filter(pk__in=wanted).values_list("pk", "text", "text_under_box")
    texts = {pk: (text, boxed) for pk, text, boxed in rows}
    return index.count, [_compare(page, candidates[page.pk], index, texts) for page in pages]


def fill_missing_fingerprints(pages) -> None:
    """Pages written before fingerprints existed get theirs now."""
    missing = list(pages.filter(fingerprint__isnull=True).values_list("pk", flat=True))
    for start in range(0, len(missing), 500):
        record_fingerprints(missing[start : start + 500])


def _candidates(page: Page, index: EarlierIndex) -> list[int]:
    """The earlier page with the same text, else the best near-duplicate candidates."""
    fingerprint = page.fingerprint
    if fingerprint.text_hash in index.by_text:
        return [index.by_text[fingerprint.text_hash]]
    signature = minhash_from_bytes(fingerprint.minhash)
    return [] if signature is None else index.candidates(signature)


def _compare(page: Page, candidates: list[int], index: EarlierIndex, texts: dict) -> PageComparison:
    fingerprint = page.fingerprint
    exact = index.by_text.get(fingerprint.text_hash) if fingerprint.text_hash else None
    if exact is not None:
        box_note = _box_note(texts[exact][1], page.text_under_box)
        kind = Kind.CHANGED if box_note else Kind.SAME
        return PageComparison(page=page, kind=kind, earlier_id=exact, matched_by="text", similarity=1.0, note=box_note)
    best: tuple[float, int, WordDiff] | None = None
    for candidate in candidates:
        diff = word_diff(texts[candidate][0], page.text)
        if best is None or diff.ratio > best[0]:
            best = (diff.ratio, candidate, diff)
    if best is not None and best[0] >= NEAR_RATIO:
        ratio, earlier, diff = best
        box_note = _box_note(texts[earlier][1], page.text_under_box)
        kind = Kind.CHANGED if diff.redactions_changed or box_note else Kind.NEAR
        return PageComparison(
            page=page, kind=kind, earlier_id=earlier, matched_by="words", similarity=round(ratio, 4),
            hidden=diff.hidden, revealed=diff.revealed, note=box_note,
        )  # fmt: skip
    same_image = index.same_image(fingerprint.image_hash)
    if same_image is not None:
        return PageComparison(page=page, kind=Kind.SAME, earlier_id=same_image, matched_by="image", similarity=1.0)
    return PageComparison(page=page, kind=Kind.NEW)


def _box_note(earlier_boxed: bool, boxed: bool) -> str:
    if boxed and not earlier_boxed:
        return "A box now covers text that is still in the file."
    if earlier_boxed and not boxed:
        return "The box over text on the earlier page is gone."
    return ""


# Keeping diffs in step.


def releases_to_compare(document: Document) -> list[tuple[int, str]]:
    """When a document is done: it, and every later release already compared (its baseline changed).

    Marks them computing (the pages show "computing…") and returns (document id, scope) for the caller to
    queue (records.tasks.compare_release_task). A document with no pages (a ZIP, an email) is no release.
    """
    if not Page.objects.filter(document=document).exists():
        return []
    ReleaseDiff.objects.get_or_create(document=document, scope=ReleaseDiff.Scope.REQUEST)
    records_request = document.request
    affected = Q(document__request_id=records_request.pk)
    if records_request.campaign_id:
        affected |= Q(
            scope=ReleaseDiff.Scope.CAMPAIGN,
            document__request__campaign_id=records_request.campaign_id,
            document__request__team_id=records_request.team_id,
        )
    later = ReleaseDiff.objects.filter(affected).filter(
        Q(document__uploaded_at__gt=document.uploaded_at)
        | Q(document__uploaded_at=document.uploaded_at, document_id__gte=document.pk)
    )
    stale = list(later.values_list("pk", "document_id", "scope"))
    ReleaseDiff.objects.filter(pk__in=[pk for pk, _, _ in stale]).update(
        state=ReleaseDiff.State.COMPUTING, requested_at=timezone.now()
    )
    return [(document_id, scope) for _, document_id, scope in stale]


def diff_for(document: Document, scope: str, now=None) -> tuple[ReleaseDiff | None, bool]:
    """The stored diff of a done document in this scope, and whether to queue it now.

    Documents from before fingerprints existed, and the campaign scope, are compared on first view; a diff
    still computing long after it was sent (its message lost with a worker) is sent again.
    """
    if document.state != Document.State.DONE or not document.pages.exists():
        return ReleaseDiff.objects.filter(document=document, scope=scope).first(), False
    now = now or timezone.now()
    diff, created = ReleaseDiff.objects.get_or_create(document=document, scope=scope, defaults={"requested_at": now})
    lost = ReleaseDiff.objects.filter(pk=diff.pk, state=ReleaseDiff.State.COMPUTING).filter(
        Q(requested_at__isnull=True) | Q(requested_at__lt=now - RESEND_AFTER)
    )
    if not created and lost.update(requested_at=now):  # conditional: two viewers send it once
        return diff, True
    return diff, created
