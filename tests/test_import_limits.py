"""The spreadsheet import's limits (issue 10): a sheet saved with Excel's 16,384 columns previews like the
five it uses, a sheet with more than MAX_COLUMNS columns in use is refused with a sentence, a cell over
128 KB is a row error (never a 500), and a file that is not text is refused saying so."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from records import imports
from records.models import RecordsRequest

from . import factories

EXCEL_COLUMNS = 16_384
BIG_CELL = "x" * (130 * 1024)  # over the csv module's 128 KB field limit


pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def lapd(db):
    return factories.make_agency("Los Angeles Police Department", abbreviation="LAPD")


def padded(*lines: str, columns: int = EXCEL_COLUMNS) -> str:
    """Lines as Excel saves them from a sheet whose used range is `columns` wide: padded with empty cells."""
    return "".join(line + "," * (columns - 1 - line.count(",")) + "\r\n" for line in lines)


def upload(client, data: bytes | str, name="desk.csv", **kwargs):
    if isinstance(data, str):
        data = data.encode()
    return client.post(reverse("import_upload"), {"file": SimpleUploadedFile(name, data, "text/csv")}, **kwargs)


# Too wide


def test_empty_trailing_columns_are_dropped_as_the_sheet_is_read(team, lapd):
    sheet = imports.read_sheet(
        padded("Agency,Title,Sent,Status,Tracking #", "LAPD,ALPR logs,2024-01-05,pending,R-1", "LAPD,Drone logs")
    )
    assert sheet.headers == ["Agency", "Title", "Sent", "Status", "Tracking #"]
    assert [len(cells) for _, cells in sheet.rows] == [5, 2]
    plan = imports.plan_import(sheet, imports.guess_mapping(sheet.headers), team=team)
    assert [r.title for r in plan.rows] == ["ALPR logs", "Drone logs"]


def test_a_column_with_data_but_no_header_can_still_be_mapped(team, lapd):
    sheet = imports.read_sheet("Agency,Title\nLAPD,ALPR logs,,kept\n")
    assert sheet.headers == ["Agency", "Title", "", ""]
    assert sheet.cell(sheet.rows[0][1], 3) == "kept"


def test_the_preview_of_an_excel_wide_sheet_offers_only_the_used_columns(login, editor, lapd):
    client = login(editor)
    response = upload(client, padded("Agency,Title,Sent", "LAPD,ALPR logs,2024-01-05"))
    assert response.status_code == 302
    response = client.get(reverse("import_preview"))
    assert response.status_code == 200
    choices = response.context["form"].fields["map_agency"].choices
    assert [label for _, label in choices] == ["— not in this sheet —", "Agency", "Title", "Sent"]
    assert [r.title for r in response.context["plan"].rows] == ["ALPR logs"]


def test_a_sheet_with_more_columns_in_use_than_the_import_reads_is_refused_with_a_sentence(login, editor):
    columns = imports.MAX_COLUMNS + 100
    header = ",".join(f"Column {i}" for i in range(1, columns + 1))
    client = login(editor)
    response = upload(client, header + "\n" + ",".join("x" * columns) + "\n")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"reads up to {imports.MAX_COLUMNS} columns" in page and "column KN (column 300)" in page
    assert "records_csv_import" not in client.session


def test_one_stray_cell_far_to_the_right_is_named_by_row_and_column(db):
    lines = padded("Agency,Title", "LAPD,ALPR logs").splitlines()
    lines.append("LAPD,Drone logs" + "," * (EXCEL_COLUMNS - 2) + "stray")
    with pytest.raises(imports.SheetError, match=r"something in column XFD \(column 16,384\) on row 3"):
        imports.read_sheet("\n".join(lines))


def test_the_header_row_is_looked_for_in_the_first_rows_only(db):
    notes = "Exported from the old tracker\n" * imports.HEADER_SEARCH_ROWS
    with pytest.raises(imports.SheetError, match=f"No header row found in the first {imports.HEADER_SEARCH_ROWS}"):
        imports.read_sheet(notes + "Agency,Title\nLAPD,ALPR logs\n")
    sheet = imports.read_sheet(notes[: -len("Exported from the old tracker\n")] + "Agency,Title\nLAPD,ALPR logs\n")
    assert sheet.header_row == imports.HEADER_SEARCH_ROWS


def test_a_sheet_with_more_rows_than_the_import_takes_is_refused_with_a_sentence(login, editor):
    rows = "".join(f"LAPD,Request {i}\n" for i in range(imports.MAX_ROWS + 1))
    client = login(editor)
    response = upload(client, "Agency,Title\n" + rows)
    assert response.status_code == 200
    assert f"more than {imports.MAX_ROWS:,} rows under its header" in response.content.decode()
    assert "records_csv_import" not in client.session
    # Blank rows do not count: the same rows less one, spaced out, are read.
    sheet = imports.read_sheet("Agency,Title\n" + rows.split("\n", 1)[1].replace("\n", "\n,\n"))
    assert len(sheet.rows) == imports.MAX_ROWS


# A cell over 128 KB


def test_a_cell_over_128_kb_is_an_error_of_its_row_and_the_other_rows_are_read(team, lapd):
    text = f"Agency,Title,Notes\nLAPD,ALPR logs,\nLAPD,Body cams,{BIG_CELL}\nLAPD,Drone logs,\n"
    plan = imports.plan_import(imports.read_sheet(text), {"agency": 0, "title": 1, "notes": 2}, team=team)
    assert [r.title for r in plan.rows] == ["ALPR logs", "Drone logs"]
    assert [p.row_number for p in plan.errors] == [3]
    assert plan.errors[0].reason.startswith("a cell is over 128 KB")


def test_after_a_big_cell_with_line_breaks_the_rest_of_its_row_is_not_read_as_rows(team, lapd):
    big = "\n".join([BIG_CELL[:70_000], "Made up agency,Made up title", BIG_CELL[:70_000]])
    text = f'Agency,Title,Notes\nLAPD,Body cams,"{big}"\nLAPD,"Drone logs, ""2024""",\n'
    plan = imports.plan_import(imports.read_sheet(text), {"agency": 0, "title": 1, "notes": 2}, team=team)
    assert [(r.row_number, r.title) for r in plan.rows] == [(3, 'Drone logs, "2024"')]
    assert [p.row_number for p in plan.errors] == [2]


