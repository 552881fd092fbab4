"""What an agency withheld in a request, read from the citations on its pages and its bad redactions.

Two queries per request: one for the exemption citations, one for the pages with text under a drawn box.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from records.models import Page, PageCitation, RecordsRequest

from .exemptions import EXEMPTION, meaning

# The document page shows its pages 20 to a screen (records/views/documents.py): a link to page n
# opens the screen that holds it.
PAGES_PER_SCREEN = 20
CONTEXT_CHARS = 100  # on each side of a citation in the Vaughn index: about 200 characters of text
BOX_EXEMPTION = "Redaction box over extractable text"
BOX_WARNING = (
    "Text under a drawn box: on these pages a black box covers words that are still in the file, "
    "so the agency did not actually withhold them."
)


def page_url(document_id: int, number: int) -> str:
    screen = (number - 1) // PAGES_PER_SCREEN + 1
    return f"{reverse('document_detail', args=[document_id])}?page={screen}#page-{number}"


@dataclass
class PageRef:
    document_id: int
    document_name: str
    number: int

    @property
    def url(self) -> str:
        return page_url(self.document_id, self.number)


@dataclass
class WithheldExemption:
    statute: str
    code: str
    meaning: str
    pages: list[PageRef] = field(default_factory=list)

    @property
    def documents(self) -> list[str]:
        return list(dict.fromkeys(p.document_name for p in self.pages))


@dataclass
class Withholding:
    exemptions: list[WithheldExemption]
    boxed_pages: list[PageRef]

    def __bool__(self) -> bool:
        return bool(self.exemptions or self.boxed_pages)


def withholding_for(records_request: RecordsRequest) -> Withholding:
    """Each exemption cited in the request's files (on how many pages, which) and the badly redacted pages."""
    rows = (
        PageCitation.objects.filter(page__document__request=records_request, kind=EXEMPTION)
        .order_by("statute", "code", "page__document_id", "page__number")
        .values_list("statute", "code", "page__document_id", "page__document__original_name", "page__number")
        .distinct()
    )
    table: dict[tuple[str, str], WithheldExemption] = {}
    for statute, code, document_id, name, number in rows:
        entry = table.setdefault((statute, code), WithheldExemption(statute, code, meaning(statute, code)))
        entry.pages.append(PageRef(document_id, name, number))
    exemptions = sorted(table.values(), key=lambda e: (-len(e.pages), e.statute, e.code))
    return Withholding(exemptions=exemptions, boxed_pages=_boxed_pages(records_request))


def _boxed_pages(records_request: RecordsRequest) -> list[PageRef]:
    pages = (
        Page.objects.filter(document__request=records_request, text_under_box=True)
        .order_by("document_id", "number")
        .values_list("document_id", "document__original_name", "number")
    )
    return [PageRef(*row) for row in pages]


VAUGHN_COLUMNS = [
    "Document",
    "Page",
    "Exemption cited",
    "Meaning",
    "Text around it",
    "Agency's justification",
    "Our challenge",
]


@dataclass
class VaughnRow:
    document: str
    page: int
    exemption: str
    meaning: str
    context: str
    url: str
    agency: str = ""  # these three for a campaign's index (records/review/campaign_vaughn.py)
    request_title: str = ""
    request_id: int | None = None

    def cells(self) -> list[str]:
        return [self.document, str(self.page), self.exemption, self.meaning, self.context, "", ""]


def vaughn_rows(records_request: RecordsRequest) -> list[VaughnRow]:
    """A draft Vaughn index: one row per exemption citation occurrence, then one per badly redacted page."""
    return vaughn_rows_for(Page.objects.filter(document__request=records_request))


def vaughn_rows_for(pages) -> list[VaughnRow]:
    """The draft Vaughn index of these pages (one request's, or a campaign's), each row naming its request."""
    citations = (
        PageCitation.objects.filter(page__in=pages, kind=EXEMPTION)
        .select_related("page__document__request__agency")
        .order_by("page__document__original_name", "page__document_id", "page__number", "offset")
    )
    rows = []
    for c in citations:
        page = c.page
        rows.append(
            VaughnRow(
                document=page.document.original_name,
                page=page.number,
                exemption=f"{c.statute} {c.code}",
                meaning=meaning(c.statute, c.code),
                context=text_around(page.text, c.offset, len(c.text)),
                url=page_url(page.document_id, page.number),
                **_request_fields(page.document.request),
            )
        )
    boxed = (
        pages.filter(text_under_box=True)
        .select_related("document__request__agency")
        .order_by("document_id", "number")
        .defer("text", "cells", "document__request__body")
    )
    for page in boxed:
        rows.append(
            VaughnRow(
                page.document.original_name,
                page.number,
                BOX_EXEMPTION,
                BOX_WARNING,
                "",
                page_url(page.document_id, page.number),
                **_request_fields(page.document.request),
            )  # fmt: skip
        )
    return rows


def _request_fields(records_request: RecordsRequest) -> dict:
    return {
        "agency": str(records_request.agency),
        "request_title": records_request.title,
        "request_id": records_request.pk,
    }


def text_around(text: str, offset: int, length: int) -> str:
    start = max(0, offset - CONTEXT_CHARS)
    end = min(len(text), offset + length + CONTEXT_CHARS)
    snippet = " ".join(text[start:end].split())
    return ("…" if start else "") + snippet + ("…" if end < len(text) else "")


CAMPAIGN_VAUGHN_COLUMNS = ["Agency", "Request", *VAUGHN_COLUMNS]


def campaign_vaughn_rows(pages) -> list[VaughnRow]:
    """A campaign's draft Vaughn index: every request's rows, by agency then request."""
    rows = vaughn_rows_for(pages)
    return sorted(rows, key=lambda r: (r.agency.casefold(), r.request_title.casefold(), r.request_id or 0))


def campaign_cells(row: VaughnRow) -> list[str]:
    return [row.agency, row.request_title, *row.cells()]
