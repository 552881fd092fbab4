"""search_pages / search_requests: parse, pick the backend, rank one page, build hits.

Scoping is the caller's: pass a queryset that already went through `visible_to(user)` (or
`for_team(team)`) and any filters; only rows inside it can come back.
"""

from dataclasses import replace

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from records.models import Communication, Page, RecordsRequest

from . import postgres, snippets, sqlite
from .query import Query, parse_query
from .results import Hit, SearchResults
from .sources import CANDIDATES, COMMUNICATIONS, PAGES, REQUESTS, Source

MAX_LIMIT = 100


def backend_for(vendor: str):
    if vendor == "postgresql":
        return postgres
    if vendor == "sqlite":
        return sqlite
    raise NotImplementedError(f"Full-text search has no backend for {vendor}")


def search_pages(query: str | Query, *, pages: QuerySet, limit: int = 20, offset: int = 0) -> SearchResults:
    """Pages matching `query` inside `pages`, best first. Raises QueryError for a bad query."""
    _check_scope(pages, Page)
    parsed = parse_query(query) if isinstance(query, str) else query
    limit, offset = _check_window(limit, offset)
    rows, matched = _ranked(PAGES, parsed, pages, limit=limit, offset=offset)
    hits = _with_sheet_rows([_hit(PAGES, row) for row in rows])
    return _results(parsed, hits, limit=limit, offset=offset, matched=[matched])


def _with_sheet_rows(hits: list[Hit]) -> list[Hit]:
    """Hits inside a spreadsheet name their sheet and row (one query for the lot)."""
    found = Page.objects.filter(pk__in=[h.page_id for h in hits], row__isnull=False).values_list("pk", "sheet", "row")
    rows = {pk: (sheet, row) for pk, sheet, row in found}
    return [replace(h, sheet=rows[h.page_id][0], row=rows[h.page_id][1]) if h.page_id in rows else h for h in hits]


def search_requests(query: str | Query, *, requests: QuerySet, limit: int = 20, offset: int = 0) -> SearchResults:
    """Requests (title, text sent) and their communications (subject, body) matching `query`
    inside `requests`, best first, one list."""
    _check_scope(requests, RecordsRequest)
    parsed = parse_query(query) if isinstance(query, str) else query
    limit, offset = _check_window(limit, offset)
    communications = Communication.objects.filter(request__in=requests.order_by().values("pk"))
    # Few requests, so rank the top offset+limit of each kind and merge.
    hits: list[Hit] = []
    matched = []
    for source, scope in ((REQUESTS, requests), (COMMUNICATIONS, communications)):
        rows, source_matched = _ranked(source, parsed, scope, limit=offset + limit, offset=0)
        hits += [_hit(source, row) for row in rows]
        matched.append(source_matched)
    hits.sort(key=lambda hit: -hit.score)
    return _results(parsed, hits[offset:], limit=limit, offset=offset, matched=matched)


def rebuild_index(using: str = "default") -> dict[str, int]:
    """Re-create the index where missing and re-derive it from every row; counts per kind."""
    connection = connections[using]
    with connection.cursor() as cursor:
        return backend_for(connection.vendor).rebuild(cursor)


def repair_index(using: str = "default") -> list[str]:
    """Put back any part of the index a migration dropped; the kinds it had to rebuild."""
    connection = connections[using]
    with connection.cursor() as cursor:
        return [source.kind for source in backend_for(connection.vendor).repair(cursor)]


def _ranked(source: Source, query: Query, scope: QuerySet, *, limit: int, offset: int):
    """limit + 1 rows (the extra one says there is a next page) and the capped match count."""
    connection = connections[scope.db]
    backend = backend_for(connection.vendor)
    try:
        sql, params = backend.ranked_sql(source, query, scope, limit=limit + 1, offset=offset, cap=CANDIDATES + 1)
    except EmptyResultSet:  # the scope can match nothing (an anonymous user's teams)
        return [], 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, values, strict=False)) for values in cursor.fetchall()]
        if rows:
            return rows, rows[0]["matched"]
        if offset == 0:
            return rows, 0
        # Past the last hit: count what there was (rare, and capped).
        sql, params = backend.count_sql(source, query, scope, cap=CANDIDATES + 1)
        cursor.execute(sql, params)
        return rows, cursor.fetchone()[0]


def _hit(source: Source, row: dict) -> Hit:
    snippet = snippets.to_html(row["snippet"])
    if source is PAGES:
        return Hit(
            kind="page", request_id=row["request_id"], snippet=snippet, score=row["score"],
            page_id=row["id"], document_id=row["document_id"], filename=row["filename"],
            page=row["page"], ocr=bool(row["ocr"]),
        )  # fmt: skip
    return Hit(
        kind=source.kind, request_id=row["request_id"], snippet=snippet, score=row["score"],
        communication_id=row.get("communication_id"), title=row["title"],
    )  # fmt: skip


def _results(query: Query, hits: list[Hit], *, limit: int, offset: int, matched: list[int]) -> SearchResults:
    """`matched`: each source's match count, capped at CANDIDATES + 1 (over the cap: "more than")."""
    shown = max(0, min(limit, CANDIDATES - offset))  # never past the ranked candidates
    return SearchResults(
        query=query,
        hits=hits[:shown],
        offset=offset,
        limit=limit,
        has_next=len(hits) > limit and offset + limit < CANDIDATES,
        matched=sum(min(count, CANDIDATES) for count in matched),
        matched_capped=any(count > CANDIDATES for count in matched),
        cap=CANDIDATES,
    )


def _check_scope(scope: QuerySet, model) -> None:
    # A list of ids or a manager would skip the team scoping that only a queryset carries.
    if not isinstance(scope, QuerySet) or scope.model is not model:
        raise TypeError(f"Pass a {model.__name__} queryset scoped with visible_to(user) or for_team(team)")


def _check_window(limit: int, offset: int) -> tuple[int, int]:
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, min(int(offset), CANDIDATES))
    return limit, offset
