"""Beside an extension's promised date: what the statute allows, from the deadline engine (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from records import deadlines


def statute_note(
    rule: deadlines.Rule | None,
    promised: date | None,
    received: date | None,
    *,
    closures: Iterable[tuple[date, str]] = (),
    tolled_days: int = 0,
) -> str:
    """One plain sentence or two comparing the agency's promised date with the latest the law allows."""
    if promised is None:
        return ""
    if rule is None:
        return f"The agency promises {promised}; no statute is known for this request, so the date was not checked."
    if received is None:
        return (
            f"The agency promises {promised}; it could not be checked against {rule.code}: "
            "the date the agency received the request is not known."
        )
    if rule.response_days is None or rule.extension_days is None:
        why = rule.extension_citation or rule.response_citation or rule.code
        return f"The agency promises {promised}; {rule.code} sets no fixed extension period ({why}), so there is no date to compare."
    original = deadlines.response_due(rule, received, tolled_days=tolled_days, closures=closures)
    extended = deadlines.response_due(rule, received, extended=True, tolled_days=tolled_days, closures=closures)
    allowed = extended.safe_due
    law = rule.extension_citation or rule.code
    head = (
        f"The agency promises {promised}; {law} allows at most {rule.extension_days} {rule.extension_unit} days "
        f"past the original due date ({original.safe_due}): {allowed}."
    )
    late = (promised - allowed).days
    if late > 0:
        return f"{head} The promised date is {late} day{'s' if late != 1 else ''} later than the law allows."
    if late < 0:
        return f"{head} The promised date is within what the law allows ({-late} day{'s' if late != -1 else ''} before the latest)."
    return f"{head} The promised date is within what the law allows."
