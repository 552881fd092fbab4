"""Keep PageCitation rows in step with page text: at ingestion and in the detect_exemptions backfill."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from records.models import Document, Page, PageCitation, Statute

from .exemptions import find_citations

TEXT_LIMIT = PageCitation._meta.get_field("text").max_length


def record_citations(document: Document, page_ids: Iterable[int]) -> int:
    """Re-read the citations on these pages of `document` from their stored text; returns how many."""
    page_ids = list(page_ids)
    if not page_ids:
        return 0
    hint = Statute.objects.filter(requests__documents=document).values_list("code", flat=True).first() or ""
    rows = [
        PageCitation(
            page_id=page_id,
            statute=c.statute,
            code=c.code,
            kind=c.kind,
            text=c.text[:TEXT_LIMIT],
            offset=c.start,
        )
        for page_id, text in Page.objects.filter(pk__in=page_ids).values_list("pk", "text")
        for c in find_citations(text, hint=hint)
    ]
    with transaction.atomic():
        PageCitation.objects.filter(page_id__in=page_ids).delete()
        PageCitation.objects.bulk_create(rows)
    return len(rows)


def backfill(documents) -> tuple[int, int]:
    """Citations for every page of these documents: (pages read, citations found)."""
    pages = citations = 0
    for document in documents.iterator():
        ids = list(Page.objects.filter(document=document).values_list("pk", flat=True))
        for start in range(0, len(ids), 500):
            citations += record_citations(document, ids[start : start + 500])
        pages += len(ids)
    return pages, citations
