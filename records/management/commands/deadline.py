"""python manage.py deadline STATUTE RECEIVED [--extended] [--tolled-days N] [--json]

Prints the response due date (ISO, or `none` where the law sets no fixed period) on the first line, then
the working, one step a line. An unknown statute or a bad date: a message on stderr, exit status 2.
"""

import json
import re
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from records.deadlines import DISCLAIMER, Deadline, response_due
from records.models import ClosureDay, Statute

USAGE_ERROR = 2  # the exit status scripts check for a bad statute or date (DESIGN.md, command-line surface)


def parse_received(text: str) -> date:
    """A strict YYYY-MM-DD date."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise CommandError(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2026-11-25", returncode=USAGE_ERROR)


def find_statute(code: str) -> Statute:
    """The statute with this code, case-insensitive (an exact match wins over a case-folded one)."""
    matches = list(Statute.objects.filter(code__iexact=code))
    exact = [statute for statute in matches if statute.code == code]
    if exact or len(matches) == 1:
        return (exact or matches)[0]
    known = ", ".join(Statute.objects.values_list("code", flat=True)) or "none: run migrate"
    raise CommandError(f"unknown statute {code!r} (known: {known})", returncode=USAGE_ERROR)


def calendar_closures(statute: Statute) -> list[tuple[date, str]]:
    """Closure days that close the statute's whole calendar for every team (no agency, no team)."""
    rows = ClosureDay.objects.filter(agency__isnull=True, team__isnull=True, calendar__iexact=statute.calendar)
    return list(rows.values_list("date", "reason"))


def as_json(statute: Statute, received: date, deadline: Deadline) -> dict[str, Any]:
    return {
        "statute": statute.code,
        "received": received.isoformat(),
        "due": deadline.due.isoformat() if deadline.due else None,
        "working": deadline.working,
        "alt_due": deadline.alt_due.isoformat() if deadline.alt_due else None,
        "alt_reason": deadline.alt_reason,
        "safe_due": deadline.safe_due.isoformat() if deadline.safe_due else None,
        "citation": deadline.citation,
        "disclaimer": DISCLAIMER,
    }


def safe_date_line(deadline: Deadline) -> str:
    """The date to act on: the first line stays `due` (the earlier date), this says which one is safe."""
    if deadline.safe_due is None:
        return "Safe date: none (no fixed period)"
    if deadline.alt_due is None:
        return f"Safe date: {deadline.safe_due.isoformat()} (one date only)"
    return (
        f"Safe date: {deadline.safe_due.isoformat()} (the agency's later date: call the response overdue only after it)"
    )


class Command(BaseCommand):
    help = "Compute a public-records request's response due date, with the working."

    def add_arguments(self, parser):
        parser.add_argument("statute", help="statute code, e.g. FOIA, CPRA, NY-FOIL (case-insensitive)")
        parser.add_argument("received", help="the day the agency received the request, YYYY-MM-DD (day 0)")
        parser.add_argument("--extended", action="store_true", help="apply the statute's extension")
        parser.add_argument(
            "--tolled-days", type=int, default=0, metavar="N", help="days the clock stood still, in the statute's unit"
        )
        parser.add_argument("--json", action="store_true", help="print JSON instead of lines")

    def handle(self, *args, **options):
        received = parse_received(options["received"])
        if options["tolled_days"] < 0:
            raise CommandError("--tolled-days cannot be negative", returncode=USAGE_ERROR)
        statute = find_statute(options["statute"])
        try:
            deadline = response_due(
                statute.as_rule(), received, extended=options["extended"],
                tolled_days=options["tolled_days"], closures=calendar_closures(statute),
            )  # fmt: skip
        except ValueError as error:  # a statute row edited into something the engine cannot use
            raise CommandError(f"statute {statute.code}: {error}") from error
        if options["json"]:
            self.stdout.write(json.dumps(as_json(statute, received, deadline), indent=2))
        else:
            due = deadline.due.isoformat() if deadline.due else "none"
            self.stdout.write("\n".join([due, *deadline.working, safe_date_line(deadline), DISCLAIMER]))
