"""CSV export of the request list: the list's filters, the team's requests only, the columns a desk
reports with, and no cell a spreadsheet would run as a formula."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from records import timeline
from records.models import Agency, Communication, Event

from . import factories

pytestmark = pytest.mark.usefixtures("frozen_today")


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # so Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def add_event(r, kind, day, **extra):
    Event.objects.create(request=r, kind=kind, date=day, **extra)
    timeline.recompute(r)


@pytest.fixture
def desk(team, editor):
    ice = factories.make_agency(
        "U.S. Immigration and Customs Enforcement", level=Agency.FEDERAL, state="", abbreviation="ICE"
    )
    appealed = factories.make_request(
        team, agency=ice, code="FOIA", title="ICE ALPR access", sent=dt.date(2026, 9, 1),
        project="Plate readers", fee_estimate=Decimal("25.00"), fee_waiver_requested=True, assignee=editor,
    )  # fmt: skip
    appealed.tracking_numbers.create(number="2026-ICFO-00123", agency=ice)
    appealed.tracking_numbers.create(number="A-77", kind="appeal", agency=ice)
    appealed.tags.create(team=team, name="ALPR")
    add_event(appealed, "acknowledged", dt.date(2026, 9, 5))
    add_event(appealed, "final_response", dt.date(2026, 10, 1), outcome="denied")
    add_event(appealed, "appeal_filed", dt.date(2026, 10, 15))
    Communication.objects.create(
        request=appealed, direction="in", channel="email", date=dt.date(2026, 11, 10), subject="Appeal received"
    )

    open_one = factories.make_request(team, title='=HYPERLINK("http://evil","click")', sent=dt.date(2026, 11, 2))
    closed = factories.make_request(team, title="Closed one", sent=dt.date(2026, 8, 1))
    add_event(closed, "final_response", dt.date(2026, 8, 21), outcome="granted")
    return {"appealed": appealed, "open": open_one, "closed": closed}


def test_export_has_the_columns_a_desk_reports_with(login, editor, desk):
    rows = {r["id"]: r for r in read_csv(login(editor).get(reverse("request_export")))}
    row = rows[str(desk["appealed"].pk)]
    assert row["agency"] == "U.S. Immigration and Customs Enforcement" and row["statute"] == "FOIA"
    assert row["tracking numbers"] == "2026-ICFO-00123; appeal: A-77"
    assert row["date sent"] == "2026-09-01" and row["date received by agency"] == "2026-09-01"
    assert row["status"] == "Appeal pending"
    assert row["days open"] == "80"  # 2026-09-01 → 2026-11-20, still open
    assert row["last response"] == "2026-11-10" and row["days since last response"] == "10"
    assert (row["fee estimate"], row["fee paid"], row["fee waiver asked"]) == ("25.00", "", "yes")
    assert row["appeal status"] == "pending since 2026-10-15"
    assert (row["project"], row["tags"], row["assignee"]) == ("Plate readers", "ALPR", "editor")
    assert row["link"].endswith(desk["appealed"].get_absolute_url())
    closed = rows[str(desk["closed"].pk)]
    assert closed["days open"] == "20" and closed["status"] == "Granted"  # to the day it was answered
    assert closed["days since last response"] == str((dt.date(2026, 11, 20) - dt.date(2026, 8, 21)).days)
    assert rows[str(desk["open"].pk)]["days since last response"] == ""


def test_a_cell_that_would_run_as_a_formula_is_quoted(login, editor, desk):
    rows = {r["id"]: r for r in read_csv(login(editor).get(reverse("request_export")))}
    assert rows[str(desk["open"].pk)]["title"] == '\'=HYPERLINK("http://evil","click")'


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_prefix_is_neutralised(value):
    from records.exports import csv_safe

    assert csv_safe(value) == "'" + value
    assert csv_safe("plain") == "plain" and csv_safe(42) == 42


def test_the_list_pages_filters_apply(login, editor, desk):
    client = login(editor)
    rows = read_csv(client.get(reverse("request_export") + "?open=true&statute=" + str(desk["appealed"].statute_id)))
    assert [r["title"] for r in rows] == ["ICE ALPR access"]
    rows = read_csv(client.get(reverse("request_export") + "?q=Closed"))
    assert [r["title"] for r in rows] == ["Closed one"]


def test_bad_filters_are_a_400_not_an_empty_file(login, editor, desk):
    response = login(editor).get(reverse("request_export") + "?sent_after=not-a-date")
    assert response.status_code == 400 and b"not valid" in response.content


def test_strangers_and_viewers_export_only_their_own_teams_requests(login, viewer, stranger, desk):
    assert len(read_csv(login(viewer).get(reverse("request_export")))) == 3
    other = factories.make_request(stranger.memberships.get().team, title="Stranger's own")
    rows = read_csv(login(stranger).get(reverse("request_export")))
    assert [r["title"] for r in rows] == ["Stranger's own"] and other.pk


def test_export_reads_in_a_fixed_number_of_queries(login, editor, team, desk):
    client = login(editor)
    with CaptureQueriesContext(connection) as few:
        read_csv(client.get(reverse("request_export")))
    for i in range(10):
        r = factories.make_request(team, title=f"More {i}")
        add_event(r, "acknowledged", dt.date(2026, 11, 5))
        r.tags.create(team=team, name=f"tag{i}")
    with CaptureQueriesContext(connection) as many:
        assert len(read_csv(client.get(reverse("request_export")))) == 13
    assert len(many) == len(few)


def test_the_export_needs_a_sign_in(client):
    response = client.get(reverse("request_export"))
    assert response.status_code == 302 and "login" in response["Location"]
