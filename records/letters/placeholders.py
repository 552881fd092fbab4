"""The fixed set of names a letter template (and a campaign's text) may use, and plain substitution.

Templates are typed by teams, so they never reach the Django template engine: `{{ name }}` is looked
up in PLACEHOLDERS and replaced by text. An unknown name is an error the editor shows before saving;
a rendered letter that still holds `{{` or `}}` (a value that carried one in) is refused.
"""

from __future__ import annotations

import re
from datetime import date

from django.utils import timezone

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
RAW_MARK = re.compile(r"\{\{|\}\}")

# name → what it holds (the editor lists these).
PLACEHOLDERS: dict[str, str] = {
    "agency.name": "The agency's name",
    "agency.abbreviation": "The agency's abbreviation (else its name)",
    "agency.records_officer": "The agency's records officer (else “Public Records Officer”)",
    "agency.address": "The agency's postal address",
    "agency.email": "The agency's email address",
    "request.reference": "Our reference (else the request's number)",
    "request.title": "The request's title",
    "request.text": "The text of the request as sent",
    "request.tracking_number": "The agency's tracking number (the initial one)",
    "request.sent_date": "The date we sent it",
    "request.received_date": "The date the agency received it",
    "request.due_date": "The date the response is due",
    "request.days_overdue": "Days since the due date (0 if not overdue)",
    "today": "Today's date",
    "statute.name": "The law's name, e.g. California Public Records Act",
    "statute.code": "The law's short code, e.g. CPRA",
    "statute.citation": "The law's citation, e.g. Cal. Gov. Code 7920.000 et seq.",
    "statute.response_citation": "The section that sets the response period",
    "statute.response_period": "The response period in words, e.g. “10 days”, “20 working days”",
    "statute.extension_period": "The extension the law allows, in words",
    "statute.extension_citation": "The section that allows the extension",
    "statute.appeal_window": "The time to appeal, in words",
    "statute.appeal_window_citation": "The section that sets the appeal window",
    "statute.appeal_decision_period": "The time the agency has to decide an appeal, in words",
    "statute.appeal_decision_citation": "The section that sets the time to decide an appeal",
    "statute.expedited_citation": "The section on expedited processing",
    "team.name": "Our team's name",
    "requester.name": "The person sending the letter (else the request's assignee or creator)",
}

# The names a campaign's text may use: it is filled in per agency before any request exists, so the
# request's own names (its dates, tracking number, …) have nothing to hold yet.
CAMPAIGN_PLACEHOLDERS: dict[str, str] = {
    name: what
    for name, what in PLACEHOLDERS.items()
    if name.startswith(("agency.", "statute.", "team.")) or name == "today"
}

NOT_RECORDED = "(not recorded)"


class LetterError(ValueError):
    """A letter that cannot be produced as it stands; the message says why in plain words."""


def unknown_placeholders(text: str, names=PLACEHOLDERS) -> list[str]:
    """Names used in `text` that are not in `names` (PLACEHOLDERS unless said), in order of first use."""
    unknown: list[str] = []
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1)
        if name not in names and name not in unknown:
            unknown.append(name)
    return unknown


def template_errors(text: str, names=PLACEHOLDERS) -> list[str]:
    """What is wrong with a template's text, as sentences; empty when it can be rendered with `names`."""
    errors = []
    unknown = unknown_placeholders(text, names)
    letters_only = [name for name in unknown if name in PLACEHOLDERS]
    unknown = [name for name in unknown if name not in PLACEHOLDERS]
    if unknown:
        listed = ", ".join("{{ " + name + " }}" for name in unknown)
        errors.append(f"Unknown placeholder{'s' if len(unknown) > 1 else ''}: {listed}. Use one of the names listed.")
    if letters_only:
        listed = ", ".join("{{ " + name + " }}" for name in letters_only)
        errors.append(
            f"{listed} can be used in letters only: here there is no request yet to take "
            f"{'them' if len(letters_only) > 1 else 'it'} from. Use one of the names listed."
        )
    if RAW_MARK.search(PLACEHOLDER.sub("", text)):
        errors.append("A “{{” or “}}” is not part of a placeholder: close it as {{ name }} or remove it.")
    return errors


