"""Spreadsheet ingestion: rows per second on the ALPR audit workbook (its "Audit" sheet has 44,660 rows).

    .venv/bin/python bench/sheets.py [--corpus ../shared/corpus]

Prints JSON: rows/s of the whole pipeline (extract_document: fork, openpyxl read-only,
one Page per row written in batches, the search index kept in step by the database)
against bare openpyxl reading the same sheet in this process, and the time of each.
Runs against a throw-away SQLite database under a temporary VAR_DIR unless DATABASE_URL
is set (point it at an empty database).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-sheets-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")  # DEBUG keeps every query in memory
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.core.management import call_command  # noqa: E402

from records.ingest.pipeline import extract_document  # noqa: E402
from records.ingest.store import add_document  # noqa: E402
from records.models import Agency, Page, RecordsRequest, Statute, Team  # noqa: E402

WORKBOOK = "formats/CA_IrvinePD_ALPR_audit_CPRA_2025.xlsx"


def bare_openpyxl(path: Path) -> tuple[int, float]:
    started = time.perf_counter()
    with open(path, "rb") as file:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        sheet = workbook["Audit"]
        sheet.reset_dimensions()
        rows = sum(1 for row in sheet.iter_rows() if any(cell.value is not None for cell in row))
        workbook.close()
    return rows, time.perf_counter() - started


def pipeline(path: Path) -> tuple[int, int, float]:
    team, _ = Team.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    statute = Statute.objects.order_by("pk").first()
    agency, _ = Agency.objects.get_or_create(name="Bench agency", defaults={"level": Agency.CITY})
    request = RecordsRequest.objects.create(team=team, title="Bench", agency=agency, statute=statute)
    with open(path, "rb") as file:
        document, _ = add_document(request, name=path.name, data_or_fileobj=file)
    started = time.perf_counter()
    extract_document(document.pk)
    elapsed = time.perf_counter() - started
    audit = Page.objects.filter(document=document, sheet="Audit").count()
    return audit, Page.objects.filter(document=document).count(), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(PROJECT.parent / "shared" / "corpus"))
    options = parser.parse_args()
    path = Path(options.corpus) / WORKBOOK
    call_command("migrate", verbosity=0)
    bare_rows, bare_seconds = bare_openpyxl(path)
    audit_rows, all_rows, seconds = pipeline(path)
    print(json.dumps({
        "file": path.name,
        "bare_openpyxl": {"audit_rows": bare_rows, "seconds": round(bare_seconds, 2),
                          "rows_per_second": round(bare_rows / bare_seconds)},
        "pipeline": {"audit_rows": audit_rows, "all_rows": all_rows, "seconds": round(seconds, 2),
                     "rows_per_second": round(all_rows / seconds)},
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
