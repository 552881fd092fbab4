"""Status is read off the events, and every change to an event re-derives it."""

import datetime as dt

import pytest
from django.urls import reverse

from records.models import Event

from . import factories

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def cpra_request(team):
    return factories.make_request(team, sent=dt.date(2026, 11, 2))


def log(client, r, **data):
    return client.post(reverse("event_add", args=[r.pk]), data)


@pytest.mark.parametrize(
    "events, status",
    [
        ([], "filed"),
        ([("acknowledged", "")], "acknowledged"),
        ([("clarification_asked", "")], "awaiting_requester"),
        ([("clarification_asked", ""), ("clarification_given", "")], "processing"),
        ([("fee_estimate", "")], "fee_pending"),
        ([("interim_release", "")], "partial"),
        ([("final_response", "partly_granted")], "partly_granted"),
        ([("final_response", "denied"), ("appeal_filed", "")], "appealed"),
        ([("final_response", "denied"), ("appeal_filed", ""), ("appeal_decided", "granted")], "appeal_decided"),
        ([("final_response", "no_records"), ("lawsuit_filed", "")], "litigation"),
        ([("withdrawn", "")], "withdrawn"),
    ],
)
def test_status_follows_the_events(login, editor, cpra_request, events, status):
    client = login(editor)
    for offset, (kind, outcome) in enumerate(events, start=1):
        response = log(client, cpra_request, kind=kind, outcome=outcome, date=f"2026-11-{2 + offset:02d}")
        assert response.status_code == 302, response.context["event_form"].errors
    cpra_request.refresh_from_db()
    assert cpra_request.status == status


def test_deleting_or_editing_an_event_recomputes_status(login, editor, cpra_request):
    client = login(editor)
    log(client, cpra_request, kind="acknowledged", date="2026-11-03")
    log(client, cpra_request, kind="final_response", outcome="denied", date="2026-11-10")
    cpra_request.refresh_from_db()
    assert cpra_request.status == "denied"
    final = Event.objects.get(kind="final_response")
    client.post(
        reverse("event_edit", args=[final.pk]), {"kind": "final_response", "outcome": "granted", "date": "2026-11-10"}
    )
    cpra_request.refresh_from_db()
    assert cpra_request.status == "granted"
    client.post(reverse("event_delete", args=[final.pk]))
    cpra_request.refresh_from_db()
    assert cpra_request.status == "acknowledged"


def test_final_response_needs_an_outcome(login, editor, cpra_request):
    response = log(login(editor), cpra_request, kind="final_response", date="2026-11-10")
    assert response.status_code == 400
    assert "outcome" in response.context["event_form"].errors
    assert not cpra_request.events.exists()


def test_event_dates_outside_the_request_are_refused(login, editor, cpra_request):
    client = login(editor)
    assert log(client, cpra_request, kind="acknowledged", date="2026-10-01").status_code == 400
    assert log(client, cpra_request, kind="acknowledged", date="2026-12-25").status_code == 400
    assert log(client, cpra_request, kind="acknowledged", date="31/02/2026").status_code == 400
    assert not cpra_request.events.exists()


def test_timeline_shows_events_and_communications_newest_first(login, editor, cpra_request):
    client = login(editor)
    log(client, cpra_request, kind="acknowledged", date="2026-11-03", note="Ack by portal")
    client.post(
        reverse("communication_add", args=[cpra_request.pk]),
        {"direction": "in", "channel": "letter", "date": "2026-11-12", "sender": "Records Unit",
         "recipient": "desk", "subject": "Estimated date of availability", "body": "Expected 2026-12-15."},
    )  # fmt: skip
    log(client, cpra_request, kind="extension", date="2026-11-09")
    items = client.get(cpra_request.get_absolute_url()).context["items"]
    assert [(kind, obj.date.isoformat()) for kind, obj in items] == [
        ("comm", "2026-11-12"), ("event", "2026-11-09"), ("event", "2026-11-03"),
    ]  # fmt: skip