def substitute(text: str, values: dict[str, str]) -> str:
    """Replace each placeholder in one pass (a value is never scanned again), then refuse any left over.
    `values` holds every name the text may use (values_for, or campaign_values)."""
    errors = template_errors(text, values)
    if errors:
        raise LetterError(" ".join(errors))
    result = PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
    if RAW_MARK.search(result):
        raise LetterError(
            "The text would contain a raw placeholder (“{{” or “}}”), brought in by the data filled in (the "
            "request's title, text or reference, or the agency's name?). Edit that, then try again."
        )
    return result


def period_in_words(days: int | None, unit: str, *, none: str) -> str:
    """'10 days' for calendar days (as the statutes say it), '20 working days' for business days."""
    if days is None:
        return none
    word = "working day" if unit == "business" else "day"
    return f"{days} {word}{'' if days == 1 else 's'}"


def _date(value: date | None) -> str:
    return f"{value:%B} {value.day}, {value.year}" if value else NOT_RECORDED


def values_for(records_request, *, requester_name: str = "", today: date | None = None) -> dict[str, str]:
    """Every placeholder's text for one request (read from the Statute row, never from seed data)."""
    today = today or timezone.localdate()
    tracking = records_request.tracking_numbers.order_by("id").first()
    due = records_request.due_date
    values = {
        **campaign_values(records_request.agency, records_request.statute, records_request.team, today=today),
        "request.reference": records_request.reference or f"REQ-{records_request.pk}",
        "request.title": records_request.title,
        "request.text": records_request.body.strip() or records_request.title,
        "request.tracking_number": tracking.number if tracking else "not yet assigned",
        "request.sent_date": _date(records_request.sent_date),
        "request.received_date": _date(records_request.received_date),
        "request.due_date": _date(due),
        "request.days_overdue": str(max(0, (today - due).days) if due else 0),
        "requester.name": requester_name,
    }
    assert set(values) == set(PLACEHOLDERS)  # a name added to one and not the other is a bug here
    return values


def campaign_values(agency, statute, team, *, today: date | None = None) -> dict[str, str]:
    """The text of the names that need no request: the agency's, the law's, the team's and today."""
    values = {
        "agency.name": agency.name,
        "agency.abbreviation": agency.abbreviation or agency.name,
        "agency.records_officer": agency.records_officer or "Public Records Officer",
        "agency.address": agency.address.strip(),
        "agency.email": agency.email,
        "today": _date(today or timezone.localdate()),
        "team.name": team.name,
        "statute.code": statute.code,
        "statute.name": statute.name,
        "statute.citation": statute.citation,
        "statute.response_citation": statute.response_citation or statute.citation,
        "statute.response_period": period_in_words(
            statute.response_days, statute.response_unit, none="a reasonable time (the law sets no fixed period)"
        ),
        "statute.extension_period": period_in_words(
            statute.extension_days, statute.extension_unit, none="no fixed extension"
        ),
        "statute.extension_citation": statute.extension_citation or statute.citation,
        "statute.appeal_window": period_in_words(
            statute.appeal_window_days, statute.appeal_window_unit, none="no fixed period"
        ),
        "statute.appeal_window_citation": statute.appeal_window_citation or statute.citation,
        "statute.appeal_decision_period": period_in_words(
            statute.appeal_decision_days, statute.appeal_decision_unit, none="a reasonable time"
        ),
        "statute.appeal_decision_citation": statute.appeal_decision_citation or statute.citation,
        "statute.expedited_citation": statute.expedited_citation or statute.citation,
    }
    assert set(values) == set(CAMPAIGN_PLACEHOLDERS)
    return values
