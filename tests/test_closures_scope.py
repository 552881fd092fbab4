"""Closure days are team-scoped: a team's own day moves its own deadlines only (issue 10).

Days for every team have no team and are kept by staff in the Django admin.
"""

import datetime as dt

import pytest
from django.urls import reverse

from records import timeline
from records.models import Agency, ClosureDay, Membership

from . import factories

SENT = dt.date(2026, 11, 9)  # CPRA: day 10 is Thu 2026-11-19


@pytest.fixture
def two_teams(db):
    """Team A and team B, each with an admin, each with an open request to the same agency."""
    # A county: its deadlines run on the CA-JUDICIAL calendar (a city's on CA-LOCAL).
    agency = factories.make_agency("San Francisco Sheriff's Office", level=Agency.COUNTY)
    teams = {}
    for name in ("A", "B"):
        team = factories.make_team(f"Team {name}")
        admin = factories.make_user(f"admin_{name.lower()}")
        factories.add_member(admin, team, Membership.ADMIN)
        request = factories.make_request(team, agency=agency, sent=SENT)
        assert request.due_date == dt.date(2026, 11, 19)
        teams[name] = (team, admin, request)
    return agency, teams


def test_a_teams_closure_day_moves_its_requests_and_not_another_teams(client, two_teams):
    agency, teams = two_teams
    team_a, admin_a, request_a = teams["A"]
    _, _, request_b = teams["B"]
    client.force_login(admin_a)
    response = client.post(reverse("closure_list"), {"date": "2026-11-19", "reason": "Furlough", "agency": agency.pk})
    assert response.status_code == 302
    assert ClosureDay.objects.get().team == team_a
    request_a.refresh_from_db()
    request_b.refresh_from_db()
    assert request_a.due_date == dt.date(2026, 11, 20)
    assert request_b.due_date == dt.date(2026, 11, 19)
    # Recomputing B from scratch does not pick A's day up either.
    assert timeline.recompute(request_b).due_date == dt.date(2026, 11, 19)


def test_another_teams_closure_days_are_neither_listed_nor_removable(client, two_teams):
    agency, teams = two_teams
    team_a, _, request_a = teams["A"]
    _, admin_b, _ = teams["B"]
    closure = ClosureDay.objects.create(team=team_a, agency=agency, date=dt.date(2026, 11, 19), reason="A furlough")
    client.force_login(admin_b)
    page = client.get(reverse("closure_list")).content.decode()
    assert "A furlough" not in page
    assert client.post(reverse("closure_delete", args=[closure.pk])).status_code == 404
    assert ClosureDay.objects.filter(pk=closure.pk).exists()


def test_days_for_every_team_are_listed_labelled_and_not_removable_from_the_page(client, two_teams):
    agency, teams = two_teams
    _, admin_a, request_a = teams["A"]
    everyone = ClosureDay.objects.create(calendar="CA-JUDICIAL", date=dt.date(2026, 11, 19), reason="Storm closure")
    timeline.recompute_open_requests(calendar="CA-JUDICIAL")
    request_a.refresh_from_db()
    assert request_a.due_date == dt.date(2026, 11, 20)  # a day with no team moves everyone's dates
    client.force_login(admin_a)
    page = client.get(reverse("closure_list")).content.decode()
    assert "Storm closure" in page and "every team" in page
    assert client.post(reverse("closure_delete", args=[everyone.pk])).status_code == 404


def test_a_teams_admin_removes_its_own_day_and_its_dates_move_back(client, two_teams):
    agency, teams = two_teams
    team_a, admin_a, request_a = teams["A"]
    client.force_login(admin_a)
    client.post(reverse("closure_list"), {"date": "2026-11-19", "reason": "Furlough", "agency": agency.pk})
    closure = ClosureDay.objects.get()
    assert client.post(reverse("closure_delete", args=[closure.pk])).status_code == 302
    request_a.refresh_from_db()
    assert request_a.due_date == dt.date(2026, 11, 19)
    # Both the addition and the removal are on record, with who did them.
    versions = ClosureDay.history.filter(id=closure.pk).order_by("history_id")
    assert [(v.history_type, v.history_user) for v in versions] == [("+", admin_a), ("-", admin_a)]


def test_a_viewer_cannot_add_or_remove_the_teams_closure_days(client, two_teams):
    agency, teams = two_teams
    team_a, _, _ = teams["A"]
    viewer = factories.make_user("viewer_a")
    factories.add_member(viewer, team_a, Membership.VIEWER)
    closure = ClosureDay.objects.create(team=team_a, agency=agency, date=dt.date(2026, 11, 19), reason="Furlough")
    client.force_login(viewer)
    assert "Furlough" in client.get(reverse("closure_list")).content.decode()
    data = {"date": "2026-11-20", "reason": "Another", "agency": agency.pk}
    assert client.post(reverse("closure_list"), data).status_code == 403
    assert client.post(reverse("closure_delete", args=[closure.pk])).status_code == 403
    assert ClosureDay.objects.count() == 1
