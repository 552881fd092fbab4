"""Production diff (issue 14): fingerprinting cost at ingestion, and the diff of a large release.

    .venv/bin/python bench/diff.py [--corpus ../shared/corpus] [--rounds 3] [--earlier 10000] [--release 3000]

Prints JSON:
- extract_ms_per_page_with / _without, added_fraction (wall and CPU): extract_document over the corpus
  PDFs with the fingerprint step (records/review/fingerprints.write_fingerprints: normalised words, text
  hash, MinHash, and its rows) and with it replaced by a no-op, best of `rounds`, alternating; issue 14
  allows 0.10;
- image_hash_ms_per_page and ocr_ms_per_page: the scanned-page image hash (rendered small in the sandbox,
  at the OCR step) against OCR of the same pages;
- diff_seconds: compute_release_diff of a generated `release`-page release against `earlier` generated
  earlier pages (a third exact repeats, a sixth OCR-noisy repeats, a tenth with words removed, the rest
  new), the same code path as the Celery task; and its counts.

Runs against a throw-away SQLite database under a temporary VAR_DIR unless DATABASE_URL is set.
"""

import argparse
import json
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-diff-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from bench.exemptions import cpu_seconds, extract_all, make_request  # noqa: E402
from records.ingest import pipeline  # noqa: E402
from records.ingest.ocr import ocr_pdf_page  # noqa: E402
from records.models import Document, Page, StoredFile  # noqa: E402
from records.review.diff import compute_release_diff  # noqa: E402
from records.review.fingerprints import page_image_hashes, record_fingerprints  # noqa: E402

SCAN = "real/flp_xray_cacd-657892-167-3-scan65p.pdf"
WORDS_PER_PAGE = 250


def fingerprint_share(files: list[Path], rounds: int) -> dict:
    real_step = pipeline.write_fingerprints
    best = {"with": float("inf"), "without": float("inf")}
    best_cpu = dict(best)
    pages = 0
    for round_number in range(rounds):
        for side in ("without", "with") if round_number % 2 == 0 else ("with", "without"):
            pipeline.write_fingerprints = real_step if side == "with" else (lambda pages, image_hashes=None: 0)
            cpu_started = cpu_seconds()
            elapsed, _, pages, _ = extract_all(files)
            best[side] = min(best[side], elapsed)
            best_cpu[side] = min(best_cpu[side], cpu_seconds() - cpu_started)
    pipeline.write_fingerprints = real_step
    return {
        "files": len(files),
        "pages": pages,
        "extract_ms_per_page_with": round(1000 * best["with"] / pages, 2),
        "extract_ms_per_page_without": round(1000 * best["without"] / pages, 2),
        "added_fraction": round((best["with"] - best["without"]) / best["without"], 3),
        "extract_cpu_ms_per_page_with": round(1000 * best_cpu["with"] / pages, 2),
        "extract_cpu_ms_per_page_without": round(1000 * best_cpu["without"] / pages, 2),
        "added_fraction_cpu": round((best_cpu["with"] - best_cpu["without"]) / best_cpu["without"], 3),
    }


def image_hash_share(scan: Path, pages: int) -> dict:
    numbers = list(range(1, pages + 1))
    started = time.perf_counter()
    list(page_image_hashes(str(scan), "", numbers, "pdf"))
    hashing = time.perf_counter() - started
    started = time.perf_counter()
    for number in numbers:
        ocr_pdf_page(scan, number, dpi=300, timeout=120)
    ocr = time.perf_counter() - started
    return {
        "scanned_pages": pages,
        "image_hash_ms_per_page": round(1000 * hashing / pages, 1),
        "ocr_ms_per_page": round(1000 * ocr / pages, 1),
    }


def noisy(words: list[str], rng: random.Random) -> list[str]:
    out = list(words)
    for i in rng.sample(range(len(out)), 6):
        word = out[i]
        out[i] = word.upper() if i % 2 else word[:-1] + ("x" if word[-1] != "x" else "y")
    return out


def make_document(records_request, name: str, texts: list[str]) -> Document:
    stored, _ = StoredFile.objects.get_or_create(sha256=name.ljust(64, "0")[:64], defaults={"size": 1, "path": name})
    document = Document.objects.create(
        request=records_request, stored_file=stored, original_name=name, size=1, state="done", page_count=len(texts)
    )
    for start in range(0, len(texts), 500):
        rows = Page.objects.bulk_create(
            Page(document=document, number=start + n, text=text) for n, text in enumerate(texts[start : start + 500], 1)
        )
        record_fingerprints([p.pk for p in rows])
    return document


def diff_time(earlier: int, release: int) -> dict:
    rng = random.Random(14)
    vocabulary = ["".join(rng.choice("abcdefghiklmnoprstuwy") for _ in range(rng.randint(2, 10))) for _ in range(20000)]
    pages = [[rng.choice(vocabulary) for _ in range(WORDS_PER_PAGE)] for _ in range(earlier)]
    records_request = make_request()
    started = time.perf_counter()
    for part in range(4):  # four earlier releases
        chunk = pages[part * earlier // 4 : (part + 1) * earlier // 4]
        make_document(records_request, f"earlier-{part}.pdf", [" ".join(words) for words in chunk])
    new_pages = []
    for n in range(release):
        source = pages[rng.randrange(earlier)]
        if n % 3 == 0:
            new_pages.append(" ".join(source))
        elif n % 6 == 1:
            new_pages.append(" ".join(noisy(source, rng)))
        elif n % 10 == 2:
            cut = rng.randrange(20, WORDS_PER_PAGE - 20)
            new_pages.append(" ".join(source[:cut] + ["[REDACTED]"] + source[cut + 4 :]))
        else:
            new_pages.append(" ".join(rng.choice(vocabulary) for _ in range(WORDS_PER_PAGE)))
    document = make_document(records_request, "release.pdf", new_pages)
    fingerprinting = time.perf_counter() - started
    started = time.perf_counter()
    diff = compute_release_diff(document.pk)
    elapsed = time.perf_counter() - started
    return {
        "earlier_pages": diff.earlier_pages,
        "release_pages": diff.pages,
        "setup_fingerprint_ms_per_page": round(1000 * fingerprinting / (earlier + release), 2),
        "diff_seconds": round(elapsed, 2),
        "counts": {"already_released": diff.already_released, "changed": diff.changed, "new": diff.new},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=PROJECT.parent / "shared" / "corpus")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--folders", nargs="+", default=["formats", "real"], help="Corpus folders to read.")
    parser.add_argument("--scan-pages", type=int, default=3, help="Scanned pages to hash and OCR.")
    parser.add_argument("--earlier", type=int, default=10000)
    parser.add_argument("--release", type=int, default=3000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    logging.disable(logging.WARNING)
    files = sorted(p for folder in args.folders for p in (args.corpus / folder).glob("*") if p.suffix.lower() == ".pdf")
    result = {"ingestion": fingerprint_share(files, args.rounds)}
    if args.scan_pages and (args.corpus / SCAN).exists():
        result["scans"] = image_hash_share(args.corpus / SCAN, args.scan_pages)
    result["diff"] = diff_time(args.earlier, args.release)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
