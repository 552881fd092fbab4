"""The search page grouped by document, and the orders the public search functions lack.

One row per file: its request, how many of its pages match (exact), its best pages first; a
file's every matching page on demand. Built only on search_pages / matching_pages, so any
ranking backend behind them serves it. Scoping is the caller's: `pages` has already been
through visible_to(user) and the page's filters, and every query here starts from it.
"""

import datetime as dt
from dataclasses import dataclass, field, replace

from django.core.exceptions import EmptyResultSet
from django.db.models import Count, Q, QuerySet

from records.models import Document

from .api import MAX_LIMIT, matching_pages, search_pages
from .engine_query import EngineScope
from .query import Query, QueryError, parse_query
from .results import Hit, SearchResults

GROUP_SORTS = ("relevance", "date", "document")
BEST_PAGES = 3  # a file's best pages shown in its row; the rest on "show all"
# Ranked hits read to put files in the order of their best hit; files whose best page lies
# past them follow in release order (the ranked screens are re-read for every screen of files).
RANK_SCAN = 300
COUNT_EXACTLY = 10_000  # the document-order listing counts up to here, then says "more than"
# A matching page's place in "document order": its request, its file, its page number.
DOCUMENT_ORDER = ("document__request_id", "document_id", "number", "pk")


@dataclass(frozen=True)
class DocumentGroup:
    document_id: int
    filename: str
    request_id: int
    released: dt.datetime
    matched: int  # how many of its pages match, exactly
    best: list[Hit] = field(default_factory=list)  # its best pages, best first; may be empty: expand
    unit: str = "page"  # "row" for a spreadsheet, whose rows are its pages

    @property
    def more(self) -> int:
        """Matching pages not shown in the row."""
        return self.matched - len(self.best)


@dataclass(frozen=True)
class GroupedResults:
    query: Query
    groups: list[DocumentGroup]
    offset: int  # files before this screen
    limit: int  # files per screen
    documents: int  # files that match, exactly
    matched: int  # pages that match, exactly
    sort: str = "relevance"
    past_ranking: bool = False  # some files here follow in release order, past the ranked pages
    matched_exact: bool = True  # (the list view's flag; grouped counts are always exact)

    def __iter__(self):
        return iter(self.groups)

    def __len__(self) -> int:
        return len(self.groups)

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < self.documents

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def hits(self) -> list[Hit]:
        """Every page hit shown on the screen, file by file."""
        return [hit for group in self.groups for hit in group.best]


def search_documents(
    query: str | Query,
    *,
    pages: QuerySet,
    sort: str = "relevance",
    limit: int = 10,
    offset: int = 0,
    scope: EngineScope | None = None,
) -> GroupedResults:
    """One screen of files matching `query` inside `pages`: `limit` of them after `offset`, ordered
    by their best hit (relevance), newest release first (date) or request, then file (document).
    Raises QueryError for a bad query or sort."""
    if sort not in GROUP_SORTS:
        raise QueryError("Sort by relevance, by release date or in document order.")
    parsed = parse_query(query) if isinstance(query, str) else query
    limit, offset = max(1, min(int(limit), MAX_LIMIT)), max(0, int(offset))
    counts = matches_by_document(parsed, pages=pages)
    ranked: dict[int, list[Hit]] = {}
    if sort == "relevance":
        if offset < len(counts):  # (past the last file there is nothing to rank)
            ranked = ranked_by_document(parsed, pages=pages, wanted=min(offset + limit, len(counts)), scope=scope)
        known = [doc for doc in ranked if doc in counts]  # (a page indexed since the count: skip it)
        rest = sorted(set(counts) - set(known))  # release order (document ids grow with uploads)
        order = known + rest
    elif sort == "date":
        order = sorted(counts, key=lambda doc: (-counts[doc]["released"].timestamp(), doc))
    else:
        order = sorted(counts, key=lambda doc: (counts[doc]["request_id"], doc))
    screen = order[offset : offset + limit]
    if sort == "relevance":
        # The ranked screens already read give each file its best pages; a file past them shows its
        # count and opens on demand (reading further would cost a ranked search per screen).
        best = {doc: ranked.get(doc, [])[:BEST_PAGES] for doc in screen}
    else:
        best = {doc: hits[:BEST_PAGES] for doc, hits in _best_pages_of(parsed, pages, screen, scope).items()}
    groups = [
        DocumentGroup(
            document_id=doc,
            filename=counts[doc]["filename"],
            request_id=counts[doc]["request_id"],
            released=counts[doc]["released"],
            matched=counts[doc]["matched"],
            best=best.get(doc, []),
            unit="row" if Document(detected_type=counts[doc]["type"]).is_spreadsheet else "page",
        )
        for doc in screen
    ]
    return GroupedResults(
        query=parsed, groups=groups, offset=offset, limit=limit, documents=len(counts),
        matched=sum(row["matched"] for row in counts.values()), sort=sort,
        past_ranking=sort == "relevance" and any(doc not in ranked for doc in screen),
    )  # fmt: skip


