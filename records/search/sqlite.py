"""SQLite backend: FTS5 tables kept in step with their source tables by triggers.

Each source gets two external-content FTS5 tables (the text itself stays in the source table):
  <table>_fts        porter stemming, so "contract" finds "contracts"
  <table>_fts_exact  no stemming, for prefix queries: FTS5 stems a prefix too, so with porter
                     "negotiat*" looks for "negotiat" among stems like "negoti" and finds nothing.
A query with a prefix term runs on the exact table (its other words then match as typed too).
"""

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from . import snippets
from .query import Query, Term
from .sources import SOURCES, Source

TOKENIZERS = {
    "_fts": "porter unicode61 remove_diacritics 2",
    "_fts_exact": "unicode61 remove_diacritics 2",
}
SNIPPET_TOKENS = 24


def fts_tables(source: Source) -> list[str]:
    return [source.table + suffix for suffix in TOKENIZERS]


def _triggers(source: Source) -> list[str]:
    return [f"{fts}_{action}" for fts in fts_tables(source) for action in ("insert", "update", "delete")]


def install(cursor, sources=SOURCES) -> None:
    """Create the FTS tables and their triggers where missing (idempotent)."""
    for source in sources:
        for suffix, tokenizer in TOKENIZERS.items():
            for statement in _ddl(source, source.table + suffix, tokenizer):
                cursor.execute(statement)


def uninstall(cursor, sources=SOURCES) -> None:
    for source in sources:
        for trigger in _triggers(source):
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for fts in fts_tables(source):
            cursor.execute(f"DROP TABLE IF EXISTS {fts}")


def rebuild(cursor, sources=SOURCES) -> dict[str, int]:
    """Re-create anything missing, re-read every row into the index, then merge its segments."""
    install(cursor, sources)
    counts = {}
    for source in sources:
        for fts in fts_tables(source):
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
        cursor.execute(f"SELECT count(*) FROM {source.table}")
        counts[source.kind] = cursor.fetchone()[0]
    return counts


def repair(cursor) -> list[Source]:
    """Rebuild the sources whose tables or triggers are missing.

    Django's SQLite schema editor rebuilds a table to add or alter most columns (create a
    copy, drop the original), and dropping a table drops its triggers: after such a
    migration the index would silently stop following the table.
    """
    cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
    present = {name for (name,) in cursor.fetchall()}
    broken = [source for source in SOURCES if not set(fts_tables(source) + _triggers(source)) <= present]
    if broken:
        rebuild(cursor, broken)
    return broken


def _ddl(source: Source, fts: str, tokenizer: str) -> list[str]:
    columns = ", ".join(source.columns)
    new = ", ".join(f"new.{column}" for column in source.columns)
    old = ", ".join(f"old.{column}" for column in source.columns)
    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in source.columns)
    delete_old = f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.id, {old});"
    insert_new = f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {new});"
    return [
        (
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
            f"{columns}, content='{source.table}', content_rowid='id', tokenize='{tokenizer}')"
        ),
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {source.table} BEGIN {insert_new} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {source.table} BEGIN {delete_old} END",
        # Saving a request re-writes every column; only a change to the text re-indexes it.
        (
            f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {columns} ON {source.table} "
            f"WHEN {changed} BEGIN {delete_old} {insert_new} END"
        ),
    ]


def match_expression(query: Query) -> str:
    """The FTS5 MATCH string for `query`: every term a quoted string, operators ours."""
    groups = ["(" + " OR ".join(_quote(term) for term in group) + ")" for group in query.groups]
    expression = " AND ".join(groups)
    if query.excluded:
        expression = f"({expression}) NOT (" + " OR ".join(_quote(term) for term in query.excluded) + ")"
    return expression


def _quote(term: Term) -> str:
    if term.kind == "near":
        # FTS5's NEAR(a b, n): at most n tokens between the two phrases, in either order.
        return f"NEAR({_quote(term.near[0])} {_quote(term.near[1])}, {term.distance})"
    quoted = '"' + term.text.replace('"', '""') + '"'
    return quoted + " *" if term.kind == "prefix" else quoted


