"""PostgreSQL backend: a generated tsvector column with a GIN index on each source table.

The vector is English-stemmed text followed by the same text unstemmed ('simple'), so
"contracts" finds "contract" while stop words ("US" in "US Army") and prefixes of unstemmed
words ("negotiat*") still match as typed. Words and phrases are looked up by their stems, stop
words and prefixes in the simple half.
"""

from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from . import snippets
from .query import MAX_NEAR, Query, Term
from .sources import SOURCES, Source

COLUMN = "search_vector"
TOAST_TUPLE_TARGET = 8160  # the most PostgreSQL allows (default 2032)
# to_tsvector fails on vectors over 1 MB: index (and show) a page's first 100,000 characters.
MAX_INDEXED_CHARS = 100_000
# One passage of about SQLite's snippet length (fragment mode drops the punctuation that
# starts a fragment, such as the "<" of a tag).
HEADLINE_OPTIONS = f'StartSel="{snippets.START}", StopSel="{snippets.STOP}", MaxWords=24, MinWords=12'


def _vector_sql(source: Source) -> str:
    # PostgreSQL's parser drops anything shaped like an HTML tag; released text is plain text,
    # so "<script>" is the word script here, as it is in SQLite.
    # Columns are gapped too: a phrase or NEAR never joins a letter's subject to its body (as
    # FTS5's separate columns and the engine's letters index keep them apart).
    halves = [
        f" || {_GAP} || ".join(
            f"setweight(to_tsvector('{config}'::regconfig, "
            f"translate(left(coalesce({column}, ''), {MAX_INDEXED_CHARS}), '<>', '  ')), '{weight}')"
            for column, weight in zip(source.columns, "ABCD", strict=False)
        )
        for config in ("english", "simple")
    ]
    return f"{halves[0]} || {_GAP} || {halves[1]}"


# `||` puts the unstemmed half right after the stemmed one (and a body right after its title):
# without a gap, NEAR/n would find the last words of a page within n words of its first words.
# GAP_WORD sits MAX_NEAR + 2 positions after what precedes it and shifts what follows past it.
GAP_WORD = "zzsearchgapzz"
_GAP = f"to_tsvector('english'::regconfig, '{'the ' * (MAX_NEAR + 2)}{GAP_WORD}')"  # "the": a stop word


def _document_sql(source: Source, alias: str) -> str:
    """The text a headline is cut from: the indexed columns, joined, with < and > swapped for
    private characters so ts_headline keeps tags as text (snippets.to_html swaps them back)."""
    columns = [f"{alias}.{column}" for column in source.columns]
    text = columns[0] if len(columns) == 1 else f"concat_ws(' ', {', '.join(columns)})"
    return f"translate(left({text}, {MAX_INDEXED_CHARS}), '<>', '{snippets.LESS_THAN}{snippets.GREATER_THAN}')"


def install(cursor, sources=SOURCES) -> None:
    """Add the generated column, its GIN index and statistics where missing (idempotent)."""
    _settle(cursor)
    for source in sources:
        # Keep rows up to a whole heap page inline and uncompressed: ranking reads the vector of
        # every candidate, and fetching it from TOAST (twice: match and rank) doubled the time.
        cursor.execute(f"ALTER TABLE {source.table} SET (toast_tuple_target = {TOAST_TUPLE_TARGET})")
        cursor.execute(
            f"ALTER TABLE {source.table} ADD COLUMN IF NOT EXISTS {COLUMN} tsvector "
            f"GENERATED ALWAYS AS ({_vector_sql(source)}) STORED"
        )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {_index(source)} ON {source.table} USING gin ({COLUMN})")
        # Fine-grained statistics on lexeme frequencies: with the default target a rare term
        # can look common, and the planner then walks the primary key instead of the index.
        cursor.execute(f"ALTER TABLE {source.table} ALTER COLUMN {COLUMN} SET STATISTICS 1000")


def uninstall(cursor, sources=SOURCES) -> None:
    _settle(cursor)
    for source in sources:
        cursor.execute(f"DROP INDEX IF EXISTS {_index(source)}")
        cursor.execute(f"ALTER TABLE {source.table} DROP COLUMN IF EXISTS {COLUMN}")
        cursor.execute(f"ALTER TABLE {source.table} RESET (toast_tuple_target)")


