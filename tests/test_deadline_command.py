"""`manage.py deadline` on the migrated test database (statutes seeded by migration 0002)."""

import json
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from records.deadlines import DEFAULT_RULES, DISCLAIMER
from records.models import Agency, ClosureDay, Statute
from tests.test_deadlines import deadline_cases, skip_without_cases

pytestmark = pytest.mark.django_db
PROJECT = Path(__file__).resolve().parents[1]


def run(*args):
    out = StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue()


def test_migration_seeds_every_statute():
    assert set(Statute.objects.values_list("code", flat=True)) >= set(DEFAULT_RULES)
    assert Statute.objects.get(code="CPRA").as_rule().response_unit == "calendar"


@pytest.mark.parametrize("row", deadline_cases())
def test_worked_case_through_the_command(row):
    skip_without_cases(row)
    extended = ["--extended"] if row["extended"] == "yes" else []
    lines = run(row["statute"], row["received"], *extended).splitlines()
    assert lines[0] == row["due"], row["why"]
    assert lines[1].startswith(f"Received {row['received']} (day 0")
    assert lines[-1] == DISCLAIMER


def test_json_shape():
    result = json.loads(run("cpra", "2026-11-25", "--json"))
    assert result["statute"] == "CPRA"
    assert (result["received"], result["due"]) == ("2026-11-25", "2026-12-07")
    assert isinstance(result["working"], list) and result["working"][0].startswith("Received 2026-11-25")
    assert {"alt_due", "alt_reason"} <= result.keys()


def test_json_carries_both_dates_on_an_ambiguous_day():
    result = json.loads(run("CPRA", "2026-06-23", "--json"))
    assert (result["due"], result["alt_due"]) == ("2026-07-03", "2026-07-06")
    assert "courts closed, state offices open" in result["alt_reason"]


def test_no_fixed_period():
    assert run("FL-PRA", "2026-11-25").splitlines()[0] == "none"
    assert json.loads(run("OH-PRA", "2026-11-25", "--json"))["due"] is None


def test_tolled_days():
    assert run("FOIA", "2026-11-18", "--tolled-days", "2").splitlines()[0] == "2026-12-21"


def test_calendar_wide_closures_count_but_one_agencys_do_not():
    ClosureDay.objects.create(calendar="CA-JUDICIAL", date=date(2026, 1, 15), reason="Storm closure")
    agency = Agency.objects.create(name="City of Example", level=Agency.CITY, state="CA")
    ClosureDay.objects.create(calendar="CA-JUDICIAL", agency=agency, date=date(2026, 1, 16), reason="Staff day")
    lines = run("CPRA", "2026-01-05").splitlines()
    assert lines[0] == "2026-01-16"  # day 10 (Jan 15) is closed: rolls to Fri Jan 16, the agency's own day ignored
    assert any("Storm closure" in line for line in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOPE", "2026-01-05"], "unknown statute"),
        (["FOIA", "2026-02-30"], "not a date"),
        (["FOIA", "05/01/2026"], "not a date"),
    ],
)
def test_bad_input_exits_2(args, message):
    with pytest.raises(CommandError, match=message) as error:
        run(*args)
    assert error.value.returncode == 2


def test_exit_status_2_from_a_real_process(tmp_path):
    process = subprocess.run(
        [sys.executable, "manage.py", "deadline", "FOIA", "not-a-date"],
        cwd=PROJECT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"},
    )  # fmt: skip
    assert process.returncode == 2, process.stderr
    assert "not a date" in process.stderr
    assert process.stdout == ""
