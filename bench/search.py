"""Search benchmark: synthetic pages, index build, p50/p95 and overlap@20 per query class.

    .venv/bin/python bench/search.py --pages 100000       # 100,000 pages on SQLite
    .venv/bin/python bench/search.py --million            # 1,000,000 pages (reuses a built corpus and engine)
    DATABASE_URL=postgres://tracker:tracker@127.0.0.1/tracker .venv/bin/python bench/search.py

In one run, on the same corpus, for ~10 queries of each class (issue 15):
  app          the search page's code path: Page.objects.visible_to(user) + PageSearchFilter,
               search_pages(..., scope=scope_for_user(...)), top 20 with snippets; for a user who
               sees every team ("all") and for one holding 10 % of the pages ("team")
  app_sql      the same without the engine (the SQL backends, ranking the first 2,000 matches)
  bare_tantivy the engine's query alone (no scope, no database, no snippets): the reference
  bare_tantivy_snippets  the same top 20 from a copy of the engine's index that also stores the
               page text, each with tantivy's own snippet (SnippetGenerator): the issue's
               reference ("bare tantivy ... top 20 with snippets"); built once, beside the engine
  sql_rank_all the best hand-written SQL ranking every match (bm25 / ts_rank), with snippets
Per query, the engine's runners are timed first, then the SQL references (--interleaved: all in
turn each round). overlap@20 compares each with the top 20 of the engine's scoring function evaluated over every
match, the slow way (score them all, keep the user's teams, order by score then page id).
The engine goes to var/bench/engine-<backend>-<N>/ and is reused when it holds the corpus; the
stored-text copy to var/bench/reference-<backend>-<N>/ (--no-reference skips it).

It never touches the dev database: SQLite goes to var/bench/search-<N>.sqlite3, PostgreSQL to a
database named <dev name>_bench_search_<N> on the same server (created if missing). A database that
already holds the same corpus is reused; --fresh regenerates it. Prints one JSON object.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Query classes, a few variants each, with how often the generator plants their words.
RARE_NAMES = [
    "Quillington", "Vexavich", "Orrindottir", "Tamskberg", "Brizosson", "Kaldurelli", "Nimuequist", "Ystraova",
]  # fmt: skip
# issue 15: ~10 queries of each class, stop-word phrases and short prefixes included.
QUERIES = {
    "rare": [name.lower() for name in RARE_NAMES] + ['"quillington vexavich"', "orrindottir OR tamskberg"],
    "frequent": ["records", "department", "request", "the", "of", "staff", "report", "office", "policy", "and"],
    "and": ["contract police", "budget police", "contract audit", "audit budget", "police overtime",
            "records department", "request contract", "staff report", "memo email", "chief office"],
    "phrase": ['"chief of staff"', '"police overtime"', '"records request"', '"budget audit"', '"city council"',
               '"staff report"', '"police department"', '"audit records"', '"contract budget"', '"request records"'],
    "stopword_phrase": ['"of the"', '"in the"', '"to the"', '"and the"', '"it is"', '"of a"', '"on the"',
                        '"from the"', '"that the"', '"one of the"'],
    "prefix": ["investigat*", "negotiat*", "communicat*", "regulat*", "disclos*", "depart*", "contra*",
               "polic*", "budge*", "overti*"],
    "short_prefix": ["rec*", "dep*", "req*", "con*", "pol*", "aud*", "sta*", "off*", "the*", "wor*"],
    "or": ["budget OR audit", "police OR overtime", "contract OR council", "records OR department",
           "memo OR email", "chief OR staff", "quillington OR vexavich", "audit OR overtime", "report OR letter",
           "agency OR meeting"],
    "exclusion": ["records -department", "police -budget", "contract -audit", "department -records",
                  "request -records", "budget -police", "audit -contract", "overtime -police", "council -city",
                  "staff -chief"],
    "near": ["police NEAR/5 overtime", "budget NEAR/5 audit", "chief NEAR/3 staff", "city NEAR/5 council",
             "records NEAR/10 request", "contract NEAR/10 police", "department NEAR/5 records",
             "memo NEAR/5 email", "audit NEAR/10 police", "overtime NEAR/10 budget"],
}  # fmt: skip
PLANTED = {  # word or phrase: share of pages it is planted on
    "records": 0.8, "department": 0.6, "request": 0.5, "contract": 0.1, "police": 0.1, "budget": 0.1,
    "audit": 0.08, "overtime": 0.05, "chief of staff": 0.02, "police overtime": 0.01, "budget audit": 0.01,
    "city council": 0.03, "records request": 0.05,
}  # fmt: skip
PREFIXED = ["investigation", "investigations", "investigated", "negotiation", "negotiated", "communication",
            "communicated", "regulation", "regulatory", "disclosure", "disclosed"]  # fmt: skip
COMMON_WORDS = str.split(
    "the of and to in a is that for it as was with be by on not he this are or his from at which but have an they "
    "you were her she there been one all we their has would when if so no out up said what its about into than them "
    "can only other new some could time these two may then do first any my now such like our over man me even most "
    "made after also did many before must through back years where much your way well down should because each just "
    "those people how too little state good very make world still own see men work long get here between both life "
    "being under never day same another know while last might us great old year off come since against go came right "
    "used take three memo email office officer staff chief report policy agency meeting letter"
)


def main() -> None:
    args = parse_args()
    dev_url = os.environ.get("DATABASE_URL", "")
    os.environ["DATABASE_URL"] = bench_database_url(dev_url, args)
    backend = "postgresql" if dev_url.startswith("postgres") else "sqlite"
    os.environ["SEARCH_ENGINE_DIR"] = str(ROOT / "var" / "bench" / f"engine-{backend}-{args.pages}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    report = {"backend": connection.vendor, "database": connection.settings_dict["NAME"], "pages": args.pages}
    fresh = args.fresh or corpus_size() != args.pages
    if fresh:
        report["insert_seconds"] = generate(args.pages, args.seed)
    rebuild = not args.skip_rebuild or fresh
    if rebuild:
        from records.search import rebuild_index

        report["sql_rebuild_seconds"] = timed(rebuild_index)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE records_page")
    report["engine"] = engine_build(force=rebuild)
    if not args.no_reference:
        report["reference"] = reference_build(force=rebuild)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # fold the load's write-ahead log into the file
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    report["index_bytes"] = index_bytes()
    if not args.load_only:
        report["classes"] = measure_engine(
            args.repeat,
            reference=not args.no_reference,
            interleaved=args.interleaved,
            sql_rank_all=not args.no_sql_rank_all,
            slow_repeat=args.slow_repeat,
            slow_timeout=args.slow_timeout,
        )
        report["summary"] = summary(report["classes"])
        report["indexing_while_uploading"] = indexing_throughput(args.upload_documents)
    output = json.dumps(report, indent=2)
    print(output)
    if args.out:
        Path(args.out).write_text(output)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=200_000)
    parser.add_argument("--million", action="store_const", const=1_000_000, dest="pages")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each query (after one warm-up).")
    parser.add_argument(
        "--slow-repeat", type=int, help="Timed runs of the SQL references (default: --repeat); the warm-up always runs."
    )
    parser.add_argument("--no-sql-rank-all", action="store_true", help="Skip the SQL ranking every match (slow).")
    parser.add_argument(
        "--slow-timeout",
        type=float,
        help="Stop an SQL reference's query after this many seconds; it counts as taking that long "
        "(a lower bound) and the report says how many were stopped (`timeouts`).",
    )
    parser.add_argument("--upload-documents", type=int, default=40, help="50-page uploads for the indexing test.")
    parser.add_argument("--out", help="Also write the JSON report to this file.")
    parser.add_argument("--fresh", action="store_true", help="Regenerate the pages even if the database has them.")
    parser.add_argument(
        "--skip-rebuild", action="store_true", help="Reuse the indexes (SQL and engine) of a corpus built before."
    )
    parser.add_argument(
        "--no-reference", action="store_true", help="Skip bare tantivy with snippets (and building its index)."
    )
    parser.add_argument(
        "--interleaved",
        action="store_true",
        help="Time every runner in turn within each round (the SQL references between the engine's runs).",
    )
    parser.add_argument("--load-only", action="store_true", help="Build the corpus and stop (measure in a later run).")
    return parser.parse_args()


def bench_database_url(dev_url: str, args) -> str:
    if dev_url.startswith("postgres"):
        parts = urlsplit(dev_url)
        # The size in the name: a small trial run never overwrites a million pages built before.
        name = f"{parts.path.lstrip('/')}_bench_search_{args.pages}"
        create_postgres_database(dev_url, name)
        return urlunsplit(parts._replace(path="/" + name))
    path = ROOT / "var" / "bench" / f"search-{args.pages}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def create_postgres_database(dev_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(dev_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def corpus_size() -> int:
    from records.models import Page

    return Page.objects.count()


# -- the corpus ---------------------------------------------------------------------------------


def generate(total: int, seed: int) -> float:
    """Write `total` pages through the ORM (bulk_create). The pages' full-text index is dropped
    first and rebuilt once at the end by rebuild_index (main() does it after a fresh corpus):
    row-by-row upkeep (FTS5 triggers, PostgreSQL's generated tsvector and GIN entries) made a
    million pages take hours, and the rebuild is the same code `rebuild_search_index` runs."""
    from django.db import connection, transaction

    from records.models import Agency, Document, Page, RecordsRequest, Statute, StoredFile, Team
    from records.search.api import backend_for
    from records.search.sources import PAGES

    rng = random.Random(seed)
    sentences = sentence_pool(rng)
    rare_pages = {name: set(rng.sample(range(total), 10)) for name in RARE_NAMES}
    with connection.cursor() as cursor:  # start clean; cascades through every page
        for table in (
            "records_searchoutbox",
            "records_membership",
            "records_page",
            "records_document",
            "records_storedfile",
            "records_recordsrequest",
            "records_team",
        ):
            cursor.execute(f"DELETE FROM {table}")
        backend_for(connection.vendor).uninstall(cursor, [PAGES])
    statute, _ = Statute.objects.get_or_create(
        code="BENCH", defaults={"name": "Bench law", "citation": "-", "calendar": "US-FED"}
    )
    agency, _ = Agency.objects.get_or_create(name="Bench agency", defaults={"level": Agency.CITY})
    teams = [Team.objects.create(name=f"Team {n}", slug=f"bench-{n}") for n in range(10)]

    started = time.perf_counter()
    pages_per_document, batch = 50, []
    for first in range(0, total, pages_per_document):
        if first % 500 == 0:
            team = teams[(first // 500) % len(teams)]
            request = RecordsRequest.objects.create(team=team, title=f"Request {first}", agency=agency, statute=statute)
        stored = StoredFile.objects.create(sha256=f"{seed:08x}{first:056x}", size=1, path="bench")
        document = Document.objects.create(
            request=request, stored_file=stored, original_name=f"release-{first}.pdf", size=1, state="done"
        )
        for index in range(first, min(first + pages_per_document, total)):
            text = page_text(rng, sentences, index, rare_pages)
            batch.append(Page(document=document, number=index - first + 1, text=text, ocr=index % 7 == 0))
        if len(batch) >= 2000:
            with transaction.atomic():
                Page.objects.bulk_create(batch)
            batch = []
            print(f"  {first + pages_per_document:,} pages", file=sys.stderr, end="\r")
    with transaction.atomic():
        Page.objects.bulk_create(batch)
    return round(time.perf_counter() - started, 1)


def sentence_pool(rng: random.Random, size: int = 20_000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    tail = ["".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(60_000)]
    weights = [1 / (rank + 1) for rank in range(len(COMMON_WORDS))]
    pool = []
    for _ in range(size):
        words = rng.choices(COMMON_WORDS, weights, k=10) + rng.choices(tail, k=6)
        rng.shuffle(words)
        pool.append(" ".join(words).capitalize() + ".")
    return pool


def page_text(rng: random.Random, sentences: list[str], index: int, rare_pages: dict) -> str:
    parts = rng.choices(sentences, k=rng.randint(6, 18))
    parts += [planted for planted, share in PLANTED.items() if rng.random() < share]
    if rng.random() < 0.05:
        parts.append(rng.choice(PREFIXED))
    parts += [name for name, pages in rare_pages.items() if index in pages]
    rng.shuffle(parts)
    return " ".join(parts)


# -- measuring ----------------------------------------------------------------------------------


def index_bytes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'records_page_fts%'")
            fts = cursor.fetchone()[0]
            cursor.execute("SELECT sum(pgsize) FROM dbstat WHERE name = 'records_page'")
            return {"fts5_tables": fts, "records_page_table": cursor.fetchone()[0]}
        cursor.execute(
            "SELECT pg_relation_size('records_page_search_vector'), "
            "(SELECT sum(pg_column_size(search_vector)) FROM records_page), pg_total_relation_size('records_page')"
        )
        gin, vectors, table = cursor.fetchone()
        return {"gin_index": gin, "tsvector_column": int(vectors), "records_page_total": table}


def engine_build(force: bool) -> dict:
    """Build the engine from the corpus (or reuse the one that holds it): seconds and bytes."""
    from records.models import Page
    from records.search import engine, outbox

    seconds = None
    try:
        built = engine.page_count()
    except Exception:
        built = -1
    if force or built != Page.objects.count():
        seconds = timed(outbox.rebuild)
    size = sum(path.stat().st_size for path in engine.directory().rglob("*") if path.is_file())
    return {"build_seconds": seconds, "bytes": size, "pages": engine.page_count(), "directory": str(engine.directory())}


def bench_users():
    """A user who sees every team, and one on the first team (10 % of the pages)."""
    from django.contrib.auth.models import User
    from django.db import connection

    from records.models import Membership, Team

    everyone, _ = User.objects.get_or_create(username="bench-all")
    one, _ = User.objects.get_or_create(username="bench-team")
    teams = list(Team.objects.filter(slug__startswith="bench-").order_by("id"))
    for team in teams:
        Membership.objects.get_or_create(user=everyone, team=team, defaults={"role": Membership.VIEWER})
    Membership.objects.get_or_create(user=one, team=teams[0], defaults={"role": Membership.VIEWER})
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of a membership change (migration 0038): searched
        # at once, the planner would still see the tables as before these rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE records_membership, records_team")
    return {"all": everyone, "team": one}


def app_search(user, query: str, *, engine: bool) -> list[int]:
    """The search page's code path: the user's scope, the page's (empty) filters, top 20 with snippets."""
    from django.http import QueryDict

    from records.filters import PageSearchFilter
    from records.models import Page
    from records.search import search_pages
    from records.search.scope import scope_for_user

    filterset = PageSearchFilter(QueryDict(""), queryset=Page.objects.visible_to(user))
    filterset.is_valid()
    scope = scope_for_user(user, filterset.form.cleaned_data) if engine else None
    return [hit.page_id for hit in search_pages(query, pages=filterset.qs, limit=20, scope=scope)]


def bare_tantivy(query: str) -> list[int]:
    """The engine alone: the query over every page, top 20 page ids (no scope, database or snippets)."""
    from records.search import engine, engine_query, parse_query
    from records.search.scope import scope_for_teams

    searcher = engine.searcher()
    found = searcher.search(engine_query.build(parse_query(query), scope_for_teams(None), searcher), limit=20)
    return searcher.fast_field_values("page_id", [address for _, address in found.hits])


def reference_schema():
    """The engine's schema with the page text stored: fields in the same order, so the queries
    engine_query builds against engine.SCHEMA name the same fields here."""
    import tantivy

    from records.search import engine

    builder = tantivy.SchemaBuilder()
    for name in engine.FIELDS_U64:
        builder.add_unsigned_field(name, stored=name == "page_id", indexed=True, fast=True)
    builder.add_text_field("type", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("text", stored=True, tokenizer_name="records_stem", index_option="position")
    builder.add_text_field("exact", tokenizer_name="records_exact", index_option="position")
    builder.add_text_field("pairs", tokenizer_name="whitespace", index_option="freq")
    return builder.build()


_reference = {}


def reference_index(create: bool = False):
    import tantivy

    from records.search import engine

    if "index" not in _reference:
        path = Path(str(engine.directory()).replace("/engine-", "/reference-"))
        if not create and not tantivy.Index.exists(str(path)):
            return None
        path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(reference_schema(), path=str(path), reuse=True)
        index.register_tokenizer("records_stem", engine.STEM)
        index.register_tokenizer("records_exact", engine.EXACT)
        _reference.update(index=index, path=path, schema=reference_schema())
    return _reference["index"]


def reference_build(force: bool) -> dict:
    """The stored-text copy of the engine's index, from the same pages (or the one built before)."""
    from records.models import Page
    from records.search import engine

    index = reference_index(create=True)
    index.reload()
    seconds = None
    if force or index.searcher().num_docs != Page.objects.count():
        started = time.perf_counter()
        writer = index.writer(heap_size=engine.WRITER_HEAP * 2, num_threads=2)
        writer.delete_all_documents()
        engine.add_pages(writer, Page.objects.values(*engine.PAGE_FIELDS).order_by("id").iterator(chunk_size=5000))
        writer.commit()
        writer.wait_merging_threads()
        seconds = round(time.perf_counter() - started, 1)
        index.reload()
    size = sum(path.stat().st_size for path in _reference["path"].rglob("*") if path.is_file())
    return {"build_seconds": seconds, "bytes": size, "pages": index.searcher().num_docs}


def bare_tantivy_snippets(query: str) -> list[int]:
    """bare_tantivy's top 20, each page's text read from the index and its snippet cut by tantivy."""
    import tantivy

    from records.search import engine_query, parse_query
    from records.search.scope import scope_for_teams

    index = reference_index()
    index.reload()  # as every search of the app reloads its reader
    searcher = index.searcher()
    built = engine_query.build(parse_query(query), scope_for_teams(None), searcher)
    found = searcher.search(built, limit=20)
    snippets = tantivy.SnippetGenerator.create(searcher, built, _reference["schema"], "text")
    page_ids = []
    for _, address in found.hits:
        page = searcher.doc(address)
        snippets.snippet_from_doc(page).to_html()
        page_ids.append(page["page_id"][0])
    return page_ids


def every_match_top20(query: str, team_ids: set[int] | None, teams_of: dict) -> list[int]:
    """The slow way: the engine's score for every match, the user's teams kept, (score, id) order."""
    from records.search import engine, engine_query, parse_query
    from records.search.scope import scope_for_teams

    searcher = engine.searcher()
    built = engine_query.build(parse_query(query), scope_for_teams(None), searcher)
    total = searcher.search(built, limit=1, count=True).count
    if not total:
        return []
    found = searcher.search(built, limit=total, count=False)
    ids = searcher.fast_field_values("page_id", [address for _, address in found.hits])
    every = [
        (-score, pk)
        for (score, _), pk in zip(found.hits, ids, strict=True)
        if team_ids is None or teams_of[pk] in team_ids
    ]
    return [pk for _, pk in sorted(every)[:20]]


def measure_engine(
    repeat: int,
    sql_rank_all: bool,
    slow_repeat: int | None = None,
    slow_timeout: float | None = None,
    reference: bool = False,
    interleaved: bool = False,
) -> dict:
    from records.models import Document, Page

    slow_repeat = repeat if slow_repeat is None else max(1, slow_repeat)
    users = bench_users()
    team_ids = {"all": None, "team": {users["team"].memberships.get().team_id}}
    documents_team = dict(Document.objects.values_list("pk", "request__team_id"))
    teams_of = {pk: documents_team[doc] for pk, doc in Page.objects.values_list("pk", "document_id").iterator()}
    runners = {
        "app_all": lambda q: app_search(users["all"], q, engine=True),
        "app_team": lambda q: app_search(users["team"], q, engine=True),
        "app_sql_all": lambda q: app_search(users["all"], q, engine=False),
        "app_sql_team": lambda q: app_search(users["team"], q, engine=False),
        "bare_tantivy": bare_tantivy,
    }
    if reference:
        runners["bare_tantivy_snippets"] = bare_tantivy_snippets
    if sql_rank_all:
        runners["sql_rank_all"] = lambda q: [row[0] for row in plain_sql(q, cap=None)][:20]
    if slow_timeout:
        for name in SLOW_RUNNERS:
            if name in runners:
                runners[name] = within(slow_timeout, runners[name])
    timeouts = dict.fromkeys(runners, 0)
    results = {}
    for name, variants in QUERIES.items():
        samples = {runner: [] for runner in runners}
        overlaps = {runner: [] for runner in runners if not runner.startswith("bare_tantivy")}
        for variant in variants:
            references = {scope: every_match_top20(variant, ids, teams_of) for scope, ids in team_ids.items()}
            # The engine's runners first, then the SQL references: a reference's scan of the whole
            # table (seconds) evicts the rows the next search reads back, and the engine's runner
            # timed right after it paid for that, not for its own work (--interleaved to see it).
            phases = [list(runners)] if interleaved else [
                [runner for runner in runners if runner not in SLOW_RUNNERS],
                [runner for runner in runners if runner in SLOW_RUNNERS],
            ]  # fmt: skip
            for phase in phases:
                for runner in phase:
                    found = runners[runner](variant)  # warm-up, and the hits compared
                    if found is TIMED_OUT:
                        timeouts[runner] += 1
                    elif runner in overlaps:
                        reference = references["team" if runner.endswith("_team") else "all"]
                        overlaps[runner].append(overlap(found, reference))
                for round_ in range(repeat):
                    for runner in phase:
                        if runner in SLOW_RUNNERS and round_ >= slow_repeat:
                            continue
                        started = time.perf_counter()
                        found = runners[runner](variant)
                        took = (time.perf_counter() - started) * 1000
                        timeouts[runner] += found is TIMED_OUT
                        samples[runner].append(max(took, slow_timeout * 1000) if found is TIMED_OUT else took)
        results[name] = {
            runner: {"p50": round(statistics.median(times), 1), "p95": round(percentile(times, 95), 1)}
            for runner, times in samples.items()
        }
        for runner, values in overlaps.items():
            results[name][runner]["overlap@20"] = round(statistics.mean(values), 3) if values else None
        for runner, count in timeouts.items():
            if count:
                # Runs stopped at --slow-timeout (warm-ups too); overlap is over the queries that finished.
                results[name][runner]["timeouts"] = count
        timeouts = dict.fromkeys(timeouts, 0)
        results[name]["queries"] = variants
    return results


TIMED_OUT = object()


def within(seconds: float, run):
    """`run`, its SQL stopped after `seconds` (PostgreSQL's statement_timeout; SQLite's progress
    handler): returns TIMED_OUT instead of the hits when it was."""
    from django.db import OperationalError, connection, transaction

    def bounded(query: str):
        if connection.vendor == "postgresql":
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SET LOCAL statement_timeout = %s", [int(seconds * 1000)])
                    return run(query)
            except OperationalError:  # QueryCanceled
                return TIMED_OUT
        connection.ensure_connection()
        deadline = time.perf_counter() + seconds
        connection.connection.set_progress_handler(lambda: int(time.perf_counter() > deadline), 100_000)
        try:
            return run(query)
        except OperationalError:  # "interrupted"
            return TIMED_OUT
        finally:
            connection.connection.set_progress_handler(None, 0)

    return bounded


# The SQL references: at 1,000,000 pages a frequent word takes seconds a run there.
SLOW_RUNNERS = ("app_sql_all", "app_sql_team", "sql_rank_all")


def overlap(found: list[int], reference: list[int]) -> float:
    if not reference:
        return 1.0 if not found else 0.0
    return len(set(found[:20]) & set(reference)) / len(reference)


def summary(classes: dict) -> dict:
    """Per class: the app's p95 (all, team), its ratio to bare tantivy, and its overlap@20."""
    rows = {}
    for name, row in classes.items():
        bare = max(row["bare_tantivy"]["p95"], 0.1)
        rows[name] = {
            "app_p95_all": row["app_all"]["p95"],
            "app_p95_team": row["app_team"]["p95"],
            "x_bare_tantivy": round(row["app_all"]["p95"] / bare, 1),
            "x_bare_tantivy_snippets": (
                round(row["app_all"]["p95"] / max(row["bare_tantivy_snippets"]["p95"], 0.1), 1)
                if "bare_tantivy_snippets" in row
                else None
            ),
            "overlap_all": row["app_all"]["overlap@20"],
            "overlap_team": row["app_team"]["overlap@20"],
            "sql_app_overlap_all": row["app_sql_all"]["overlap@20"],
            "sql_rank_all_p95": row.get("sql_rank_all", {}).get("p95"),
        }
    return rows


def indexing_throughput(documents: int) -> dict:
    """Uploads land (50 pages a document, queued in the outbox as the pipeline does) while the
    search worker drains and a reader searches in between: pages indexed per second of drain,
    and the search p95 meanwhile. The uploads are removed afterwards (and from the engine)."""
    from django.db import transaction

    from records.models import Document, Page, RecordsRequest, StoredFile
    from records.search import outbox

    rng = random.Random(99)
    sentences = sentence_pool(rng, size=2000)
    request = RecordsRequest.objects.filter(team__slug="bench-0").first()
    users = bench_users()
    drain_seconds, searches, added, uploaded = 0.0, [], 0, []
    started = time.perf_counter()
    for n in range(documents):
        with transaction.atomic():
            stored = StoredFile.objects.create(sha256=f"{n:064x}"[-64:].replace("0", "f", 1), size=1, path="bench")
            document = Document.objects.create(
                request=request, stored_file=stored, original_name=f"upload-{n}.pdf", size=1, state="done"
            )
            pages = [Page(document=document, number=i, text=page_text(rng, sentences, i, {})) for i in range(1, 51)]
            Page.objects.bulk_create(pages)
            outbox.queue_document(document.pk)
        uploaded.append(document)
        added += 50
        if n % 5 == 4:
            drain_seconds += timed(outbox.drain, digits=6)
            searches.append(timed(lambda: app_search(users["all"], "records", engine=True), digits=6) * 1000)
    drain_seconds += timed(outbox.drain, digits=6)
    wall = time.perf_counter() - started
    for document in uploaded:
        document.delete()
        document.stored_file.delete()
    outbox.drain()
    return {
        "pages_uploaded": added,
        "pages_per_second_of_drain": round(added / drain_seconds) if drain_seconds else None,
        "pages_per_second_overall": round(added / wall),
        "search_p95_ms_meanwhile": round(percentile(searches, 95), 1) if searches else None,
    }


def plain_sql(text: str, cap: int | None) -> list:
    """The same search written by hand against the same index: no scope, no ORM."""
    from django.db import connection

    from records.search import parse_query
    from records.search.postgres import HEADLINE_OPTIONS, tsquery_sql
    from records.search.sqlite import match_expression

    query = parse_query(text)
    limit = f"LIMIT {cap}" if cap else ""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            fts = "records_page_fts_exact" if query.has_prefix else "records_page_fts"
            match = match_expression(query)
            cursor.execute(
                f"""
                WITH candidates AS (SELECT rowid AS id, -bm25({fts}) AS score FROM {fts} WHERE {fts} MATCH %s {limit}),
                top AS (SELECT id, score FROM candidates ORDER BY score DESC LIMIT 21)
                SELECT top.id, snippet({fts}, -1, '[', ']', '…', 24), p.number, p.ocr, d.id, d.request_id, d.original_name
                FROM top JOIN {fts} ON {fts}.rowid = top.id JOIN records_page p ON p.id = top.id
                JOIN records_document d ON d.id = p.document_id
                WHERE {fts} MATCH %s ORDER BY top.score DESC
                """,
                [match, match],
            )
        else:
            tsquery, params = tsquery_sql(query)
            config = "simple" if query.has_prefix else "english"
            cursor.execute(
                f"""
                WITH candidates AS (
                    SELECT id, ts_rank(search_vector, {tsquery}, 1) AS score
                    FROM records_page WHERE search_vector @@ {tsquery} {limit}
                ),
                top AS (SELECT id, score FROM candidates ORDER BY score DESC LIMIT 21)
                SELECT top.id, ts_headline('{config}', p.text, {tsquery}, %s), p.number, p.ocr,
                       d.id, d.request_id, d.original_name
                FROM top JOIN records_page p ON p.id = top.id JOIN records_document d ON d.id = p.document_id
                ORDER BY top.score DESC
                """,
                [*params, *params, *params, HEADLINE_OPTIONS],
            )
        return cursor.fetchall()


def timed(function, digits: int = 1) -> float:
    started = time.perf_counter()
    function()
    return round(time.perf_counter() - started, digits)


def percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
