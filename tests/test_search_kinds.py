"""Request and communication hits: their own section on /search/, every kind in /api/search/."""

import datetime as dt

from django.urls import reverse
from rest_framework.test import APIClient

from records.models import Communication

from . import factories
from .test_search_page import add_pages


def _flock_letters(team):
    r = factories.make_request(team, title="Flock Safety contract")
    Communication.objects.create(
        request=r, direction=Communication.INCOMING, channel="email", date=dt.date(2026, 11, 3),
        subject="Re: Flock cameras", body="The Flock invoice is attached.",
    )  # fmt: skip
    return r


def test_request_and_letter_hits_show_even_when_no_page_matches(login, viewer, team):
    _flock_letters(team)
    response = login(viewer).get(reverse("search") + "?q=Flock")
    body = response.content.decode()
    assert "No released page matches." in body
    assert {hit.kind for hit in response.context["request_hits"]} == {"request", "communication"}
    assert "Flock Safety contract" in body and "Re: Flock cameras" in body


def test_request_hits_show_beside_page_hits(login, viewer, team):
    r = _flock_letters(team)
    add_pages(r, "flock.pdf", ["Flock invoice page"])
    response = login(viewer).get(reverse("search") + "?q=Flock")
    assert len(response.context["rows"]) == 1
    assert len(response.context["request_hits"].hits) == 2


def test_stranger_sees_no_request_hits_of_another_team(login, stranger, team):
    _flock_letters(team)
    response = login(stranger).get(reverse("search") + "?q=Flock")
    assert response.context["request_hits"].hits == []


def test_api_search_returns_every_kind(viewer, stranger, team):
    r = _flock_letters(team)
    add_pages(r, "flock.pdf", ["Flock invoice page"])
    client = APIClient()
    client.force_authenticate(viewer)
    hits = client.get(reverse("api-search") + "?q=Flock").json()["results"]
    assert sorted(hit["kind"] for hit in hits) == ["communication", "page", "request"]
    client.force_authenticate(stranger)
    assert client.get(reverse("api-search") + "?q=Flock").json()["results"] == []
