"""The search page grouped by document (issue 13) and its sorts (issue 15): one row per file with
exact counts and its best pages, "show all" for one file, relevance / release date / document
order in both views, filters and paging with every sort, team scope."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from records.models import Document, Page
from records.search import search_pages
from records.search.api import matching_pages
from records.search.grouped import BEST_PAGES, document_order_pages, search_documents

from . import factories
from .test_search_page import add_pages

SORTS = ("relevance", "date", "document")


def released_on(document, day):
    Document.objects.filter(pk=document.pk).update(uploaded_at=timezone.make_aware(dt.datetime(2026, 11, day)))
    return document


@pytest.fixture
def desk(team):
    """Two requests, five files: different numbers of matching pages, released on different days,
    one scanned, one that does not match at all."""
    first = factories.make_request(team, title="ALPR contracts")
    second = factories.make_request(team, title="ALPR audits")
    docs = {
        # Many weak matches (the word once in a long page): a file whose pages are not the best.
        "log.pdf": released_on(
            add_pages(
                second, "log.pdf", [f"audit entry {i} with a long line of text and Vigilant once" for i in range(7)]
            ),
            1,
        ),
        "contract.pdf": released_on(
            add_pages(first, "contract.pdf", ["Cover", "Vigilant agreement", "Signature page", "Vigilant invoice"]), 3
        ),
        "scan.pdf": released_on(add_pages(first, "scan.pdf", ["Handwritten Vigilant note"], ocr=True), 2),
        # Released last, and its page is the best match: it must lead by relevance.
        "memo.pdf": released_on(add_pages(second, "memo.pdf", ["Vigilant Vigilant Vigilant", "Vigilant"]), 4),
        "other.pdf": released_on(add_pages(first, "other.pdf", ["nothing to see"]), 5),
    }
    return {"pages": Page.objects.for_team(team), "docs": docs, "requests": (first, second)}


def text_of(response):
    """The page's text, tags taken out (a hit's link says "file.pdf, page 3" across two spans)."""
    return re.sub(r"<[^>]+>", "", response.content.decode())


def names(results):
    return [group.filename for group in results]


def test_each_file_counts_exactly_its_matching_pages(desk):
    results = search_documents("vigilant", pages=desk["pages"])
    expected = dict(
        matching_pages("vigilant", pages=desk["pages"]).values_list("document__original_name").annotate(n=Count("pk"))
    )
    assert {group.filename: group.matched for group in results} == expected
    assert expected == {"log.pdf": 7, "contract.pdf": 2, "scan.pdf": 1, "memo.pdf": 2}
    assert results.documents == 4 and results.matched == 12


def test_files_in_the_order_of_their_best_hit_with_their_best_pages_first(desk):
    ranked = list(search_pages("vigilant", pages=desk["pages"], limit=100))
    first_seen = list(dict.fromkeys(hit.filename for hit in ranked))
    results = search_documents("vigilant", pages=desk["pages"])
    assert names(results) == first_seen
    assert names(results)[0] == "memo.pdf"  # released last, best page: first
    for group in results:
        own = [hit.page_id for hit in ranked if hit.document_id == group.document_id]
        assert [hit.page_id for hit in group.best] == own[:BEST_PAGES]
        assert group.more == group.matched - len(group.best)
    log = next(group for group in results if group.filename == "log.pdf")
    assert len(log.best) == BEST_PAGES and log.more == 7 - BEST_PAGES


def test_release_date_and_document_order(desk):
    by_date = search_documents("vigilant", pages=desk["pages"], sort="date")
    assert names(by_date) == ["memo.pdf", "contract.pdf", "scan.pdf", "log.pdf"]
    by_place = search_documents("vigilant", pages=desk["pages"], sort="document")
    # Request, then file: the first request's files in upload order, then the second's.
    assert names(by_place) == ["contract.pdf", "scan.pdf", "log.pdf", "memo.pdf"]
    listed = document_order_pages("vigilant", pages=desk["pages"], limit=100)
    assert [(hit.filename, hit.page) for hit in listed] == [
        ("contract.pdf", 2), ("contract.pdf", 4), ("scan.pdf", 1),
        *[("log.pdf", n) for n in range(1, 8)], ("memo.pdf", 1), ("memo.pdf", 2),
    ]  # fmt: skip
    assert listed.matched == 12 and listed.matched_exact and not listed.has_next


def test_document_order_list_pages_by_offset_and_by_keyset_alike(desk):
    seen, after, offset = [], None, 0
    while True:
        screen = document_order_pages("vigilant", pages=desk["pages"], limit=5, offset=offset, after=after)
        by_offset = document_order_pages("vigilant", pages=desk["pages"], limit=5, offset=offset)
        assert [hit.page_id for hit in screen] == [hit.page_id for hit in by_offset]
        seen += [hit.page_id for hit in screen]
        if not screen.has_next:
            break
        offset, after = offset + 5, screen.next_after
    assert len(seen) == len(set(seen)) == 12


@pytest.mark.parametrize("sort", SORTS)
def test_every_file_once_across_the_screens_of_files(team, sort):
    r = factories.make_request(team)
    for i in range(23):
        add_pages(r, f"file-{i:02}.pdf", ["Vigilant " * (1 + i % 4), "Vigilant report"])
    pages = Page.objects.for_team(team)
    seen = []
    for offset in range(0, 30, 10):
        results = search_documents("vigilant", pages=pages, sort=sort, limit=10, offset=offset)
        seen += names(results)
        assert results.has_next == (offset + 10 < 23)
    assert sorted(seen) == [f"file-{i:02}.pdf" for i in range(23)]


def test_a_screen_of_files_costs_the_same_queries_however_many_files_match(team):
    r = factories.make_request(team)
    pages = Page.objects.for_team(team)

    def queries_for_a_screen():
        with CaptureQueriesContext(connection) as captured:
            search_documents("vigilant", pages=pages, sort="date", limit=10)
        return len(captured)

    for i in range(12):
        add_pages(r, f"a-{i}.pdf", ["Vigilant", "Vigilant again", "Vigilant once more", "and more Vigilant"])
    few = queries_for_a_screen()
    for i in range(40):
        add_pages(r, f"b-{i}.pdf", ["Vigilant", "Vigilant again", "Vigilant once more", "and more Vigilant"])
    assert queries_for_a_screen() == few


def test_files_past_the_ranked_pages_follow_and_stay_reachable(team):
    """One file holds every best page; the others' best pages lie past what is read for ranking."""
    r = factories.make_request(team)
    add_pages(r, "big.pdf", ["Vigilant Vigilant Vigilant"] * 150)
    for i in range(12):
        add_pages(r, f"small-{i:02}.pdf", [f"a long page of text that names Vigilant only once, number {i}"])
    pages = Page.objects.for_team(team)
    with mock.patch("records.search.grouped.RANK_SCAN", 100):
        screens = [search_documents("vigilant", pages=pages, limit=5, offset=o) for o in (0, 5, 10)]
    assert names(screens[0])[0] == "big.pdf"
    assert screens[0].past_ranking
    seen = [name for screen in screens for name in names(screen)]
    assert sorted(seen) == ["big.pdf"] + [f"small-{i:02}.pdf" for i in range(12)]
    # A file past the ranked pages shows its count and opens on demand.
    late = screens[2].groups[-1]
    assert late.best == [] and late.more == late.matched == 1


