"""One write path for the timeline: every caller saves through records.timeline_writes, which recomputes
status and due dates, records who acted, and refuses a save made from a stale copy (web: the form shows
what changed; API: ETag / If-Match, 412). Over-long tags and tracking numbers are field errors, never 500s."""

import datetime as dt
import importlib
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from records import access, timeline_writes
from records.models import Event, Membership, RecordsRequest, Tag, TrackingNumber

from . import factories

pytestmark = pytest.mark.usefixtures("ticking_today")


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def make_editor(team, name):
    user = factories.make_user(name)
    factories.add_member(user, team, Membership.EDITOR)
    return user


def opened_form(client, url) -> dict:
    """The form as a browser holds it after GET: every field's value, the hidden version included."""
    html = client.get(url).content.decode()
    version = re.search(r'name="version" value="(\d+)"', html)
    assert version, "the form carries the version it was opened at"
    return {"version": version.group(1)}


def request_form_data(r, **changes):
    data = {
        "title": r.title, "agency": r.agency_id, "statute": r.statute_id, "body": r.body, "reference": r.reference,
        "sent_date": r.sent_date.isoformat(), "received_date": r.received_date.isoformat(), "project": r.project,
        "tags_text": ", ".join(t.name for t in r.tags.all()),
        "tracking_text": "\n".join(t.number for t in r.tracking_numbers.all()),
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.fixture
def desk(team):
    """Two editors of one team and a request they both work on."""
    alice, bob = make_editor(team, "alice"), make_editor(team, "bob")
    r = factories.make_request(team, title="LAPD ALPR audit logs", sent=dt.date(2026, 11, 2))
    return alice, bob, r


# --- Two editors, one request ----------------------------------------------------------------


def test_two_editors_saving_one_request_the_second_is_shown_what_changed_and_keeps_their_text(desk):
    alice, bob, r = desk
    url = reverse("request_edit", args=[r.pk])
    alice_client, bob_client = signed_in(alice), signed_in(bob)
    alice_form, bob_form = opened_form(alice_client, url), opened_form(bob_client, url)

    response = alice_client.post(url, request_form_data(r, project="Plate readers", **alice_form))
    assert response.status_code == 302
    response = bob_client.post(url, request_form_data(r, project="Jail contracts", title="Bob's title", **bob_form))

    assert response.status_code == 409
    html = response.content.decode()
    saved_at = re.search(r"Someone else saved this request at (\d\d:\d\d) since you opened it", html)
    assert saved_at, html
    r.refresh_from_db()
    assert r.project == "Plate readers" and r.title == "LAPD ALPR audit logs"  # Bob did not overwrite Alice
    # The field Alice changed, hers beside Bob's; what Bob typed is still in the form.
    assert re.search(r"<td>Project / story</td><td>Plate readers</td><td>Jail contracts</td>", html)
    assert 'value="Jail contracts"' in html and 'value="Bob&#x27;s title"' in html
    # Saving again (now knowingly over Alice's version) goes through.
    again = re.search(r'name="version" value="(\d+)"', html).group(1)
    response = bob_client.post(url, request_form_data(r, project="Jail contracts", title="Bob's title", version=again))
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.project == "Jail contracts"


def test_two_editors_saving_one_event_the_second_gets_a_conflict(desk):
    alice, bob, r = desk
    event = timeline_writes.log_event(r, user=alice, kind="acknowledged", date=dt.date(2026, 11, 4))
    url = reverse("event_edit", args=[event.pk])
    alice_client, bob_client = signed_in(alice), signed_in(bob)
    alice_form, bob_form = opened_form(alice_client, url), opened_form(bob_client, url)
    data = {"kind": "acknowledged", "date": "2026-11-04", "outcome": "", "amount": ""}

    assert alice_client.post(url, {**data, "note": "Called them", **alice_form}).status_code == 302
    response = bob_client.post(url, {**data, "date": "2026-11-05", "note": "Emailed them", **bob_form})

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this event at" in html and "Emailed them" in html
    event.refresh_from_db()
    assert event.note == "Called them" and event.date == dt.date(2026, 11, 4)


def test_a_stale_expected_version_is_a_conflict_and_saves_nothing(desk):
    alice, bob, r = desk
    version = r.version
    timeline_writes.save_request(r, user=alice, expected_version=version)
    stale = RecordsRequest.objects.get(pk=r.pk)
    stale.version = version
    stale.title = "Overwritten"
    with pytest.raises(timeline_writes.Conflict) as raised:
        timeline_writes.save_request(stale, user=bob, expected_version=version)
    assert raised.value.current.version == version + 1
    assert RecordsRequest.objects.get(pk=r.pk).title == "LAPD ALPR audit logs"


# --- The API: ETag and If-Match ----------------------------------------------------------------


def test_the_api_gives_an_etag_and_refuses_a_stale_if_match_with_412(desk):
    alice, bob, r = desk
    url = reverse("api-request-detail", args=[r.pk])
    alice_api, bob_api = api(alice), api(bob)
    alice_etag, bob_etag = alice_api.get(url)["ETag"], bob_api.get(url)["ETag"]
    assert alice_etag == bob_etag == f'"{r.version}"'

    response = alice_api.patch(url, {"project": "Plate readers"}, format="json", HTTP_IF_MATCH=alice_etag)
    assert response.status_code == 200 and response["ETag"] != alice_etag
    response = bob_api.patch(url, {"project": "Jail contracts"}, format="json", HTTP_IF_MATCH=bob_etag)

    assert response.status_code == 412
    assert "Someone else saved" in response.json()["detail"]
    assert response.json()["current"]["project"] == "Plate readers" and response["ETag"] == alice_api.get(url)["ETag"]
    r.refresh_from_db()
    assert r.project == "Plate readers"
    # Without If-Match a write is still accepted (documented in the schema): last write wins.
    assert bob_api.patch(url, {"project": "Jail contracts"}, format="json").status_code == 200


def test_an_event_put_with_a_stale_if_match_is_412_and_a_fresh_one_goes_through(desk):
    alice, bob, r = desk
    event = timeline_writes.log_event(r, user=alice, kind="acknowledged", date=dt.date(2026, 11, 4))
    url = reverse("api-event-detail", args=[event.pk])
    client = api(bob)
    etag = client.get(url)["ETag"]
    timeline_writes.edit_event(event, user=alice, note="Called them")
    body = {"request": r.pk, "kind": "final_response", "outcome": "denied", "date": "2026-11-10"}

    assert client.put(url, body, format="json", HTTP_IF_MATCH=etag).status_code == 412
    r.refresh_from_db()
    assert r.status == "acknowledged"
    response = client.put(url, body, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == 200
    r.refresh_from_db()
    assert r.status == "denied"


def test_the_schema_documents_if_match_and_412(client):
    schema = client.get(reverse("api-schema")).content.decode()
    assert "If-Match" in schema and re.search(r"""['"]412['"]:""", schema)


# --- Over-long values are field errors, on every database ----------------------------------------


def test_over_long_tags_and_tracking_numbers_are_form_errors_not_500s(login, editor, team):
    r = factories.make_request(team, title="Sheriff contracts")
    long_tag, long_number = "t" * 61, "N" * 101
    response = login(editor).post(
        reverse("request_edit", args=[r.pk]),
        request_form_data(r, tags_text=f"ALPR, {long_tag}", tracking_text=long_number, version=r.version),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "at most 60 characters" in errors["tags_text"][0]
    assert "at most 100 characters" in errors["tracking_text"][0]
    assert not Tag.objects.filter(name=long_tag).exists() and not TrackingNumber.objects.exists()


def test_over_long_tags_and_tracking_numbers_are_api_400s_with_field_errors(editor, team):
    agency = factories.make_agency("San Diego Police Department")
    body = {
        "title": "SDPD ALPR", "agency": agency.pk, "statute": "CPRA", "sent_date": "2026-11-16",
        "tags": ["x" * 61], "tracking_numbers": [{"number": "9" * 101, "kind": "initial"}],
    }  # fmt: skip
    response = api(editor).post(reverse("api-request-list"), body, format="json")
    assert response.status_code == 400
    assert "at most 60 characters" in response.json()["tags"][0]
    assert "at most 100 characters" in response.json()["tracking_numbers"][0]
    assert not RecordsRequest.objects.exists()


# --- The admin, bulk delete included --------------------------------------------------------------


@pytest.fixture
def admin_client(db):
    from django.contrib.auth import get_user_model

    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-123")
    return signed_in(superuser), superuser


def test_deleting_events_in_bulk_skipping_the_write_path_leaves_status_stale(team):
    r = factories.make_request(team, sent=dt.date(2026, 11, 2))
    Event.objects.create(request=r, kind="final_response", outcome="denied", date=dt.date(2026, 11, 10))
    timeline_writes.timeline.recompute(r)
    Event.objects.filter(request=r).delete()  # what the admin's "delete selected" did
    r.refresh_from_db()
    assert r.status == "denied" and r.due_date is None  # stale: no events, yet still "denied"


def test_the_admins_delete_selected_on_events_recomputes_status_and_due_date(admin_client, team):
    client, superuser = admin_client
    r = factories.make_request(team, sent=dt.date(2026, 11, 2))
    open_due = r.due_date
    events = [
        timeline_writes.log_event(r, user=superuser, kind="acknowledged", date=dt.date(2026, 11, 4)),
        timeline_writes.log_event(r, user=superuser, kind="final_response", outcome="denied", date=dt.date(2026, 11, 10)),
    ]  # fmt: skip
    r.refresh_from_db()
    assert r.status == "denied" and r.due_date is None

    response = client.post(
        reverse("admin:records_event_changelist"),
        {"action": "delete_selected", "_selected_action": [e.pk for e in events], "post": "yes"},
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert not r.events.exists()
    assert r.status == "filed" and r.due_date == open_due  # recomputed, not left at "denied"
    deletions = Event.history.filter(request_id=r.pk, history_type="-")
    assert {h.history_user for h in deletions} == {superuser}


def test_the_admin_saves_a_request_and_its_inline_events_through_the_write_path(admin_client, team):
    client, superuser = admin_client
    r = factories.make_request(team, sent=dt.date(2026, 11, 2))
    data = {
        "team": team.pk, "title": r.title, "agency": r.agency_id, "statute": r.statute_id, "body": "", "reference": "",
        "sent_date": "2026-11-02", "received_date": "2026-11-02", "project": "",
        "tracking_numbers-TOTAL_FORMS": "0", "tracking_numbers-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "1", "events-INITIAL_FORMS": "0",
        "events-0-kind": "final_response", "events-0-outcome": "granted", "events-0-date": "2026-11-12",
        "events-0-note": "",
    }  # fmt: skip
    response = client.post(reverse("admin:records_recordsrequest_change", args=[r.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    r.refresh_from_db()
    assert r.status == "granted" and r.version == 2
    assert r.events.get().history.get().history_user == superuser


# --- Who acted, and where the access helpers live -------------------------------------------------


def test_writes_outside_a_web_request_record_the_acting_user(desk):
    alice, bob, r = desk
    event = timeline_writes.log_event(r, user=alice, kind="acknowledged", date=dt.date(2026, 11, 4))
    event_id = event.pk
    timeline_writes.edit_event(event, user=bob, note="Called")
    timeline_writes.delete_event(event, user=alice)
    assert [h.history_user.username for h in Event.history.filter(id=event_id).order_by("history_id")] == [
        "alice", "bob", "alice",
    ]  # fmt: skip


def test_a_viewer_cannot_open_the_new_request_form_and_is_told_why(login, viewer, team):
    response = login(viewer).get(reverse("request_create"))
    assert response.status_code == 403
    request = RequestFactory().get("/")
    request.user, request.session = viewer, {}
    with pytest.raises(PermissionDenied, match="read-only"):
        access.writable_current_team(request)


def test_the_access_helpers_live_beside_the_models_only():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("records.views.access")
