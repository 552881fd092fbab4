"""OCR at the machine's limit: the app's OCR path against bare tesseract × cores, and OCR quality.

    .venv/bin/python bench/ocr.py [--corpus ../shared/corpus] [--file NAME] [--pages N] [--workers N]

Prints JSON:
- bare: pages/s of pypdfium2 (in process, no sandbox) + tesseract (one thread each), `workers` pages at a
  time, on the same pages; and of pdftoppm + tesseract the same way (what issue 13 measured);
- workers: pages/s of the app's OCR path as Celery runs it: `workers` processes (as a worker at
  concurrency = cores) each calling ocr_document() for one chunk after another on the same document,
  sharing it through the page claims in the database (sandboxed render, images cached for the viewer);
- sync: pages/s of import_documents --sync's path (one process, `workers` tesseracts at once);
- ratio = app pages/s ÷ bare pdfium pages/s (target ≥ 0.9);
- quality: word recall of the app's OCR on flp_scotus-slip-opinion-image.pdf against the text layer of
  flp_scotus-slip-opinion-vector.pdf (the same opinion, born digital), and the share of OCR'd words on
  the scanned release that are words of that opinion's or an English word list (if /usr/share/dict/words).

Runs against a throw-away SQLite database under a temporary VAR_DIR unless DATABASE_URL is set.
The machine may be shared: run it when it is quiet, and read the figures as a lower bound.
"""

import argparse
import json
import logging
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-ocr-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from records.ingest import add_document, extract_document, ocr_document  # noqa: E402
from records.ingest.limits import current_limits  # noqa: E402
from records.models import Agency, Document, Page, RecordsRequest, Statute, Team  # noqa: E402

SCAN = "1505_FOIA 15-3569 FINAL PART 1.pdf"  # 41 scanned pages, no text layer
IMAGE_TWIN, VECTOR_TWIN = "flp_scotus-slip-opinion-image.pdf", "flp_scotus-slip-opinion-vector.pdf"
TESSERACT_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}
WORD = re.compile(r"[A-Za-z]{3,}")


def make_request():
    team, _ = Team.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    statute = Statute.objects.filter(code="FOIA").first() or Statute.objects.create(
        code="FOIA", name="Freedom of Information Act", citation="5 U.S.C. 552", calendar="US-FED"
    )
    agency = Agency.objects.create(name="Bench agency", level=Agency.FEDERAL)
    return RecordsRequest.objects.create(team=team, title="bench", agency=agency, statute=statute)


def scan_document(path: Path, pages: int) -> Document:
    """A fresh document of the file, extracted, with only its first `pages` pages left for OCR."""
    document = add_document(make_request(), name=path.name, data_or_fileobj=path.read_bytes())[0]
    document = extract_document(document.pk)
    Page.objects.filter(document=document, number__gt=pages).update(needs_ocr=False)
    Document.objects.filter(pk=document.pk).update(ocr_pages_total=min(pages, document.ocr_pages_total))
    return document


# Bare tools, one page per process, `workers` at a time.


def _bare_pdfium(job) -> int:
    path, number = job
    import pypdfium2

    with tempfile.TemporaryDirectory() as workdir:
        image = Path(workdir) / "page.pgm"
        pdf = pypdfium2.PdfDocument(str(path))
        pdf[number - 1].render(scale=300 / 72, grayscale=True).to_pil().save(image)
        pdf.close()
        out = subprocess.run(["tesseract", str(image), "stdout", "-l", "eng"], capture_output=True, env=TESSERACT_ENV)
    return len(out.stdout)


def _bare_pdftoppm(job) -> int:
    path, number = job
    with tempfile.TemporaryDirectory() as workdir:
        stem = Path(workdir) / "page"
        subprocess.run(
            ["pdftoppm", "-r", "300", "-gray", "-f", str(number), "-l", str(number), "-singlefile", str(path), stem],
            check=True,
        )
        out = subprocess.run(
            ["tesseract", f"{stem}.pgm", "stdout", "-l", "eng"], capture_output=True, env=TESSERACT_ENV
        )
    return len(out.stdout)