def matches_by_document(query: str | Query, *, pages: QuerySet) -> dict[int, dict]:
    """{document id: its file name, request, release time and how many of its pages match}, in one query."""
    rows = (
        matching_pages(query, pages=pages)
        .values(
            "document_id",
            "document__original_name",
            "document__request_id",
            "document__uploaded_at",
            "document__detected_type",
        )
        .annotate(matched=Count("pk"))
    )
    try:
        return {
            row["document_id"]: {
                "filename": row["document__original_name"],
                "request_id": row["document__request_id"],
                "released": row["document__uploaded_at"],
                "matched": row["matched"],
                "type": row["document__detected_type"],
            }
            for row in rows
        }
    except EmptyResultSet:  # a scope that can match nothing (a user in no team)
        return {}


def ranked_by_document(
    query: str | Query,
    *,
    pages: QuerySet,
    wanted: int | None = None,
    scan: int | None = None,
    scope: EngineScope | None = None,
) -> dict[int, list[Hit]]:
    """The ranked hits, screen by screen, grouped by file in the order of each file's best hit;
    reading stops once `wanted` files are seen, the ranked hits end, or `scan` (RANK_SCAN) hits were read."""
    by_document: dict[int, list[Hit]] = {}
    for offset in range(0, scan or RANK_SCAN, MAX_LIMIT):
        results = search_pages(query, pages=pages, limit=MAX_LIMIT, offset=offset, scope=scope)
        for hit in results:
            if hit.score is None:  # listed past the ranking: no longer best first
                return by_document
            by_document.setdefault(hit.document_id, []).append(hit)
        if not results.has_next or (wanted is not None and len(by_document) >= wanted):
            break
    return by_document


def _best_pages_of(query: Query, pages: QuerySet, documents: list[int], scope=None) -> dict[int, list[Hit]]:
    """These files' best pages: one ranked screen over them alone (a file it leaves out opens on demand)."""
    if not documents:
        return {}
    scope = replace(scope, document_ids=tuple(documents)) if scope is not None else None
    return ranked_by_document(query, pages=pages.filter(document_id__in=documents), scan=MAX_LIMIT, scope=scope)


def hits_for(query: str | Query, *, pages: QuerySet, ids: list[int]) -> list[Hit]:
    """Hits (with snippets) for these page ids, in this order; ids outside `pages` or not matching
    are left out."""
    found: dict[int, Hit] = {}
    for start in range(0, len(ids), MAX_LIMIT):
        chunk = pages.filter(pk__in=ids[start : start + MAX_LIMIT])
        found.update((hit.page_id, hit) for hit in search_pages(query, pages=chunk, limit=MAX_LIMIT))
    return [found[pk] for pk in ids if pk in found]


def document_order_pages(
    query: str | Query, *, pages: QuerySet, limit: int = 20, offset: int = 0, after: int | None = None
) -> SearchResults:
    """Matching pages in document order (request, file, page number): `limit` of them from `after`
    (a page id, the last hit of the screen before: keyset) or else from `offset`."""
    parsed = parse_query(query) if isinstance(query, str) else query
    limit, offset = max(1, min(int(limit), MAX_LIMIT)), max(0, int(offset))
    matching = matching_pages(parsed, pages=pages)
    start = offset
    if after is not None:
        place = pages.filter(pk=after).values("document__request_id", "document_id", "number").first()
        if place is not None:
            matching, start = matching.filter(_after_in_document_order(place, after)), 0
    try:
        ids = list(matching.order_by(*DOCUMENT_ORDER).values_list("pk", flat=True)[start : start + limit + 1])
        counted = matching_pages(parsed, pages=pages)[: COUNT_EXACTLY + 1].count()
    except EmptyResultSet:
        ids, counted = [], 0
    has_next, ids = len(ids) > limit, ids[:limit]
    hits = hits_for(parsed, pages=pages, ids=ids)
    over = counted > COUNT_EXACTLY
    return SearchResults(
        query=parsed, hits=hits, offset=offset, limit=limit, has_next=has_next,
        matched=min(counted, COUNT_EXACTLY), matched_exact=not over, matched_capped=over, cap=COUNT_EXACTLY,
        sort="document", next_after=hits[-1].page_id if hits and has_next else None,
    )  # fmt: skip


def pages_of_document(
    query: str | Query,
    *,
    pages: QuerySet,
    document_id: int,
    order: str = "rank",
    limit: int = 20,
    offset: int = 0,
    scope: EngineScope | None = None,
) -> SearchResults:
    """Every matching page of one file, `limit` at a time: best first (rank) or by page number (page)."""
    in_file = pages.filter(document_id=document_id)
    if order == "rank":
        scope = replace(scope, document_ids=(document_id,)) if scope is not None else None
        return search_pages(query, pages=in_file, limit=limit, offset=offset, scope=scope)
    return document_order_pages(query, pages=in_file, limit=limit, offset=offset)


def _after_in_document_order(place: dict, pk: int) -> Q:
    request, document, number = place["document__request_id"], place["document_id"], place["number"]
    return (
        Q(document__request_id__gt=request)
        | Q(document__request_id=request, document_id__gt=document)
        | Q(document__request_id=request, document_id=document, number__gt=number)
        | Q(document__request_id=request, document_id=document, number=number, pk__gt=pk)
    )
