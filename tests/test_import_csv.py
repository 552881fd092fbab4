"""Importing a desk's existing spreadsheet: upload → preview (mapping, what will be created, every
unreadable row and why) → import in one transaction; the same file twice creates nothing new."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from records import imports
from records.models import Agency, Event, RecordsRequest, Statute

from . import factories

pytestmark = pytest.mark.usefixtures("frozen_today")


# A Los Angeles desk's log, saved by Excel: a BOM, CRLF line ends, a blank row, dates typed four ways,
# LAPD spelled out and abbreviated, Oakland spelled two ways, a day/month date and a status nobody can read.
LA_DESK = (
    "\ufeffAgency,Date Sent,Tracking #,Subject,Status,Due Date,Notes\r\n"
    "Los Angeles Police Department,1/5/2024,R-24-0001,ALPR sharing agreements,Closed - denied,2/5/2024,Denied under 7923.600\r\n"
    "LAPD,2024-02-10,R-24-0077,ALPR audit logs,pending,,\r\n"
    ",,,,,,\r\n"
    'oakland police dept.,"Mar 3, 2024",,Flock contract,Appealed,,"Appeal filed 4/1, no answer"\r\n'
    "Oakland Police Department,03/15/24,OPD-555,Vendor invoices,Partially granted,,\r\n"
    "U.S. Immigration and Customs Enforcement,12/1/2023,2024-ICFO-00123,ICE ALPR access,Acknowledged,,\r\n"
    "San Diego Police Department,31/12/2023,,Bad date row,pending,,\r\n"
    "Fresno Police Department,1/9/2024,,Unknown status,on the moon,,\r\n"
)

# A records desk elsewhere: semicolons, a statute column, short US years, a month spelled out.
STATUTE_DESK = (
    "Agency;Request;Sent;Status;Statute;Our ref\n"
    "Federal Bureau of Investigation (FBI);Flock records;1/5/24;Closed - no responsive records;FOIA;NR-1\n"
    "Sacramento County Sheriff's Office;ALPR policy;Jan 12, 2024;Fulfilled;CPRA;NR-2\n"
    "Texas Department of Public Safety;ALPR data;2024-01-20;pending;TX-PIA;NR-3\n"
    "Nowhere Agency;Made-up law;2024-01-21;pending;XYZ-ACT;NR-4\n"
)


@pytest.fixture
def directory(db):
    return {
        "lapd": factories.make_agency("Los Angeles Police Department", abbreviation="LAPD"),
        "ice": factories.make_agency(
            "U.S. Immigration and Customs Enforcement", level=Agency.FEDERAL, state="", abbreviation="ICE"
        ),
    }


def upload(client, text, name="desk.csv", encoding="utf-8"):
    return client.post(reverse("import_upload"), {"file": SimpleUploadedFile(name, text.encode(encoding), "text/csv")})


def preview_form(response, **changes):
    """The preview form as the browser would post it back, with some fields changed."""
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for name in ("received_is_sent", "skip_unreadable"):
        if not data.get(name):
            data.pop(name, None)
        else:
            data[name] = "on"
    data.update(changes)
    return data


def test_preview_guesses_the_columns_and_lists_every_unreadable_row_with_its_reason(login, editor, directory):
    client = login(editor)
    assert upload(client, LA_DESK).status_code == 302
    response = client.get(reverse("import_preview"))
    assert response.status_code == 200
    form = response.context["form"]
    # Agency, Date Sent, Tracking #, Subject, Status, Due Date, Notes: each to ours, in that order.
    ours = ("agency", "sent_date", "tracking_numbers", "title", "status", "due_date", "notes")
    assert [form[f"map_{key}"].value() for key in ours] == [str(i) for i in range(len(ours))]

    plan = response.context["plan"]
    errors = {p.row_number: p.reason for p in plan.errors}
    # Oakland is not in the directory and nothing yet says whether it is federal or Californian.
    assert set(errors) == {5, 6, 8, 9}
    assert "31/12/2023" in errors[8] and "not a real date" in errors[8]
    assert "on the moon" in errors[9] and "status" in errors[9]
    assert "not in the agency directory" in errors[5]
    assert [r.row_number for r in plan.rows] == [2, 3, 7]  # row 4 is blank: skipped, not an error
    page = response.content.decode()
    assert "31/12/2023" in page and "on the moon" in page


def test_import_links_agencies_creates_one_per_spelling_and_derives_status_from_events(login, editor, team, directory):
    client = login(editor)
    upload(client, LA_DESK)
    preview = client.get(reverse("import_preview"))
    response = client.post(
        reverse("import_preview"),
        preview_form(preview, new_agency_jurisdiction="CA", skip_unreadable="on", action="import"),
    )
    assert response.status_code == 302 and response["Location"] == reverse("request_list")

    requests = {r.title: r for r in RecordsRequest.objects.filter(team=team)}
    assert set(requests) == {
        "ALPR sharing agreements",
        "ALPR audit logs",
        "Flock contract",
        "Vendor invoices",
        "ICE ALPR access",
    }
    # Linked to the directory whatever the spelling; Oakland created once, under its fuller spelling.
    assert requests["ALPR audit logs"].agency == directory["lapd"]
    assert requests["ICE ALPR access"].agency == directory["ice"]
    oakland = Agency.objects.get(name="Oakland Police Department")
    assert oakland.state == "CA" and requests["Flock contract"].agency == oakland == requests["Vendor invoices"].agency
    assert not Agency.objects.filter(name__iexact="oakland police dept.").exists()
    # Statutes: federal → FOIA, California → CPRA.
    assert requests["ICE ALPR access"].statute.code == "FOIA" and requests["Flock contract"].statute.code == "CPRA"
    # Status is derived from the events the status words became.
    assert {t: r.status for t, r in requests.items()} == {
        "ALPR sharing agreements": "denied",
        "ALPR audit logs": "filed",
        "Flock contract": "appealed",
        "Vendor invoices": "partly_granted",
        "ICE ALPR access": "acknowledged",
    }
    denied = requests["ALPR sharing agreements"]
    assert denied.sent_date == dt.date(2024, 1, 5) and denied.received_date == dt.date(2024, 1, 5)
    assert [t.number for t in denied.tracking_numbers.all()] == ["R-24-0001"]
    filed = denied.events.get(kind=Event.Kind.FILED)
    assert "row 2" in filed.note and "2024-02-05" in filed.note and "Denied under 7923.600" in filed.note
    response_event = denied.events.get(kind=Event.Kind.FINAL_RESPONSE)
    assert response_event.outcome == "denied" and "no date" in response_event.note
    assert requests["Vendor invoices"].sent_date == dt.date(2024, 3, 15)
    assert requests["Flock contract"].sent_date == dt.date(2024, 3, 3)


def test_importing_the_same_file_again_creates_no_duplicates(login, editor, team, directory):
    client = login(editor)
    for _ in range(2):
        upload(client, LA_DESK)
        preview = client.get(reverse("import_preview"))
        client.post(
            reverse("import_preview"),
            preview_form(preview, new_agency_jurisdiction="CA", skip_unreadable="on", action="import"),
        )
    assert RecordsRequest.objects.filter(team=team).count() == 5
    assert Agency.objects.filter(name__icontains="oakland").count() == 1
    # And the preview of a third upload says why each row is left out.
    upload(client, LA_DESK)
    preview = client.get(reverse("import_preview"))
    plan = client.post(
        reverse("import_preview"), preview_form(preview, new_agency_jurisdiction="CA", action="preview")
    ).context["plan"]
    assert plan.rows == [] and len(plan.duplicates) == 5
    assert all("already in the tracker" in d.reason for d in plan.duplicates)


def test_a_row_matches_by_title_and_date_when_it_has_no_tracking_number(editor, team, directory):
    factories.make_request(team, agency=directory["lapd"], title="ALPR audit logs", sent=dt.date(2024, 2, 10))
    sheet = imports.read_sheet("Agency,Title,Sent\nLos Angeles Police Dept,alpr audit logs,2/10/2024\n")
    plan = imports.plan_import(sheet, imports.guess_mapping(sheet.headers), team=team)
    assert plan.rows == [] and "ALPR audit logs" in plan.duplicates[0].reason


def test_another_teams_identical_request_is_not_a_duplicate(editor, team, stranger, directory):
    other_team = stranger.memberships.get().team
    factories.make_request(other_team, agency=directory["lapd"], title="ALPR audit logs", sent=dt.date(2024, 2, 10))
    sheet = imports.read_sheet("Agency,Title,Sent\nLAPD,ALPR audit logs,2/10/2024\n")
    plan = imports.plan_import(sheet, imports.guess_mapping(sheet.headers), team=team)
    assert len(plan.rows) == 1 and plan.duplicates == []


def test_semicolon_sheet_with_a_statute_column(login, editor, team):
    client = login(editor)
    upload(client, STATUTE_DESK)
    preview = client.get(reverse("import_preview"))
    assert preview.context["sheet"].delimiter == ";"
    plan = preview.context["plan"]
    assert [p.row_number for p in plan.errors] == [5]
    assert "XYZ-ACT" in plan.errors[0].reason
    client.post(reverse("import_preview"), preview_form(preview, skip_unreadable="on", action="import"))
    got = {r.reference: r for r in RecordsRequest.objects.filter(team=team)}
    assert set(got) == {"NR-1", "NR-2", "NR-3"}
    assert (got["NR-1"].statute.code, got["NR-1"].status, got["NR-1"].sent_date) == (
        "FOIA",
        "no_records",
        dt.date(2024, 1, 5),
    )
    assert got["NR-1"].agency.level == Agency.FEDERAL and got["NR-1"].agency.abbreviation == "FBI"
    assert got["NR-1"].agency.name == "Federal Bureau of Investigation"
    assert (got["NR-2"].statute.code, got["NR-2"].status, got["NR-2"].agency.state) == ("CPRA", "granted", "CA")
    assert (got["NR-3"].statute.code, got["NR-3"].agency.state) == ("TX-PIA", "TX")


def test_statute_comes_from_the_agencys_default_else_a_row_error(team):
    ny_foil = Statute.objects.get(code="NY-FOIL")
    factories.make_agency("NYPD", level=Agency.CITY, state="NY", default_statute=ny_foil)
    factories.make_agency("Chicago Police Department", level=Agency.CITY, state="IL")
    sheet = imports.read_sheet(
        "Agency,Title,Sent\nNYPD,Stop data,2024-01-02\nChicago Police Department,ALPR,2024-01-02\n"
    )
    plan = imports.plan_import(sheet, imports.guess_mapping(sheet.headers), team=team)
    assert [r.statute for r in plan.rows] == [ny_foil]
    assert plan.errors[0].row_number == 3 and "no statute" in plan.errors[0].reason


def test_rows_that_cannot_be_read_block_the_import_unless_the_desk_chooses_to_leave_them_out(
    login, editor, team, directory
):
    client = login(editor)
    upload(client, LA_DESK)
    preview = client.get(reverse("import_preview"))
    response = client.post(
        reverse("import_preview"), preview_form(preview, new_agency_jurisdiction="CA", action="import")
    )
    assert response.status_code == 200
    assert "cannot be read, so nothing was imported" in response.content.decode()
    assert not RecordsRequest.objects.exists()


def test_the_import_is_all_or_nothing(login, editor, team, directory, monkeypatch):
    client = login(editor)
    upload(client, LA_DESK)
    preview = client.get(reverse("import_preview"))
    calls = []

    def failing_recompute(records_request):
        calls.append(records_request.pk)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return records_request

    monkeypatch.setattr(imports.timeline, "recompute", failing_recompute)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        client.post(
            reverse("import_preview"),
            preview_form(preview, new_agency_jurisdiction="CA", skip_unreadable="on", action="import"),
        )
    assert not RecordsRequest.objects.exists() and not Agency.objects.filter(name__icontains="oakland").exists()


def test_the_desk_can_remap_a_column_in_the_preview(login, editor, team, directory):
    sheet = "Agency,Sent,Notes,Topic\nLAPD,2024-01-05,Body cams,ALPR\n"
    client = login(editor)
    upload(client, sheet)
    preview = client.get(reverse("import_preview"))
    assert preview.context["form"]["map_title"].value() == "3"  # "Topic"
    response = client.post(
        reverse("import_preview"), preview_form(preview, map_title="2", map_notes="", map_tags="3", action="import")
    )
    assert response.status_code == 302
    r = RecordsRequest.objects.get()
    assert r.title == "Body cams" and [t.name for t in r.tags.all()] == ["ALPR"]


def test_mapping_one_column_twice_is_a_form_error(login, editor, directory):
    client = login(editor)
    upload(client, "Agency,Title\nLAPD,x\n")
    preview = client.get(reverse("import_preview"))
    response = client.post(reverse("import_preview"), preview_form(preview, map_reference="1", action="import"))
    assert response.status_code == 200 and "already used" in response.content.decode()
    assert not RecordsRequest.objects.exists()


def test_viewer_gets_403_and_nothing_is_stored(login, viewer):
    client = login(viewer)
    assert client.get(reverse("import_upload")).status_code == 403
    assert upload(client, LA_DESK).status_code == 403
    assert client.get(reverse("import_preview")).status_code == 403
    assert client.post(reverse("import_preview"), {"action": "import"}).status_code == 403
    assert "records_csv_import" not in client.session


def test_a_file_over_the_limit_or_a_workbook_is_refused_with_a_reason(login, editor):
    client = login(editor)
    big = "Agency,Title\n" + "LAPD,x\n" * (imports.MAX_IMPORT_BYTES // 7 + 10)
    response = upload(client, big)
    assert response.status_code == 200 and "Split it into several files" in response.content.decode()
    response = client.post(
        reverse("import_upload"), {"file": SimpleUploadedFile("log.xlsx", b"PK\x03\x04rest", "application/zip")}
    )
    assert "Excel workbook" in response.content.decode()


def test_a_windows_1252_file_is_read(login, editor, team, directory):
    client = login(editor)
    upload(client, "Agency,Title,Sent\nLAPD,Caf\u00e9 permits \u2014 2023,2024-01-05\n", encoding="cp1252")
    preview = client.get(reverse("import_preview"))
    assert [r.title for r in preview.context["plan"].rows] == ["Caf\u00e9 permits \u2014 2023"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-01-05", dt.date(2024, 1, 5)),
        ("2024-01-05 00:00:00", dt.date(2024, 1, 5)),
        ("1/5/2024", dt.date(2024, 1, 5)),
        ("01/05/24", dt.date(2024, 1, 5)),
        ("1-5-2024", dt.date(2024, 1, 5)),
        ("Jan 5, 2024", dt.date(2024, 1, 5)),
        ("January 5th, 2024", dt.date(2024, 1, 5)),
        ("Sept. 30, 2023", dt.date(2023, 9, 30)),
        ("5 Jan 2024", dt.date(2024, 1, 5)),
        ("Friday, January 5, 2024", dt.date(2024, 1, 5)),
        ("", None),
    ],
)
def test_dates_desks_type_are_read(text, expected):
    assert imports.parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/12/2023", "2024-02-30", "next Tuesday", "1/5", "45297", "5.1.2024", "1/5/0024"])
def test_a_date_we_cannot_be_sure_of_is_an_error_never_a_guess(text):
    with pytest.raises(ValueError):
        imports.parse_date(text)


@pytest.mark.parametrize(
    "words, status",
    [
        ("Closed - denied", "denied"),
        ("pending", "filed"),
        ("Appealed", "appealed"),
        ("Denied; appeal pending", "appealed"),
        ("Appeal denied", "appeal_decided"),
        ("No responsive records", "no_records"),
        ("Closed — partial grant", "partly_granted"),
        ("Rolling production", "partial"),
        ("Fulfilled", "granted"),
        ("Awaiting fee payment", "fee_pending"),
        ("Withdrawn", "withdrawn"),
        ("Closed", "closed"),
        ("In progress", "acknowledged"),
        ("Lawsuit filed", "litigation"),
    ],
)
def test_the_desks_status_words_become_events_that_derive_the_same_status(words, status):
    from records import timeline
    from records.models import RecordsRequest as RR

    events = [Event(kind="filed", date=dt.date(2024, 1, 1))]
    events += [Event(kind=k, outcome=o, date=dt.date(2024, 2, 1)) for k, o in imports.status_events(words)]
    assert timeline.derive_status(RR(sent_date=dt.date(2024, 1, 1)), events) == status


def test_agency_names_match_whatever_the_case_spacing_and_punctuation():
    assert imports.agency_key("Los Angeles County Sheriff's Dept.") == imports.agency_key(
        "los angeles  county sheriffs department"
    )
    assert imports.agency_key("U.S. Immigration & Customs Enforcement") == imports.agency_key(
        "United States Immigration and Customs Enforcement"
    )


def test_a_full_sheet_fills_fees_people_tags_and_dates_its_status_events(login, editor, team, directory):
    sheet = (
        "Agency,Title,Date sent,Date received,Status,Date closed,Assigned to,Fee estimate,Fee waiver,Tags,Project,Notes\n"
        'LAPD,Body-cam policy,2024-03-01,2024-03-04,Denied,2024-04-15,editor,"$1,250.00",yes,"ALPR; policy",Cameras,\n'
        "LAPD,Drone logs,2024-03-01,,Closed,2024-02-01,,,,,,\n"
        "LAPD,Never sent,,,Draft,,,,,,,Send after the election\n"
        "LAPD,Someone else's,2024-03-02,,pending,,nobody@example.org,,,,,\n"
        "LAPD,Expensive,2024-03-02,,pending,,,lots,maybe,,,\n"
    )
    client = login(editor)
    upload(client, sheet)
    plan = client.get(reverse("import_preview")).context["plan"]
    errors = {p.row_number: p.reason for p in plan.errors}
    assert "before the date sent" in errors[3]
    assert "nobody@example.org" in errors[5] and "not a member" in errors[5]
    assert "lots" in errors[6] and "maybe" in errors[6]
    rows = {r.title: r for r in plan.rows}
    first = rows["Body-cam policy"]
    assert (first.received_date, first.assignee, first.fee_estimate, first.fee_waiver_requested) == (
        dt.date(2024, 3, 4),
        editor,
        Decimal("1250.00"),
        True,
    )
    assert [(e.kind, e.date) for e in first.events] == [
        ("filed", dt.date(2024, 3, 1)),
        ("final_response", dt.date(2024, 4, 15)),
    ]
    assert first.tags == ["ALPR", "policy"] and first.project == "Cameras"
    unsent = rows["Never sent"]
    assert unsent.events == [] and unsent.expected_status == "draft" and "Send after the election" in unsent.body
