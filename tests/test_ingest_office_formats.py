"""Each office format the tracker reads, made here with LibreOffice from the corpus letter (issue 13):
ODT, DOC and RTF from the DOCX; PPTX, PPT and ODP from a PDF (Impress's PDF import, one slide a page);
and a legacy Excel .xls from a CSV, read by xlrd with its sheet and rows."""

import subprocess
from pathlib import Path

import pytest

from records.models import Page, Sheet
from tests.test_ingest_office import (
    BC_LETTER,
    convert_with_libreoffice,
    ingest,
    make_request,
    needs_libreoffice,
    pdf_pages,
)
from tests.test_ingest_support import corpus_file


@pytest.fixture
def records_request(team):
    return make_request(team)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The files, converted once for the module by LibreOffice on the command line."""
    needs_libreoffice()
    folder = tmp_path_factory.mktemp("formats")
    letter = folder / "letter.docx"
    letter.write_bytes(corpus_file("formats", BC_LETTER).read_bytes())
    files = {kind: convert_with_libreoffice(folder, letter, kind) for kind in ("odt", "doc", "rtf")}
    slides = folder / "slides.pdf"
    slides.write_bytes(convert_with_libreoffice(folder, letter, "pdf").read_bytes())
    for kind in ("pptx", "ppt", "odp"):
        files[kind] = _convert_slides(folder, slides, kind)
    files["pdf"] = slides
    return files


def _convert_slides(folder, pdf, kind):
    out = folder / f"slides-{kind}"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{folder}/profile-slides", "--headless", "--norestore",
         "--infilter=impress_pdf_import", "--convert-to", kind, "--outdir", str(out), str(pdf)],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    (result,) = out.iterdir()
    return result


@pytest.mark.same_on_every_database  # LibreOffice's conversions; plain row writes
@pytest.mark.slow  # LibreOffice twice a file (the test makes it, the pipeline converts it)
@pytest.mark.parametrize("kind", ["odt", "doc", "rtf"])
def test_word_processing_formats_become_pages(records_request, made, tmp_path, kind):
    path = made[kind]
    document = ingest(records_request, f"letter.{kind}", path.read_bytes())
    assert document.state == "done", document.error
    assert document.detected_type == kind
    assert document.page_count == pdf_pages(convert_with_libreoffice(tmp_path, path))
    assert "business days" in " ".join(Page.objects.filter(document=document).values_list("text", flat=True))


@pytest.mark.same_on_every_database  # LibreOffice's conversions; plain row writes
@pytest.mark.slow  # LibreOffice twice a file (the test makes it, the pipeline converts it)
@pytest.mark.parametrize("kind", ["pptx", "ppt", "odp"])
def test_presentations_become_one_page_a_slide(records_request, made, kind):
    document = ingest(records_request, f"slides.{kind}", made[kind].read_bytes())
    assert document.state == "done", document.error
    assert document.detected_type == kind
    assert document.page_count == pdf_pages(made["pdf"])  # one slide for each page of the PDF imported


@pytest.mark.same_on_every_database  # type detection; needs the LibreOffice-made files
def test_a_file_named_docx_that_is_a_pdf_is_read_as_the_pdf_it_is(records_request, made):
    document = ingest(records_request, "letter.docx", made["pdf"].read_bytes())
    assert document.state == "done" and document.detected_type == "pdf" and document.converted_file is None


# tests/fixtures/plates_biff8.xls (9 KB) was made once with LibreOffice Calc from a CSV:
#   rows: Plate,Reason,Officer then 7AB001..7AB041, "case N", "Officer N%7"
#   soffice --headless --convert-to 'xls:MS Excel 97' plates.csv
XLS_FIXTURE = Path(__file__).parent / "fixtures" / "plates_biff8.xls"


def test_legacy_excel_xls_is_read_by_sheet_and_row(records_request):
    data = XLS_FIXTURE.read_bytes()
    assert data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a real BIFF8 workbook in an OLE2 container
    document = ingest(records_request, "plates.xls", data)
    assert document.state == "done", document.error
    assert document.detected_type == "xls"
    (sheet,) = Sheet.objects.filter(document=document)
    assert sheet.name == "plates" and sheet.header == ["Plate", "Reason", "Officer"]
    assert sheet.row_count == document.page_count == 41
    last = Page.objects.filter(document=document).order_by("number").last()
    assert last.row == 42 and last.cells == ["7AB041", "case 41", "Officer 6"]
    assert "7AB017" in Page.objects.get(document=document, row=18).text
