"""The page viewer: page images drawn on demand, cached, served only to the team; boxes shown; keys and paging."""

import pytest
from django.urls import reverse

from records.ingest import add_document, extract_document
from records.ingest import render as render_module
from records.ingest.render import derived_name
from records.ingest.store import released_storage
from records.models import Document, Page
from tests import factories
from tests.test_ingest_support import corpus_file

LARGE_PDF = "natpdf_beaver-county-pa-precinct-results-2024.pdf"  # 387 pages (pdfinfo)
BOXED_PDF = "flp_xray_govt-letter-bad-redactions.pdf"


@pytest.fixture
def renders(monkeypatch):
    """Every call that draws pages, as (page numbers, sizes): a spy on the real function."""
    calls = []
    real = render_module.render_and_store

    def spy(document, numbers, sizes, **kwargs):
        calls.append((list(numbers), tuple(sizes)))
        return real(document, numbers, sizes, **kwargs)

    monkeypatch.setattr(render_module, "render_and_store", spy)
    return calls


def upload(team, name, *, pages=None, kind="real") -> Document:
    path = corpus_file(kind, name)
    document, _ = add_document(factories.make_request(team), name=path.name, data_or_fileobj=path.read_bytes())
    if pages is not None:  # the viewer needs only the count; extracting 387 pages is not the point here
        Document.objects.filter(pk=document.pk).update(page_count=pages, state=Document.State.DONE)
        document.refresh_from_db()
    return document


def image_url(document, number, size="screen"):
    return reverse("page_image", args=[document.pk, number, size])


def derived_files(document) -> list[str]:
    storage = released_storage()
    folder = derived_name(document.sha256, 1, "screen").rsplit("/", 1)[0]
    return sorted(storage.listdir(folder)[1]) if storage.exists(folder) else []


