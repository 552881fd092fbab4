"""Spreadsheets and text files (issue 13): one Page per row, sheets counted, bad input in plain words."""

import csv
import io
import json
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from records.ingest.pipeline import run_to_completion
from records.ingest.store import add_document
from records.models import Document, Membership, Page, Sheet
from tests.factories import add_member, make_request, make_team, make_user
from tests.test_ingest_support import corpus_file

ALPR = "CA_IrvinePD_ALPR_audit_CPRA_2025.xlsx"
OMB = "DE_OMB_FOIA_tracking_log_2019-03-27.xlsx"
WARRANTS = "IL_CPD_P494685_search_warrant_log_2012-2017.csv"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def records_request(team):
    return make_request(team)


def ingest(records_request, name: str, data: bytes) -> Document:
    document, _ = add_document(records_request, name=name, data_or_fileobj=data)
    run_to_completion(document.pk)
    document.refresh_from_db()
    return document


def ingest_corpus(records_request, name: str) -> Document:
    return ingest(records_request, name, corpus_file("formats", name).read_bytes())


def rows_with_data(path) -> dict[str, int]:
    """Per sheet, the rows with any value, minus one header row: counted with openpyxl directly."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    counts = {}
    for sheet in workbook.worksheets:
        sheet.reset_dimensions()
        filled = [row for row in sheet.iter_rows(values_only=True) if any(v not in (None, "") for v in row)]
        first = filled[0] if filled else ()
        header = all(isinstance(v, str) for v in first if v not in (None, ""))
        counts[sheet.title] = len(filled) - (1 if filled and header else 0)
    return counts


# Real releases.


def test_alpr_workbook_every_sheet_and_row_counted(records_request):
    document = ingest_corpus(records_request, ALPR)
    assert document.state == "done", document.error
    sheets = {sheet.name: sheet.row_count for sheet in Sheet.objects.filter(document=document)}
    expected = rows_with_data(corpus_file("formats", ALPR))
    assert len(sheets) == 9 and sheets == expected
    assert sheets["Audit"] == 44659  # MANIFEST: 44,660 rows, the first of them the header
    assert document.page_count == sum(expected.values()) == Page.objects.filter(document=document).count()
    audit = Sheet.objects.get(document=document, name="Audit")
    assert audit.header == ["Reason", "DateTime"] and audit.header_row == 1
    last = Page.objects.filter(document=document, sheet="Audit").order_by("-row").first()
    assert last.row == 44660 and last.text.startswith("Reason: ")


def test_omb_log_dates_shown_as_displayed(records_request):
    document = ingest_corpus(records_request, OMB)
    assert document.state == "done", document.error
    (sheet,) = Sheet.objects.filter(document=document)
    assert sheet.name == "FOIA_TRACKING" and sheet.row_count == rows_with_data(corpus_file("formats", OMB))[sheet.name]
    first = Page.objects.get(document=document, row=2)
    workbook = openpyxl.load_workbook(corpus_file("formats", OMB), read_only=True)
    received = next(workbook.worksheets[0].iter_rows(min_row=2, max_row=2))[0]
    assert received.is_date and first.cells[0] != str(received.value)  # formatted, not the raw datetime
    assert received.number_format == "mm-dd-yy" and first.cells[0] == "09-20-11"  # as Excel shows it
    assert "Date Written Request Received By Agency*: " in first.text


def test_warrant_csv_rows_counted_and_searchable(records_request, capsys):
    path = corpus_file("formats", WARRANTS)
    with open(path, newline="", encoding="utf-8") as file:
        records = [row for row in csv.reader(file) if any(value.strip() for value in row)]
    document = ingest_corpus(records_request, WARRANTS)
    assert document.state == "done", document.error
    assert document.detected_type == "csv" and document.page_count == len(records) - 1 == 11579
    sheet = Sheet.objects.get(document=document)
    assert sheet.header[:3] == ["Search Warrant #", "Type of Warrant", "Date"]
    call_command("search", '"OAK PARK AVE"', "--json", "--limit", "3")
    hits = json.loads(capsys.readouterr().out)
    row = next(i for i, record in enumerate(records, start=1) if "OAK PARK AVE" in record)
    assert hits and hits[0]["sheet"] == "Sheet1" and hits[0]["filename"] == WARRANTS
    assert any(hit["row"] == row for hit in hits)
    assert "Address: " in hits[0]["snippet"] or "OAK" in hits[0]["snippet"]


def test_search_names_sheet_and_row_in_the_workbook(records_request, capsys):
    document = ingest_corpus(records_request, ALPR)
    workbook = openpyxl.load_workbook(corpus_file("formats", ALPR), read_only=True)
    sheet = workbook["A2"]
    row = next(i for i, r in enumerate(sheet.iter_rows(values_only=True), start=1) if r[0] and "WELLINGTON" in r[0])
    call_command("search", "Wellington", "--json")
    hits = json.loads(capsys.readouterr().out)
    hit = next(hit for hit in hits if hit["sheet"] == "A2")
    assert hit["document_id"] == document.pk and hit["row"] == row
    assert "ORGANIZATION NAME: " in hit["snippet"] and "<mark>" in hit["snippet"]


# Hostile and broken files.


def xlsx_bytes(build) -> bytes:
    workbook = openpyxl.Workbook()
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_hidden_sheets_rows_columns_and_merged_cells_are_labelled(records_request):
    def build(workbook):
        sheet = workbook.active
        sheet.title = "Log"
        sheet.append(["Name", "Badge", "Note"])
        sheet.append(["Ann", 101, "ok"])
        sheet.append(["Bob", 102, "forgot to remove"])
        sheet.row_dimensions[3].hidden = True
        sheet.column_dimensions["C"].hidden = True
        sheet["A5"] = "Merged title"
        sheet.merge_cells("A5:C5")
        secret = workbook.create_sheet("Secret")
        secret.append(["SSN"])
        secret.append(["123-45-6789"])
        secret.sheet_state = "hidden"

    document = ingest(records_request, "log.xlsx", xlsx_bytes(build))
    assert document.state == "done", document.error
    log, secret = Sheet.objects.filter(document=document).order_by("index")
    assert (log.hidden, secret.hidden) == (False, True) and "hidden by the agency" in document.error
    assert log.hidden_rows == [3] and log.hidden_columns == [2] and log.merged == ["A5:C5"]
    merged = Page.objects.get(document=document, sheet="Log", row=5)
    assert merged.cells == ["Merged title"] * 3
    assert Page.objects.get(document=document, sheet="Secret", row=2).text == "SSN: 123-45-6789"


def test_formulas_are_never_evaluated(records_request):
    def build(workbook):
        workbook.active.append(["A", "B"])
        workbook.active.append([1, "=1+1"])  # no cached value: openpyxl writes none

    document = ingest(records_request, "formula.xlsx", xlsx_bytes(build))
    page = Page.objects.get(document=document, row=2)
    assert document.state == "done" and page.cells == ["1"]


def test_macros_are_labelled_and_values_read(records_request):
    def build(workbook):
        workbook.active.append(["Case", "Status"])
        workbook.active.append(["21-1", "Closed"])

    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(build))) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("xl/vbaProject.bin", b'Attribute VB_Name = "Module1"\nSub AutoOpen()\nEnd Sub')
    document = ingest(records_request, "log.xlsm", buffer.getvalue())
    assert document.state == "done" and "contains macros; they were never run" in document.error
    assert Page.objects.get(document=document).text == "Case: 21-1 | Status: Closed"


def test_million_row_bomb_stops_within_the_cell_limit(records_request, settings):
    settings.INGEST_SHEET_MAX_CELLS = 50_000
    rows = "".join(f'<row r="{n}"><c r="XFD{n}" t="inlineStr"><is><t>x</t></is></c></row>' for n in (1, 1048576))
    sheet_xml = (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:XFD1048576"/><sheetData>{rows}</sheetData></worksheet>'
    )

    def build(workbook):
        workbook.active["A1"] = "x"

    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(build))) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = sheet_xml.encode() if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
    document = ingest(records_request, "bomb.xlsx", buffer.getvalue())
    assert document.state == "failed" and "more than 50,000 cells" in document.error
    assert Document.objects.filter(pk=document.pk).exists()


def test_xml_expansion_bomb_is_not_opened(records_request, settings):
    settings.INGEST_SHEET_MAX_XML_MB = 1
    buffer = io.BytesIO()
    empty = io.BytesIO(xlsx_bytes(lambda workbook: None))
    with zipfile.ZipFile(empty) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info), zipfile.ZIP_DEFLATED)
        target.writestr("xl/sharedStrings.xml", b" " * (3 * 1024 * 1024), zipfile.ZIP_DEFLATED)
    document = ingest(records_request, "bomb.xlsx", buffer.getvalue())
    assert document.state == "failed" and "would expand to 3 MB" in document.error


def test_password_protected_xlsx_asks_for_its_password(records_request):
    # An encrypted OOXML file is an OLE2 compound file holding an "EncryptedPackage" stream.
    # (Unlocking it with the password: tests/test_ingest_office.py.)
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "EncryptedInfo".encode("utf-16-le") + b"\x00" * 50 + "EncryptedPackage".encode("utf-16-le")
    document = ingest(records_request, "locked.xlsx", header + directory + b"\x00" * 2048)
    assert document.state == "needs_password" and "protected by a password" in document.error


def test_corrupt_xlsx_and_unknown_encoding_end_in_plain_words(records_request):
    good = xlsx_bytes(lambda workbook: workbook.active.append(["a"]))
    broken = good.replace(b"xl/workbook.xml", b"xl/workbook.xmX", 1)
    with zipfile.ZipFile(io.BytesIO(good)) as source:
        names = source.namelist()
    assert "xl/workbook.xml" in names
    truncated = ingest(records_request, "cut.xlsx", good[: len(good) // 2])
    assert truncated.state == "failed" and truncated.error and "Traceback" not in truncated.error
    assert ingest(records_request, "odd.xlsx", broken).state == "failed"
    noise = bytes(range(256)) * 64
    garbled = ingest(records_request, "export.csv", noise)
    assert garbled.state == "failed" and "text encoding" in garbled.error


def test_latin1_csv_is_decoded(records_request):
    data = "Name;City\nJosé Núñez;Bogotá\nRenée Côté;Montréal\n".encode("cp1252")
    document = ingest(records_request, "log.csv", data)
    assert document.state == "done" and document.page_count == 2
    assert Page.objects.get(document=document, row=2).text == "Name: José Núñez | City: Bogotá"


def test_text_and_html_become_text_pages_never_markup(records_request):
    html = b"<html><head><script>alert(1)</script></head><body><p>Released <b>records</b></p></body></html>"
    document = ingest(records_request, "release.html", html)
    assert document.state == "done" and document.detected_type == "html-text"
    assert Page.objects.get(document=document).text == "Released records"
    text = ("line of text\n" * 600).encode() + b"\fsecond page"
    notes = ingest(records_request, "notes.txt", text)
    assert notes.state == "done" and notes.page_count == 4
    assert Page.objects.get(document=notes, number=4).text == "second page"


# The table on the document page.


def test_sheet_table_paginated_sorted_and_team_scoped(records_request, login, viewer, stranger):
    document = ingest_corpus(records_request, WARRANTS)
    url = reverse("document_detail", args=[document.pk])
    page = login(viewer).get(url, {"sheet": 0, "sort": 0, "dir": "desc", "rows": 2}).content.decode()
    assert "11,579 rows" in page and "Search Warrant #" in page
    assert page.count('class="sheet-row"') == 100
    stranger_page = login(stranger).get(url, {"sheet": 0})
    assert stranger_page.status_code == 404


def test_hidden_labels_on_the_table(records_request, login, viewer):
    def build(workbook):
        workbook.active.append(["Name"])
        workbook.active.append(["Ann"])
        hidden = workbook.create_sheet("Old")
        hidden.append(["Name"])
        hidden.append(["Zed"])
        hidden.sheet_state = "hidden"

    document = ingest(records_request, "staff.xlsx", xlsx_bytes(build))
    page = login(viewer).get(reverse("document_detail", args=[document.pk]), {"sheet": 1}).content.decode()
    assert "hidden by the agency" in page and "Zed" in page


def test_admin_of_another_team_gets_404(records_request, login):
    admin = make_user()
    other_team = make_team()
    add_member(admin, other_team, Membership.ADMIN)
    document = ingest(records_request, "a.csv", b"A,B\n1,2\n")
    assert other_team != records_request.team
    response = login(admin).get(reverse("document_detail", args=[document.pk]), {"sheet": 0})
    assert response.status_code == 404


def test_upload_of_a_spreadsheet_is_accepted(records_request, login, editor, django_capture_on_commit_callbacks):
    client = login(editor)
    with django_capture_on_commit_callbacks():
        client.post(
            reverse("document_upload", args=[records_request.pk]),
            {"files": [SimpleUploadedFile("log.csv", b"A,B\n1,2\n")]},
        )
    document = Document.objects.get(original_name="log.csv")
    run_to_completion(document.pk)
    document.refresh_from_db()
    assert document.state == "done" and document.page_count == 1


def ods_bytes(content: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_ods_rows_hidden_sheet_and_repeats(records_request):
    namespaces = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    )
    content = f"""<?xml version="1.0"?><office:document-content {namespaces}>
    <office:automatic-styles><style:style style:name="ta2" style:family="table">
      <style:table-properties table:display="false"/></style:style></office:automatic-styles>
    <office:body><office:spreadsheet>
      <table:table table:name="Requests">
        <table:table-row><table:table-cell office:value-type="string"><text:p>Date</text:p></table:table-cell>
          <table:table-cell office:value-type="string"><text:p>Requester</text:p></table:table-cell></table:table-row>
        <table:table-row><table:table-cell office:value-type="date" office:date-value="2024-03-05">
          <text:p>03/05/2024</text:p></table:table-cell>
          <table:table-cell office:value-type="string"><text:p>Ann Lee</text:p></table:table-cell>
          <table:table-cell table:number-columns-repeated="16382"/></table:table-row>
        <table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
        <table:table-row table:visibility="collapse"><table:table-cell office:value-type="date">
          <text:p>04/01/2024</text:p></table:table-cell>
          <table:table-cell office:value-type="string"><text:p>Bob Roe</text:p></table:table-cell></table:table-row>
      </table:table>
      <table:table table:name="Scratch" table:style-name="ta2">
        <table:table-row><table:table-cell office:value-type="string"><text:p>note</text:p></table:table-cell></table:table-row>
        <table:table-row><table:table-cell office:value-type="float" office:value="7"><text:p>7</text:p></table:table-cell></table:table-row>
      </table:table>
    </office:spreadsheet></office:body></office:document-content>"""
    document = ingest(records_request, "log.ods", ods_bytes(content))
    assert document.state == "done", document.error
    assert document.detected_type == "ods" and document.page_count == 3
    requests, scratch = Sheet.objects.filter(document=document).order_by("index")
    assert (requests.row_count, requests.hidden, scratch.hidden) == (2, False, True)
    assert requests.hidden_rows == [1048003]
    assert Page.objects.get(document=document, sheet="Requests", row=2).text == "Date: 03/05/2024 | Requester: Ann Lee"
    assert Page.objects.get(document=document, row=1048003).cells == ["04/01/2024", "Bob Roe"]


def test_table_sorts_numbers_and_dates_by_value(records_request, login, viewer):
    data = b"Case,Opened\n10,12/01/2024\n9,01/15/2025\n100,3/2/2023\n"
    document = ingest(records_request, "cases.csv", data)
    client = login(viewer)
    url = reverse("document_detail", args=[document.pk])

    def first_column(**params):
        page = client.get(url, {"sheet": 0, **params}).content.decode()
        return [line.split("<td>")[1].split("</td>")[0] for line in page.split('class="sheet-row"')[1:]]

    assert first_column(sort=0) == ["9", "10", "100"]
    assert first_column(sort=1, dir="desc") == ["9", "10", "100"]  # 2025, 2024, 2023
    assert first_column() == ["10", "9", "100"]  # as released


@pytest.mark.django_db(transaction=True)
def test_import_documents_counts_rows_in_the_pages_column(tmp_path, team):
    make_request(team)
    path = tmp_path / "log.tsv"
    path.write_text("Case\tStatus\n21-1\tOpen\n\n21-2\tClosed\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_documents", str(path), "--new-request", "Logs", "--team", team.slug, "--sync", stdout=out)
    (line,) = out.getvalue().splitlines()
    assert line.split("\t")[1:] == ["done", "2", "log.tsv", "-"]


SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def test_memory_limit_ends_in_plain_words_and_the_worker_goes_on(records_request, settings):
    settings.INGEST_PARSE_MEMORY_MB = 20
    # Far past the cap: the cap is on address space above the worker's, and a worker that freed
    # memory earlier (in this process: the search engine's indexing) lends its child that much more.
    count = 1_500_000
    strings = "".join(f"<si><t>released value number {n:09d} of the log</t></si>" for n in range(count))
    shared = (
        '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{count}" uniqueCount="{count}">{strings}</sst>'
    )
    buffer = io.BytesIO()
    small = io.BytesIO(xlsx_bytes(lambda wb: wb.active.append(["a"])))
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":  # declare the shared strings part
                data = data.replace(b"</Types>", SHARED_STRINGS_TYPE + b"</Types>")
            target.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
        target.writestr("xl/sharedStrings.xml", shared, zipfile.ZIP_DEFLATED)
    document = ingest(records_request, "big.xlsx", buffer.getvalue())
    assert document.state == "failed" and "memory" in document.error and "Traceback" not in document.error
    settings.INGEST_PARSE_MEMORY_MB = 1024
    after = ingest(records_request, "after.csv", b"A\n1\n")
    assert after.state == "done" and after.page_count == 1
