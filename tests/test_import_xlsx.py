"""Importing an Excel workbook (.xlsx) as it is, and the words desks use for their columns and their laws."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from records import imports
from records.campaigns import matching
from records.imports.agencies import Statutes
from records.imports.xlsx import MAX_XML_BYTES
from records.models import Agency, RecordsRequest

from . import factories
from .test_import_csv import preview_form

pytestmark = pytest.mark.usefixtures("frozen_today")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DESK_HEADERS = ["Agency Name", "Date Sent", "Date Rec’d", "Tracking #", "Subject", "Statute", "Status", "Notes", "Due"]


def desk_workbook() -> bytes:
    """A desk's sheet as Excel saves it: a hidden lookup sheet first, a merged title row above the header,
    real Excel dates, a formula nobody recalculated, a tracking number typed as a number, a hidden column."""
    book = openpyxl.Workbook()
    lookup = book.active
    lookup.title = "Lookup"
    lookup.append(["Statuses", "Codes"])
    lookup.append(["pending", "P"])
    lookup.sheet_state = "hidden"
    sheet = book.create_sheet("Requests 2024")
    sheet.append(["Metro desk: records requests 2024"])
    sheet.merge_cells("A1:I1")
    sheet.append([])
    sheet.append(DESK_HEADERS)
    rows = [
        ("Los Angeles Police Department", dt.date(2024, 1, 5), dt.date(2024, 1, 6), "R-24-0001", "ALPR sharing",
         "Public Records Act", "pending", "Asked for audit logs too"),
        ("U.S. Immigration and Customs Enforcement", dt.datetime(2024, 2, 10), None, 2024001234, "ICE ALPR access",
         "Freedom of Information Act", "Acknowledged", ""),
        ("New York City Police Department", dt.date(2024, 3, 1), None, "NYPD-9", "Plate reads", "NY FOIL",
         "pending", ""),
        ("Texas Department of Public Safety", dt.date(2024, 3, 4), None, "", "ALPR data",
         "Texas Public Information Act", "pending", ""),
        ("Sacramento County Sheriff's Office", dt.date(2024, 3, 9), None, "", "ALPR policy",
         "Cal. Public Records Act", "pending", ""),
    ]  # fmt: skip
    for number, row in enumerate(rows, start=4):
        sheet.append([*row, f"=B{number}+10"])
        sheet.cell(row=number, column=2).number_format = "mm/dd/yyyy"
    sheet.column_dimensions["H"].hidden = True  # the notes column: hidden in Excel, still imported
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_of(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def desk_directory(db):
    return {
        "lapd": factories.make_agency("Los Angeles Police Department", abbreviation="LAPD"),
        "ice": factories.make_agency(
            "U.S. Immigration and Customs Enforcement", level=Agency.FEDERAL, state="", abbreviation="ICE"
        ),
        "nypd": factories.make_agency("New York City Police Department", state="NY", abbreviation="NYPD"),
        "txdps": factories.make_agency("Texas Department of Public Safety", level=Agency.STATE, state="TX"),
        "sac": factories.make_agency("Sacramento County Sheriff's Office", level=Agency.COUNTY),
    }


def upload_xlsx(client, data: bytes, name="desk.xlsx"):
    return client.post(reverse("import_upload"), {"file": SimpleUploadedFile(name, data, XLSX_TYPE)})


def test_a_desk_workbook_is_previewed_with_its_columns_dates_and_laws_and_imported(login, editor, team, desk_directory):
    client = login(editor)
    assert upload_xlsx(client, desk_workbook()).status_code == 302
    preview = client.get(reverse("import_preview"))
    assert preview.status_code == 200
    sheet = preview.context["sheet"]
    assert sheet.header_row == 3  # under the merged title row and a blank row
    assert sheet.headers[: len(DESK_HEADERS)] == DESK_HEADERS
    assert "sheet “Requests 2024”" in preview.content.decode()  # the hidden lookup sheet is not the one read
    form = preview.context["form"]
    expected = {"agency": 0, "sent_date": 1, "received_date": 2, "tracking_numbers": 3, "title": 4, "statute": 5,
                "status": 6, "notes": 7, "due_date": 8}  # fmt: skip
    assert {key: form[f"map_{key}"].value() for key in expected} == {k: str(v) for k, v in expected.items()}
    plan = preview.context["plan"]
    assert plan.errors == []
    response = client.post(reverse("import_preview"), preview_form(preview, action="import"))
    assert response.status_code == 302

    got = {r.agency.abbreviation or r.agency.name: r for r in RecordsRequest.objects.filter(team=team)}
    assert {name: r.statute.code for name, r in got.items()} == {
        "LAPD": "CPRA",  # "Public Records Act" from a California agency
        "ICE": "FOIA",
        "NYPD": "NY-FOIL",
        "Texas Department of Public Safety": "TX-PIA",
        "Sacramento County Sheriff's Office": "CPRA",
    }
    # Excel dates are dates: a date cell and a date-time cell at midnight both.
    assert got["LAPD"].sent_date == dt.date(2024, 1, 5) and got["LAPD"].received_date == dt.date(2024, 1, 6)
    assert got["ICE"].sent_date == dt.date(2024, 2, 10)
    # A number typed into the tracking column reads as Excel shows it, not "2024001234.0".
    assert [t.number for t in got["ICE"].tracking_numbers.all()] == ["2024001234"]
    filing = got["LAPD"].events.get(kind="filed")
    assert "Notes: Asked for audit logs too" in filing.note  # the hidden column was read


def test_a_formula_is_never_evaluated_and_its_text_never_imported():
    text, name = imports.text_of_upload(desk_workbook())
    assert name == "Requests 2024"
    assert "=B4" not in text and "+10" not in text  # never saved by Excel: no cached value, so empty
    sheet = imports.read_sheet(text, "desk.xlsx")
    due = sheet.headers.index("Due")
    assert {sheet.cell(cells, due) for _, cells in sheet.rows} == {""}
    notes = sheet.headers.index("Notes")
    assert sheet.cell(sheet.rows[0][1], notes) == "Asked for audit logs too"  # hidden column H


def test_a_workbook_wider_or_longer_than_the_limits_is_refused_with_the_csv_sentences():
    wide = workbook_of([["Agency", "Title"], ["LAPD", "x", *[""] * (imports.MAX_COLUMNS - 1), "far out"]])
    with pytest.raises(imports.SheetError, match=r"column GT \(column 202\) on row 2"):
        imports.read_sheet(imports.text_of_upload(wide)[0])
    long = workbook_of([["Agency", "Title"], *[["LAPD", f"r{i}"] for i in range(imports.MAX_ROWS + 1)]])
    with pytest.raises(imports.SheetError, match="more than 2,000 rows"):
        imports.read_sheet(imports.text_of_upload(long)[0])


def sheet_bomb() -> bytes:
    """A real workbook whose sheet XML is padded with whitespace past the limit: ~100 KB on the wire."""
    source = zipfile.ZipFile(io.BytesIO(workbook_of([["Agency", "Title"], ["LAPD", "x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (MAX_XML_BYTES + 1))
            bomb.writestr(info.filename, data)
    return out.getvalue()


def test_a_sheet_bomb_is_refused_before_it_is_unpacked(login, editor, team):
    data = sheet_bomb()
    assert len(data) < imports.MAX_IMPORT_BYTES
    response = upload_xlsx(login(editor), data)
    assert response.status_code == 200
    assert "would unpack to 100 MB" in response.content.decode()
    assert not RecordsRequest.objects.filter(team=team).exists()


def test_a_campaigns_agency_list_gets_the_same_sheet_bomb_check():
    with pytest.raises(matching.UnreadableFile, match="would unpack to 100 MB"):
        matching.names_from_upload(SimpleUploadedFile("agencies.xlsx", sheet_bomb(), XLSX_TYPE))


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        # The container a password-protected .xlsx is saved in: an OLE file with an EncryptedPackage stream.
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64,
         "protected with a password"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "Workbook".encode("utf-16-le"), "old-style Excel"),
        (None, "damaged"),  # a real workbook cut in half
    ],
)  # fmt: skip
def test_a_protected_old_or_damaged_workbook_gets_a_sentence(login, editor, data, sentence):
    if data is None:
        whole = desk_workbook()
        data = whole[: len(whole) // 2]
    response = upload_xlsx(login(editor), data)
    assert response.status_code == 200
    assert sentence in response.content.decode()


def test_a_word_document_is_not_taken_for_a_workbook(login, editor, shared_dir):
    data = (shared_dir / "corpus/formats/BC_FOIPPA_acknowledgement_letter.docx").read_bytes()
    response = upload_xlsx(login(editor), data, name="letter.docx")
    assert response.status_code == 200
    assert "not an Excel workbook that can be read" in response.content.decode()


def test_the_upload_page_accepts_xlsx(login, editor):
    page = login(editor).get(reverse("import_upload")).content.decode()
    assert 'accept=".csv,.txt,.tsv,.xlsx"' in page and ".xlsx" in page


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Date Rec'd", "received_date"), ("Date Rec’d", "received_date"), ("Date Received", "received_date"),
        ("Received", "received_date"), ("Rec'd", "received_date"), ("Agency Name", "agency"), ("Agency", "agency"),
        ("Department", "agency"), ("Requested From", "agency"), ("Statute", "statute"), ("Law", "statute"),
        ("Cal. Public Records Act", "statute"), ("CPRA", "statute"), ("California Public Records Act", "statute"),
        ("FOIA", "statute"), ("Freedom of Information Act", "statute"), ("Tracking #", "tracking_numbers"),
        ("Request #", "tracking_numbers"), ("Ref", "reference"), ("Our Ref", "reference"), ("Date Sent", "sent_date"),
        ("Submitted", "sent_date"), ("Status", "status"), ("Notes", "notes"),
    ],
)  # fmt: skip
def test_the_headers_desks_use_are_guessed(header, field):
    mapping = imports.guess_mapping(["Subject", header])
    assert mapping[field] == 1


@pytest.mark.parametrize(
    ("text", "state", "code"),
    [
        ("Cal. Public Records Act", "", "CPRA"), ("California Public Records Act", "", "CPRA"), ("CPRA", "", "CPRA"),
        ("Public Records Act", "CA", "CPRA"), ("Public Records Act", "WA", "WA-PRA"), ("FOIA", "", "FOIA"),
        ("Freedom of Information Act", "CA", "FOIA"), ("Texas Public Information Act", "", "TX-PIA"),
        ("NY FOIL", "", "NY-FOIL"), ("FOIL", "NY", "NY-FOIL"), ("N.J. OPRA", "", "NJ-OPRA"),
    ],
)  # fmt: skip
def test_statute_values_are_matched_to_our_codes(db, text, state, code):
    assert Statutes().find(text, state=state).code == code


def test_a_law_several_states_name_alike_needs_the_agencys_state(db):
    with pytest.raises(ValueError, match="several states' laws and the agency's state is not known"):
        Statutes().find("Public Records Act")


def test_the_delaware_omb_foia_log_is_previewed_with_sensible_columns(login, editor, shared_dir):
    data = (shared_dir / "corpus/formats/DE_OMB_FOIA_tracking_log_2019-03-27.xlsx").read_bytes()
    real_headers = [str(h) for h in next(openpyxl.load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))]  # fmt: skip
    client = login(editor)
    assert upload_xlsx(client, data, name="DE_OMB_FOIA_tracking_log_2019-03-27.xlsx").status_code == 302
    preview = client.get(reverse("import_preview"))
    sheet = preview.context["sheet"]
    assert sheet.headers[:20] == real_headers and len(sheet.rows) == 523
    assert sheet.rows[0][1][0] == "2011-09-20"  # an Excel date, not the serial 40806
    form = preview.context["form"]
    mapped = {key: form[f"map_{key}"].value() for key in imports.FIELDS_BY_KEY}
    by_header = {key: (real_headers[int(v)] if v not in ("", None) else None) for key, v in mapped.items()}
    assert by_header == {
        "agency": None,  # the log is OMB's own: the desk picks the agency column, none of these is it
        "title": None,
        "tracking_numbers": None,
        "sent_date": None,
        "received_date": "Date Written Request Received By Agency*",
        "status": "Current Status",
        "status_date": "Date of Final Disposition*",
        "due_date": None,
        "statute": None,
        "reference": None,
        "body": "Information Requested",
        "notes": None,
        "project": None,
        "tags": None,
        "assignee": "Assigned to",
        "fee_estimate": "Copying Fees (Note-1st 20 pages free)",
        "fee_paid": None,
        "fee_waiver_requested": None,
    }


def test_formatted_empty_rows_and_columns_cost_nothing_and_lose_nothing():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Agency", "Title"])
    sheet.cell(row=1, column=16_384).number_format = "0"  # formatted out to column XFD, empty
    for row in range(2, 3002):  # 3,000 formatted empty rows: more than the row limit
        sheet.cell(row=row, column=1).number_format = "0"
    sheet.append(["LAPD", "after the gap"])
    out = io.BytesIO()
    book.save(out)
    text, _ = imports.text_of_upload(out.getvalue())
    assert len(text) < 10_000
    read = imports.read_sheet(text)
    assert read.headers == ["Agency", "Title"]
    assert read.rows == [(3002, ["LAPD", "after the gap"])]  # numbered as Excel shows it
