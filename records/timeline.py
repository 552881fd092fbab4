"""Events → status and due dates. Status is never typed by hand: it is read off the timeline."""

from __future__ import annotations

from dataclasses import replace

from . import deadlines as engine
from .models import Agency, ClosureDay, Event, RecordsRequest, Status

Kind = Event.Kind

# The status each event kind leaves a request in, before outcomes are considered.
STATUS_AFTER = {
    Kind.FILED: Status.FILED,
    Kind.ACKNOWLEDGED: Status.ACKNOWLEDGED,
    Kind.CLARIFICATION_ASKED: Status.AWAITING_REQUESTER,
    Kind.CLARIFICATION_GIVEN: Status.PROCESSING,
    Kind.FEE_ESTIMATE: Status.FEE_PENDING,
    Kind.FEE_PAID: Status.PROCESSING,
    Kind.EXTENSION: Status.PROCESSING,
    Kind.INTERIM_RELEASE: Status.PARTIAL,
    Kind.APPEAL_FILED: Status.APPEALED,
    Kind.APPEAL_DECIDED: Status.APPEAL_DECIDED,
    Kind.LAWSUIT_FILED: Status.LITIGATION,
    Kind.WITHDRAWN: Status.WITHDRAWN,
    Kind.CLOSED: Status.CLOSED,
}

OUTCOME_STATUS = {
    Event.Outcome.GRANTED: Status.GRANTED,
    Event.Outcome.PARTLY_GRANTED: Status.PARTLY_GRANTED,
    Event.Outcome.DENIED: Status.DENIED,
    Event.Outcome.NO_RECORDS: Status.NO_RECORDS,
}


def chronological(events) -> list:
    """Oldest first; events on the same day keep the order they were logged in."""
    return sorted(events, key=lambda e: (e.date, e.created_at is None, e.created_at, e.pk or 0))


def derive_status(request: RecordsRequest, events) -> str:
    status = Status.FILED if request.sent_date else Status.DRAFT
    for event in chronological(events):
        if event.kind == Kind.FINAL_RESPONSE:
            status = OUTCOME_STATUS.get(event.outcome, Status.CLOSED)
        elif event.kind == Kind.APPEAL_DECIDED and status != Status.LITIGATION:
            status = Status.APPEAL_DECIDED
        elif event.kind in STATUS_AFTER:
            status = STATUS_AFTER[event.kind]
    return status


DERIVED_FIELDS = ["status", "due_date", "due_is_internal", "appeal_window_closes", "appeal_decision_due"]


def recompute(request: RecordsRequest) -> RecordsRequest:
    """Re-derive status and the stored deadlines from the events; call after any event change."""
    events = list(request.events.all())
    request.status = derive_status(request, events)
    deadlines = request_deadlines(request, events)
    current = deadlines.current_deadline if deadlines is not None else None
    # The safe date for each kind: the agency's later date for what it owes, the earlier for the requester's.
    request.due_date = current.safe_due if current is not None else None
    request.due_is_internal = bool(current is not None and current.internal)
    request.appeal_window_closes = _due(deadlines.appeal_window if deadlines is not None else None)
    request.appeal_decision_due = _due(deadlines.appeal_decision if deadlines is not None else None)
    request.save(update_fields=[*DERIVED_FIELDS, "updated_at"])
    return request


def _due(deadline: engine.Deadline | None):
    return deadline.safe_due if deadline is not None else None


def request_deadlines(request: RecordsRequest, events=None):
    """The full set of deadlines with their working, or None before the agency has it."""
    if request.received_date is None:
        return None
    if events is None:
        events = list(request.events.all())
    rule = request.statute.as_rule()
    if rule.calendar == "CA-JUDICIAL" and request.agency.level == Agency.CITY:
        # Cities may stay open on Mar 31 and MLK Day (Gov. Code 6700's local clause): show both dates.
        rule = replace(rule, calendar="CA-LOCAL")
    # The calendar's own closure days, and this agency's (CCP 12b: days its office is closed):
    # those kept for every team, and this request's team's own.
    closures = list(
        ClosureDay.objects.applying_to(calendar=rule.calendar, agency_id=request.agency_id, team_id=request.team_id)
        .order_by()
        .values_list("date", "reason")
    )
    return engine.compute_request_deadlines(
        rule,
        received=request.received_date,
        events=chronological(events),
        closures=closures,
        expedited_requested=request.expedited_requested,
        internal_target_days=request.team.internal_target_days,
    )


def deadline_list(deadlines: engine.RequestDeadlines | None) -> list:
    """Every computed deadline of a request, in the order a reader follows them."""
    if deadlines is None:
        return []
    in_order = [
        deadlines.response, deadlines.extended, deadlines.internal_target, deadlines.expedited,
        deadlines.may_sue_from, deadlines.appeal_window, deadlines.appeal_decision,
    ]  # fmt: skip
    return [d for d in in_order if d is not None]


def recompute_open_requests(
    *, calendar: str | None = None, agency_id: int | None = None, team_id: int | None = None
) -> int:
    """After a holiday calendar or closure day changes: re-derive every open request it touches
    (a team's own closure day touches that team's requests only)."""
    requests = RecordsRequest.objects.open().select_related("statute")
    if team_id is not None:
        requests = requests.filter(team_id=team_id)
    if agency_id is not None:
        requests = requests.filter(agency_id=agency_id)
    elif calendar:
        requests = requests.filter(statute__calendar=calendar)
    count = 0
    for request in requests.iterator():
        recompute(request)
        count += 1
    return count
