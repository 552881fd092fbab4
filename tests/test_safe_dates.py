"""The safe date for each kind of deadline: the agency's later date for what it owes, the requester's
earlier date for what the requester must file. The dashboard, digests and feed read the safe date."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from records import timeline
from records.deadlines import AGENCY, REQUESTER, appeal_window_closes, default_rule, response_due
from records.models import Event, FeedToken, RecordsRequest
from records.notifications import digest_items, send_reminder_digests

from . import factories

D = dt.date.fromisoformat


def at(day):
    return time_machine.travel(dt.datetime.combine(D(day), dt.time(12, 0)), tick=False)


# --- the engine -------------------------------------------------------------------------------------


def test_a_disputed_response_is_safe_on_the_agencys_later_date():
    deadline = response_due(default_rule("CPRA"), D("2026-09-15"))  # day 10 is Native American Day
    assert (deadline.due, deadline.alt_due, deadline.party) == (D("2026-09-25"), D("2026-09-28"), AGENCY)
    assert deadline.safe_due == D("2026-09-28")
    assert (
        'An escalation before 2026-09-28 (Mon) may be answered with "we were not late": '
        "treat 2026-09-28 (Mon) as the agency's last day." in deadline.working
    )
    assert deadline.to_dict()["safe_due"] == "2026-09-28"


def test_a_disputed_appeal_window_is_safe_on_the_requesters_earlier_date():
    window = appeal_window_closes(default_rule("NJ-OPRA"), D("2026-01-01"))  # day 45 is Sun 2026-02-15
    assert (window.due, window.alt_due, window.party) == (D("2026-02-15"), D("2026-02-17"), REQUESTER)
    assert window.safe_due == D("2026-02-15")


def test_one_date_is_its_own_safe_date():
    deadline = response_due(default_rule("FOIA"), D("2026-11-18"))
    assert deadline.alt_due is None and deadline.safe_due == deadline.due == D("2026-12-17")


def test_may_sue_from_follows_the_agencys_later_date():
    from records.deadlines import compute_request_deadlines

    result = compute_request_deadlines(default_rule("FOIA"), received=D("2025-12-01"))  # EO closures: disputed
    assert (result.response.due, result.response.alt_due) == (D("2025-12-30"), D("2026-01-02"))
    assert (result.may_sue_from.due, result.may_sue_from.safe_due) == (D("2025-12-31"), D("2026-01-03"))


# --- the stored date: dashboard, list, digests, feed ------------------------------------------------


@pytest.fixture
def disputed(team, editor):
    """A CPRA request whose response is due 09-25 (Native American Day counted open) or 09-28."""
    editor.email = "editor@desk.example"
    editor.save()
    return factories.make_request(team, title="Disputed ALPR", sent=D("2026-09-15"), assignee=editor)


def test_stored_due_date_is_the_agencys_later_date(disputed):
    assert disputed.due_date == D("2026-09-28")


@pytest.mark.parametrize(("today", "overdue"), [("2026-09-25", False), ("2026-09-28", False), ("2026-09-29", True)])
def test_overdue_only_after_the_agencys_later_date(disputed, today, overdue):
    assert disputed.is_overdue(D(today)) is overdue
    assert RecordsRequest.objects.overdue(D(today)).filter(pk=disputed.pk).exists() is overdue


def test_dashboard_does_not_call_it_overdue_on_the_day_after_the_earlier_date(login, editor, disputed):
    def overdue_section(day):
        with at(day):
            page = login(editor).get(reverse("home")).content.decode()
        return page.split("dash-overdue")[1].split("<section")[0]

    assert "Disputed ALPR" not in overdue_section("2026-09-26")
    assert "Disputed ALPR" in overdue_section("2026-09-29")


def test_digest_counts_it_overdue_only_after_the_later_date(disputed):
    assert [r.title for r in digest_items(D("2026-09-26"))[disputed.assignee]["overdue"]] == []
    assert [r.title for r in digest_items(D("2026-09-29"))[disputed.assignee]["overdue"]] == ["Disputed ALPR"]


@pytest.fixture
def denied_nj(team, editor):
    """An NJ-OPRA denial dated 2026-01-01: the 45-day window closes Sun 02-15, or Tue 02-17 on a roll-forward."""
    editor.email = "editor@desk.example"
    editor.save()
    team.reminder_days = 5
    team.save()
    agency = factories.make_agency(level="state", state="NJ")
    r = factories.make_request(
        team, agency=agency, code="NJ-OPRA", title="NJ denial", sent=D("2025-12-01"), assignee=editor
    )
    Event.objects.create(request=r, kind="final_response", date=D("2026-01-01"), outcome="denied")
    return timeline.recompute(r)


def test_appeal_window_is_stored_and_digested_by_its_earlier_date(denied_nj):
    assert denied_nj.appeal_window_closes == D("2026-02-15")
    with at("2026-02-10"):  # the horizon (5 days) reaches 02-15, not the later 02-17
        assert send_reminder_digests() == 1
    [message] = mail.outbox
    assert "NJ denial" in message.body and "appeal by 2026-02-15" in message.body


def test_feed_shows_the_appeal_window_on_its_earlier_date(client, login, editor, denied_nj):
    login(editor).post(reverse("feed_token_new"))
    token = FeedToken.objects.get(user=editor, revoked_at__isnull=True)
    client.logout()
    events = list(Calendar.from_ical(client.get(reverse("feed", args=[token.token])).content).walk("VEVENT"))
    window = next(e for e in events if str(e["SUMMARY"]).startswith("Appeal window closes"))
    assert window.decoded("DTSTART") == D("2026-02-15")


def test_feed_shows_a_disputed_response_on_the_agencys_later_date(client, login, editor, disputed):
    login(editor).post(reverse("feed_token_new"))
    token = FeedToken.objects.get(user=editor, revoked_at__isnull=True)
    client.logout()
    events = list(Calendar.from_ical(client.get(reverse("feed", args=[token.token])).content).walk("VEVENT"))
    due = next(e for e in events if "Disputed ALPR" in str(e["SUMMARY"]))
    assert due.decoded("DTSTART") == D("2026-09-28")


def test_request_page_names_the_safe_date(login, editor, disputed):
    page = login(editor).get(disputed.get_absolute_url()).content.decode()
    assert "Safe date" in page and "Mon 2026-09-28" in page


# --- the command and the calculator still lead with `due`, and add the safe date ---------------------


def _deadline_command(*args):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_deadline_command_prints_due_first_and_a_safe_date_line():
    lines = _deadline_command("CPRA", "2026-09-15").splitlines()
    assert lines[0] == "2026-09-25"  # the earlier date, as deadline-cases.tsv
    assert "Safe date: 2026-09-28 (the agency's later date: call the response overdue only after it)" in lines
    assert "Safe date: 2026-12-17 (one date only)" in _deadline_command("FOIA", "2026-11-18").splitlines()


@pytest.mark.django_db
def test_deadline_command_json_has_the_safe_date():
    import json

    result = json.loads(_deadline_command("CPRA", "2026-09-15", "--json"))
    assert (result["due"], result["alt_due"], result["safe_due"]) == ("2026-09-25", "2026-09-28", "2026-09-28")


def test_calculator_names_the_safe_date(login, viewer):
    page = login(viewer).get(reverse("calculator") + "?statute=CPRA&received=2026-09-15")
    assert page.context["result"].due == D("2026-09-25")
    assert "Safe date: <strong>Monday, 2026-09-28</strong>" in page.content.decode()


def test_chronology_names_both_dates_and_the_safe_one(login, editor, disputed):
    client = login(editor)
    page = client.get(reverse("request_chronology", args=[disputed.pk])).content.decode()
    assert "treat 2026-09-28 (Mon) as the agency&#x27;s last day" in page
    csv_text = client.get(reverse("request_chronology_csv", args=[disputed.pk])).content.decode()
    assert "Or 2026-09-28 on the agency's reading; safe date 2026-09-28." in csv_text
