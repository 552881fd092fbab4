"""Audit history: who changed what, and when, on a request, its events and its communications."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from records.audit import request_history
from records.models import Event, RecordsRequest

from . import factories

pytestmark = pytest.mark.usefixtures("ticking_today")


def request_form(r, **changes):
    data = {
        "title": r.title, "agency": r.agency_id, "statute": r.statute_id, "sent_date": "2026-11-02",
        "received_date": "2026-11-02", "tracking_text": "", "tags_text": "",
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.fixture
def logged(login, editor, team):
    """A request changed through the pages by the editor: edited, an event logged, edited, deleted."""
    client = login(editor)
    r = factories.make_request(team, title="Jail contracts", sent=dt.date(2026, 11, 2))
    client.post(reverse("request_edit", args=[r.pk]), request_form(r, title="Jail phone contracts", project="Jails"))
    client.post(
        reverse("event_add", args=[r.pk]), {"kind": "final_response", "outcome": "denied", "date": "2026-11-10"}
    )
    event = r.events.get()
    client.post(
        reverse("event_edit", args=[event.pk]),
        {"kind": "final_response", "outcome": "no_records", "date": "2026-11-10"},
    )
    client.post(
        reverse("communication_add", args=[r.pk]),
        {"direction": "in", "channel": "email", "date": "2026-11-10", "subject": "Determination"},
    )
    client.post(reverse("event_delete", args=[event.pk]))
    return RecordsRequest.objects.get(pk=r.pk)


def changes(entry):
    return {c.field: (c.old, c.new) for c in entry.changes}


def test_history_says_who_changed_which_field_from_what_to_what(logged):
    history = request_history(logged)
    assert all(e.who in ("editor", "") for e in history)
    edits = [e for e in history if e.object_type == "request" and e.action == "changed"]
    title_edit = next(e for e in edits if "Title" in changes(e))
    assert title_edit.who == "editor"
    assert changes(title_edit)["Title"] == ("Jail contracts", "Jail phone contracts")
    assert changes(title_edit)["Project / story"] == ("—", "Jails")
    # The derived status changes are recorded too: draft → filed on creation (recomputed once sent),
    # then the response, its correction, and the deletion of that event.
    statuses = [changes(e)["Status"] for e in reversed(edits) if "Status" in changes(e)]
    assert statuses == [("Draft", "Filed"), ("Filed", "Denied"), ("Denied", "No records"), ("No records", "Filed")]


def test_events_and_communications_show_created_changed_and_deleted(logged):
    history = request_history(logged)
    events = [(e.action, e.what) for e in history if e.object_type == "event"]
    assert events == [
        ("deleted", "Event: Final response: No records (2026-11-10)"),
        ("changed", "Event: Final response: No records (2026-11-10)"),
        ("created", "Event: Final response: Denied (2026-11-10)"),
    ]
    changed = next(e for e in history if e.object_type == "event" and e.action == "changed")
    assert changes(changed) == {"Outcome": ("Denied", "No records")}
    comm = next(e for e in history if e.object_type == "communication")
    assert comm.action == "created" and "Determination" in comm.what and comm.who == "editor"
    assert history == sorted(history, key=lambda e: (e.when, e.history_id), reverse=True)


def test_saves_that_change_nothing_are_not_listed(editor, team):
    r = factories.make_request(team, title="Quiet")  # created as a draft, then recomputed: filed
    r.save()
    r.save()
    entries = [e for e in request_history(r) if e.object_type == "request"]
    assert [e.action for e in entries] == ["changed", "created"]
    assert changes(entries[0])["Status"] == ("Draft", "Filed")


def test_the_history_page_shows_it_to_the_team_and_404s_for_strangers(login, viewer, stranger, logged):
    url = reverse("request_history", args=[logged.pk])
    page = login(viewer).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Jail phone contracts" in html and "editor" in html and "No records" in html and "Deleted" in html
    assert login(stranger).get(url).status_code == 404


def test_the_partial_renders_a_history_list(logged):
    html = render_to_string("records/partials/history.html", {"history": request_history(logged)})
    assert "<table" in html and "Jail contracts" in html and "→" in html
    assert "No changes recorded yet" in render_to_string("records/partials/history.html", {"history": []})


def test_another_requests_history_does_not_leak_in(logged, team):
    other = factories.make_request(team, title="Unrelated")
    Event.objects.create(request=other, kind="acknowledged", date=dt.date(2026, 11, 3))
    assert all("Unrelated" not in e.what for e in request_history(logged))
    assert all(e.object_type != "event" or "Acknowledged" not in e.what for e in request_history(logged))