def ranked_sql(source: Source, query: Query, scope: QuerySet, *, limit: int, offset: int, cap: int):
    """SQL for one page of ranked hits: id, score, matched, snippet and source.details.

    bm25 ranks the first `cap` matches inside `scope`; snippets only for the rows returned.
    """
    fts = _fts_for(source, query)
    match = match_expression(query)
    scope_sql, scope_params = _in_scope(scope, fts)
    # bm25 is lower-is-better; weight earlier columns (a request's title) above later ones.
    weights = "".join(f", {float(len(source.columns) - i)}" for i in range(len(source.columns)))
    sql = f"""
        WITH candidates AS (
            SELECT rowid AS id, -bm25({fts}{weights}) AS score
            FROM {fts}
            WHERE {fts} MATCH %s AND {scope_sql}
            ORDER BY rowid LIMIT %s  -- the first `cap` matches in id order: paging goes on from there
        ),
        top AS (
            SELECT id, score, count(*) OVER () AS matched
            FROM candidates ORDER BY score DESC, id LIMIT %s OFFSET %s
        )
        SELECT top.id, top.score, top.matched,
               snippet({fts}, -1, %s, %s, %s, {SNIPPET_TOKENS}) AS snippet, {source.details}
        FROM top
        JOIN {fts} ON {fts}.rowid = top.id
        JOIN {source.table} AS row ON row.id = top.id
        {source.joins}
        WHERE {fts} MATCH %s
        ORDER BY top.score DESC, top.id
    """
    params = [match, *scope_params, cap, limit, offset, snippets.START, snippets.STOP, snippets.ELLIPSIS, match]
    return sql, params


def _fts_for(source: Source, query: Query) -> str:
    return source.table + ("_fts_exact" if query.has_prefix else "_fts")


def _in_scope(scope: QuerySet, fts: str) -> tuple[str, tuple]:
    """A condition keeping the FTS rows inside `scope`: EXISTS (… WHERE id = fts.rowid).

    Written as `rowid IN (scope)`, SQLite walks the scope's ids and runs the full-text query
    once per id (15 ms for a rare word on 5,000 pages); correlated, the matches drive and each
    is checked by primary key, so the LIMIT bounds the work.
    """
    query = scope.query
    if not query.where and not query.is_sliced and not query.combinator and not query.distinct:
        return "1", ()  # every row (an administrator's search): nothing to check
    correlated = scope.order_by().filter(pk=RawSQL(f"{fts}.rowid", [])).values("pk")
    sql, params = correlated.query.sql_with_params()
    return f"EXISTS ({sql})", params


def match_condition(source: Source, query: Query, after: int | None = None) -> tuple[str, list]:
    """A WHERE condition on the source table: its row matches `query` (and its id is above `after`:
    FTS5 then skips to that rowid instead of listing every match for each keyset chunk)."""
    fts = _fts_for(source, query)
    matches = f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s"
    if after is None:
        return f'"{source.table}"."id" IN ({matches})', [match_expression(query)]
    return f'"{source.table}"."id" IN ({matches} AND rowid > %s)', [match_expression(query), after]


def snippets_sql(source: Source, query: Query, ids: list[int]) -> tuple[str, list]:
    """(id, snippet) for each of `ids` that matches."""
    fts = _fts_for(source, query)
    marks = ", ".join("%s" for _ in ids)
    sql = (
        f"SELECT rowid, snippet({fts}, -1, %s, %s, %s, {SNIPPET_TOKENS}) FROM {fts} "
        f"WHERE {fts} MATCH %s AND rowid IN ({marks})"
    )
    return sql, [snippets.START, snippets.STOP, snippets.ELLIPSIS, match_expression(query), *ids]


def scored_sql(source: Source, query: Query, scope: QuerySet) -> tuple[str, list]:
    """SQL listing every match inside `scope` with its score (higher is better): columns id, score,
    unordered. bm25 over every match: for tables of thousands of rows (requests, letters)."""
    fts = _fts_for(source, query)
    scope_sql, scope_params = _in_scope(scope, fts)
    # bm25 is lower-is-better; weight earlier columns (a request's title) above later ones.
    weights = "".join(f", {float(len(source.columns) - i)}" for i in range(len(source.columns)))
    sql = f"SELECT rowid AS id, -bm25({fts}{weights}) AS score FROM {fts} WHERE {fts} MATCH %s AND {scope_sql}"
    return sql, [match_expression(query), *scope_params]