def rebuild(cursor, sources=SOURCES) -> dict[str, int]:
    """Re-derive every vector (drop and re-add the column), re-index, refresh statistics."""
    uninstall(cursor, sources)
    install(cursor, sources)
    counts = {}
    for source in sources:
        cursor.execute(f"ANALYZE {source.table}")
        cursor.execute(f"SELECT count(*) FROM {source.table}")
        counts[source.kind] = cursor.fetchone()[0]
    return counts


def repair(cursor) -> list[Source]:
    """Install the column or index where missing (a generated column is never stale)."""
    broken = []
    for source in SOURCES:
        cursor.execute(
            "SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s AND NOT attisdropped)"
            " AND to_regclass(%s) IS NOT NULL",
            [source.table, COLUMN, _index(source)],
        )
        if not cursor.fetchone()[0]:
            broken.append(source)
    if broken:
        install(cursor, broken)
    return broken


def _index(source: Source) -> str:
    return f"{source.table}_{COLUMN}"


def _settle(cursor) -> None:
    # Inside a transaction that wrote rows, deferred foreign-key checks are still pending and
    # PostgreSQL refuses to ALTER the table until they have run.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def tsquery_sql(query: Query, *, for_headline: bool = False) -> tuple[str, list[str]]:
    """A tsquery expression built from the tree; each term is a quoted tsquery literal.

    `for_headline`: NEAR becomes either side (ts_headline took 0.5 s a page on the OR of
    2(n + 1) phrases; the match itself was already decided by the full query).
    """
    params: list[str] = []

    def leaf(term: Term) -> str:
        if term.kind == "near" and for_headline:
            return "(" + " || ".join(leaf(side) for side in term.near) + ")"
        if term.kind == "near":
            return near(term)
        literal = _literal(term)
        if term.kind == "prefix":
            params.append(literal)
            return "to_tsquery('simple'::regconfig, %s)"
        # The stemmed lexeme finds every form, the exact one included; a stop word ("US")
        # has no stemmed lexeme and is looked up as typed. Constant-folded at plan time.
        params.extend([literal, literal, literal])
        return (
            "(CASE WHEN numnode(to_tsquery('english'::regconfig, %s)) > 0 THEN to_tsquery('english'::regconfig, %s)"
            " ELSE to_tsquery('simple'::regconfig, %s) END)"
        )

    def near(term: Term) -> str:
        # tsquery has only exact distances (`a <3> b`: b three positions after a's last word), so
        # NEAR/n is every distance from 1 (adjacent) to n + 1 (n words between), in both orders.
        # Both sides must use one configuration: positions in the stemmed and the unstemmed half
        # of the vector don't line up, so a prefix or a stop word puts the whole NEAR in 'simple'.
        left, right = (_literal(side) for side in term.near)
        alternatives = [
            f"{first} <{distance}> {second}"
            for distance in range(1, term.distance + 2)
            for first, second in ((left, right), (right, left))
        ]
        expression = " | ".join(alternatives)
        if any(side.kind == "prefix" for side in term.near):
            params.append(expression)
            return "to_tsquery('simple'::regconfig, %s)"
        params.extend([left, right, expression, expression])
        return (
            "(CASE WHEN numnode(to_tsquery('english'::regconfig, %s)) > 0"
            " AND numnode(to_tsquery('english'::regconfig, %s)) > 0"
            " THEN to_tsquery('english'::regconfig, %s) ELSE to_tsquery('simple'::regconfig, %s) END)"
        )

    groups = ["(" + " || ".join(leaf(term) for term in group) + ")" for group in query.groups]
    excluded = [f"!!{leaf(term)}" for term in query.excluded]
    return "(" + " && ".join(groups + excluded) + ")", params


def _literal(term: Term) -> str:
    """A quoted tsquery literal; a prefix carries its :* (for the 'simple' configuration)."""
    literal = "'" + term.text.replace("\\", "\\\\").replace("'", "''") + "'"
    return literal + ":*" if term.kind == "prefix" else literal


