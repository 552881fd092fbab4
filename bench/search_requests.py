"""Request and letter search benchmark (issue 15): search_requests over every match.

    .venv/bin/python bench/search_requests.py                         # SQLite, var/bench/requests.sqlite3
    DATABASE_URL=postgres://tracker@127.0.0.1:55433/requests .venv/bin/python bench/search_requests.py

Generates (once; --fresh to redo) a desk with 3,000 requests and 50,000 communications (letters,
emails) and a second team with 500 requests and 5,000 communications, builds the engine's
letters index (var/bench/engine-requests-<database>, timed), then times
search_requests(q, requests=RecordsRequest.objects.for_team(desk), limit=10) as the search page
calls it, per query class, through the engine and through the database's ranking
(SEARCH_ENGINE off, as when the engine can't answer): the first screen, and a screen at offset
2,000. Prints p50/p95 in ms, the match counts of both (they must agree), and the engine's
correctness: its top 10 against the top 10 of every match ranked the slow way (every match's
score read from the engine, sorted by score then key). Then writes 5,000 new letters for the
second team through the triggers' outbox and, while they wait, times the desk's first screens
again (they must stay in the engine: the backlog is not the desk's), then times their drain.
It never touches the dev database: PostgreSQL goes to <dev name>_bench_requests on the same
server.
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

COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "records",
    "request",
    "department",
    "police",
    "contract",
    "city",
    "council",
    "budget",
    "audit",
    "report",
    "staff",
    "office",
    "letter",
    "email",
    "agency",
    "response",
    "fee",
    "extension",
    "denied",
    "granted",
    "documents",
    "public",
    "act",
    "law",
]
QUERIES = {
    "rare": ["quillington", "vexavich", "orrindottir", "tamskberg", "brizosson"],
    "frequent": ["records", "request", "department", "the", "police"],
    "and": ["police contract", "records department", "budget audit", "fee extension", "city council"],
    "phrase": ['"records request"', '"police department"', '"city council"', '"fee extension"', '"of the"'],
    "prefix": ["rec*", "depart*", "contra*", "polic*", "exten*"],
    "or": ["budget OR audit", "fee OR extension", "quillington OR vexavich", "denied OR granted", "memo OR email"],
}
RARE = QUERIES["rare"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communications", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    dev_url = os.environ.get("DATABASE_URL", "")
    os.environ["DATABASE_URL"] = bench_database_url(dev_url)
    vendor = "postgresql" if dev_url.startswith("postgres") else "sqlite"
    os.environ["SEARCH_ENGINE_DIR"] = str(ROOT / "var" / "bench" / f"engine-requests-{vendor}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from records.models import Communication, RecordsRequest, Team

    call_command("migrate", verbosity=0)
    if args.fresh or Communication.objects.count() != args.communications + args.communications // 10:
        generate(args.requests, args.communications)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE records_recordsrequest; ANALYZE records_communication")
    from django.conf import settings

    from records.models import SearchOutbox
    from records.search import letters, search_requests

    started = time.perf_counter()
    built = letters.rebuild()
    report = {
        "backend": connection.vendor,
        "communications": Communication.objects.count(),
        "engine_build_s": round(time.perf_counter() - started, 1),
        "engine_rows": built,
        "engine_mb": round(sum(f.stat().st_size for f in engine_dir().rglob("*") if f.is_file()) / 2**20, 1),
        "classes": {},
    }
    SearchOutbox.objects.filter(target__in=letters.TARGETS).delete()  # the generator's rows: built above
    desk = RecordsRequest.objects.for_team(Team.objects.get(slug="bench-desk"))
    for name, queries in QUERIES.items():
        entry = {}
        for path, engine_on in (("engine", True), ("database", False)):
            settings.SEARCH_ENGINE = engine_on
            first, deep, matched = [], [], []
            for query in queries:
                search_requests(query, requests=desk, limit=10)  # warm-up
                for _ in range(args.repeat):
                    first.append(timed(lambda q=query: search_requests(q, requests=desk, limit=10)))
                    deep.append(timed(lambda q=query: search_requests(q, requests=desk, limit=10, offset=2000)))
                results = search_requests(query, requests=desk, limit=10, offset=2000)
                matched.append((results.matched, len(results.hits)))
            entry[path] = {"first_screen_ms": percentiles(first), "offset_2000_ms": percentiles(deep)}
            entry[path]["matched_and_hits_at_2000"] = matched
        settings.SEARCH_ENGINE = True
        entry["counts_agree"] = (
            entry["engine"]["matched_and_hits_at_2000"] == entry["database"]["matched_and_hits_at_2000"]
        )
        entry["engine_top10_vs_every_match"] = [top10_overlap(query, desk) for query in queries]
        report["classes"][name] = entry
    report["drain_5000_letters"] = drain_figures(Team.objects.get(slug="bench-other"), desk, args.repeat)
    print(json.dumps(report, indent=2))


def engine_dir() -> Path:
    from records.search import engine

    return engine.directory(engine.LETTERS)


def top10_overlap(query: str, desk) -> float:
    """The app's first 10 against the first 10 of every match ranked the slow way: every
    matching row's score from the engine (no early stop, no tie shortcuts), sorted by score then key."""
    from records.search import engine, engine_query, letters, parse_query, search_requests
    from records.search.engine_query import EngineScope

    parsed = parse_query(query)
    searcher = engine.searcher(engine.LETTERS)
    scope = EngineScope(team_ids=None, request_ids=tuple(desk.values_list("pk", flat=True)))
    built = engine_query.build(parsed, scope, searcher, kind=engine.LETTERS)
    every = searcher.search(built, limit=max(1, searcher.num_docs)).hits
    keys = searcher.fast_field_values("key", [address for _, address in every])
    best = sorted(zip((score for score, _ in every), keys, strict=True), key=lambda pair: (-pair[0], pair[1]))[:10]
    truth = {letters.split_key(key) for _, key in best}
    shown = {
        (letters.REQUEST, hit.request_id) if hit.kind == "request" else (letters.COMMUNICATION, hit.communication_id)
        for hit in search_requests(parsed, requests=desk, limit=10).hits
    }
    return round(len(truth & shown) / max(1, len(truth)), 2)