def test_page_images_go_to_the_team_and_404_to_a_stranger(team, viewer, stranger, login):
    document = upload(team, BOXED_PDF, pages=1)
    client = login(viewer)
    for size in ("screen", "thumb"):
        response = client.get(image_url(document, 1, size))
        assert response.status_code == 200 and response["Content-Type"] == "image/webp"
        assert b"".join(response.streaming_content)[:4] == b"RIFF"
        assert response["Cache-Control"].startswith("private")
    assert client.get(reverse("document_page", args=[document.pk, 1])).status_code == 200

    client = login(stranger)
    for url in (
        image_url(document, 1, "screen"),  # cached now: still not theirs
        image_url(document, 1, "thumb"),
        reverse("document_page", args=[document.pk, 1]),
        reverse("document_viewer", args=[document.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_a_stranger_cannot_make_the_server_draw_a_page(team, stranger, login, renders):
    document = upload(team, LARGE_PDF, pages=387)
    assert login(stranger).get(image_url(document, 5)).status_code == 404
    assert renders == [] and derived_files(document) == []


def test_page_250_of_a_large_pdf_is_drawn_alone_on_demand_then_served_from_the_cache(team, editor, login, renders):
    document = upload(team, LARGE_PDF, pages=387)
    client = login(editor)

    first = client.get(image_url(document, 250))
    assert first.status_code == 200
    assert renders == [([250], ("screen", "thumb"))]  # that page only: no full-document render
    assert derived_files(document) == ["page-250-screen.webp", "page-250-thumb.webp"]

    again = client.get(image_url(document, 250))
    thumb = client.get(image_url(document, 250, "thumb"))
    assert again.status_code == thumb.status_code == 200
    assert len(renders) == 1  # both from the cache
    assert b"".join(again.streaming_content) == b"".join(first.streaming_content)


def test_a_thumbnail_alone_draws_only_the_thumbnail(team, editor, login, renders):
    document = upload(team, LARGE_PDF, pages=387)
    assert login(editor).get(image_url(document, 3, "thumb")).status_code == 200
    assert renders == [([3], ("thumb",))]


def test_pages_beyond_the_file_and_unknown_sizes_are_404(team, editor, login):
    document = upload(team, BOXED_PDF, pages=1)
    client = login(editor)
    assert client.get(image_url(document, 2)).status_code == 404
    assert client.get(image_url(document, 1, "huge")).status_code == 404
    assert client.get(reverse("document_page", args=[document.pk, 2])).status_code == 404


def test_a_page_that_cannot_be_drawn_says_why_in_words(team, editor, login):
    path = corpus_file("real", BOXED_PDF)
    document, _ = add_document(factories.make_request(team), name="cut.pdf", data_or_fileobj=path.read_bytes()[:1500])
    Document.objects.filter(pk=document.pk).update(page_count=1)
    response = login(editor).get(image_url(document, 1))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"Page 1 could not be shown as an image" in response.content


def test_boxes_over_text_are_outlined_on_a_flagged_page(team, editor, login):
    document = upload(team, BOXED_PDF)
    assert extract_document(document.pk).state == "done"
    assert Page.objects.get(document=document, number=1).text_under_box
    html = login(editor).get(reverse("document_page", args=[document.pk, 1])).content.decode()
    assert html.count('<rect class="drawn-box"') >= 5
    assert "outlined in red" in html


def test_the_viewer_has_keys_a_go_to_page_box_and_lazy_paginated_thumbnails(team, editor, login):
    document = upload(team, LARGE_PDF, pages=387)
    client = login(editor)
    html = client.get(reverse("document_page", args=[document.pk, 250])).content.decode()
    assert f'data-previous="{reverse("document_page", args=[document.pk, 249])}"' in html
    assert f'data-next="{reverse("document_page", args=[document.pk, 251])}"' in html
    assert 'id="go-to-page"' in html and "records/viewer.js" in html
    assert 'rel="prev"' in html and 'rel="next"' in html  # paging without JavaScript
    assert html.count('loading="lazy"') == 40  # one strip of thumbnails, not 387
    assert image_url(document, 241, "thumb") in html and image_url(document, 280, "thumb") in html
    assert image_url(document, 281, "thumb") not in html
    assert "?strip=201" in html and "?strip=281" in html

    go = client.get(reverse("document_viewer", args=[document.pk]), {"page": "300", "q": "precinct"})
    assert go.status_code == 302 and go["Location"] == reverse("document_page", args=[document.pk, 300]) + "?q=precinct"
    for typed, landed in (("9999", 387), ("abc", 1), ("0", 1)):
        go = client.get(reverse("document_viewer", args=[document.pk]), {"page": typed})
        assert go["Location"] == reverse("document_page", args=[document.pk, landed])


def test_search_terms_are_marked_in_the_page_text_and_the_text_is_escaped(team, editor, login):
    document = upload(team, BOXED_PDF, pages=1)
    Page.objects.create(document=document, number=1, text="Licence plates <script>alert(1)</script>\nplate reader log")
    html = login(editor).get(reverse("document_page", args=[document.pk, 1]), {"q": '"plate reader" licence'}).content
    html = html.decode()
    assert "<mark>Licence</mark>" in html and "<mark>plate reader</mark>" in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html


def test_a_file_without_page_images_shows_its_text(team, editor, login):
    document, _ = add_document(factories.make_request(team), name="note.txt", data_or_fileobj=b"just a note\n")
    assert extract_document(document.pk).state == "done"
    client = login(editor)
    assert "just a note" in client.get(reverse("document_page", args=[document.pk, 1])).content.decode()
    assert client.get(image_url(document, 1)).status_code == 404


def test_the_document_page_links_to_the_viewer(team, editor, login):
    document = upload(team, BOXED_PDF)
    extract_document(document.pk)
    html = login(editor).get(reverse("document_detail", args=[document.pk])).content.decode()
    assert reverse("document_page", args=[document.pk, 1]) in html


def test_extraction_draws_the_first_pages_ahead(team, settings):
    settings.INGEST_VIEWER_PRERENDER_THUMBNAILS = 2
    settings.INGEST_VIEWER_PRERENDER_PAGES = 1
    document = upload(team, "flp_scotus-slip-opinion-image.pdf")
    extract_document(document.pk)
    assert render_module.prerender_page_images(document.pk) == 3
    assert derived_files(document) == ["page-1-screen.webp", "page-1-thumb.webp", "page-2-thumb.webp"]
    assert render_module.prerender_page_images(document.pk) == 0  # already there


def test_a_search_hit_links_to_its_page_in_the_viewer_with_the_terms(team, viewer, login):
    from tests.test_search_page import add_pages

    document = add_pages(factories.make_request(team), "contracts.pdf", ["Cover letter", "Vigilant agreement"])
    body = login(viewer).get(reverse("search"), {"q": "vigilant"}).content.decode()
    assert reverse("document_page", args=[document.pk, 2]) + "?q=vigilant" in body
