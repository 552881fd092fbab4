"""Our parsed Query (query.py) and the search page's scope as a tantivy query, built term by term.

Nothing a user typed reaches tantivy's own query parser: each word goes through the same
analyzer the index used and becomes a term query. The team scope and the page's filters are
must clauses of the same query, so the engine ranks only what the user may see (a small
team's hits are never pushed out of an unscoped top N).
"""

import re
from dataclasses import dataclass, replace

import tantivy

from . import engine
from .query import Query, Term

Occur = tantivy.Occur
TEAM_BUCKETS = 100_000  # teams counted per search (more: the team clause always applies)
MAX_PREFIX_TERMS = 256  # the most frequent expansions of a prefix are ranked; the rest still match
NOTHING = tantivy.Query.empty_query()
TIE_FETCH = 8192  # pages fetched at once to settle a tie at the window's edge (see _settle_tie)


@dataclass(frozen=True)
class EngineScope:
    """What the engine may return: pages of `team_ids` (None: every team, an administrator's
    search), narrowed like the search page's filters. Build it with scope.scope_for()."""

    team_ids: tuple[int, ...] | None
    request_ids: tuple[int, ...] | None = None
    page_ids: tuple[int, ...] | None = None
    document_ids: tuple[int, ...] | None = None  # a file's own pages (the grouped search's "show all")
    released_from: int | None = None  # YYYYMMDD, inclusive
    released_to: int | None = None
    detected_type: str | None = None
    ocr: bool | None = None


def build(query: Query, scope: EngineScope, searcher: tantivy.Searcher) -> tantivy.Query:
    schema = engine.SCHEMA
    clauses = [(Occur.Must, _group(schema, group, searcher)) for group in query.groups]
    clauses += [(Occur.MustNot, _term(schema, term, searcher)) for term in query.excluded]
    clauses += [(Occur.Must, _const(q)) for q in _scope_clauses(schema, scope)]
    return tantivy.Query.boolean_query(clauses)


def _const(query: tantivy.Query) -> tantivy.Query:
    # Filters decide membership only: they add nothing to the score.
    return tantivy.Query.const_score_query(query, 0.0)


def _scope_clauses(schema, scope: EngineScope) -> list[tantivy.Query]:
    clauses = []
    for field, values in (
        ("team_id", scope.team_ids),
        ("request_id", scope.request_ids),
        ("page_id", scope.page_ids),
        ("document_id", scope.document_ids),
    ):
        if values is not None:
            clauses.append(tantivy.Query.term_set_query(schema, field, list(values)) if values else NOTHING)
    if scope.released_from is not None or scope.released_to is not None:
        clauses.append(
            tantivy.Query.range_query(
                schema, "released_day", tantivy.FieldType.Unsigned, scope.released_from, scope.released_to
            )
        )
    if scope.detected_type:
        clauses.append(tantivy.Query.term_query(schema, "type", scope.detected_type))
    if scope.ocr is not None:
        clauses.append(tantivy.Query.term_query(schema, "ocr", int(scope.ocr)))
    return clauses


def _group(schema, group: tuple[Term, ...], searcher) -> tantivy.Query:
    if len(group) == 1:
        return _term(schema, group[0], searcher)
    return tantivy.Query.boolean_query([(Occur.Should, _term(schema, term, searcher)) for term in group])


def _term(schema, term: Term, searcher) -> tantivy.Query:
    if term.kind == "near":
        return _near(schema, term)
    if term.kind == "prefix":
        return _prefix(schema, term.text, searcher)
    words = _tokens(engine.STEM, term.text)
    if not words:
        return NOTHING
    if len(words) == 1:
        return tantivy.Query.term_query(schema, "text", words[0])
    if term.kind == "phrase":
        return _phrase(schema, term.text, words)
    # Several tokens in one typed word ("U.S.", "e-mail"): as a phrase, as the SQL backends do.
    return tantivy.Query.phrase_query(schema, "text", words)


