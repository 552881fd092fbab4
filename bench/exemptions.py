"""Exemption detection at ingestion: its cost per page against the cost of extraction per page.

    .venv/bin/python bench/exemptions.py [--corpus ../shared/corpus] [--rounds 3]

Prints JSON:
- detect_ms_per_page: find_citations alone over the text of every text-layer page of the corpus;
- extract_ms_per_page_with / _without: extract_document (fork, pypdf, box heuristic, batched writes)
  with the citation step (records/review/citations.record_citations: detection plus its queries and
  rows) and with that step replaced by a no-op, best of `rounds`, alternating;
- added_fraction: (with - without) / without, on wall time; issue 14 allows 0.10;
- the same on CPU time (this process and its parser children), which load from other work on the
  machine disturbs far less than wall time.

Runs against a throw-away SQLite database under a temporary VAR_DIR unless DATABASE_URL is set.
"""

import argparse
import json
import logging
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-exemptions-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from records.ingest import add_document, extract_document, pipeline  # noqa: E402
from records.models import Agency, Page, PageCitation, RecordsRequest, Statute, Team  # noqa: E402
from records.review.exemptions import find_citations  # noqa: E402


def make_request() -> RecordsRequest:
    team, _ = Team.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    agency, _ = Agency.objects.get_or_create(name="Bench agency", defaults={"level": Agency.CITY})
    statute = Statute.objects.get(code="IL-FOIA")
    return RecordsRequest.objects.create(team=team, title="bench", agency=agency, statute=statute)


def cpu_seconds() -> float:
    """User + system time of this process and its reaped children (the isolated parsers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def extract_all(files: list[Path]) -> tuple[float, float, int, list[str]]:
    records_request = make_request()
    documents = [add_document(records_request, name=p.name, data_or_fileobj=p.read_bytes())[0] for p in files]
    started, cpu_started = time.perf_counter(), cpu_seconds()
    for document in documents:
        extract_document(document.pk)
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    pages = Page.objects.filter(document__in=documents)
    texts = list(pages.exclude(text="").values_list("text", flat=True))
    count = pages.count()
    records_request.delete()
    return elapsed, cpu, count, texts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=PROJECT.parent / "shared" / "corpus")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--folders", nargs="+", default=["formats", "real"], help="Corpus folders to read.")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    files = sorted(p for folder in args.folders for p in (args.corpus / folder).glob("*") if p.suffix.lower() == ".pdf")
    logging.disable(logging.WARNING)

    real_step = pipeline.record_citations
    best = {"with": float("inf"), "without": float("inf")}
    best_cpu = dict(best)
    texts: list[str] = []
    pages = 0
    for round_number in range(args.rounds):
        # Alternate which side goes first, so a trend in the machine's load favours neither.
        for side in ("without", "with") if round_number % 2 == 0 else ("with", "without"):
            pipeline.record_citations = real_step if side == "with" else (lambda document, page_ids: 0)
            elapsed, cpu, pages, found = extract_all(files)
            best[side] = min(best[side], elapsed)
            best_cpu[side] = min(best_cpu[side], cpu)
            texts = texts or found
    pipeline.record_citations = real_step

    started = time.perf_counter()
    citations = sum(len(find_citations(text)) for text in texts)
    detect = time.perf_counter() - started
    print(
        json.dumps(
            {
                "files": len(files),
                "pages": pages,
                "pages_with_text": len(texts),
                "citations_found": citations,
                "citation_rows_left": PageCitation.objects.count(),
                "detect_ms_per_page": round(1000 * detect / max(len(texts), 1), 3),
                "extract_ms_per_page_with": round(1000 * best["with"] / pages, 2),
                "extract_ms_per_page_without": round(1000 * best["without"] / pages, 2),
                "added_fraction": round((best["with"] - best["without"]) / best["without"], 3),
                "extract_cpu_ms_per_page_with": round(1000 * best_cpu["with"] / pages, 2),
                "extract_cpu_ms_per_page_without": round(1000 * best_cpu["without"] / pages, 2),
                "added_fraction_cpu": round((best_cpu["with"] - best_cpu["without"]) / best_cpu["without"], 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
