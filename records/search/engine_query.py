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
MAX_PREFIX_TERMS = 256  # the most frequent expansions of a prefix are ranked; the rest still match
NOTHING = tantivy.Query.empty_query()
TIE_FETCH = 2048  # pages fetched at once, so that most ties at the window's edge settle in one pass


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


def build(query: Query, scope: EngineScope, searcher: tantivy.Searcher, kind: str = engine.PAGES) -> tantivy.Query:
    schema = engine.SCHEMAS[kind]
    clauses = [(Occur.Must, _group(schema, group, searcher)) for group in query.groups]
    clauses += [(Occur.MustNot, _term(schema, term, searcher)) for term in query.excluded]
    clauses += [(Occur.Must, _const(q)) for q in _scope_clauses(schema, scope)]
    if kind == engine.LETTERS:
        clauses += [(Occur.Should, q) for q in _title_clauses(schema, query)]
    return tantivy.Query.boolean_query(clauses)


def _title_clauses(schema, query: Query) -> list[tantivy.Query]:
    """A request's title or a letter's subject is also in its text; each word of the query found
    there scores once more (the database's rankings weigh the title column double too)."""
    words = {
        word
        for group in query.groups
        for term in group
        if term.kind in ("word", "phrase")
        for word in _tokens(engine.STEM, term.text)
    }
    return [tantivy.Query.term_query(schema, "title", word) for word in sorted(words)]


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
    On the unstemmed field when a side is a prefix (its words as patterns), else on the stemmed one.

    tantivy's slop bounds the distance between each pair of neighbouring words of a phrase,
    whichever comes first: two single words at the same offset with slop n + 1 are exactly
    "at most n words between, either order", in one pass over their positions (two ordered
    phrases walked both position lists twice). A side of several words needs the order
    inside it, which one slop can't give: there the two orders are searched, and each side
    must also appear as its exact phrase (slop loosens a side's own words too).
    """
    left, right = term.near
    if left.kind == "prefix" or right.kind == "prefix":
        sides = [_patterns(side) for side in (left, right)]
        field, make = "exact", tantivy.Query.regex_phrase_query
    else:
        sides = [_tokens(engine.STEM, side.text) for side in (left, right)]
        field, make = "text", tantivy.Query.phrase_query
    if not all(sides):
        return NOTHING
    if all(len(side) == 1 for side in sides):
        return make(schema, field, [(0, sides[0][0]), (0, sides[1][0])], slop=term.distance + 1)
    orders = []
    for first, second in ((sides[0], sides[1]), (sides[1], sides[0])):
        words = [(offset, word) for offset, word in enumerate(first + second)]
        orders.append((Occur.Should, make(schema, field, words, slop=term.distance)))
    exact_sides = [(Occur.Must, _const(make(schema, field, side))) for side in sides if len(side) > 1]
    return tantivy.Query.boolean_query([(Occur.Must, tantivy.Query.boolean_query(orders)), *exact_sides])


def _patterns(term: Term) -> list[str]:
    words = [re.escape(word) for word in _tokens(engine.EXACT, term.text)]
    if words and term.kind == "prefix":
        words[-1] += ".*"
    return words


def _tokens(analyzer: tantivy.TextAnalyzer, text: str) -> list[str]:
    return analyzer.analyze(text)


@dataclass(frozen=True)
class Ranking:
    """The query to rank with; how many match when that is known already (else the search counts);
    and whether it carries the team clause (the user's teams may hold every match: see ranking())."""

    query: tantivy.Query
    count: int | None
    scoped: bool


def rank(
    query: Query,
    scope: EngineScope,
    *,
    offset: int,
    limit: int,
    searcher: tantivy.Searcher | None = None,
    generation: tuple | None = None,
    kind: str = engine.PAGES,
) -> tuple[list[tuple[int, float]], int]:
    """(page id, score) for hits offset..offset+limit of every match, best first, ties by page
    id; and how many match in all (exact: the engine counts as it ranks). `searcher`: the one
    reader of this search and its `generation` (engine.searcher_and_generation()), else a fresh one.
    kind=LETTERS ranks the letters' index the same way: (key, score), ties by key."""
    if searcher is None:
        searcher, generation = engine.searcher_and_generation(kind)
    key = KEYS[kind]
    ranked = ranking(query, scope, searcher, generation, kind=kind)
    wanted = offset + limit
    # Fetched wide at once: a frequent word ties on thousands of pages at the window's edge (the
    # tie rule needs every page scoring the same as the window's last). At a million pages,
    # 2,048 held most such ties for less than 8,192 cost; past it, _settle_tie's id ranges do.
    fetch = max(wanted + 1, TIE_FETCH)
    found = searcher.search(ranked.query, limit=fetch, count=ranked.count is None)
    count = found.count if ranked.count is None else ranked.count
    listed = found.hits  # tantivy builds this list anew at each access: read it once
    if len(listed) > wanted:
        boundary = listed[wanted - 1][0]
        in_reach = [hit for hit in listed if hit[0] >= boundary]  # the rest can't enter the window
        hits = _with_page_ids(searcher, in_reach, key)
        if len(listed) == fetch and len(in_reach) == len(listed):  # the tie runs on past the fetch
            hits = _settle_tie(searcher, ranked.query, hits, wanted, fetch=fetch, kind=kind)
    else:
        hits = _with_page_ids(searcher, listed, key)
    return sorted(hits, key=lambda hit: (-hit[1], hit[0]))[offset:wanted], count


KEYS = {engine.PAGES: "page_id", engine.LETTERS: "key"}  # the field ties are broken by, lowest first


def _with_page_ids(searcher, found: list, key: str = "page_id") -> list[tuple[int, float]]:
    page_ids = searcher.fast_field_values(key, [address for _, address in found])
    return [(page_id, score) for (score, _), page_id in zip(found, page_ids, strict=True)]


def _settle_tie(
    searcher, built, hits: list[tuple[int, float]], wanted: int, *, fetch: int, kind: str = engine.PAGES
) -> list[tuple[int, float]]:
    """The first `wanted` hits (unordered) when more pages tie with the last of them than one fetch holds.

    The engine breaks ties by where a page sits in the index, not by page id, and a frequent
    word ties on tens of thousands of pages (the same count on pages of about the same length).
    Every better-scoring page is in hand already; of the tied ones, the lowest ids are wanted,
    and none is above the id that fills the window among the tied pages in hand (the ceiling).
    So the tied pages are gathered from the lowest ids up, one id range at a time: a range
    searched whole (fewer hits at or above the tie than a fetch) holds all its tied pages, and
    once the ranges searched hold enough of them, no page past them can be among the lowest.
    A tie that needs settling is a common one, so the first, small range usually does it; its
    cost follows the range, where a pass up to the ceiling cost a whole ranking again.
    """
    boundary = hits[wanted - 1][1]
    above = [hit for hit in hits if hit[1] > boundary]
    needed = wanted - len(above)
    in_hand = sorted(page_id for page_id, score in hits if score == boundary)
    ceiling = in_hand[needed - 1]
    # The first range: about four times the ids that hold `needed` tied pages, were the tied
    # pages in hand spread evenly over the ids (each pass has a fixed cost too: few, not tiny).
    span = max(needed, 4 * needed * searcher.num_docs // len(in_hand))
    tied: list[int] = []
    low = 0
    key = KEYS[kind]
    while True:
        high = min(low + span - 1, ceiling)
        in_range = tantivy.Query.range_query(engine.SCHEMAS[kind], key, tantivy.FieldType.Unsigned, low, high)
        narrowed = tantivy.Query.boolean_query([(Occur.Must, built), (Occur.Must, _const(in_range))])
        listed = searcher.search(narrowed, limit=fetch, count=False).hits
        if len(listed) == fetch and listed[-1][0] >= boundary and high > low:
            span = max(1, (high - low + 1) // 4)  # more at or above the tie than a fetch: a narrower range
            continue
        tied += [page_id for page_id, score in _with_page_ids(searcher, listed, key) if score == boundary]
        if len(tied) >= needed or high >= ceiling:
            return above + [(page_id, boundary) for page_id in tied]
        low, span = high + 1, span * 4


def ranking(
    query: Query, scope: EngineScope, searcher, generation: tuple | None = None, kind: str = engine.PAGES
) -> Ranking:
    """The query to rank `scope`'s matches with, with the team clause only where it changes something.

    A team clause over most of the index costs more than the ranking itself (tantivy gathers the
    teams' postings into a bitset on every search: at 1,000,000 pages, a ten-team clause doubled
    the cost of a frequent word), and when every match of the query lies in the user's teams it
    changes nothing: the same pages match with the same scores (scope clauses score 0). So:
    - the user's teams hold every page of the index (pages per team, counted once per commit):
      rank without the clause, and the search counts;
    - they hold most of it: the query's matches counted per team (a fast-field aggregation, a
      pass over the matches) say whether every match is inside; if so, rank without the clause;
    - else, or with other filters, the clause stays (it drives a small team's search cheaply).
    """
    if scope.team_ids is None:
        return Ranking(build(query, scope, searcher, kind), None, scoped=False)
    if replace(scope, team_ids=None) != EngineScope(team_ids=None):
        return Ranking(build(query, scope, searcher, kind), None, scoped=True)  # other filters drive the search
    in_teams = sum(searcher.doc_freq("team_id", team) for team in scope.team_ids)
    if in_teams * 2 < searcher.num_docs:
        return Ranking(build(query, scope, searcher, kind), None, scoped=True)  # a small share: the clause drives
    unscoped = build(query, EngineScope(team_ids=None), searcher, kind)
    if in_teams >= searcher.num_docs:  # perhaps every page (the sum counts deleted pages too): check
        everywhere = engine.pages_per_team(searcher, generation)
        if everywhere is not None and set(everywhere) <= set(scope.team_ids):
            return Ranking(unscoped, None, scoped=False)
    counts = engine.team_counts(searcher, unscoped)
    inside = None if counts is None else sum(counts.get(team, 0) for team in scope.team_ids)
    if counts is not None and inside == sum(counts.values()):
        return Ranking(unscoped, inside, scoped=False)
    return Ranking(build(query, scope, searcher, kind), inside, scoped=True)  # more teams than buckets: no count
