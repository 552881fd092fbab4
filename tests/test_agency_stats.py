"""Agency performance (issue 11) against numbers computed by hand, and only from the user's own team."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from records import timeline_writes
from records.campaigns import stats
from records.models import Campaign, RecordsRequest

from . import factories

RECEIVED = dt.date(2026, 3, 2)  # a Monday; CPRA: due 10 calendar days later, Thu 12 March; extended +14: Thu 26 March


def request_with(team, agency, *events, received=RECEIVED, campaign=None):
    r = factories.make_request(team, agency=agency, sent=received, received=received, campaign=campaign)
    for date, kind, outcome in events:
        timeline_writes.log_event(r, user=None, kind=kind, date=date, outcome=outcome)
    return r


@pytest.fixture
def desk(team, stranger):
    county = factories.make_agency("Orange County Sheriff's Department", level="county")
    other = factories.make_agency("Fresno County Sheriff's Office", level="county")
    campaign = Campaign.objects.create(team=team, title="ALPR", request_text="{{ agency.name }}")
    d = dt.date
    request_with(
        team,
        county,
        (d(2026, 3, 4), "acknowledged", ""),
        (d(2026, 3, 10), "final_response", "granted"),
        campaign=campaign,
    )  # fmt: skip  first 2, final 8, on time
    request_with(
        team,
        county,
        (d(2026, 3, 11), "extension", ""),
        (d(2026, 3, 20), "final_response", "partly_granted"),
        campaign=campaign,
    )  # fmt: skip  first 9, final 18, on time (extended to 26 March)
    request_with(team, county, (d(2026, 3, 20), "final_response", "denied"))  # first 18, final 18, late
    request_with(team, county)  # no answer at all, past its deadline: late
    factories.make_request(team, agency=county, sent=None, received=None)  # never sent: not counted
    request_with(team, other, received=d(2026, 4, 10))  # not yet due on 15 April: left out of the on-time share
    # Another team's request to the same agency, answered in a day: must not move our numbers.
    request_with(stranger.memberships.get().team, county, (d(2026, 3, 3), "final_response", "granted"))
    return county, other, campaign


@time_machine.travel(dt.datetime(2026, 4, 15, 12, 0), tick=False)
def test_per_agency_numbers_by_hand(editor, desk):
    county, other, _ = desk
    rows = {p.key: p for p in stats.performance(RecordsRequest.objects.visible_to(editor))}
    p = rows[county]
    assert p.requests == 4
    assert p.median_first == 9  # median of 2, 9, 18
    assert p.median_final == 18  # median of 8, 18, 18
    assert (p.on_time_counted, p.on_time_share) == (4, 0.5)
    assert p.extended_share == 0.25
    assert p.outcomes == {"granted": 1, "partly_granted": 1, "denied": 1, "no_records": 0}
    q = rows[other]
    assert (q.requests, q.median_first, q.on_time_share, q.on_time_counted) == (1, None, None, 0)


@time_machine.travel(dt.datetime(2026, 4, 15, 12, 0), tick=False)
def test_per_campaign_numbers_by_hand(editor, desk):
    _, _, campaign = desk
    [p] = stats.performance(RecordsRequest.objects.visible_to(editor), by="campaign")
    assert p.key == campaign and p.requests == 2
    assert (p.median_first, p.median_final, p.on_time_share, p.extended_share) == (5.5, 13, 1.0, 0.5)


@time_machine.travel(dt.datetime(2026, 4, 15, 12, 0), tick=False)
def test_pages_show_own_team_numbers_only(login, editor, stranger, desk):
    county, _, _ = desk
    page = login(editor).get(reverse("agency_performance") + "?sort=-requests")
    assert [p.key for p in page.context["rows"]][0] == county
    assert page.context["rows"][0].requests == 4
    detail = login(editor).get(reverse("agency_detail", args=[county.pk]))
    assert detail.context["agency_performance"][0].requests == 4
    assert "How this agency answers us" in detail.content.decode()
    theirs = login(stranger).get(reverse("agency_performance")).context["rows"]
    assert [(p.key, p.requests, p.median_final) for p in theirs] == [(county, 1, 1)]
    assert login(stranger).get(reverse("agency_performance") + "?by=campaign").context["rows"] == []


@time_machine.travel(dt.datetime(2026, 4, 15, 12, 0), tick=False)
def test_sorting_puts_missing_figures_last(editor, desk):
    county, other, _ = desk
    rows = stats.performance(RecordsRequest.objects.visible_to(editor))
    assert [p.key for p in stats.sort_performance(rows, "-on_time")] == [county, other]
    assert [p.key for p in stats.sort_performance(rows, "on_time")] == [county, other]
    assert [p.key for p in stats.sort_performance(rows, "name")] == [other, county]
