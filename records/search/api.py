"""search_pages / search_requests: parse, pick the backend, rank one page, build hits.

Scoping is the caller's: pass a queryset that already went through `visible_to(user)` (or
`for_team(team)`) and any filters; only rows inside it can come back.
"""

import logging
from collections.abc import Iterator
from dataclasses import replace

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, Max, Min, Q, QuerySet
from django.db.models.expressions import RawSQL

from records.models import Communication, Page, RecordsRequest

from . import engine, engine_query, engine_snippets, letters, outbox, postgres, snippets, sqlite
from .engine_query import EngineScope
from .query import Query, QueryError, parse_query
from .results import Hit, SearchResults
from .sources import CANDIDATES, COMMUNICATIONS, PAGES, REQUESTS, Source

logger = logging.getLogger(__name__)
MAX_LIMIT = 100
# The engine pages by offset (it keeps offset + limit hits in a heap: cheap next to SQL); this
# bound only keeps a hand-typed ?page= from asking for more hits than any corpus holds.
MAX_ENGINE_OFFSET = 50_000_000
MAX_OFFSET = 2**62  # past any real corpus; keeps the number inside a 64-bit integer
# Up to this many matches a search counts them exactly; beyond, it estimates ("about N").
COUNT_EXACTLY = 10_000
SORTS = {"relevance": "id", "date": "date"}  # the order of the listing past the ranked window


def backend_for(vendor: str):
    if vendor == "postgresql":
        return postgres
    if vendor == "sqlite":
        return sqlite
    raise NotImplementedError(f"Full-text search has no backend for {vendor}")


def search_pages(
    query: str | Query,
    *,
    pages: QuerySet,
    limit: int = 20,
    offset: int = 0,
    sort: str = "relevance",
    after: int | None = None,
    scope: EngineScope | None = None,
) -> SearchResults:
    """Pages matching `query` inside `pages`, one screen of them. Raises QueryError for a bad query.

    With `scope` (scope.scope_for_user: the same teams and filters as `pages`), sort="relevance"
    ranks every match in the engine (engine.py), best first, ties by page id, and pages on by
    offset there; the hits are then read back through `pages`. Without it, or while the engine
    can't answer, the SQL backends do it as below.

    sort="relevance": the first CANDIDATES matches (in id order) are ranked, best first; every
    match after them follows in id order (release order), so no hit is out of reach.
    sort="date": every match, newest release first (then page id).
    `after` (a page id, the last hit of the screen before) continues a listing by keyset
    instead of `offset`; it has no effect inside the ranked window.
    """
    _check_scope(pages, Page)
    parsed = parse_query(query) if isinstance(query, str) else query
    limit, offset = _check_window(limit, offset)
    if sort not in SORTS:
        raise QueryError("Sort by relevance or by release date.")
    if scope is not None and sort == "relevance" and settings.SEARCH_ENGINE:
        ranked = _engine_results(parsed, pages, scope, limit=limit, offset=offset)
        if ranked is not None:
            return ranked
    matched, exact = _count(PAGES, parsed, pages)
    in_window = sort == "relevance" and after is None and offset < CANDIDATES
    if in_window:
        ranked_count = min(limit, CANDIDATES - offset)
        rows = _ranked_rows(PAGES, parsed, pages, limit=ranked_count + 1, offset=offset, cap=CANDIDATES)
        hits = [_ranked_page_hit(row) for row in rows[:ranked_count]]
        has_next = len(rows) > ranked_count
        if len(hits) == ranked_count and offset + ranked_count == CANDIDATES:
            # The ranked window is used up: go on with the matches after it, in id order.
            more, has_next = _listed(
                PAGES, parsed, pages, order="id", after=None, offset=CANDIDATES, limit=limit - ranked_count
            )
            hits += more
    else:
        hits, has_next = _listed(PAGES, parsed, pages, order=SORTS[sort], after=after, offset=offset, limit=limit)
    hits = _with_sheet_rows(hits)
    return SearchResults(
        query=parsed, hits=hits, offset=offset, limit=limit, has_next=has_next,
        matched=matched, matched_capped=not exact, matched_exact=exact, cap=CANDIDATES, sort=sort,
        past_ranking=sort == "relevance" and any(hit.score is None for hit in hits),
        next_after=hits[-1].page_id if hits and hits[-1].score is None and has_next else None,
    )  # fmt: skip


