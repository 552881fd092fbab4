"""Ingest benchmark: the whole pipeline against the bare tools, on the shared corpus.

    .venv/bin/python bench/ingest.py [--corpus ../shared/corpus] [--ocr-pages 12] [--compare-render]

Prints JSON:
- extract: pages/s of extract_document (fork, pypdf, box heuristic, batched
  writes to the database) against bare pypdf extract_text on the same files;
- ocr: pages/s of ocr_document against bare `pdftoppm | tesseract` on the same pages;
- peak RSS of this process (the worker's part) and of its children (parsers, tesseract);
- with --compare-render: pdftoppm vs pypdfium2 (vs OCRmyPDF if on PATH) on the same scans.

Runs against a throw-away SQLite database under a temporary VAR_DIR unless
DATABASE_URL is set (point it at an empty database).
"""

import argparse
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-ingest-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")  # DEBUG keeps every query in memory
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from records.ingest import add_document, extract_document, ocr_document  # noqa: E402
from records.ingest.limits import current_limits  # noqa: E402
from records.ingest.ocr import render_pdf_page, tesseract  # noqa: E402
from records.models import Agency, Document, Page, RecordsRequest, Statute, Team  # noqa: E402


def make_request():
    team, _ = Team.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    statute = Statute.objects.filter(code="FOIA").first() or Statute.objects.create(
        code="FOIA", name="Freedom of Information Act", citation="5 U.S.C. 552", calendar="US-FED"
    )
    agency = Agency.objects.create(name="Bench agency", level=Agency.FEDERAL)
    return RecordsRequest.objects.create(team=team, title="bench", agency=agency, statute=statute)


def bare_pypdf(path: Path) -> int:
    reader = PdfReader(path)
    for page in reader.pages:
        page.extract_text()
    return len(reader.pages)


def bench_extract(files: list[Path], rounds: int) -> dict:
    """Best of `rounds` for each side, alternating, so load from elsewhere hits both alike."""
    logging.disable(logging.WARNING)
    pipeline_best, bare_best, pages, worker_rss = float("inf"), float("inf"), 0, 0.0
    for _ in range(rounds):
        request = make_request()
        documents = [add_document(request, name=p.name, data_or_fileobj=p.read_bytes())[0] for p in files]
        started = time.perf_counter()
        for document in documents:
            extract_document(document.pk)
        pipeline_best = min(pipeline_best, time.perf_counter() - started)
        # Peak before bare pypdf runs here: the worker's own footprint (the parsing is in children).
        worker_rss = worker_rss or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        started = time.perf_counter()
        pages = sum(bare_pypdf(path) for path in files)
        bare_best = min(bare_best, time.perf_counter() - started)
        assert Page.objects.filter(document__in=documents).count() == pages
        request.delete()
    logging.disable(logging.NOTSET)
    return {
        "worker_peak_rss_mb_during_pipeline": round(worker_rss, 1),
        "files": len(files),
        "pages": pages,
        "pipeline_pages_per_s": round(pages / pipeline_best, 1),
        "bare_pypdf_pages_per_s": round(pages / bare_best, 1),
        "ratio": round(bare_best / pipeline_best, 3),
        "page_batch_size": current_limits().page_batch_size,
    }


def scanned_pages(files: list[Path], wanted: int) -> list[tuple[Path, int]]:
    """The first page of each image-only release, then second pages, ... up to `wanted`."""
    scans = [p for p in files if not any(page.extract_text().strip() for page in PdfReader(p).pages[:2])]
    chosen, number = [], 1
    while len(chosen) < wanted and number < 50:
        for path in scans:
            if number <= len(PdfReader(path).pages) and len(chosen) < wanted:
                chosen.append((path, number))
        number += 1
    return chosen


