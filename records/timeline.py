"""Events → status and due dates. Status is never typed by hand: it is read off the timeline."""

from __future__ import annotations

from .models import Event, RecordsRequest, Status

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


def recompute(request: RecordsRequest) -> RecordsRequest:
    """Re-derive status and due date from the events; call after any event change."""
    events = list(request.events.all())
    request.status = derive_status(request, events)
    request.due_date = current_due_date(request, events)
    request.save(update_fields=["status", "due_date", "updated_at"])
    return request


def current_due_date(request: RecordsRequest, events):
    deadlines = request_deadlines(request, events)
    return deadlines.current_due if deadlines is not None else None


def request_deadlines(request: RecordsRequest, events=None):
    """The full set of deadlines with their working, or None before the agency has it."""
    try:
        from . import deadlines as engine
    except ImportError:  # TEMPORARY until the engine lands
        return None
    from .models import ClosureDay

    if request.received_date is None or not hasattr(engine, "compute_request_deadlines"):
        return None
    if events is None:
        events = list(request.events.all())
    rule = request.statute.as_rule()
    closures = [
        (c.date, c.reason)
        for c in ClosureDay.objects.filter(agency__isnull=True, calendar=rule.calendar).union(
            ClosureDay.objects.filter(agency_id=request.agency_id)
        )
    ]
    return engine.compute_request_deadlines(
        rule,
        received=request.received_date,
        events=chronological(events),
        closures=closures,
        expedited_requested=request.expedited_requested,
    )
