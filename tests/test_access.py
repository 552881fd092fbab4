"""Isolation: a stranger gets 404 on every object URL and sees nothing in any list;
a read-only teammate reads everything and gets 403 on every write."""

import datetime as dt

import pytest
from django.urls import reverse

from records.models import Communication, Event, RecordsRequest

from . import factories


@pytest.fixture
def secret_request(team, editor):
    r = factories.make_request(team, title="Flock contract with ICE — confidential lead", reference="SECRET-REF-9")
    r.tracking_numbers.create(number="R009911", agency=r.agency)
    event = Event.objects.create(request=r, kind="acknowledged", date=dt.date(2026, 11, 4))
    comm = Communication.objects.create(request=r, direction="in", channel="email", date=dt.date(2026, 11, 4),
                                        subject="Your request R009911", body="We have received it.")  # fmt: skip
    return r, event, comm


def object_urls(r, event, comm):
    return [
        reverse("request_detail", args=[r.pk]),
        reverse("request_edit", args=[r.pk]),
        reverse("event_edit", args=[event.pk]),
        reverse("communication_detail", args=[comm.pk]),
    ]


def write_posts(r, event):
    return [
        (reverse("request_edit", args=[r.pk]), {"title": "hijacked"}),
        (reverse("event_add", args=[r.pk]), {"kind": "acknowledged", "date": "2026-11-05"}),
        (reverse("communication_add", args=[r.pk]), {"direction": "in", "channel": "email", "date": "2026-11-05"}),
        (reverse("event_edit", args=[event.pk]), {"kind": "closed", "date": "2026-11-05"}),
        (reverse("event_delete", args=[event.pk]), {}),
    ]


def test_stranger_gets_404_on_every_object_url(login, stranger, secret_request):
    client = login(stranger)
    for url in object_urls(*secret_request):
        assert client.get(url).status_code == 404, url


def test_stranger_gets_404_on_every_write_and_changes_nothing(login, stranger, secret_request):
    r, event, comm = secret_request
    client = login(stranger)
    for url, data in write_posts(r, event):
        assert client.post(url, data).status_code == 404, url
    r.refresh_from_db()
    assert r.title.startswith("Flock contract")
    assert r.events.count() == 1 and r.communications.count() == 1


def test_stranger_sees_nothing_in_lists(login, stranger, secret_request):
    r, _, _ = secret_request
    client = login(stranger)
    for url in [
        reverse("request_list"),
        reverse("request_list") + "?q=SECRET",
        reverse("agency_detail", args=[r.agency_id]),
    ]:
        body = client.get(url).content.decode()
        assert "Flock contract" not in body and "SECRET-REF-9" not in body, url
    assert client.get(reverse("request_list") + "?q=R009911").context["page"].paginator.count == 0


def test_viewer_reads_but_gets_403_on_every_write(login, viewer, secret_request):
    r, event, comm = secret_request
    client = login(viewer)
    assert client.get(reverse("request_detail", args=[r.pk])).status_code == 200
    assert client.get(reverse("communication_detail", args=[comm.pk])).status_code == 200
    for url, data in write_posts(r, event):
        assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("request_create")).status_code == 403
    assert client.get(reverse("agency_create")).status_code == 403
    assert r.events.count() == 1 and r.communications.count() == 1


def test_viewer_page_offers_no_write_controls(login, viewer, secret_request):
    r, _, _ = secret_request
    body = login(viewer).get(reverse("request_detail", args=[r.pk])).content.decode()
    assert "Log an event" not in body and reverse("request_edit", args=[r.pk]) not in body


def test_anonymous_is_sent_to_sign_in(client, secret_request):
    r, _, _ = secret_request
    response = client.get(reverse("request_detail", args=[r.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_querysets_scope_every_model(editor, stranger, secret_request):
    r, event, comm = secret_request
    assert list(RecordsRequest.objects.visible_to(editor)) == [r]
    assert not RecordsRequest.objects.visible_to(stranger).exists()
    assert not Event.objects.visible_to(stranger).exists()
    assert not Communication.objects.visible_to(stranger).exists()
    assert list(Event.objects.visible_to(editor)) == [event]


def test_viewer_is_not_a_team_admin(login, viewer, team):
    other = factories.make_user("newcomer")
    response = login(viewer).post(reverse("team"), {"who": other.username, "role": "editor"})
    assert response.status_code == 403
    assert not other.memberships.exists() and not other.invitations.exists()
