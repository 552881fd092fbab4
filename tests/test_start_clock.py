"""Starting the clock: logging "Filed" sets the sent date and, by channel, the received date."""

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse

from records.models import Communication, Event, Membership
from records.timeline_writes import log_communication, log_event, save_request

from . import factories

SENT = dt.date(2026, 11, 2)
NO_DEADLINE = "No deadline yet: the agency's receipt date is missing"


@pytest.fixture
def unsent(team):
    r = factories.make_request(team, code="CPRA", sent=None)
    r.received_date = None
    r.save()
    return r


@pytest.fixture
def team_editor(team):
    user = factories.make_user("true_editor")
    factories.add_member(user, team, Membership.EDITOR)
    return user


@pytest.mark.parametrize("channel", ["email", "portal"])
def test_filed_by_email_or_portal_assumes_same_day_receipt(unsent, team_editor, channel):
    log_event(unsent, user=team_editor, kind=Event.Kind.FILED, date=SENT, channel=channel)
    unsent.refresh_from_db()
    assert unsent.sent_date == SENT and unsent.received_date == SENT and unsent.received_is_assumed
    assert unsent.due_date == dt.date(2026, 11, 12)  # CPRA: 10 days


def test_filed_by_mail_leaves_received_empty(unsent, team_editor):
    log_event(unsent, user=team_editor, kind=Event.Kind.FILED, date=SENT, channel="letter")
    unsent.refresh_from_db()
    assert unsent.sent_date == SENT and unsent.received_date is None and unsent.due_date is None


def test_filed_event_without_channel_takes_it_from_that_days_outgoing_message(unsent, team_editor):
    log_communication(unsent, user=team_editor, direction=Communication.OUTGOING, channel="email", date=SENT)
    log_event(unsent, user=team_editor, kind=Event.Kind.FILED, date=SENT)
    unsent.refresh_from_db()
    assert unsent.received_date == SENT and unsent.received_is_assumed


def test_filed_event_with_no_known_channel_sets_only_the_sent_date(unsent, team_editor):
    log_event(unsent, user=team_editor, kind=Event.Kind.FILED, date=SENT)
    unsent.refresh_from_db()
    assert unsent.sent_date == SENT and unsent.received_date is None


def test_sending_communication_starts_the_clock(unsent, team_editor):
    filed = Event.objects.create(request=unsent, kind=Event.Kind.FILED, date=SENT)
    log_communication(unsent, user=team_editor, direction=Communication.OUTGOING, channel="portal", date=SENT,
                      event=filed)  # fmt: skip
    unsent.refresh_from_db()
    assert unsent.sent_date == SENT and unsent.received_date == SENT and unsent.received_is_assumed


def test_existing_dates_are_never_overwritten(team, team_editor):
    r = factories.make_request(team, code="CPRA", sent=dt.date(2026, 10, 1), received=dt.date(2026, 10, 3))
    log_event(r, user=team_editor, kind=Event.Kind.FILED, date=SENT, channel="email")
    r.refresh_from_db()
    assert r.sent_date == dt.date(2026, 10, 1) and r.received_date == dt.date(2026, 10, 3)
    assert not r.received_is_assumed


def test_correcting_the_received_date_clears_the_assumption(unsent, team_editor):
    log_event(unsent, user=team_editor, kind=Event.Kind.FILED, date=SENT, channel="email")
    unsent.refresh_from_db()
    unsent.received_date = dt.date(2026, 11, 4)
    save_request(unsent, user=team_editor)
    unsent.refresh_from_db()
    assert not unsent.received_is_assumed and unsent.due_date == dt.date(2026, 11, 16)  # 14th is a Saturday


def test_event_form_on_request_page_starts_the_clock(login, unsent, team_editor):
    client = login(team_editor)
    response = client.post(reverse("event_add", args=[unsent.pk]), {"kind": "filed", "date": "2026-11-02"})
    assert response.status_code == 302
    unsent.refresh_from_db()
    assert unsent.sent_date == SENT and unsent.status == "filed"


def test_request_page_says_loudly_that_there_is_no_deadline(login, unsent, team_editor):
    log_event(unsent, user=team_editor, kind=Event.Kind.FILED, date=SENT, channel="letter")
    client = login(team_editor)
    page = unescape(client.get(reverse("request_detail", args=[unsent.pk])).content.decode())
    assert NO_DEADLINE in page
    assert "Enter the date the agency received it" in page
    listing = unescape(client.get(reverse("request_list")).content.decode())
    assert NO_DEADLINE in listing
    dashboard = unescape(client.get(reverse("home")).content.decode())
    assert NO_DEADLINE in dashboard
    assert unsent.title in dashboard


def test_request_page_shows_an_assumed_date_as_one_to_correct(login, unsent, team_editor):
    log_event(unsent, user=team_editor, kind=Event.Kind.FILED, date=SENT, channel="email")
    page = login(team_editor).get(reverse("request_detail", args=[unsent.pk])).content.decode()
    assert "assumed" in page and "correct it" in page
    assert "No deadline yet" not in page


def test_new_request_form_takes_the_agencys_default_statute(login, team_editor):
    agency = factories.make_agency("Office of Information Policy", level="federal", state="",
                                   default_statute=factories.statute("FOIA"))  # fmt: skip
    client = login(team_editor)
    form = client.get(reverse("request_create"), {"agency": agency.pk}).context["form"]
    assert form.initial["agency"] == agency.pk and form.initial["statute"] == factories.statute("FOIA").pk
    assert client.get(reverse("request_create"), {"agency": "nonsense"}).status_code == 200
    page = client.get(reverse("agency_detail", args=[agency.pk])).content.decode()
    assert f"{reverse('request_create')}?agency={agency.pk}" in page and "New request to this agency" in page
