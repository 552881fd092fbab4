"""Load N requests into a throwaway database and time the request list.

    .venv/bin/python bench/seed_requests.py [--count 10000] [--runs 20]

Prints JSON: the query count of one list render and the median / p95 page time.
Uses its own SQLite file under var/bench/ unless DATABASE_URL is set (then it uses that database's
test copy through Django's test runner machinery).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    import django
    from django.test.utils import get_runner, setup_test_environment

    django.setup()
    from django.conf import settings

    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        print(json.dumps(run(args.count, args.runs), indent=2))
    finally:
        runner.teardown_databases(old)


def run(count: int, runs: int) -> dict:
    from django.db import connection, connections, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from records.demo import seed_bulk_requests, seed_demo

    team = seed_demo()
    t0 = time.perf_counter()
    seed_bulk_requests(team, count)
    seed_seconds = time.perf_counter() - t0
    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="demo"))
    urls = {
        "plain": reverse("request_list"),
        "filtered": reverse("request_list") + "?open=true&ordering=-sent&q=ALPR",
        "page 100": reverse("request_list") + "?page=100",
    }
    result = {"backend": connection.vendor, "requests": team.requests.count(), "seed_seconds": round(seed_seconds, 2)}
    for label, url in urls.items():
        reset_queries()  # the log is a bounded deque, already full after seeding
        with CaptureQueriesContext(connections["default"]) as queries:
            client.get(url)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        times.sort()
        result[label] = {
            "queries": len(queries),
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        }
    return result


if __name__ == "__main__":
    main()