def test_the_grouped_page_shows_file_request_count_and_best_pages(login, viewer, desk):
    response = login(viewer).get(reverse("search"), {"q": "vigilant"})
    body = response.content.decode()
    assert response.context["view"] == "grouped"
    assert "12 pages in 4 files" in body
    assert "7 matching pages" in body and "ALPR audits" in body
    log = desk["docs"]["log.pdf"]
    expand = reverse("search_document", args=[log.pk])
    assert f'href="{expand}?q=vigilant"' in body and f'hx-get="{expand}?q=vigilant"' in body
    assert "<mark>Vigilant</mark>" in body
    assert "Requests and letters" in body


@pytest.mark.parametrize("order", ["rank", "page"])
def test_show_all_lists_every_matching_page_of_the_file_once(login, viewer, team, order):
    r = factories.make_request(team)
    document = add_pages(r, "long.pdf", [f"page {i} {'Vigilant' if i % 10 else 'other'}" for i in range(1, 51)])
    add_pages(r, "else.pdf", ["Vigilant elsewhere"])
    client = login(viewer)
    url = reverse("search_document", args=[document.pk])
    seen, page = [], 1
    while True:
        response = client.get(url, {"q": "vigilant", "order": order, "page": page})
        assert response.status_code == 200
        seen += [(hit.filename, hit.page) for hit, _ in response.context["rows"]]
        if not response.context["results"].has_next:
            break
        page += 1
    expected = [("long.pdf", n) for n in range(1, 51) if n % 10]
    assert len(seen) == len(set(seen)) == 45 and sorted(seen, key=lambda s: s[1]) == expected
    if order == "page":
        assert seen == expected


