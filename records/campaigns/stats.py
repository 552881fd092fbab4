"""Agency performance from the team's own requests: how fast and how completely agencies answer.

Definitions (shown on the page too):
- days to first response: from the day the agency received the request (else sent) to its first
  acknowledgement, question, extension, fee estimate, release or final response;
- days to final response: to the first final response;
- on time: the final response came on or before the response deadline (the extended one, when an
  extension was invoked). A request still unanswered after its deadline counts as late; one unanswered
  and not yet due, or under a law with no fixed period, is left out of the share;
- extended: an extension was invoked;
- outcomes: each request's final response (granted / partly granted / denied / no records).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from .. import timeline
from ..models import Event

AGENCY_ANSWERS = {
    Event.Kind.ACKNOWLEDGED, Event.Kind.CLARIFICATION_ASKED, Event.Kind.FEE_ESTIMATE, Event.Kind.EXTENSION,
    Event.Kind.INTERIM_RELEASE, Event.Kind.FINAL_RESPONSE,
}  # fmt: skip
OUTCOMES = [value for value, _ in Event.Outcome.choices]
OUTCOME_LABELS = dict(Event.Outcome.choices)


def _median(days: list[int]):
    """A whole number of days where the median is one (4, not 4.0); else one decimal (5.5)."""
    if not days:
        return None
    value = statistics.median(days)
    return int(value) if value == int(value) else round(value, 1)


@dataclass
class RequestFacts:
    days_to_first: int | None
    days_to_final: int | None
    on_time: bool | None  # None: not counted
    extended: bool
    outcome: str


@dataclass
class Performance:
    key: object  # the agency or campaign
    requests: int = 0
    facts: list[RequestFacts] = field(default_factory=list)

    def _days(self, name):
        return [getattr(f, name) for f in self.facts if getattr(f, name) is not None]

    @property
    def median_first(self):
        return _median(self._days("days_to_first"))

    @property
    def median_final(self):
        return _median(self._days("days_to_final"))

    @property
    def on_time_counted(self) -> int:
        return sum(1 for f in self.facts if f.on_time is not None)

    @property
    def on_time_share(self):
        counted = self.on_time_counted
        return sum(1 for f in self.facts if f.on_time) / counted if counted else None

    @property
    def extended_share(self):
        return sum(1 for f in self.facts if f.extended) / len(self.facts) if self.facts else None

    @property
    def outcome_labels(self) -> list[tuple[str, int]]:
        return [(OUTCOME_LABELS[key], n) for key, n in self.outcomes.items() if n]

    @property
    def outcomes(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for f in self.facts:
            if f.outcome in counts:
                counts[f.outcome] += 1
        return counts


def request_facts(records_request, events, today=None) -> RequestFacts | None:
    """None for a request never sent (it says nothing about the agency)."""
    start = records_request.received_date or records_request.sent_date
    if start is None:
        return None
    today = today or timezone.localdate()
    answers = sorted(e.date for e in events if e.kind in AGENCY_ANSWERS)
    finals = sorted((e for e in events if e.kind == Event.Kind.FINAL_RESPONSE), key=lambda e: (e.date, e.pk))
    final = finals[0] if finals else None
    extended = any(e.kind == Event.Kind.EXTENSION for e in events)
    deadlines = timeline.request_deadlines(records_request, events) if records_request.received_date else None
    deadline = None
    if deadlines is not None:
        deadline = (deadlines.extended if extended and deadlines.extended else deadlines.response).due
    if deadline is None:
        on_time = None
    elif final is not None:
        on_time = final.date <= deadline
    else:
        on_time = False if today > deadline else None
    return RequestFacts(
        days_to_first=(answers[0] - start).days if answers else None,
        days_to_final=(final.date - start).days if final else None,
        on_time=on_time,
        extended=extended,
        outcome=final.outcome if final else "",
    )


def performance(requests, *, by: str = "agency", today=None) -> list[Performance]:
    """One Performance per agency (by="agency") or campaign (by="campaign") over the given requests,
    which the caller has already scoped to the user's teams."""
    requests = requests.select_related("agency", "statute", "team", "campaign").prefetch_related(
        Prefetch("events", queryset=Event.objects.order_by())
    )
    if by == "campaign":
        requests = requests.filter(campaign__isnull=False)
    groups: dict[int, Performance] = {}
    for records_request in requests:
        key = records_request.campaign if by == "campaign" else records_request.agency
        group = groups.setdefault(key.pk, Performance(key=key))
        facts = request_facts(records_request, list(records_request.events.all()), today)
        if facts is not None:
            group.requests += 1
            group.facts.append(facts)
    return [g for g in groups.values() if g.requests]


STAT_SORTS = {
    "name": lambda p: str(p.key).lower(),
    "requests": lambda p: p.requests,
    "first": lambda p: p.median_first,
    "final": lambda p: p.median_final,
    "on_time": lambda p: p.on_time_share,
    "extended": lambda p: p.extended_share,
}


def sort_performance(rows: list[Performance], sort: str | None) -> list[Performance]:
    key = (sort or "name").lstrip("-")
    getter = STAT_SORTS.get(key, STAT_SORTS["name"])
    present = [r for r in rows if getter(r) is not None]
    missing = [r for r in rows if getter(r) is None]  # no figure yet: always last
    present.sort(key=getter, reverse=bool(sort) and sort.startswith("-"))
    return present + missing