def _phrase(schema, text: str, words: list[str]) -> tantivy.Query:
    exact = _tokens(engine.EXACT, text)
    if exact and all(word in engine.STOP_WORDS for word in exact):
        # "of the": one token of the pairs field instead of walking two huge position lists;
        # "one of the": each pair present, then the exact phrase checked on those pages only.
        pairs = [f"{a}_{b}" for a, b in zip(exact, exact[1:], strict=False)]
        pair_queries = [(Occur.Must, tantivy.Query.term_query(schema, "pairs", pair)) for pair in pairs]
        if len(pairs) == 1:
            return pair_queries[0][1]
        return tantivy.Query.boolean_query([*pair_queries, (Occur.Must, _const(_exact_phrase(schema, exact)))])
    return tantivy.Query.phrase_query(schema, "text", words)


def _exact_phrase(schema, words: list[str]) -> tantivy.Query:
    return tantivy.Query.phrase_query(schema, "exact", words)


def _prefix(schema, text: str, searcher) -> tantivy.Query:
    """Every indexed word starting with `text`, unstemmed (as typed), ranked by BM25 like words."""
    tokens = _tokens(engine.EXACT, text)
    if not tokens:
        return NOTHING
    *whole, start = tokens  # "u.s.govern*": u, s as words, then the prefix
    expansions = [term for term, _ in searcher.terms_with_prefix("exact", start, limit=MAX_PREFIX_TERMS)]
    if not expansions:
        return NOTHING
    ranked = tantivy.Query.boolean_query(
        [(Occur.Should, tantivy.Query.term_query(schema, "exact", word)) for word in expansions]
        # Past the most frequent expansions: still a match (a rare spelling), scored as nothing.
        + [(Occur.Should, _const(tantivy.Query.regex_query(schema, "exact", re.escape(start) + ".*")))]
    )
    if not whole:
        return ranked
    patterns = [*map(re.escape, whole), re.escape(start) + ".*"]
    in_order = _const(tantivy.Query.regex_phrase_query(schema, "exact", patterns))
    return tantivy.Query.boolean_query([(Occur.Must, ranked), (Occur.Must, in_order)])


def _near(schema, term: Term) -> tantivy.Query:
    """`a NEAR/n b`: the two sides with at most n words between them, in either order.
    On the unstemmed field when a side is a prefix (its words as patterns), else on the stemmed one."""
    left, right = term.near
    if left.kind == "prefix" or right.kind == "prefix":
        sides = [_patterns(side) for side in (left, right)]
        field, make = "exact", tantivy.Query.regex_phrase_query
    else:
        sides = [_tokens(engine.STEM, side.text) for side in (left, right)]
        field, make = "text", tantivy.Query.phrase_query
    if not all(sides):
        return NOTHING
    orders = []
    for first, second in ((sides[0], sides[1]), (sides[1], sides[0])):
        words = [(offset, word) for offset, word in enumerate(first + second)]
        orders.append((Occur.Should, make(schema, field, words, slop=term.distance)))
    return tantivy.Query.boolean_query(orders)


def _patterns(term: Term) -> list[str]:
    words = [re.escape(word) for word in _tokens(engine.EXACT, term.text)]
    if words and term.kind == "prefix":
        words[-1] += ".*"
    return words


def _tokens(analyzer: tantivy.TextAnalyzer, text: str) -> list[str]:
    return analyzer.analyze(text)


def rank(
    query: Query, scope: EngineScope, *, offset: int, limit: int, searcher: tantivy.Searcher | None = None
) -> tuple[list[tuple[int, float]], int]:
    """(page id, score) for hits offset..offset+limit of every match, best first, ties by page
    id; and how many match in all (exact: the engine counts as it ranks). `searcher`: the one
    reader of this search (engine.searcher()), else a fresh one."""
    searcher = searcher or engine.searcher()
    built, count = _ranked_query(query, scope, searcher)
    wanted = offset + limit
    found = searcher.search(built, limit=wanted + 1, count=count is None)
    count = found.count if count is None else count
    hits = _with_page_ids(searcher, found.hits)
    if len(hits) > wanted and hits[-1][1] == hits[wanted - 1][1]:
        hits = _settle_tie(searcher, built, hits, wanted)
    return sorted(hits, key=lambda hit: (-hit[1], hit[0]))[offset:wanted], count