def bench_ocr(pages: list[tuple[Path, int]]) -> dict:
    limits = current_limits()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir:
        for path, number in pages:
            image = render_pdf_page(path, number, Path(workdir), dpi=limits.ocr_dpi, timeout=600)
            tesseract(image, timeout=600)
    bare = time.perf_counter() - started

    request = make_request()
    by_file: dict[Path, list[int]] = {}
    for path, number in pages:
        by_file.setdefault(path, []).append(number)
    documents = {}
    for path in by_file:
        documents[path] = add_document(request, name=path.name, data_or_fileobj=path.read_bytes())[0]
        extract_document(documents[path].pk)
    # OCR exactly the sampled pages: mark the others as not needing it.
    for path, numbers in by_file.items():
        Page.objects.filter(document=documents[path], needs_ocr=True).exclude(number__in=numbers).update(
            needs_ocr=False
        )
    started = time.perf_counter()
    for document in documents.values():
        while Document.objects.get(pk=document.pk).state == Document.State.OCR:
            ocr_document(document.pk)
    pipeline = time.perf_counter() - started
    request.delete()
    return {
        "pages": len(pages),
        "pipeline_pages_per_s": round(len(pages) / pipeline, 3),
        "bare_pdftoppm_tesseract_pages_per_s": round(len(pages) / bare, 3),
        "ratio": round(bare / pipeline, 3),
        "dpi": limits.ocr_dpi,
    }


def compare_render(pages: list[tuple[Path, int]]) -> dict:
    """Rendering paths for OCR, each followed by the same tesseract run."""
    import pypdfium2

    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        work = Path(workdir)

        def pdftoppm(path, number):
            return render_pdf_page(path, number, work, dpi=300, timeout=600)

        def pdfium(path, number):
            document = pypdfium2.PdfDocument(str(path))
            image = document[number - 1].render(scale=300 / 72, grayscale=True).to_pil()
            target = work / "pdfium.pgm"
            image.convert("L").save(target)
            document.close()
            return target

        for name, render in (("pdftoppm_300dpi_gray", pdftoppm), ("pypdfium2_300dpi_gray", pdfium)):
            render_time = ocr_time = 0.0
            letters = 0
            for path, number in pages:
                started = time.perf_counter()
                image = render(path, number)
                render_time += time.perf_counter() - started
                started = time.perf_counter()
                letters += sum(char.isalpha() for char in tesseract(image, timeout=600))
                ocr_time += time.perf_counter() - started
            results[name] = {
                "render_s_per_page": round(render_time / len(pages), 3),
                "tesseract_s_per_page": round(ocr_time / len(pages), 3),
                "letters_read": letters,
            }
        ocrmypdf = shutil.which("ocrmypdf") or os.environ.get("OCRMYPDF")
        if ocrmypdf:
            started = time.perf_counter()
            for path, number in pages:
                output = work / "out.pdf"
                subprocess.run(
                    [ocrmypdf, "--force-ocr", "--jobs", "1", "--pages", str(number), "--output-type", "pdf",
                     "--sidecar", str(work / "side.txt"), "-q", str(path), str(output)],
                    check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"},
                )  # fmt: skip
            results["ocrmypdf_jobs1"] = {"total_s_per_page": round((time.perf_counter() - started) / len(pages), 3)}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(PROJECT.parent / "shared" / "corpus"))
    parser.add_argument("--ocr-pages", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--compare-render", action="store_true")
    options = parser.parse_args()
    real = Path(options.corpus) / "real"
    if not real.is_dir():
        sys.exit(f"corpus not found at {real}: pass --corpus")
    call_command("migrate", verbosity=0)
    files = sorted(p for p in real.iterdir() if p.suffix.lower() == ".pdf")
    pages = scanned_pages(files, options.ocr_pages)

    report = {"extract": bench_extract(files, options.rounds), "ocr": bench_ocr(pages)}
    if options.compare_render:
        report["render_compare"] = compare_render(pages)
    # Whole run, bare pypdf and pypdfium2 included; forked children count the pages they inherit.
    report["peak_rss_mb_whole_run"] = {
        "this_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "largest_child": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }
    report["cpus"] = os.cpu_count()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
