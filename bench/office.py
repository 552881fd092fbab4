"""DOCX conversion: pages per second, the corpus letters and a generated 50-page DOCX.

    .venv/bin/python bench/office.py [--corpus ../shared/corpus] [--pages 50]

Prints JSON: for each file, the whole pipeline (extract_document: the sandboxed child,
LibreOffice with a fresh profile converting to PDF, the PDF stored, then read page by page
with pypdf and written as Pages) against bare `soffice --convert-to pdf` on the same file
with a warm profile of its own, and pages per second of each. The multi-page DOCX is made
by LibreOffice from plain text before timing starts. Runs against a throw-away SQLite
database under a temporary VAR_DIR unless DATABASE_URL is set (point it at an empty database).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-office-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from records.ingest.pipeline import extract_document  # noqa: E402
from records.ingest.store import add_document  # noqa: E402
from records.models import Agency, Document, RecordsRequest, Statute, Team  # noqa: E402

LETTERS = ("formats/BC_FOIPPA_acknowledgement_letter.docx", "formats/BC_FOIPPA_fee_ack_and_extension_letter.docx")
PARAGRAPH = (
    "The department has located records responsive to your request under the public records act. "
    "Portions are withheld under the exemptions cited, and the remainder is released in full. "
)


def soffice(args: list[str], profile: Path) -> None:
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", *args]
    subprocess.run(command, capture_output=True, check=True, timeout=600)


def long_docx(folder: Path, pages: int, profile: Path) -> Path:
    """A DOCX of about `pages` pages, made by LibreOffice from plain text (form feeds start new pages)."""
    text = folder / f"long-{pages}.txt"
    page = "\n\n".join(f"Page {{n}}, paragraph {p}. " + PARAGRAPH * 3 for p in range(1, 5))
    text.write_text("\f".join(page.format(n=n) for n in range(1, pages + 1)))
    soffice(["--convert-to", "docx:MS Word 2007 XML", "--outdir", str(folder), str(text)], profile)
    return folder / f"long-{pages}.docx"


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in out.splitlines() if line.startswith("Pages:")))


def bare(path: Path, folder: Path, profile: Path) -> tuple[int, float]:
    out = folder / f"bare-{path.stem}"
    started = time.perf_counter()
    soffice(["--convert-to", "pdf", "--outdir", str(out), str(path)], profile)
    elapsed = time.perf_counter() - started
    return pdf_pages(out / f"{path.stem}.pdf"), elapsed


def pipeline(path: Path) -> tuple[str, int, float]:
    team, _ = Team.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    statute = Statute.objects.order_by("pk").first()
    agency, _ = Agency.objects.get_or_create(name="Bench agency", defaults={"level": Agency.CITY})
    request = RecordsRequest.objects.create(team=team, title="Bench", agency=agency, statute=statute)
    with open(path, "rb") as file:
        document, _ = add_document(request, name=path.name, data_or_fileobj=file)
    started = time.perf_counter()
    extract_document(document.pk)
    elapsed = time.perf_counter() - started
    document = Document.objects.get(pk=document.pk)
    return document.state, document.page_count or 0, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(PROJECT.parent / "shared" / "corpus"))
    parser.add_argument("--pages", type=int, default=50)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    folder = Path(tempfile.mkdtemp(prefix="bench-office-files-"))
    profile = folder / "profile"
    files = [Path(options.corpus) / name for name in LETTERS]
    files.append(long_docx(folder, options.pages, profile))
    soffice(["--convert-to", "pdf", "--outdir", str(folder / "warm"), str(files[0])], profile)  # warm the profile
    results = []
    for path in files:
        bare_pages, bare_seconds = bare(path, folder, profile)
        state, pages, seconds = pipeline(path)
        results.append({
            "file": path.name,
            "bare_soffice": {"pages": bare_pages, "seconds": round(bare_seconds, 2),
                             "pages_per_second": round(bare_pages / bare_seconds, 2)},
            "pipeline": {"state": state, "pages": pages, "seconds": round(seconds, 2),
                         "pages_per_second": round(pages / seconds, 2)},
        })  # fmt: skip
    total_pages = sum(r["pipeline"]["pages"] for r in results)
    total_seconds = sum(r["pipeline"]["seconds"] for r in results)
    print(json.dumps({"files": results, "pipeline_pages_per_second": round(total_pages / total_seconds, 2)}, indent=2))


if __name__ == "__main__":
    main()
