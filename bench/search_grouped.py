"""The search page grouped by document: time of one screen of files against one screen of pages.

    .venv/bin/python bench/search_grouped.py [--pages 50000] [--documents 500] [--runs 5]

Generates `--pages` pages in `--documents` files (sizes from 1 to about 4× the mean), then, for a
frequent word, a mid-frequency word, a rare word, an AND and a prefix, times (p50 / p95 ms, and SQL
queries) what the search page runs: the list (search_pages, 20 hits), the grouped view
(search_documents, 10 files with their best pages and exact counts) in each sort, the list in
document order, and one file's "show all". All through a team-scoped queryset, as the page does.
Runs against a throw-away SQLite database under a temporary VAR_DIR unless DATABASE_URL is set
(point it at an empty database).
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-grouped-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from records.models import Agency, Document, Page, RecordsRequest, Statute, StoredFile, Team  # noqa: E402
from records.search import search_pages  # noqa: E402
from records.search.grouped import document_order_pages, pages_of_document, search_documents  # noqa: E402

FILLER = [
    "the",
    "of",
    "and",
    "to",
    "agency",
    "request",
    "letter",
    "page",
    "department",
    "officer",
    "report",
    "county",
    "city",
    "law",
]
QUERIES = {
    "frequent": "records",  # on about half the pages
    "mid": "vigilant",  # about 5 %
    "rare": "stingray",  # about 0.1 %
    "and": "records vigilant",
    "prefix": "vigil*",
}


def generate(pages: int, documents: int, seed: int) -> Team:
    rng = random.Random(seed)
    team = Team.objects.create(slug="bench", name="Bench")
    statute = Statute.objects.order_by("pk").first()
    agency = Agency.objects.create(name="Bench agency", level=Agency.CITY)
    requests = [
        RecordsRequest.objects.create(team=team, title=f"Bench {i}", agency=agency, statute=statute) for i in range(20)
    ]
    weights = [rng.paretovariate(1.5) for _ in range(documents)]
    sizes = [max(1, round(pages * w / sum(weights))) for w in weights]
    batch = []
    for d, size in enumerate(sizes):
        stored = StoredFile.objects.create(sha256=f"{d:064x}", size=1, path=f"blobs/{d}")
        document = Document.objects.create(
            request=rng.choice(requests), stored_file=stored, original_name=f"release-{d}.pdf", size=1,
            detected_type="pdf", state="done", page_count=size,
        )  # fmt: skip
        for n in range(1, size + 1):
            words = rng.choices(FILLER, k=rng.randint(40, 300))
            for word, share in (("records", 0.5), ("vigilant", 0.05), ("stingray", 0.001)):
                if rng.random() < share:
                    words.insert(rng.randrange(len(words)), word)
            batch.append(Page(document=document, number=n, text=" ".join(words)))
            if len(batch) >= 5000:
                Page.objects.bulk_create(batch)
                batch = []
    Page.objects.bulk_create(batch)
    return team


def timed(runs: int, call) -> dict:
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1),
        "queries": queries,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50_000)
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    team = generate(options.pages, options.documents, options.seed)
    report = {"pages": Page.objects.count(), "documents": Document.objects.count(),
              "generate_s": round(time.perf_counter() - started, 1), "queries": {}}  # fmt: skip
    pages = Page.objects.for_team(team)
    for name, query in QUERIES.items():
        biggest = search_documents(query, pages=pages, sort="relevance", limit=1).groups
        row = {"list_relevance": timed(options.runs, lambda q=query: search_pages(q, pages=pages, limit=20))}
        for sort in ("relevance", "date", "document"):
            row[f"grouped_{sort}"] = timed(
                options.runs, lambda q=query, s=sort: search_documents(q, pages=pages, sort=s, limit=10)
            )
        row["list_document_order"] = timed(options.runs, lambda q=query: document_order_pages(q, pages=pages))
        if biggest:
            doc = biggest[0].document_id
            row["show_all"] = timed(
                options.runs, lambda q=query, d=doc: pages_of_document(q, pages=pages, document_id=d, order="rank")
            )
        row["matching_pages"] = search_documents(query, pages=pages, limit=1).matched
        report["queries"][name] = row
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