def _engine_results(query: Query, pages: QuerySet, scope: EngineScope, *, limit: int, offset: int):
    """One screen ranked by the engine over every match; None when the engine can't answer."""
    try:
        if settings.SEARCH_ENGINE_REBUILD_BEFORE_SEARCH:
            outbox.rebuild()
        # One reload per search: the check below, the ranking and the count.
        searcher, generation = engine.searcher_and_generation()
        if searcher.num_docs == 0 and pages.exists():
            return None  # not built yet (a fresh deploy before rebuild_search_index): the SQL answers
        offset = min(offset, MAX_ENGINE_OFFSET)
        ranked, matched = engine_query.rank(
            query, scope, offset=offset, limit=limit + 1, searcher=searcher, generation=generation
        )
    except (engine.EngineUnavailable, OSError):
        logger.exception("The search engine could not answer; searching the database instead.")
        return None
    has_next, ranked = len(ranked) > limit, ranked[:limit]
    scores = dict(ranked)
    hits = [replace(hit, score=scores[hit.page_id]) for hit in _engine_hits(query, list(scores), pages)]
    return SearchResults(
        query=query, hits=hits, offset=offset, limit=limit, has_next=has_next,
        matched=matched, matched_exact=True, cap=matched, sort="relevance",
    )  # fmt: skip


def _engine_hits(query: Query, ids: list[int], scope: QuerySet) -> list[Hit]:
    """Hits for the engine's page `ids` that `scope` holds, in that order: one query through the
    caller's scoped queryset (the defence in depth) reads their details and text, and the snippets
    are cut from that text in Python (engine_snippets: the SQL snippet functions re-ran the match)."""
    if not ids:
        return []
    rows = scope.filter(pk__in=ids).order_by().values(*HIT_FIELDS, "text")  # put in the engine's order below
    details = {row["id"]: row for row in rows}
    ids = [pk for pk in ids if pk in details]
    cut = engine_snippets.snippets([details[pk]["text"] for pk in ids], query)
    return [_page_hit(details[pk], snippets.to_html(raw)) for pk, raw in zip(ids, cut, strict=True)]


def matching_pages(query: str | Query, *, pages: QuerySet) -> QuerySet:
    """`pages` narrowed to those matching `query`, as a queryset (for counts and marks)."""
    _check_scope(pages, Page)
    parsed = parse_query(query) if isinstance(query, str) else query
    return _matching(PAGES, parsed, pages)


def iter_page_hits(query: str | Query, *, pages: QuerySet, chunk: int = 500) -> Iterator[Hit]:
    """Every page matching `query` inside `pages`, each once, in id order, fetched `chunk` at a
    time by keyset (for export). Raises QueryError at once for a bad query, before any row."""
    _check_scope(pages, Page)
    parsed = parse_query(query) if isinstance(query, str) else query

    def hits() -> Iterator[Hit]:
        after = None
        while True:
            screen, has_next = _listed(PAGES, parsed, pages, order="id", after=after, offset=0, limit=chunk)
            yield from screen
            if not has_next or not screen:
                return
            after = screen[-1].page_id

    return hits()


def _with_sheet_rows(hits: list[Hit]) -> list[Hit]:
    """Hits inside a spreadsheet name their sheet and row, and a labelled page that is not a printed one
    (a DOCX's tracked changes) its label as `section` (one query for the lot)."""
    labelled = Q(row__isnull=False) | ~Q(sheet="")
    found = Page.objects.filter(labelled, pk__in=[h.page_id for h in hits]).values_list("pk", "sheet", "row")
    places = {pk: {"sheet": sheet, "row": row} if row is not None else {"section": sheet} for pk, sheet, row in found}
    return [replace(h, **places[h.page_id]) if h.page_id in places else h for h in hits]