def bare(function, path: Path, pages: int, workers: int) -> float:
    jobs = [(path, number) for number in range(1, pages + 1)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(function, jobs, chunksize=1)
    return pages / (time.perf_counter() - started)


# The app's path.


def _worker(document_id: int) -> int:
    """One Celery worker process: a chunk whenever the document has pages nobody holds, as the dispatcher
    sends it (ocr_document is None while another worker holds the document for the instant of its claim)."""
    connections.close_all()  # a forked child opens its own connection
    rounds = 0
    free = Page.objects.filter(document_id=document_id, needs_ocr=True, ocr_claimed_at__isnull=True)
    while Document.objects.get(pk=document_id).state == Document.State.OCR and free.exists():
        if ocr_document(document_id) is None:
            time.sleep(0.02)
        else:
            rounds += 1
    connections.close_all()
    return rounds


def app_workers(path: Path, pages: int, workers: int) -> float:
    document = scan_document(path, pages)
    connections.close_all()
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_worker, [document.pk] * workers, chunksize=1)
    elapsed = time.perf_counter() - started
    document.refresh_from_db()
    assert document.state == "done" and document.ocr_pages_done == pages, (document.state, document.ocr_pages_done)
    return pages / elapsed


def app_sync(path: Path, pages: int, workers: int) -> float:
    document = scan_document(path, pages)
    started = time.perf_counter()
    while Document.objects.get(pk=document.pk).state == Document.State.OCR:
        ocr_document(document.pk, max_pages=workers * 8, parallel=workers)
    return pages / (time.perf_counter() - started)


# Quality.


def words(text: str) -> Counter:
    return Counter(word.lower() for word in WORD.findall(text))


def recall(found: Counter, truth: Counter) -> float:
    return sum(min(count, found[word]) for word, count in truth.items()) / max(1, sum(truth.values()))


def quality(corpus: Path, scan: Path, pages: int) -> dict:
    image = add_document(make_request(), name=IMAGE_TWIN, data_or_fileobj=(corpus / IMAGE_TWIN).read_bytes())[0]
    extract_document(image.pk)
    while Document.objects.get(pk=image.pk).state == Document.State.OCR:
        ocr_document(image.pk, parallel=os.cpu_count())
    vector = PdfReader(corpus / VECTOR_TWIN)
    result = {}
    for page in Page.objects.filter(document=image).order_by("number"):
        truth = words(vector.pages[page.number - 1].extract_text())
        result[f"scotus_page_{page.number}_word_recall"] = round(recall(words(page.text), truth), 3)
    # The scan has no twin: how many of its OCR'd words are words at all (a person could read them).
    dictionary = set()
    if Path("/usr/share/dict/words").exists():
        dictionary = {line.strip().lower() for line in open("/usr/share/dict/words", encoding="utf-8", errors="ignore")}
    scanned = Counter()
    for text in Page.objects.filter(document__original_name=scan.name, ocr=True).values_list("text", flat=True):
        scanned += words(text)
    if dictionary and scanned:
        known = sum(count for word, count in scanned.items() if word in dictionary)
        result["scan_words_in_dictionary_share"] = round(known / sum(scanned.values()), 3)
    result["scan_ocr_words"] = sum(scanned.values())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(PROJECT.parent / "shared" / "corpus"))
    parser.add_argument("--file", default=SCAN)
    parser.add_argument("--pages", type=int, default=0, help="first N pages (default: all)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    corpus = Path(args.corpus) / "real"
    path = corpus / args.file
    pages = args.pages or len(PdfReader(path).pages)
    logging.disable(logging.WARNING)
    call_command("migrate", verbosity=0)

    bare_pdfium = bare(_bare_pdfium, path, pages, args.workers)
    workers = app_workers(path, pages, args.workers)
    bare_pdftoppm = bare(_bare_pdftoppm, path, pages, args.workers)
    sync = app_sync(path, pages, args.workers)
    report = {
        "file": path.name,
        "pages": pages,
        "workers": args.workers,
        "dpi": current_limits().ocr_dpi,
        "bare_pdfium_tesseract_pages_per_s": round(bare_pdfium, 3),
        "bare_pdftoppm_tesseract_pages_per_s": round(bare_pdftoppm, 3),
        "app_workers_pages_per_s": round(workers, 3),
        "app_sync_pages_per_s": round(sync, 3),
        "ratio_workers_to_bare": round(workers / bare_pdfium, 3),
        "ratio_sync_to_bare": round(sync / bare_pdfium, 3),
        "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
    }
    report.update(quality(corpus, path, pages))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
