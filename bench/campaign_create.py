"""Time a 500-agency campaign through the functions the campaign pages use.

    .venv/bin/python bench/campaign_create.py [--agencies 500]

Builds the preview from a pasted list of 500 names (records.campaigns.plan.build_plan, as the form does),
then confirms it (plan.confirm_draft: one transaction, as the preview page does), then renders the board.
Prints JSON with the seconds of each step and the board's query count. Uses a throwaway test database
(SQLite, or DATABASE_URL's server).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
STATES = ["CA", "TX", "NY", "IL", "FL", "WA", "PA", "MA", "MI", "NJ", "GA", "OH"]


def run(count: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from records.campaigns import plan
    from records.demo import seed_demo
    from records.models import Agency, Campaign

    team = seed_demo()
    user = team.memberships.get(role="admin").user
    Agency.objects.bulk_create(
        Agency(name=f"Bench Police Department {i:04d}", level=("city", "county", "state")[i % 3], state=STATES[i % 12])
        for i in range(count)
    )
    names = [f"Bench Police Department {i:04d}" for i in range(count)]
    t0 = time.perf_counter()
    draft = plan.create_draft(
        plan.build_plan(
            title="Bench", request_text="To {{ agency.name }}, under {{ statute.citation }}: ALPR.", lines=names
        ),
        team=team,
        user=user,
    )
    preview_seconds = time.perf_counter() - t0
    t0, cpu0 = time.perf_counter(), time.process_time()
    campaign, _ = plan.confirm_draft(draft, plan.choices_from_post(draft.plan, {}), user=user)
    create_seconds, create_cpu = time.perf_counter() - t0, time.process_time() - cpu0
    client = Client()
    client.force_login(user)
    url = reverse("campaign_board", args=[campaign.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        response = client.get(url)
        board_seconds = time.perf_counter() - t0
    assert response.status_code == 200
    return {
        "backend": connection.vendor,
        "agencies": count,
        "requests_created": Campaign.objects.get(pk=campaign.pk).requests.count(),
        "preview_seconds": round(preview_seconds, 2),
        "create_seconds": round(create_seconds, 2),
        "create_cpu_seconds": round(create_cpu, 2),  # this process only: the machine may be shared
        "board_seconds": round(board_seconds, 2),
        "board_queries": len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=500)
    args = parser.parse_args()

    import django
    from django.test.utils import get_runner, setup_test_environment

    django.setup()
    from django.conf import settings

    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        print(json.dumps(run(args.agencies), indent=2))
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