def search_requests(query: str | Query, *, requests: QuerySet, limit: int = 20, offset: int = 0) -> SearchResults:
    """Requests (title, text sent) and their communications (subject, body) matching `query`
    inside `requests`, one list ranked over every match: best first, ties by id (a request
    before a communication of the same id); `matched` is exact. The engine's letters index ranks them (letters.py; a
    word of the title or subject counts twice); while it can't answer, the database does
    (FTS5 bm25, ts_rank, the title column weighted double). bench/search_requests.py has both."""
    _check_scope(requests, RecordsRequest)
    parsed = parse_query(query) if isinstance(query, str) else query
    limit, offset = _check_window(limit, offset)
    communications = Communication.objects.filter(request__in=requests.order_by().values("pk"))
    scopes = {REQUESTS: requests, COMMUNICATIONS: communications}
    found = _engine_letters(parsed, requests, limit=limit + 1, offset=offset) if settings.SEARCH_ENGINE else None
    if found is not None:
        ranked, matched = found
        hits = _engine_letter_hits(parsed, ranked[:limit], scopes)
    else:
        ranked, matched = _ranked(parsed, scopes, limit=limit + 1, offset=offset)
        hits = _request_hits(parsed, ranked[:limit], scopes)
    return _results(parsed, hits, limit=limit, offset=offset, matched=matched, has_next=len(ranked) > limit)


def _engine_letters(query: Query, requests: QuerySet, *, limit: int, offset: int):
    """([(source, id, score)] for one screen of the letters' index, ranked over every match inside
    `requests`, and how many match); None when the engine can't answer, or may not hold every
    row yet (some wait in the outbox: the worker's next drain, a second away, or an upgrade's)."""
    try:
        if settings.SEARCH_ENGINE_REBUILD_BEFORE_SEARCH:
            letters.rebuild()
        if letters.waiting(requests):
            return None  # a letter logged a moment ago shows at once, however it was written: the SQL answers
        request_ids = _ids(requests)
        if not request_ids:
            return [], 0
        searcher, generation = engine.searcher_and_generation(engine.LETTERS)
        if searcher.num_docs == 0:
            return None  # not built yet (the requests above are in it once it is): the SQL answers
        ranked, matched = engine_query.rank(
            query, EngineScope(team_ids=None, request_ids=request_ids), offset=min(offset, MAX_ENGINE_OFFSET),
            limit=limit, searcher=searcher, generation=generation, kind=engine.LETTERS,
        )  # fmt: skip
    except (engine.EngineUnavailable, OSError):
        logger.exception("The search engine could not answer; searching requests and letters in the database.")
        return None
    sources = {letters.REQUEST: REQUESTS, letters.COMMUNICATION: COMMUNICATIONS}
    keyed = [(*letters.split_key(key), score) for key, score in ranked]
    return [(sources[kind], pk, score) for kind, pk, score in keyed], matched


def _ids(scope: QuerySet) -> tuple[int, ...]:
    """The ids `scope` holds: its own SQL, read without building a row object per id (a desk's
    thousands of requests took 1.6 ms through values_list, most of a rare word's search)."""
    try:
        sql, params = scope.order_by().values_list("pk").query.sql_with_params()
    except EmptyResultSet:
        return ()
    with connections[scope.db].cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(pk for (pk,) in cursor.fetchall())


def _engine_letter_hits(query: Query, ranked: list, scopes: dict[Source, QuerySet]) -> list[Hit]:
    """Hits for the engine's ranked (source, id, score) rows that the caller's scoped querysets
    hold, in that order; snippets cut in Python from the text read back (engine_snippets)."""
    rows = {}
    for source, scope in scopes.items():
        ids = [pk for row_source, pk, _ in ranked if row_source is source]
        if not ids:
            continue
        if source is REQUESTS:
            for pk, title, body in scope.filter(pk__in=ids).order_by().values_list("pk", "title", "body"):
                rows[source, pk] = (pk, None, title, body)
        else:
            found = scope.filter(pk__in=ids).order_by().values_list("pk", "request_id", "subject", "body")
            for pk, request_id, subject, body in found:
                rows[source, pk] = (request_id, pk, subject, body)
    shown = [(source, pk, score) for source, pk, score in ranked if (source, pk) in rows]
    # From the text where the words are found there (the title is the hit's heading already);
    # else from the title, the only place they are.
    cut = engine_snippets.snippets([rows[source, pk][3] for source, pk, _ in shown], query)
    titles = [n for n, raw in enumerate(cut) if snippets.START not in raw]
    for n, raw in zip(titles, engine_snippets.snippets([rows[shown[n][:2]][2] for n in titles], query), strict=True):
        cut[n] = raw
    return [
        Hit(
            kind=source.kind,
            request_id=rows[source, pk][0],
            snippet=snippets.to_html(raw),
            score=score,
            communication_id=rows[source, pk][1],
            title=rows[source, pk][2],
        )  # fmt: skip
        for (source, pk, score), raw in zip(shown, cut, strict=True)
    ]


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


