"""The search page: hits with their request and page, marked snippets, filters, team scope."""

import pytest
from django.urls import reverse

from records.models import Document, Page, StoredFile

from . import factories


def add_pages(r, name, texts, *, ocr=False, detected_type="pdf"):
    stored = StoredFile.objects.create(sha256=f"{name:0>64}"[-64:], size=1, path=f"blobs/{name}")
    document = Document.objects.create(
        request=r,
        stored_file=stored,
        original_name=name,
        size=1,
        detected_type=detected_type,
        state="done",
        page_count=len(texts),
    )
    Page.objects.bulk_create([Page(document=document, number=i, text=t, ocr=ocr) for i, t in enumerate(texts, start=1)])
    return document


@pytest.fixture
def release(team):
    r = factories.make_request(team, title="LAPD ALPR contracts")
    add_pages(
        r,
        "contracts.pdf",
        ["Cover letter", "Vigilant Solutions license plate reader agreement", "Invoice for Flock cameras"],
    )
    add_pages(r, "scan.pdf", ["Handwritten note about Vigilant renewal"], ocr=True)
    return r


def test_search_shows_document_request_page_and_marked_snippet(login, viewer, release):
    response = login(viewer).get(reverse("search") + "?q=vigilant")
    rows = response.context["rows"]
    assert {(hit.filename, hit.page) for hit, _, _ in rows} == {("contracts.pdf", 2), ("scan.pdf", 1)}
    body = response.content.decode()
    assert "<mark>Vigilant</mark>" in body and "LAPD ALPR contracts" in body
    assert "/download/#page=2" in body


def test_phrase_or_exclude_prefix_and_ocr_filter(login, viewer, release):
    client = login(viewer)
    pages = lambda q: sorted((h.filename, h.page) for h, _, _ in client.get(reverse("search") + q).context["rows"])  # noqa: E731
    assert pages('?q="license plate reader"') == [("contracts.pdf", 2)]
    assert pages("?q=invoice+OR+handwritten") == [("contracts.pdf", 3), ("scan.pdf", 1)]
    assert pages("?q=vigilant+-renewal") == [("contracts.pdf", 2)]
    assert pages("?q=vigil*") == [("contracts.pdf", 2), ("scan.pdf", 1)]
    assert pages("?q=vigilant&ocr=true") == [("scan.pdf", 1)]


def test_released_text_is_escaped(login, viewer, team):
    r = factories.make_request(team)
    add_pages(r, "evil.pdf", ['<script>alert("x")</script> surveillance budget'])
    body = login(viewer).get(reverse("search") + "?q=surveillance").content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;" in body and "<mark>surveillance</mark>" in body


@pytest.mark.parametrize("query", ['"unbalanced', "OR", "-onlyexcluded"])
def test_malformed_query_gets_a_clear_message(login, viewer, release, query):
    response = login(viewer).get(reverse("search"), {"q": query})
    assert response.status_code == 200 and response.context["error"]
    assert response.context["results"] is None


def test_stranger_finds_nothing_of_another_team(login, stranger, release):
    response = login(stranger).get(reverse("search") + "?q=vigilant")
    assert list(response.context["rows"]) == []
    assert "Vigilant" not in response.content.decode().replace('placeholder=\'e.g. "license plate" Vigilant', "")


def test_results_page_through_without_counting_everything(login, viewer, team):
    r = factories.make_request(team)
    add_pages(r, "big.pdf", [f"plate read number {i}" for i in range(45)])
    client = login(viewer)
    first = client.get(reverse("search") + "?q=plate&view=list")
    assert len(first.context["rows"]) == 20 and first.context["results"].has_next
    third = client.get(reverse("search") + "?q=plate&view=list&page=3")
    assert len(third.context["rows"]) == 5 and not third.context["results"].has_next


def test_request_filter_narrows_and_cannot_reach_another_team(login, viewer, stranger, release, team):
    other = factories.make_request(team, title="Second request")
    add_pages(other, "other.pdf", ["Vigilant again"])
    client = login(viewer)
    hits = client.get(reverse("search"), {"q": "vigilant", "request": other.pk}).context["rows"]
    assert [(h.filename, h.request_id) for h, _, _ in hits] == [("other.pdf", other.pk)]
    theirs = login(stranger).get(reverse("search"), {"q": "vigilant", "request": release.pk}).context["rows"]
    assert list(theirs) == []