def test_a_big_cell_in_the_header_row_refuses_the_file_with_a_sentence(db):
    with pytest.raises(imports.SheetError, match="Row 1 cannot be read, so neither can the header row"):
        imports.read_sheet(f"Agency,{BIG_CELL}\nLAPD,x\n")


def test_a_big_cell_through_the_web_is_a_row_error_not_a_500(login, editor, lapd):
    client = login(editor)
    response = upload(client, f"Agency,Title,Notes\nLAPD,ALPR logs,\nLAPD,Body cams,{BIG_CELL}\n", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "a cell is over 128 KB" in page
    assert [p.row_number for p in response.context["plan"].errors] == [3]
    # Importing the readable rows leaves the big one out, as any unreadable row.
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(received_is_sent="on", skip_unreadable="on", action="import")
    assert client.post(reverse("import_preview"), data).status_code == 302
    assert list(RecordsRequest.objects.values_list("title", flat=True)) == ["ALPR logs"]


# Not text


@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "This is a PDF"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(1, 200)), "This is an image"),
        (bytes(range(1, 32)) * 100 + b"Agency,Title\n", "This file is not text"),
        (b"Agency,Title\n" + b"LAPD,x\n" * 1000 + b"\x00\x01\x02", "This file is not text (it has NUL bytes)"),
    ],
)
def test_a_file_that_is_not_text_is_refused_saying_so(login, editor, data, message):
    client = login(editor)
    response = upload(client, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "records_csv_import" not in client.session


def test_a_sheet_with_line_breaks_written_as_vertical_tabs_is_text(db):
    # FileMaker's export: a line break inside a cell is a vertical tab.
    notes = "\x0b".join(["Called the clerk", "Resent"] * 20)
    assert imports.decode(f"Agency,Title,Notes\nLAPD,x,{notes}\n".encode()).endswith(f"{notes}\n")


def test_excels_unicode_text_utf16_with_tabs_is_read(login, editor, lapd):
    client = login(editor)
    assert (
        upload(client, "Agency\tTitle\tSent\r\nLAPD\tCaf\u00e9 permits\t2024-01-05\r\n".encode("utf-16")).status_code
        == 302
    )
    plan = client.get(reverse("import_preview")).context["plan"]
    assert [r.title for r in plan.rows] == ["Caf\u00e9 permits"]


# Dates: a strict list of formats


@pytest.mark.parametrize(
    "text, expected",
    [
        ("03/04/2026", dt.date(2026, 3, 4)),  # numeric dates are US month/day/year, never day/month
        ("2024-01-05T10:30:00Z", dt.date(2024, 1, 5)),
        ("2024-01-05 10:30:00+02:00", dt.date(2024, 1, 5)),
        ("1/5/2024 3:45 PM", dt.date(2024, 1, 5)),
        ("2024/1/5", dt.date(2024, 1, 5)),
        ("MAY 1, 2024", dt.date(2024, 5, 1)),
        ("1st February 2024", dt.date(2024, 2, 1)),
    ],
)
def test_dates_are_read_by_the_listed_formats(text, expected):
    assert imports.parse_date(text) == expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("31/12/2023", "not a real date (read as month/day/year: month 31, day 12)"),
        ("2024-02-30", "not a real date"),
        ("Febuary 3, 2024", "not a date we can read"),
        ("Janil 3, 2024", "not a date we can read"),
        ("3/4", "not a date we can read"),
    ],
)
def test_a_date_outside_the_formats_says_why(text, reason):
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        imports.parse_date(text)


def test_a_sheet_stored_before_the_limits_is_refused_at_the_preview_not_a_500(login, editor):
    client = login(editor)
    session = client.session
    wide = "Agency,Title," + ",".join(f"Column {i}" for i in range(imports.MAX_COLUMNS)) + "\nLAPD,x\n"
    session["records_csv_import"] = {"team_id": editor.memberships.get().team_id, "filename": "old.csv", "text": wide}
    session.save()
    response = client.get(reverse("import_preview"), follow=True)
    assert response.redirect_chain == [(reverse("import_upload"), 302)]
    assert f"reads up to {imports.MAX_COLUMNS} columns" in response.content.decode()
    assert "records_csv_import" not in client.session