def drain_figures(team, desk, repeat: int) -> dict:
    """Letters written through the ORM (the triggers queue them); the desk's searches while they
    wait; then one drain: its rate."""
    import datetime as dt

    from records.models import Communication, RecordsRequest
    from records.search import outbox

    request = RecordsRequest.objects.filter(team=team).first()
    rng = random.Random(11)
    rows = [
        Communication(request=request, direction="in", date=dt.date(2026, 2, 1), subject=f"new {n}",
                      body=" ".join(rng.choices(COMMON, k=150)))
        for n in range(5_000)
    ]  # fmt: skip
    started = time.perf_counter()
    Communication.objects.bulk_create(rows, batch_size=1000)
    written = time.perf_counter() - started
    during = searches_during_backlog(desk, repeat)
    started = time.perf_counter()
    done = outbox.drain()
    drained = time.perf_counter() - started
    Communication.objects.filter(request=request, subject__startswith="new ").delete()
    outbox.drain()
    return {
        "rows": done,
        "write_s": round(written, 2),
        "drain_s": round(drained, 2),
        "rows_per_s": round(done / drained),
        "desk_first_screen_ms_while_queued": during,
    }


def searches_during_backlog(desk, repeat: int) -> dict:
    """The desk's first screens while another team's letters wait for the worker, per class, and
    how many of them the database ranked instead of the engine (0: the backlog is not theirs)."""
    from records.search import api, search_requests

    database_ranked = []
    ranked_in_database = api._ranked

    def counted(*args, **kwargs):
        database_ranked.append(1)
        return ranked_in_database(*args, **kwargs)

    api._ranked = counted
    try:
        figures = {}
        for name, queries in QUERIES.items():
            times = [timed(lambda q=q: search_requests(q, requests=desk, limit=10)) for q in queries * repeat]
            figures[name] = percentiles(times)
    finally:
        api._ranked = ranked_in_database
    figures["database_ranked"] = len(database_ranked)
    return figures


def bench_database_url(dev_url: str) -> str:
    if dev_url.startswith("postgres"):
        import psycopg

        parts = urlsplit(dev_url)
        name = parts.path.lstrip("/") + "_bench_requests"
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        return urlunsplit(parts._replace(path="/" + name))
    path = ROOT / "var" / "bench" / "requests.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def generate(requests: int, communications: int) -> None:
    import datetime as dt

    from django.db import transaction

    from records.models import Agency, Communication, RecordsRequest, Statute, Team

    rng = random.Random(7)
    tail = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 10))) for _ in range(20_000)]
    weights = [1 / (rank + 1) for rank in range(len(COMMON))]

    def text(words: int, index: int) -> str:
        chosen = rng.choices(COMMON, weights, k=words * 2 // 3) + rng.choices(tail, k=words // 3)
        if index % 5_000 == 0:  # about ten rows per rare word
            chosen.append(RARE[(index // 5_000) % len(RARE)])
        rng.shuffle(chosen)
        return " ".join(chosen)

    with transaction.atomic():
        Team.objects.filter(slug__startswith="bench-").delete()
        statute, _ = Statute.objects.get_or_create(
            code="BENCH", defaults={"name": "Bench law", "citation": "-", "calendar": "US-FED"}
        )
        agency, _ = Agency.objects.get_or_create(name="Bench agency", defaults={"level": Agency.CITY})
        for slug, share in (("bench-desk", 1), ("bench-other", 10)):
            team = Team.objects.create(name=slug, slug=slug)
            made = RecordsRequest.objects.bulk_create(
                RecordsRequest(team=team, title=text(8, n), body=text(120, n), agency=agency, statute=statute)
                for n in range(requests // share)
            )
            letters = (
                Communication(
                    request=made[n % len(made)],
                    direction="in",
                    date=dt.date(2026, 1, 1),
                    subject=text(8, n + 1),
                    body=text(150, n + 1),
                )  # fmt: skip
                for n in range(communications // share)
            )
            Communication.objects.bulk_create(letters, batch_size=2000)


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1),
    }


if __name__ == "__main__":
    main()
