"""Morning digests and the calendar feed."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from records.models import FeedToken
from records.notifications import send_reminder_digests

from . import factories

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def desk(team, editor, viewer):
    editor.email, viewer.email = "editor@desk.example", "viewer@desk.example"
    editor.save(), viewer.save()
    team.reminder_days = 5
    team.save()
    factories.make_request(team, title="Late ALPR", sent=dt.date(2026, 11, 2), assignee=editor)  # due 11-12
    factories.make_request(team, title="Soon ALPR", sent=dt.date(2026, 11, 13), assignee=editor)  # due 11-23
    factories.make_request(team, title="Far ALPR", sent=dt.date(2026, 11, 19), assignee=viewer)  # due 11-30
    return team


def test_digest_lists_overdue_and_due_soon_for_each_assignee(desk):
    assert send_reminder_digests() == 1
    [message] = mail.outbox
    assert message.to == ["editor@desk.example"]
    assert "1 overdue, 1 due soon" in message.subject
    assert "Late ALPR" in message.body and "was due 2026-11-12" in message.body
    assert "Soon ALPR" in message.body and "Far ALPR" not in message.body


def test_digest_is_idempotent_within_a_day(desk):
    assert send_reminder_digests() == 1
    assert send_reminder_digests() == 0
    assert len(mail.outbox) == 1
    with time_machine.travel(dt.datetime(2026, 11, 21, 12, 0), tick=False):
        assert send_reminder_digests() == 1
    assert len(mail.outbox) == 2


def test_beat_schedule_sends_digests_each_morning(desk):
    from config.celery import app
    from records.tasks import send_reminder_digests_task

    entry = settings.CELERY_BEAT_SCHEDULE["reminder-digests"]
    assert entry["task"] == "records.send_reminder_digests" and entry["task"] in app.tasks
    assert entry["schedule"].hour == {7}
    assert send_reminder_digests_task() == 1 and send_reminder_digests_task() == 0


def test_calendar_feed_carries_deadlines_and_can_be_revoked(client, login, editor, stranger, desk):
    login(editor).post(reverse("feed_token_new"))
    token = FeedToken.objects.get(user=editor, revoked_at__isnull=True)
    client.logout()
    response = client.get(reverse("feed", args=[token.token]))
    assert response["Content-Type"].startswith("text/calendar")
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    late = next(e for e in events if "Late ALPR" in str(e["SUMMARY"]))
    assert late.decoded("DTSTART") == dt.date(2026, 11, 12)
    assert {str(e["SUMMARY"]).split(":")[0] for e in events} == {"Due"}
    assert len(events) == 3
    # The stranger's own feed has none of our requests.
    login(stranger).post(reverse("feed_token_new"))
    client.logout()
    theirs = client.get(reverse("feed", args=[FeedToken.objects.get(user=stranger).token]))
    assert b"ALPR" not in theirs.content
    # Revoked: the old address is gone at once.
    login(editor).post(reverse("feed_token_new"), {"action": "revoke"})
    client.logout()
    assert client.get(reverse("feed", args=[token.token])).status_code == 404


def test_a_removed_member_gets_no_digest_of_that_team(desk, editor):
    """Before: the digest followed the assignment alone, so a removed member kept getting the team's deadlines."""
    from records.models import Membership

    # Deleted without the removal path (e.g. in the Django admin): the assignments remain.
    Membership.objects.filter(user=editor, team=desk).delete()
    assert send_reminder_digests() == 0
    assert mail.outbox == []