def _ranked_rows(source: Source, query: Query, scope: QuerySet, *, limit: int, offset: int, cap: int) -> list[dict]:
    connection = connections[scope.db]
    try:
        sql, params = backend_for(connection.vendor).ranked_sql(
            source, query, scope, limit=limit, offset=offset, cap=cap
        )
    except EmptyResultSet:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=False)) for values in cursor.fetchall()]


def _matching(source: Source, query: Query, scope: QuerySet, after: int | None = None) -> QuerySet:
    """`scope` narrowed to the rows matching `query` (with an id above `after`), unordered."""
    sql, params = backend_for(connections[scope.db].vendor).match_condition(source, query, after)
    return scope.order_by().filter(RawSQL(sql, params, output_field=BooleanField()))


def _count(source: Source, query: Query, scope: QuerySet) -> tuple[int, bool]:
    """(how many rows match, whether that is exact). Counting stops at COUNT_EXACTLY + 1; past
    it the total is estimated from where, in id order, the COUNT_EXACTLY-th match lies."""
    matching = _matching(source, query, scope)
    try:
        counted = matching[: COUNT_EXACTLY + 1].count()
    except EmptyResultSet:
        return 0, True
    if counted <= COUNT_EXACTLY:
        return counted, True
    nth = matching.order_by("pk").values_list("pk", flat=True)[COUNT_EXACTLY - 1]
    bounds = scope.order_by().aggregate(first=Min("pk"), last=Max("pk"))
    share = (nth - bounds["first"] + 1) / (bounds["last"] - bounds["first"] + 1)
    estimate = max(COUNT_EXACTLY + 1, round(COUNT_EXACTLY / share))
    digits = len(str(estimate)) - 2  # two significant figures: it is an estimate
    return round(estimate, -digits), False


def _listed(source: Source, query: Query, scope: QuerySet, *, order: str, after, offset: int, limit: int):
    """Matches in a stable order (id, or release date then id), `limit` of them from `after`
    (keyset) or else from `offset`; and whether there are more."""
    matching = _matching(source, query, scope)
    if order == "date":
        matching = matching.order_by("-document__uploaded_at", "pk")
        released = (
            Page.objects.filter(pk=after).values_list("document__uploaded_at", flat=True).first() if after else None
        )
        if released is not None:
            matching = matching.filter(
                Q(document__uploaded_at__lt=released) | Q(document__uploaded_at=released, pk__gt=after)
            )
            offset = 0
    elif after:
        matching, offset = _matching(source, query, scope, after=after).order_by("pk"), 0
    else:
        matching = matching.order_by("pk")
    try:
        ids = list(matching.values_list("pk", flat=True)[offset : offset + limit + 1])
    except EmptyResultSet:
        return [], False
    has_next, ids = len(ids) > limit, ids[:limit]
    return _page_hits(source, query, ids, scope), has_next


