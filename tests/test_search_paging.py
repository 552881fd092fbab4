"""Every hit reachable: paging past the ranked window, keyset cursors, sort by release date, counts."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from records.models import Document, Page
from records.search import CANDIDATES, search_pages

from . import factories
from .test_search_page import add_pages

TOTAL = CANDIDATES + 50


@pytest.fixture
def many(team):
    """TOTAL matching pages in three documents released on three days, plus one that doesn't match."""
    r = factories.make_request(team, title="ALPR logs")
    sizes = [1000, 1000, TOTAL - 2000]
    for day, size in enumerate(sizes, start=1):
        document = add_pages(r, f"log-{day}.pdf", [f"plate read {i} Vigilant" for i in range(size)])
        Document.objects.filter(pk=document.pk).update(uploaded_at=timezone.make_aware(dt.datetime(2026, 11, day)))
    add_pages(r, "cover.pdf", ["cover letter"])
    return Page.objects.for_team(team)


def _walk(pages, **kwargs):
    """Every hit, screen by screen, following the keyset cursor where there is one."""
    seen, offset, after = [], 0, None
    while True:
        results = search_pages("vigilant", pages=pages, limit=100, offset=offset, after=after, **kwargs)
        seen += [hit.page_id for hit in results]
        if not results.has_next:
            return seen
        offset, after = offset + 100, results.next_after


def test_every_hit_reachable_exactly_once_by_relevance(many):
    seen = _walk(many)
    assert len(seen) == TOTAL and len(set(seen)) == TOTAL
    assert set(seen) == set(many.filter(text__contains="Vigilant").values_list("pk", flat=True))


def test_sort_by_release_date_newest_first_reaches_every_hit_once(many):
    seen = _walk(many, sort="date")
    assert len(seen) == TOTAL and len(set(seen)) == TOTAL
    assert Page.objects.get(pk=seen[0]).document.original_name == "log-3.pdf"
    assert Page.objects.get(pk=seen[-1]).document.original_name == "log-1.pdf"


def test_result_2001_on_the_search_page_ranked_with_an_exact_count(login, viewer, many):
    # issue 15: the engine ranks every match, so result 2,001 is ranked too (no release-order note).
    client = login(viewer)
    response = client.get(reverse("search") + "?q=vigilant&view=list&page=101")
    body = response.content.decode()
    assert len(response.context["rows"]) == 20
    assert "No released page matches" not in body
    assert "listed in release order" not in body
    assert all(row[0].score is not None for row in response.context["rows"])
    assert f"{TOTAL} pages" in body
    results = response.context["results"]
    assert results.next_after is None  # the engine pages by offset
    screens = [
        client.get(reverse("search") + f"?q=vigilant&view=list&page={n}").context["rows"] for n in (100, 101, 102)
    ]
    ids = [row[0].page_id for rows in screens for row in rows]
    assert len(ids) == len(set(ids)) == 60
    last = client.get(reverse("search") + "?q=vigilant&view=list&page=103")
    assert len(last.context["rows"]) == 10 and not last.context["results"].has_next


def test_a_large_count_is_about_n_never_a_silent_cap(login, viewer, many):
    # The SQL path estimates past COUNT_EXACTLY; the search page (the engine) counts exactly.
    with mock.patch("records.search.api.COUNT_EXACTLY", 500):
        results = search_pages("vigilant", pages=many)
        body = login(viewer).get(reverse("search") + "?q=vigilant&view=list").content.decode()
    assert not results.matched_exact and results.matched > 500
    assert abs(results.matched - TOTAL) <= TOTAL // 4
    assert f"{TOTAL} pages" in body


def test_sort_selector_keeps_the_filters(login, viewer, team):
    r = factories.make_request(team)
    old = add_pages(r, "old.pdf", ["Vigilant old scan"], ocr=True)
    Document.objects.filter(pk=old.pk).update(uploaded_at=timezone.make_aware(dt.datetime(2025, 1, 1)))
    add_pages(r, "new.pdf", ["Vigilant new scan"], ocr=True)
    add_pages(r, "text.pdf", ["Vigilant text layer"])
    client = login(viewer)
    response = client.get(reverse("search") + "?q=vigilant&ocr=true&sort=date")
    assert [row[0].filename for row in response.context["rows"]] == ["new.pdf", "old.pdf"]
    assert 'value="date" selected' in response.content.decode()
    response = client.get(reverse("search") + "?q=vigilant&ocr=true&sort=relevance")
    assert {row[0].filename for row in response.context["rows"]} == {"new.pdf", "old.pdf"}
    assert client.get(reverse("search") + "?q=vigilant&sort=nonsense").status_code == 200


def test_a_small_team_is_scoped_inside_the_query(login, stranger, many):
    small = stranger.memberships.get().team
    add_pages(factories.make_request(small), "small.pdf", ["Vigilant in a small team"])
    for sort in ("relevance", "date"):
        response = login(stranger).get(reverse("search") + f"?q=vigilant&sort={sort}")
        assert [row[0].filename for row in response.context["rows"]] == ["small.pdf"]
        assert response.context["results"].matched == 1


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999999999999999999999999"])
def test_odd_page_numbers_are_no_error(login, viewer, many, page):
    assert login(viewer).get(reverse("search") + f"?q=vigilant&page={page}&after=x").status_code == 200


def test_api_pages_past_the_ranked_window_by_cursor(viewer, many):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(viewer)
    url = reverse("api-search") + "?q=vigilant&limit=100"
    body = client.get(url + f"&offset={CANDIDATES}").json()
    assert len(body["results"]) == 50 and body["matched"] == TOTAL and body["matched_exact"]
    by_date = client.get(url + "&sort=date").json()
    following = client.get(url + f"&sort=date&after={by_date['next_after']}").json()
    ids = {(hit["document_id"], hit["page"]) for hit in by_date["results"] + following["results"]}
    assert len(ids) == 200
    assert client.get(url + "&sort=nonsense").status_code == 400
