"""Search benchmark: synthetic pages, index build, p50/p95 per query class, API vs plain SQL.

    .venv/bin/python bench/search.py                      # 200,000 pages on SQLite
    .venv/bin/python bench/search.py --million            # 1,000,000 pages
    DATABASE_URL=postgres://tracker:tracker@127.0.0.1/tracker .venv/bin/python bench/search.py

It never touches the dev database: SQLite goes to var/bench/search-<N>.sqlite3, PostgreSQL to a
database named <dev name>_bench_search on the same server (created if missing). A database that
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
QUERIES = {
    "rare": [name.lower() for name in RARE_NAMES[:5]],
    "common": ["records", "department", "records request", "the"],
    "and": ["contract police", "budget police", "contract audit", "audit budget", "police overtime"],
    "phrase": ['"chief of staff"', '"police overtime"', '"records request"', '"budget audit"', '"city council"'],
    "prefix": ["investigat*", "negotiat*", "communicat*", "regulat*", "disclos*"],
}
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
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    report = {"backend": connection.vendor, "database": connection.settings_dict["NAME"], "pages": args.pages}
    if args.fresh or corpus_size() != args.pages:
        report["insert_seconds"] = generate(args.pages, args.seed)
    if not args.skip_rebuild:
        with open(os.devnull, "w") as devnull:
            report["rebuild_seconds"] = timed(lambda: call_command("rebuild_search_index", stdout=devnull))
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE records_page")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # fold the load's write-ahead log into the file
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    report["index_bytes"] = index_bytes()
    if not args.load_only:
        report["latency_ms"] = measure(args.repeat, naive=args.naive)
    print(json.dumps(report, indent=2))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=200_000)
    parser.add_argument("--million", action="store_const", const=1_000_000, dest="pages")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=10, help="Runs of each query variant (after one warm-up).")
    parser.add_argument("--fresh", action="store_true", help="Regenerate the pages even if the database has them.")
    parser.add_argument("--skip-rebuild", action="store_true", help="Don't time rebuild_search_index.")
    parser.add_argument("--naive", action="store_true", help="Also time ranking every match (slow on big corpora).")
    parser.add_argument("--load-only", action="store_true", help="Build the corpus and stop (measure in a later run).")
    return parser.parse_args()


def bench_database_url(dev_url: str, args) -> str:
    if dev_url.startswith("postgres"):
        parts = urlsplit(dev_url)
        name = parts.path.lstrip("/") + "_bench_search"
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
    """Write `total` pages through the ORM (bulk_create: the database indexes them as they land)."""
    from django.db import connection, transaction

    from records.models import Agency, Document, Page, RecordsRequest, Statute, StoredFile, Team

    rng = random.Random(seed)
    sentences = sentence_pool(rng)
    rare_pages = {name: set(rng.sample(range(total), 10)) for name in RARE_NAMES}
    with connection.cursor() as cursor:  # start clean; cascades through every page
        for table in (
            "records_page",
            "records_document",
            "records_storedfile",
            "records_recordsrequest",
            "records_team",
        ):
            cursor.execute(f"DELETE FROM {table}")
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


def measure(repeat: int, naive: bool) -> dict:
    from records.models import Page, Team
    from records.search import search_pages

    team = Team.objects.order_by("id").first()
    runners = {
        "api": lambda q: search_pages(q, pages=Page.objects.all(), limit=20).hits,
        "api_one_team": lambda q: search_pages(q, pages=Page.objects.for_team(team), limit=20).hits,
        "plain_sql": lambda q: plain_sql(q, cap=2001),
    }
    if naive:
        runners["plain_sql_rank_all"] = lambda q: plain_sql(q, cap=None)
    results = {}
    for name, variants in QUERIES.items():
        samples = {runner: [] for runner in runners}
        hits = {}
        for variant in variants:
            for runner, run in runners.items():
                hits.setdefault(runner, []).append(len(run(variant)))  # warm-up
            for _ in range(repeat):
                for runner, run in runners.items():
                    samples[runner].append(timed(lambda run=run, variant=variant: run(variant), digits=6) * 1000)
        results[name] = {
            runner: {"p50": round(statistics.median(times), 1), "p95": round(percentile(times, 95), 1)}
            for runner, times in samples.items()
        }
        results[name]["hits_per_variant"] = hits["api"]
        results[name]["queries"] = variants
    return results


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
