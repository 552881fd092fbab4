"""Import preview of too-wide and too-long sheets: a CSV with 5 used columns padded to 16,384 (Excel's
maximum) and to 200,000 columns, one with 300 filled columns, one with MAX_ROWS rows and one with 2 MB
of rows. Times what the preview page does, then the import of the longest sheet allowed.

    .venv/bin/python bench/import_wide.py                 # each case stopped after 120 s
    .venv/bin/python bench/import_wide.py --timeout 600

Each case runs the view's own steps: decode → read_sheet → guess_mapping → plan_import, then the
mapping form the preview renders. Every sheet stays under the upload cap (MAX_IMPORT_BYTES), so it is a
file the upload page accepts. A small sheet is previewed first, unreported, so the
figures leave out one-off costs (imports, templates). Runs on a throwaway in-memory SQLite database; prints one JSON object.
"""

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

USED = ["Agency", "Title", "Date sent", "Status", "Tracking #"]


def wide_csv(columns: int, max_bytes: int, rows: int = 20) -> bytes:
    """A header and `rows` requests in the first five columns, every row padded with empty cells."""
    padding = "," * (columns - len(USED))
    row_bytes = columns + 60
    rows = max(1, min(rows, max_bytes // row_bytes - 1))
    lines = [",".join(USED) + padding]
    lines += [f"LAPD,ALPR logs {i},2024-01-{i % 28 + 1:02d},pending,R-{i}" + padding for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def long_csv(rows: int, max_bytes: int) -> bytes:
    lines = ["Agency,Title,Date sent,Status,Tracking #"]
    lines += [f"LAPD,ALPR logs {i},2024-01-05,pending,R-{i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()[:max_bytes].rsplit(b"\n", 1)[0] + b"\n"


def filled_csv(columns: int) -> bytes:
    header = ",".join(f"Column {i}" for i in range(columns))
    row = ",".join("x" for _ in range(columns))
    return f"{header}\n{row}\n".encode()


class TimedOut(Exception):
    pass


def _alarm(signum, frame):
    raise TimedOut


def preview(data: bytes, team):
    """The preview view's work, without the HTTP around it."""
    from records import imports
    from records.views.data import ImportMappingForm

    sheet = imports.read_sheet(imports.decode(data), "wide.csv")
    mapping = imports.guess_mapping(sheet.headers)
    plan = imports.plan_import(sheet, mapping, team=team, received_is_sent=True)
    initial = {f"map_{key}": "" if index is None else str(index) for key, index in mapping.items()}
    form = ImportMappingForm(initial=initial, headers=sheet.headers)
    html = "".join(str(field) for field in form.mapping_fields())
    return sheet, plan, len(html)


def run_case(name: str, data: bytes, team, timeout: int) -> dict:
    from records import imports

    result = {"case": name, "bytes": len(data)}
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    start = time.perf_counter()
    try:
        sheet, plan, html_chars = preview(data, team)
        result.update(
            columns_kept=len(sheet.headers),
            rows=len(sheet.rows),
            planned=len(plan.rows),
            row_errors=len(plan.errors),
            form_html_chars=html_chars,
        )
    except imports.SheetError as e:
        result["refused"] = str(e)
    except TimedOut:
        result["stopped_after_s"] = timeout
    finally:
        signal.alarm(0)
    result["seconds"] = round(time.perf_counter() - start, 3)
    return result


def run_import_case(data: bytes, team) -> dict:
    """The import that follows the preview, of the longest sheet allowed: it runs in the web request."""
    from django.contrib.auth import get_user_model

    from records import imports

    user = get_user_model().objects.create(username="bench")
    sheet, plan, _ = preview(data, team)
    start = time.perf_counter()
    imports.run_import(plan, team=team, user=user)
    return {"case": f"import of {len(plan.rows)} rows", "seconds": round(time.perf_counter() - start, 3)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=120, help="stop a case after this many seconds")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from records import imports
    from records.models import Agency, Team

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    team = Team.objects.create(name="Bench desk", slug="bench-desk")
    Agency.objects.create(name="Los Angeles Police Department", abbreviation="LAPD", level=Agency.OTHER, state="CA")

    cap = imports.MAX_IMPORT_BYTES
    run_case("warm-up (not reported)", wide_csv(10, cap), team, args.timeout)  # imports, templates, statutes
    cases = [
        ("16384 columns, 5 used", wide_csv(16_384, cap)),
        ("200000 columns, 5 used", wide_csv(200_000, cap)),
        ("300 filled columns", filled_csv(300)),
        (f"{imports.MAX_ROWS} rows, the most a sheet may have", long_csv(imports.MAX_ROWS, cap)),
        ("2 MB of rows (44,000)", long_csv(10**6, cap)),
    ]
    results = [run_case(name, data, team, args.timeout) for name, data in cases]
    results.append(run_import_case(long_csv(imports.MAX_ROWS, cap), team))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
