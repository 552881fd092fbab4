"""Saved searches with alerts: saved from the search page, announced once per new page, team-scoped."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from records.models import SavedSearch
from records.notifications import send_reminder_digests
from records.search.saved import new_matches

from . import factories
from .test_search_page import add_pages

DAY = dt.date(2026, 12, 1)


@pytest.fixture
def desk(team, viewer):
    viewer.email = "viewer@example.org"
    viewer.save()
    r = factories.make_request(team, title="ALPR")
    add_pages(r, "old.pdf", ["Vigilant contract from last year"])
    return r


def _save(client, query, name="", **filters):
    return client.post(reverse("saved_search_list"), {"q": query, "name": name, **filters})


def _digest_lines():
    return [line for message in mail.outbox for line in message.body.splitlines() if "new page" in line]


def test_saved_search_alerts_once_per_new_page(login, viewer, desk):
    response = _save(login(viewer), "Vigilant", name="campaign ALPR 2026")
    assert response.status_code == 302
    saved = SavedSearch.objects.get()
    assert (saved.team, saved.created_by, saved.query) == (viewer.memberships.get().team, viewer, "Vigilant")
    assert new_matches(saved).count() == 0  # pages released before it was saved are not news

    add_pages(desk, "new.pdf", ["Vigilant renewal", "Vigilant invoice", "Vigilant map", "nothing here"])
    assert send_reminder_digests(DAY) == 1
    assert _digest_lines() == ["  - 3 new pages mention Vigilant (campaign ALPR 2026): /search/?q=Vigilant&sort=date"]
    assert send_reminder_digests(DAY) == 0  # the same morning again: nothing twice

    mail.outbox.clear()
    assert send_reminder_digests(DAY + dt.timedelta(days=1)) == 0  # nothing new since
    add_pages(desk, "newer.pdf", ["One more Vigilant page"])
    assert send_reminder_digests(DAY + dt.timedelta(days=2)) == 1
    assert _digest_lines()[0].startswith("  - 1 new page mentions Vigilant")


def test_the_mark_moves_only_when_the_digest_is_sent(login, viewer, desk):
    _save(login(viewer), "Vigilant")
    viewer.email = ""
    viewer.save()
    add_pages(desk, "new.pdf", ["Vigilant renewal"])
    assert send_reminder_digests(DAY) == 0
    saved = SavedSearch.objects.get()
    assert new_matches(saved).count() == 1  # not announced, so still new


def test_the_saved_filters_apply(login, viewer, desk):
    _save(login(viewer), "Vigilant", ocr="true", page="4", sort="date")
    saved = SavedSearch.objects.get()
    assert saved.filters == "ocr=true"
    add_pages(desk, "text.pdf", ["Vigilant text layer"])
    assert new_matches(saved).count() == 0
    add_pages(desk, "scan.pdf", ["Vigilant scanned"], ocr=True)
    assert new_matches(saved).count() == 1


def test_dashboard_and_list_show_new_matches(login, viewer, desk):
    client = login(viewer)
    _save(client, '"Vigilant renewal" OR invoice', name="renewals")
    add_pages(desk, "new.pdf", ["Vigilant renewal", "an invoice"])
    body = client.get(reverse("home")).content.decode()
    assert "2 new pages mention &quot;Vigilant renewal&quot; OR invoice" in body
    listing = client.get(reverse("saved_search_list")).content.decode()
    assert "renewals" in listing and "2 new pages" in listing


def test_a_bad_query_is_not_saved(login, viewer, desk):
    response = login(viewer).post(reverse("saved_search_list"), {"q": '"unclosed'}, follow=True)
    assert SavedSearch.objects.count() == 0
    assert "A quote is not closed" in response.content.decode()


def test_a_stranger_never_sees_another_teams_saved_searches_nor_their_hits(login, viewer, stranger, desk):
    _save(login(viewer), "Vigilant", name="ours")
    ours = SavedSearch.objects.get()
    stranger.email = "stranger@example.org"
    stranger.save()
    client = login(stranger)
    _save(client, "Vigilant", name="theirs")
    theirs = SavedSearch.objects.get(name="theirs")
    assert theirs.team == stranger.memberships.get().team

    add_pages(desk, "new.pdf", ["Vigilant renewal"])  # the desk's page, not the stranger's team's
    listing = client.get(reverse("saved_search_list")).content.decode()
    assert "theirs" in listing and "ours" not in listing
    assert client.post(reverse("saved_search_delete", args=[ours.pk])).status_code == 404
    assert "new page" not in client.get(reverse("home")).content.decode()
    assert new_matches(theirs).count() == 0
    send_reminder_digests(DAY)
    assert [message.to for message in mail.outbox] == [["viewer@example.org"]]

    # A small team's own new page does reach it.
    add_pages(factories.make_request(theirs.team), "small.pdf", ["Vigilant in a small team"])
    assert new_matches(theirs).count() == 1
    assert client.post(reverse("saved_search_delete", args=[theirs.pk])).status_code == 302
    assert SavedSearch.objects.filter(pk=theirs.pk).count() == 0
