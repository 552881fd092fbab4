"""`manage.py update_statutes`: corrected statute rules reach a deployed tracker, a team's edits stay."""

import copy
import datetime as dt
import importlib
import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from records import statute_data
from records.models import Statute
from records.statute_updates import plan_updates, shipped_values

from . import factories

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("update_statutes", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def shipped(monkeypatch):
    """A copy of the shipped data the test may correct, as a new release would."""
    data = copy.deepcopy(statute_data.STATUTES)
    monkeypatch.setattr(statute_data, "STATUTES", data)
    return data


def test_a_fresh_database_matches_the_shipped_data():
    assert plan_updates() == []
    assert "nothing to update" in run()
    for row in Statute.objects.filter(code__in=list(statute_data.STATUTES)):
        assert row.seeded_values == shipped_values(row.code) and row.edited_fields() == [], row.code


def test_the_migrations_seed_the_audited_rules():
    # 0002's frozen seed plus 0013's frozen corrections: the audit's rules, e.g. Illinois rolls forward.
    assert Statute.objects.get(code="IL-FOIA").roll_forward is True
    assert "Patriots' Day" in Statute.objects.get(code="MA-PRL").notes


def test_a_correction_is_shown_field_by_field_and_written_only_with_apply(shipped):
    shipped["NY-FOIL"]["response_days"] = 6
    shipped["NY-FOIL"]["notes"] += "\nA new line of notes."
    output = run()
    assert "NY-FOIL:" in output and "  response_days: 5 → 6" in output
    assert "    + A new line of notes." in output
    assert "Nothing written: run again with --apply" in output
    assert Statute.objects.get(code="NY-FOIL").response_days == 5

    output = run("--apply")
    assert "  applied" in output
    row = Statute.objects.get(code="NY-FOIL")
    assert row.response_days == 6 and row.notes.endswith("A new line of notes.")
    assert row.seeded_values["response_days"] == 6 and row.edited_fields() == []
    assert plan_updates() == []


def test_applying_recomputes_open_requests_under_the_changed_statute(shipped, team):
    agency = factories.make_agency(level="state", state="NY")
    request = factories.make_request(team, agency=agency, code="NY-FOIL", sent=dt.date(2026, 11, 30))
    assert request.due_date == dt.date(2026, 12, 7)  # 5 business days
    shipped["NY-FOIL"]["response_days"] = 10
    run("--apply")
    request.refresh_from_db()
    assert request.due_date == dt.date(2026, 12, 14)


def test_a_statute_edited_locally_is_left_alone_unless_forced(shipped):
    Statute.objects.filter(code="CPRA").update(notes="Our counsel's reading.")
    shipped["CPRA"]["response_days"] = 12
    output = run("--apply")
    assert "CPRA: (edited locally: notes)" in output
    assert "skipped: CPRA was edited locally (notes): left as it is. Use --force CPRA" in output
    row = Statute.objects.get(code="CPRA")
    assert (row.response_days, row.notes) == (10, "Our counsel's reading.")

    run("--apply", "--force", "cpra")
    row = Statute.objects.get(code="CPRA")
    assert row.response_days == 12 and row.notes == shipped["CPRA"]["notes"] and row.edited_fields() == []


def test_a_local_edit_shows_as_a_difference_naming_the_edited_fields():
    Statute.objects.filter(code="CPRA").update(notes="Our counsel's reading.")
    assert [u.code for u in plan_updates()] == ["CPRA"]  # differs from the shipped data: shown, edited
    assert plan_updates()[0].edited_locally == ["notes"]


def test_a_statute_the_team_added_is_never_touched(shipped):
    Statute.objects.create(code="LOCAL", name="City ordinance", citation="Muni. Code 1", calendar="US-FED")
    assert "LOCAL" not in run("--apply")
    assert Statute.objects.filter(code="LOCAL").exists()


def test_a_new_shipped_statute_is_created(shipped):
    shipped["VT-PRA"] = {
        "code": "VT-PRA", "name": "Vermont Public Records Act", "citation": "1 V.S.A. 315 et seq.",
        "calendar": "US-FED", "response_days": 3, "response_citation": "1 V.S.A. 318(a)",
    }  # fmt: skip
    assert "VT-PRA: new statute" in run()
    assert not Statute.objects.filter(code="VT-PRA").exists()
    run("--apply")
    assert Statute.objects.get(code="VT-PRA").response_days == 3


def test_json_lists_each_change(shipped):
    shipped["NJ-OPRA"]["response_days"] = 8
    [update] = json.loads(run("--json"))
    assert update["code"] == "NJ-OPRA" and update["action"] == "update" and update["applied"] is False
    assert update["changes"] == [{"field": "response_days", "old": 7, "new": 8}]


def test_an_unknown_code_is_exit_status_2():
    with pytest.raises(CommandError, match="Unknown statute code NOPE") as error:
        call_command("update_statutes", "--apply", "--force", "NOPE", stdout=StringIO())
    assert error.value.returncode == 2


def test_migration_0013_keeps_an_edited_row_and_marks_it_edited():
    migration = importlib.import_module("records.migrations.0013_deadlines")
    seed = importlib.import_module("records.migrations.0002_seed_statutes").FROZEN_STATUTES
    # Back to the state before 0013: one row as 0002 seeded it, one edited by an admin.
    Statute.objects.filter(code="IL-FOIA").update(**{k: v for k, v in seed["IL-FOIA"].items() if k != "code"})
    Statute.objects.filter(code="MA-PRL").update(
        **{k: v for k, v in seed["MA-PRL"].items() if k != "code"} | {"notes": "Ours."}
    )
    Statute.objects.update(seeded_values={})
    migration.record_seed_and_correct(apps, None)
    il, ma = Statute.objects.get(code="IL-FOIA"), Statute.objects.get(code="MA-PRL")
    assert il.roll_forward is True and il.edited_fields() == []  # corrected
    assert ma.notes == "Ours." and ma.edited_fields() == ["notes"]  # kept, and shown as edited
    assert [u.code for u in plan_updates()] == ["MA-PRL"]


def test_recompute_refreshes_every_open_requests_stored_dates(team):
    from records.models import RecordsRequest

    request = factories.make_request(team, sent=dt.date(2026, 9, 15))  # CPRA: 09-25, or 09-28 (disputed)
    RecordsRequest.objects.filter(pk=request.pk).update(due_date=dt.date(2026, 9, 25))  # as stored before
    assert "Recomputed 1 open requests." in run("--recompute")
    request.refresh_from_db()
    assert request.due_date == dt.date(2026, 9, 28)  # the safe date


@pytest.mark.parametrize("name", ["0002_seed_statutes", "0013_deadlines"])
def test_the_seed_migrations_carry_frozen_data_not_live_code(name):
    from pathlib import Path

    source = Path(importlib.import_module(f"records.migrations.{name}").__file__).read_text(encoding="utf-8")
    assert "from records" not in source and "import records" not in source
