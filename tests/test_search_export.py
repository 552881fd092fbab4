"""Export all hits: every matching page once, as CSV, with the page's filters and team scope."""

import csv
import io

from django.urls import reverse

from records.search import CANDIDATES

from . import factories
from .test_search_page import add_pages
from .test_search_paging import TOTAL, many  # noqa: F401  (a fixture)


def _rows(response):
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_export_returns_every_hit_exactly_once(login, viewer, many):  # noqa: F811
    rows = _rows(login(viewer).get(reverse("search_export") + "?q=vigilant"))
    assert TOTAL > CANDIDATES and len(rows) == TOTAL
    assert len({(row["file"], row["page"]) for row in rows}) == TOTAL
    first = rows[0]
    assert first["request"] == "ALPR logs" and "Vigilant" in first["snippet"] and "<mark>" not in first["snippet"]
    assert first["link"].startswith("http://testserver/documents/") and "#page-" in first["link"]


def test_export_keeps_the_filters(login, viewer, team):
    r = factories.make_request(team)
    add_pages(r, "scan.pdf", ["Vigilant scan"], ocr=True)
    add_pages(r, "text.pdf", ["Vigilant text"])
    rows = _rows(login(viewer).get(reverse("search_export") + "?q=vigilant&ocr=true"))
    assert [row["file"] for row in rows] == ["scan.pdf"]


def test_a_strangers_export_never_holds_another_teams_hits(login, stranger, many):  # noqa: F811
    small = stranger.memberships.get().team
    add_pages(factories.make_request(small, title="Small"), "small.pdf", ["Vigilant in a small team"])
    rows = _rows(login(stranger).get(reverse("search_export") + "?q=vigilant"))
    assert [(row["file"], row["request"]) for row in rows] == [("small.pdf", "Small")]


def test_export_cells_are_never_formulas(login, viewer, team):
    add_pages(factories.make_request(team), "=HYPERLINK(1).pdf", ["vigilant"])
    [row] = _rows(login(viewer).get(reverse("search_export") + "?q=vigilant"))
    assert row["file"] == "'=HYPERLINK(1).pdf"


def test_a_bad_query_or_filter_is_a_sentence_not_an_error(login, viewer, team):
    client = login(viewer)
    for query in ["", "q=%22unclosed", "q=a+NEAR%2Fx+b", "q=vigilant&request=abc"]:
        response = client.get(reverse("search_export") + "?" + query)
        assert response.status_code == 400
        message = response.content.decode()
        assert message[0].isupper() and " " in message and "Traceback" not in message


def test_export_needs_a_login(client):
    assert client.get(reverse("search_export") + "?q=x").status_code == 302