def _with_page_ids(searcher, found: list) -> list[tuple[int, float]]:
    page_ids = searcher.fast_field_values("page_id", [address for _, address in found])
    return [(page_id, score) for (score, _), page_id in zip(found, page_ids, strict=True)]


def _settle_tie(searcher, built, hits: list[tuple[int, float]], wanted: int) -> list[tuple[int, float]]:
    """The first `wanted` hits when pages scoring the same as the last of them run past it.

    The engine breaks ties by where a page sits in the index, not by page id, and a frequent
    word ties on tens of thousands of pages (the same count on pages of about the same length).
    Every better-scoring page is in hand already; of the tied ones, the lowest ids are wanted.
    Those are no higher than the id that fills the window among the tied pages in hand, so only
    pages up to that id are searched again, widely, until one scores below the tie (the old way
    took one pass per fourfold widening of the whole ranking: five at a million pages for "records").
    """
    boundary = hits[wanted - 1][1]
    above = [hit for hit in hits if hit[1] > boundary]
    seen = sorted(page_id for page_id, score in hits if score == boundary)
    ceiling = seen[wanted - len(above) - 1]
    up_to_ceiling = tantivy.Query.range_query(engine.SCHEMA, "page_id", tantivy.FieldType.Unsigned, 0, ceiling)
    narrowed = tantivy.Query.boolean_query([(Occur.Must, built), (Occur.Must, _const(up_to_ceiling))])
    # Each pass scores every match again whatever its size (20 ms for "records" at a million
    # pages); a wide one costs little more, so start wide.
    fetch = max(wanted * 4, TIE_FETCH)
    while True:
        tied = _with_page_ids(searcher, searcher.search(narrowed, limit=fetch, count=False).hits)
        if len(tied) < fetch or tied[-1][1] < boundary:
            break
        fetch *= 8
    return above + [hit for hit in tied if hit[1] == boundary]


def _ranked_query(query: Query, scope: EngineScope, searcher) -> tuple[tantivy.Query, int | None]:
    """The query to rank with, and how many match when that is known already.

    A team clause over most of the index costs more than the ranking itself (tantivy gathers the
    teams' postings into a bitset on every search: at 100,000 pages, 38 ms for ten teams against
    1 ms for a frequent word alone), and when every match of the query lies in the user's teams it
    changes nothing: the same pages match with the same scores (scope clauses score 0). The
    query's matches counted per team (a fast-field aggregation, about 1 ms) say whether that is so;
    if it is, the query ranks without the clause, and the count is exact either way.
    """
    if scope.team_ids is None or replace(scope, team_ids=None) != EngineScope(team_ids=None):
        return build(query, scope, searcher), None  # every team already, or other filters too
    in_teams = sum(searcher.doc_freq("team_id", team) for team in scope.team_ids)
    if in_teams * 2 < searcher.num_docs:
        return build(query, scope, searcher), None  # a small share: the team clause drives cheaply
    unscoped = build(query, EngineScope(team_ids=None), searcher)
    per_team = searcher.aggregate(unscoped, {"teams": {"terms": {"field": "team_id", "size": TEAM_BUCKETS}}})
    teams = per_team["teams"]
    if teams.get("sum_other_doc_count") or teams.get("doc_count_error_upper_bound"):
        return build(query, scope, searcher), None  # more teams than buckets: no exact answer here
    counts = {int(bucket["key"]): bucket["doc_count"] for bucket in teams["buckets"]}
    inside = sum(counts.get(team, 0) for team in scope.team_ids)
    if inside == sum(counts.values()):
        return unscoped, inside
    return build(query, scope, searcher), inside
