"""The rules a request, an event or a communication must keep, on typed values.

The pages' forms and the API's serializers both call these, so a rule (no future dates, received after
sent, outcomes only on responses, tracking-number clashes, lengths the database holds) says the same
thing in the browser and in a script. Each returns {field: [message, …]}; empty means fine.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Event, Tag, TrackingNumber

Errors = dict[str, list[str]]

TAG_MAX = Tag._meta.get_field("name").max_length
TRACKING_MAX = TrackingNumber._meta.get_field("number").max_length


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def request_errors(
    *, team, request_pk, agency, sent_date, received_date, tags, tracking_numbers, confirm_duplicate_tracking=False
) -> Errors:
    """tags: names; tracking_numbers: (kind, number) pairs. None where the caller leaves them as they are."""
    errors: Errors = {}
    if sent_date and sent_date > timezone.localdate():
        _add(errors, "sent_date", "The sent date is in the future. Log a request once it has gone out.")
    if sent_date and received_date and received_date < sent_date:
        _add(errors, "received_date", "The agency cannot have received it before it was sent.")
    for name in tags or []:
        if len(name) > TAG_MAX:
            _add(errors, "tags", f"A tag can be at most {TAG_MAX} characters; “{_shorten(name)}” has {len(name)}.")
    numbers = [number for _, number in tracking_numbers or []]
    for number in numbers:
        if len(number) > TRACKING_MAX:
            _add(
                errors,
                "tracking_numbers",
                f"A tracking number can be at most {TRACKING_MAX} characters; “{_shorten(number)}” has {len(number)}.",
            )
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        _add(errors, "tracking_numbers", f"Listed twice: {', '.join(repeated)}.")
    if agency is not None and numbers and not confirm_duplicate_tracking and "tracking_numbers" not in errors:
        clashes = tracking_clashes(team, request_pk, agency, numbers)
        if clashes:
            listed = "; ".join(f"{num} is already on “{title}”" for num, title in clashes)
            _add(
                errors,
                "tracking_numbers",
                f"{listed}. If that is right, tick the box below to save anyway; nothing was merged.",
            )
    return errors


def tracking_clashes(team, request_pk, agency, numbers) -> list[tuple[str, str]]:
    """Our other requests to this agency that already carry one of these numbers."""
    existing = (
        TrackingNumber.objects.filter(request__team=team, number__in=numbers, agency=agency)
        .exclude(request_id=request_pk)
        .select_related("request")
    )
    return [(t.number, t.request.title) for t in existing]


def entry_date_errors(date: dt.date | None, *, future_message: str = "That date is in the future.") -> Errors:
    """An event or a communication happened on a day that has come."""
    if date is not None and date > timezone.localdate():
        return {"date": [future_message]}
    return {}


def event_errors(records_request, *, kind, date, outcome) -> Errors:
    errors = entry_date_errors(date, future_message="That date is in the future: log events once they have happened.")
    sent = records_request.sent_date
    if date is not None and sent and date < sent and not errors:
        _add(errors, "date", f"That is before the request was sent ({sent:%Y-%m-%d}).")
    if kind in Event.OUTCOME_KINDS and not outcome:
        _add(errors, "outcome", "Say what the outcome was: granted, partly granted, denied or no records.")
    if kind not in Event.OUTCOME_KINDS and outcome:
        _add(errors, "outcome", "Only a final response or an appeal decision has an outcome.")
    return errors