def test_show_all_is_a_fragment_for_htmx_and_a_page_without_javascript(login, viewer, desk):
    client = login(viewer)
    url = reverse("search_document", args=[desk["docs"]["log.pdf"].pk])
    response = client.get(url, {"q": "vigilant"}, headers={"HX-Request": "true"})
    fragment = text_of(response)
    assert "<html" not in response.content.decode() and "log.pdf, page 7" in fragment
    assert "HX-Request" in response["Vary"]  # a cache never serves the fragment as the page
    whole = text_of(client.get(url, {"q": "vigilant"}))
    assert "Back to the search" in whole and "Records tracker" in whole and "log.pdf, page 7" in whole


def test_show_all_keeps_the_filters_and_explains_a_bad_query(login, viewer, desk):
    client = login(viewer)
    url = reverse("search_document", args=[desk["docs"]["contract.pdf"].pk])
    assert client.get(url, {"q": "vigilant", "ocr": "true"}).context["rows"] == []
    response = client.get(url, {"q": '"unbalanced'})
    assert response.status_code == 200 and response.context["error"]
    assert client.get(url).context["error"]  # no words: a sentence, not a 500


def test_a_stranger_gets_404_on_another_teams_file(login, stranger, desk):
    client = login(stranger)
    url = reverse("search_document", args=[desk["docs"]["memo.pdf"].pk])
    assert client.get(url, {"q": "vigilant"}).status_code == 404
    assert client.get(url, {"q": "vigilant"}, headers={"HX-Request": "true"}).status_code == 404
    response = client.get(reverse("search"), {"q": "vigilant"})
    assert list(response.context["results"]) == [] and "No released page matches." in response.content.decode()


@pytest.mark.parametrize("view", ["grouped", "list"])
@pytest.mark.parametrize("sort", SORTS)
def test_filters_work_with_every_sort_in_both_views(login, viewer, desk, view, sort):
    client = login(viewer)
    scanned = client.get(reverse("search"), {"q": "vigilant", "ocr": "true", "sort": sort, "view": view})
    assert [(hit.filename, hit.page) for hit, _, _ in scanned.context["rows"]] == [("scan.pdf", 1)]
    second = desk["requests"][1]
    narrowed = client.get(reverse("search"), {"q": "vigilant", "request": second.pk, "sort": sort, "view": view})
    assert {hit.filename for hit, _, _ in narrowed.context["rows"]} == {"log.pdf", "memo.pdf"}
    assert narrowed.context["results"].matched == 9


def test_the_list_view_still_lists_pages_and_pages_through_them(login, viewer, desk):
    client = login(viewer)
    response = client.get(reverse("search"), {"q": "vigilant", "view": "list"})
    assert len(response.context["rows"]) == 12 and "12 pages" in response.content.decode()
    by_place = client.get(reverse("search"), {"q": "vigilant", "view": "list", "sort": "document"})
    assert by_place.context["rows"][0][0].filename == "contract.pdf"
    by_date = client.get(reverse("search"), {"q": "vigilant", "view": "list", "sort": "date"})
    assert by_date.context["rows"][0][0].filename == "memo.pdf"


def test_made_up_view_and_sort_fall_back_quietly(login, viewer, desk):
    response = login(viewer).get(reverse("search"), {"q": "vigilant", "view": "x", "sort": "y"})
    assert response.status_code == 200
    assert (response.context["view"], response.context["sort"]) == ("grouped", "relevance")


def test_a_spreadsheet_hit_names_its_sheet_and_row(login, viewer, team):
    r = factories.make_request(team)
    document = add_pages(r, "audit.xlsx", ["plate 7ABC123 Vigilant", "plate 8XYZ999"], detected_type="xlsx")
    Page.objects.filter(document=document, number=1).update(sheet="Audit", row=2)
    Page.objects.filter(document=document, number=2).update(sheet="Audit", row=3)
    body = text_of(login(viewer).get(reverse("search"), {"q": "vigilant"}))
    assert "audit.xlsx, sheet Audit, row 2" in body and "1 matching row" in body
