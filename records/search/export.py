"""Export all hits: every matching page as a CSV row (file, request, page, snippet, link)."""

import html
from collections.abc import Iterator

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import strip_tags

from records.models import RecordsRequest

from .api import iter_page_hits
from .query import Query

HEADER = ["file", "request", "request_id", "page", "snippet", "link"]
TEXT_PAGES_PER_SCREEN = 20  # as the document page shows its text (views/search.py)


def hit_rows(query: str | Query, *, pages: QuerySet, base_url: str) -> Iterator[list]:
    """The header, then one row per matching page inside `pages` (already team-scoped and filtered).
    Raises QueryError before the first row for a bad query."""
    hits = iter_page_hits(query, pages=pages)

    def rows() -> Iterator[list]:
        yield HEADER
        titles: dict[int, str] = {}
        for hit in hits:
            if hit.request_id not in titles:
                # The page is inside the caller's scope, so its request is too.
                titles.update(RecordsRequest.objects.filter(pk=hit.request_id).values_list("pk", "title"))
            screen = (hit.page + TEXT_PAGES_PER_SCREEN - 1) // TEXT_PAGES_PER_SCREEN
            link = base_url + reverse("document_detail", args=[hit.document_id]) + f"?page={screen}#page-{hit.page}"
            snippet = html.unescape(strip_tags(str(hit.snippet)))
            place = hit.section or hit.page  # a DOCX's tracked changes are named, not numbered past the last page
            yield [hit.filename, titles.get(hit.request_id, ""), hit.request_id, place, snippet, link]

    return rows()
