"""Bring the seeded Statute rows up to the shipped statute data (records/statute_data.py).

A deployed tracker receives corrected rules with a release; `manage.py update_statutes` shows the
difference field by field and, when asked, writes it. A row an admin edited since it was seeded (its
values differ from `seeded_values`) is a team's own reading of the law: it is left alone unless forced.
Statutes a team added itself (codes not in the shipped data) are never touched.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction

from records import statute_data, timeline
from records.deadlines import Rule
from records.models import Statute

CREATE, UPDATE = "create", "update"


class UnknownStatute(ValueError):
    """A code asked for (e.g. with --force) that is not in the shipped data."""


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class StatuteUpdate:
    """What the shipped data would change in one statute row."""

    code: str
    action: str  # create | update
    changes: list[FieldChange]
    edited_locally: list[str] = field(default_factory=list)  # fields an admin changed since seeding
    applied: bool = False
    skipped: str = ""  # why it was not applied, in a sentence

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def shipped_values(code: str) -> dict[str, Any]:
    """The shipped rule for a code, every field filled (defaults included), as the model stores it."""
    return asdict(Rule(**statute_data.STATUTES[code]))


def plan_updates() -> list[StatuteUpdate]:
    """Every shipped statute whose row is missing or differs from the shipped data, in code order."""
    rows = {row.code: row for row in Statute.objects.filter(code__in=list(statute_data.STATUTES))}
    plan = []
    for code in sorted(statute_data.STATUTES):
        new = shipped_values(code)
        row = rows.get(code)
        if row is None:
            plan.append(StatuteUpdate(code, CREATE, [FieldChange(name, None, value) for name, value in new.items()]))
            continue
        old = row.rule_values()
        changes = [FieldChange(name, old[name], value) for name, value in new.items() if old[name] != value]
        if changes:
            plan.append(StatuteUpdate(code, UPDATE, changes, edited_locally=row.edited_fields()))
    return plan


def check_codes(codes: list[str]) -> None:
    unknown = sorted(set(codes) - set(statute_data.STATUTES))
    if unknown:
        known = ", ".join(sorted(statute_data.STATUTES))
        raise UnknownStatute(f"Unknown statute code {', '.join(unknown)}: the shipped statutes are {known}.")


def apply_updates(plan: list[StatuteUpdate], *, force: list[str] = ()) -> list[StatuteUpdate]:
    """Write the planned changes; skip rows edited locally unless their code is in force. Then recompute
    the open requests on the calendars of the statutes that changed."""
    check_codes(list(force))
    calendars = set()
    with transaction.atomic():
        for update in plan:
            if update.edited_locally and update.code not in force:
                update.skipped = (
                    f"{update.code} was edited locally ({', '.join(update.edited_locally)}): left as it is. "
                    f"Use --force {update.code} to replace it with the shipped rules."
                )
                continue
            values = shipped_values(update.code)
            row = Statute.objects.filter(code=update.code).first() or Statute(code=update.code)
            if row.pk is not None:
                calendars.add(row.calendar)
            for name, value in values.items():
                setattr(row, name, value)
            row.seeded_values = values
            row.save()
            calendars.add(row.calendar)
            update.applied = True
    for calendar in sorted(calendars):
        timeline.recompute_open_requests(calendar=calendar)
    return plan


def describe(update: StatuteUpdate) -> list[str]:
    """The update as lines a person reads: the statute, then each field old → new."""
    head = f"{update.code}: new statute" if update.action == CREATE else f"{update.code}:"
    if update.edited_locally:
        head += f" (edited locally: {', '.join(update.edited_locally)})"
    lines = [head]
    for change in update.changes:
        if update.action == CREATE:
            lines.append(f"  {change.field}: {change.new!r}")
        elif isinstance(change.new, str) and "\n" in f"{change.old}{change.new}":
            lines.append(f"  {change.field}: (lines removed -, added +)")
            lines += [f"    {line}" for line in _changed_lines(str(change.old or ""), change.new)]
        else:
            lines.append(f"  {change.field}: {change.old!r} → {change.new!r}")
    if update.applied:
        lines.append("  applied")
    elif update.skipped:
        lines.append(f"  skipped: {update.skipped}")
    return lines


def _changed_lines(old: str, new: str) -> list[str]:
    """The lines of a multi-line text (the notes) that changed, as - old / + new."""
    return [line for line in difflib.ndiff(old.splitlines(), new.splitlines()) if line[:1] in "-+"]