def ranked_sql(source: Source, query: Query, scope: QuerySet, *, limit: int, offset: int, cap: int):
    """SQL for one page of ranked hits: id, score, matched, snippet and source.details.

    ts_rank runs on the first `cap` matches inside `scope`, ts_headline on the rows returned.
    """
    match_sql, match_params = tsquery_sql(query)
    # The first `cap` matches in id order: paging past them goes on in that order (api.py).
    candidates = (
        _candidates(source, scope, match_sql, match_params).order_by("pk").values_list("pk", "search_score")[:cap]
    )
    candidates_sql, candidates_params = candidates.query.sql_with_params()
    # The stemmed config highlights stemmed matches; a prefix only matches unstemmed words.
    config = "simple" if query.has_prefix else "english"
    document = _document_sql(source, "row")
    match_sql, match_params = tsquery_sql(query, for_headline=True)  # from here on: headlines only
    sql = f"""
        WITH candidates (id, score) AS ({candidates_sql}),
        top AS (
            SELECT id, score, count(*) OVER () AS matched
            FROM candidates ORDER BY score DESC, id LIMIT %s OFFSET %s
        )
        SELECT top.id, top.score, top.matched,
               CASE WHEN strpos(headline.text, %s) > 0 THEN headline.text
                    ELSE ts_headline('simple'::regconfig, {document}, {match_sql}, %s) END AS snippet,
               {source.details}
        FROM top
        JOIN {source.table} AS row ON row.id = top.id
        {source.joins}
        CROSS JOIN LATERAL (  -- OFFSET 0: computed once, not pulled up into both uses below
            SELECT ts_headline('{config}'::regconfig, {document}, {match_sql}, %s) AS text OFFSET 0
        ) AS headline
        ORDER BY top.score DESC, top.id
    """
    params = [
        *candidates_params, limit, offset,
        snippets.START, *match_params, HEADLINE_OPTIONS,  # the fallback when nothing was marked
        *match_params, HEADLINE_OPTIONS,
    ]  # fmt: skip
    return sql, params


def _candidates(source: Source, scope: QuerySet, match_sql: str, match_params: list[str]) -> QuerySet:
    """`scope` narrowed to the matches, unordered so the database can stop at the cap."""
    vector = f'"{source.table}"."{COLUMN}"'
    return (
        scope.order_by()
        .filter(RawSQL(f"{vector} @@ {match_sql}", match_params, output_field=BooleanField()))
        .annotate(search_score=RawSQL(f"ts_rank({vector}, {match_sql}, 1)", match_params, output_field=FloatField()))
    )


def match_condition(source: Source, query: Query, after: int | None = None) -> tuple[str, list]:
    """A WHERE condition on the source table: its row matches `query`."""
    match_sql, match_params = tsquery_sql(query)
    if after is None:
        return f'"{source.table}"."{COLUMN}" @@ {match_sql}', match_params
    return f'"{source.table}"."{COLUMN}" @@ {match_sql} AND "{source.table}"."id" > %s', [*match_params, after]


def snippets_sql(source: Source, query: Query, ids: list[int]) -> tuple[str, list]:
    """(id, snippet) for each of `ids`."""
    match_sql, match_params = tsquery_sql(query, for_headline=True)
    config = "simple" if query.has_prefix else "english"
    document = _document_sql(source, "row")
    sql = f"""
        SELECT row.id,
               CASE WHEN strpos(headline.text, %s) > 0 THEN headline.text
                    ELSE ts_headline('simple'::regconfig, {document}, {match_sql}, %s) END
        FROM {source.table} AS row
        CROSS JOIN LATERAL (
            SELECT ts_headline('{config}'::regconfig, {document}, {match_sql}, %s) AS text OFFSET 0
        ) AS headline
        WHERE row.id = ANY(%s)
    """
    return sql, [snippets.START, *match_params, HEADLINE_OPTIONS, *match_params, HEADLINE_OPTIONS, list(ids)]


def scored_sql(source: Source, query: Query, scope: QuerySet) -> tuple[str, list]:
    """SQL listing every match inside `scope` with its score (higher is better): columns id, score,
    unordered. ts_rank over every match: for tables of thousands of rows (requests, letters)."""
    match_sql, match_params = tsquery_sql(query)
    scored = _candidates(source, scope, match_sql, match_params).values_list("pk", "search_score")
    sql, params = scored.query.sql_with_params()
    return f"SELECT id, score FROM ({sql}) AS scored (id, score)", list(params)
