"""What is due, what is overdue, what can be appealed: the dashboard, the list and the request page."""

import datetime as dt

import pytest
from django.urls import reverse

from records.models import Event

from . import factories

pytestmark = pytest.mark.usefixtures("frozen_today")


def log(r, kind, day, outcome=""):
    from records import timeline

    Event.objects.create(request=r, kind=kind, date=day, outcome=outcome)
    return timeline.recompute(r)


def test_request_page_shows_due_date_with_its_working(login, editor, team):
    r = factories.make_request(team, title="SDPD ALPR", sent=dt.date(2026, 11, 16))
    assert r.due_date == dt.date(2026, 11, 30)  # deadline-cases.tsv: Thanksgiving, day after, weekend
    page = login(editor).get(r.get_absolute_url()).content.decode()
    assert "2026-11-30" in page and "10 days left" in page
    assert "Show the working" in page and "Thanksgiving" in page
    assert "7922.535" in page  # the citation


def test_overdue_request_says_by_how_much_on_the_list(login, editor, team):
    factories.make_request(team, title="LASD ALPR", sent=dt.date(2026, 11, 2))  # due 2026-11-12
    page = login(editor).get(reverse("request_list")).content.decode()
    assert "8 days overdue" in page


def test_list_filters_overdue_and_due_within(login, editor, team):
    factories.make_request(team, title="Late one", sent=dt.date(2026, 11, 2))
    factories.make_request(team, title="Soon one", sent=dt.date(2026, 11, 13))  # due 2026-11-23
    factories.make_request(team, title="Later one", sent=dt.date(2026, 11, 19))  # due 2026-11-30
    client = login(editor)
    titles = lambda q: [r.title for r in client.get(reverse("request_list") + q).context["page"]]  # noqa: E731
    assert titles("?deadline=overdue") == ["Late one"]
    assert titles("?deadline=due_within&within=5") == ["Soon one"]
    assert sorted(titles("?deadline=due_within&within=14")) == ["Later one", "Soon one"]


def test_dashboard_groups_overdue_due_this_week_and_appeal_windows(login, editor, viewer, team):
    late = factories.make_request(team, title="Late ALPR", sent=dt.date(2026, 11, 2), assignee=viewer)
    soon = factories.make_request(team, title="Soon ALPR", sent=dt.date(2026, 11, 13), assignee=editor)
    denied = factories.make_request(team, code="FOIA", title="ICE denial", sent=dt.date(2026, 8, 10))
    log(denied, "final_response", dt.date(2026, 8, 25), "denied")  # appeal window: 90 days → 2026-11-23
    assert denied.appeal_window_closes == dt.date(2026, 11, 23)
    appealed = factories.make_request(team, code="FOIA", title="ICE appeal", sent=dt.date(2026, 9, 1))
    log(appealed, "final_response", dt.date(2026, 10, 1), "denied")
    log(appealed, "appeal_filed", dt.date(2026, 10, 27))  # 20 working days → 2026-11-24
    response = login(editor).get(reverse("home"))
    sections = {s["key"]: s for s in response.context["sections"]}
    names = lambda key: [(name, [r.title for r in rows]) for name, rows in sections[key]["by_assignee"]]  # noqa: E731
    assert names("overdue") == [("viewer", ["Late ALPR"])]
    assert names("week") == [("editor", ["Soon ALPR"])]
    assert names("appeal") == [("Unassigned", ["ICE denial"])]
    assert names("appeal-decision") == [("Unassigned", ["ICE appeal"])]
    mine = login(editor).get(reverse("home") + "?mine=1").context["sections"]
    assert [s["count"] for s in mine] == [0, 1, 0, 0]
    assert late.pk and soon.pk


def test_dashboard_shows_nothing_of_another_team(login, stranger, team):
    factories.make_request(team, title="Late ALPR", sent=dt.date(2026, 11, 2))
    sections = login(stranger).get(reverse("home")).context["sections"]
    assert all(s["count"] == 0 for s in sections)


def test_clock_stops_for_clarification_and_resumes(team):
    r = factories.make_request(team, code="FOIA", sent=dt.date(2026, 11, 2))
    before = r.due_date
    r = log(r, "clarification_asked", dt.date(2026, 11, 5))
    assert r.due_date is None  # paused: waiting on us
    r = log(r, "clarification_given", dt.date(2026, 11, 12))
    assert r.due_date > before


def test_no_fixed_period_shows_the_internal_target_labelled(login, editor, team):
    agency = factories.make_agency("Miami-Dade Police Department", state="FL")
    r = factories.make_request(team, agency=agency, code="FL-PRA", title="Florida ALPR", sent=dt.date(2026, 11, 2))
    assert r.due_is_internal and r.due_date is not None
    page = login(editor).get(reverse("request_list")).content.decode()
    assert "internal" in page
    detail = login(editor).get(r.get_absolute_url()).content.decode()
    assert "internal target" in detail.lower() and "no fixed" in detail.lower()


def test_team_admin_adds_a_closure_day_and_due_dates_move(login, admin, viewer, team):
    r = factories.make_request(team, title="SFPD ALPR", sent=dt.date(2026, 11, 9))  # day 10 = 11-19 (Thu)
    assert r.due_date == dt.date(2026, 11, 19)
    assert (
        login(viewer)
        .post(reverse("closure_list"), {"date": "2026-11-19", "reason": "Furlough", "agency": r.agency_id})
        .status_code
        == 403
    )
    response = login(admin).post(
        reverse("closure_list"), {"date": "2026-11-19", "reason": "Furlough day", "agency": r.agency_id}
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.due_date == dt.date(2026, 11, 20)
    page = login(admin).get(r.get_absolute_url()).content.decode()
    assert "Furlough day" in page