def _page_hits(source: Source, query: Query, ids: list[int], scope: QuerySet) -> list[Hit]:
    """Hits for page `ids` that `scope` holds, in that order, with their snippets (score None:
    not ranked). Reading the details through the caller's scoped queryset is the defence in depth."""
    if not ids:
        return []
    connection = connections[scope.db]
    rows = scope.filter(pk__in=ids).values(*HIT_FIELDS)
    details = {row["id"]: row for row in rows}
    ids = [pk for pk in ids if pk in details]
    if not ids:
        return []
    sql, params = backend_for(connection.vendor).snippets_sql(source, query, ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        marked = dict(cursor.fetchall())
    return [_page_hit(details[pk], snippets.to_html(marked.get(pk))) for pk in ids]


HIT_FIELDS = ("id", "number", "ocr", "document_id", "document__request_id", "document__original_name", "sheet", "row")


def _page_hit(row: dict, snippet) -> Hit:
    """A page's hit (score None: not ranked) from its HIT_FIELDS."""
    return Hit(
        kind="page",
        request_id=row["document__request_id"],
        snippet=snippet,
        score=None,
        page_id=row["id"],
        document_id=row["document_id"],
        filename=row["document__original_name"],
        page=row["number"],
        ocr=row["ocr"],
        sheet=row["sheet"] if row["row"] is not None else "",
        row=row["row"],
        section=row["sheet"] if row["row"] is None else "",  # tracked changes, not a page
    )


def _ranked(query: Query, scopes: dict[Source, QuerySet], *, limit: int, offset: int):
    """([(source, id, score)] for one screen of every source's matches ranked together, best
    first, ties by id then source (as the engine's letters index); and how many match in all, exactly)."""
    connection = connections[next(iter(scopes.values())).db]
    backend = backend_for(connection.vendor)
    parts, params = [], []
    for order, (source, scope) in enumerate(scopes.items()):
        try:
            sql, scored_params = backend.scored_sql(source, query, scope)
        except EmptyResultSet:  # the scope can match nothing (an anonymous user's teams)
            continue
        parts.append(f"SELECT {order} AS source, id, score FROM ({sql}) AS scored_{order}")
        params += scored_params
    if not parts:
        return [], 0
    matches = " UNION ALL ".join(parts)
    sql = f"""
        SELECT source, id, score, count(*) OVER () AS matched FROM ({matches}) AS matches
        ORDER BY score DESC, id, source LIMIT %s OFFSET %s
    """
    sources = list(scopes)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
        if rows:
            matched = rows[0][3]
        else:  # past the last hit (or none): count what there is
            cursor.execute(f"SELECT count(*) FROM ({matches}) AS matches", params)
            matched = cursor.fetchone()[0]
    return [(sources[order], pk, score) for order, pk, score, _ in rows], matched


def _request_hits(query: Query, ranked: list, scopes: dict[Source, QuerySet]) -> list[Hit]:
    """Hits for the ranked (source, id, score) rows, in that order, with their snippets. The
    details are read through the caller's scoped querysets (defence in depth)."""
    found: dict[tuple[Source, int], Hit] = {}
    for source, scope in scopes.items():
        ids = [pk for row_source, pk, _ in ranked if row_source is source]
        if not ids:
            continue
        connection = connections[scope.db]
        sql, params = backend_for(connection.vendor).snippets_sql(source, query, ids)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            marked = dict(cursor.fetchall())
        if source is REQUESTS:
            details = {pk: (pk, None, title) for pk, title in scope.filter(pk__in=ids).values_list("pk", "title")}
        else:
            rows = scope.filter(pk__in=ids).values_list("pk", "request_id", "subject")
            details = {pk: (request_id, pk, subject) for pk, request_id, subject in rows}
        for pk, (request_id, communication_id, title) in details.items():
            found[source, pk] = Hit(
                kind=source.kind, request_id=request_id, snippet=snippets.to_html(marked.get(pk)), score=None,
                communication_id=communication_id, title=title,
            )  # fmt: skip
    return [replace(found[source, pk], score=score) for source, pk, score in ranked if (source, pk) in found]


def _ranked_page_hit(row: dict) -> Hit:
    """A page's hit from a row of the SQL backends' ranked window (ranked_sql)."""
    return Hit(
        kind="page", request_id=row["request_id"], snippet=snippets.to_html(row["snippet"]), score=row["score"],
        page_id=row["id"], document_id=row["document_id"], filename=row["filename"],
        page=row["page"], ocr=bool(row["ocr"]),
    )  # fmt: skip


def _results(query: Query, hits: list[Hit], *, limit: int, offset: int, matched: int, has_next: bool):
    """One screen of request and communication hits; `matched`: how many match in all, exactly."""
    return SearchResults(
        query=query, hits=hits, offset=offset, limit=limit, has_next=has_next,
        matched=matched, matched_exact=True, cap=matched,
    )  # fmt: skip


def _check_scope(scope: QuerySet, model) -> None:
    # A list of ids or a manager would skip the team scoping that only a queryset carries.
    if not isinstance(scope, QuerySet) or scope.model is not model:
        raise TypeError(f"Pass a {model.__name__} queryset scoped with visible_to(user) or for_team(team)")


def _check_window(limit: int, offset: int) -> tuple[int, int]:
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, min(int(offset), MAX_OFFSET))
    return limit, offset
