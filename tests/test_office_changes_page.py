"""A DOCX's tracked changes and comments are searchable as one labelled page after the printed ones
(issue 13). Wherever a hit or a page is named, it is named for what it is, never "page N+1": the search
list, the grouped search view, the CSV export, `search --json` and the document page."""

import csv
import io
import re

from django.urls import reverse

from records.models import Page
from records.search import search_pages
from tests.test_ingest_office import (  # noqa: F401  (records_request is a fixture)
    COMMENTS,
    REDLINED,
    docx_bytes,
    ingest,
    needs_libreoffice,
    records_request,
)

LABEL = "Tracked changes and comments"
ONLY_IN_CHANGES = "xylograph"  # a word only a comment holds: its one hit is the changes page


def _redlined(records_request):  # noqa: F811
    needs_libreoffice()
    document = ingest(records_request, "memo.docx", docx_bytes(REDLINED, COMMENTS))
    assert document.state == "done", document.error
    changes = Page.objects.get(document=document, sheet=LABEL)
    return document, changes.number


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_search_list_grouped_view_and_json_name_the_changes_not_a_page(records_request, viewer, login):  # noqa: F811
    document, number = _redlined(records_request)
    (hit,) = search_pages(ONLY_IN_CHANGES, pages=Page.objects.for_team(records_request.team)).hits
    assert hit.page == number and hit.section == LABEL
    assert hit.as_json()["section"] == LABEL
    client = login(viewer)
    for view in ("list", "grouped"):
        page = _text(client.get(reverse("search"), {"q": ONLY_IN_CHANGES, "view": view}))
        assert f"memo.docx, </span>{LABEL}" in page, view
        assert f"page {number}" not in page.lower(), view
        assert reverse("document_page", args=[document.pk, number]) not in page, view  # no page image to see


def test_export_names_the_changes_in_its_page_column(records_request, viewer, login):  # noqa: F811
    _, number = _redlined(records_request)
    response = login(viewer).get(reverse("search_export"), {"q": ONLY_IN_CHANGES})
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["page"] == LABEL
    assert row["link"].endswith(f"#page-{number}")  # the link still lands on it on the document page


def test_document_page_labels_the_changes_page(records_request, viewer, login):  # noqa: F811
    document, number = _redlined(records_request)
    page = _text(login(viewer).get(reverse("document_detail", args=[document.pk])))
    assert f'id="page-{number}"' in page and f"<h3>{LABEL}" in page
    assert f"Page {number}" not in page
