"""Request and letter search benchmark (issue 15): search_requests over every match.

    .venv/bin/python bench/search_requests.py                         # SQLite, var/bench/requests.sqlite3
    DATABASE_URL=postgres://tracker@127.0.0.1:55433/requests .venv/bin/python bench/search_requests.py

Generates (once; --fresh to redo) a desk with 3,000 requests and 50,000 communications (letters,
emails) and a second team with 500 requests and 5,000 communications, then times
search_requests(q, requests=RecordsRequest.objects.for_team(desk), limit=10) as the search page
calls it, per query class: the first screen, and a screen at offset 2,000. Prints p50/p95 in ms
and the match counts as JSON. It never touches the dev database: PostgreSQL goes to
<dev name>_bench_requests on the same server.
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
    from records.search import search_requests

    desk = RecordsRequest.objects.for_team(Team.objects.get(slug="bench-desk"))
    report = {"backend": connection.vendor, "communications": Communication.objects.count(), "classes": {}}
    for name, queries in QUERIES.items():
        first, deep, matched = [], [], []
        for query in queries:
            search_requests(query, requests=desk, limit=10)  # warm-up
            for _ in range(args.repeat):
                first.append(timed(lambda q=query: search_requests(q, requests=desk, limit=10)))
                deep.append(timed(lambda q=query: search_requests(q, requests=desk, limit=10, offset=2000)))
            results = search_requests(query, requests=desk, limit=10, offset=2000)
            matched.append((results.matched, len(results.hits)))
        report["classes"][name] = {
            "first_screen_ms": percentiles(first),
            "offset_2000_ms": percentiles(deep),
            "matched_and_hits_at_2000": matched,
        }
    print(json.dumps(report, indent=2))


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
