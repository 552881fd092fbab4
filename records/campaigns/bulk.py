"""Bulk actions on a campaign's board rows. Each goes through the write path, one request at a time."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .. import timeline_writes
from ..letters import LetterError, generate_letter
from ..models import Event, Status


@dataclass
class BulkResult:
    done: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (request, why)


def mark_sent(requests, *, user, when=None, channel: str = "email") -> BulkResult:
    """Log "Filed" on each request not yet filed (the write path sets its sent and received dates).

    Idempotent: a request that already has a Filed event is skipped, so marking twice logs nothing twice.
    """
    when = when or timezone.localdate()
    result = BulkResult()
    filed = set(Event.objects.filter(request__in=requests, kind=Event.Kind.FILED).values_list("request_id", flat=True))
    with transaction.atomic():
        for records_request in requests:
            if records_request.pk in filed:
                result.skipped.append((records_request, "already marked sent"))
                continue
            timeline_writes.log_event(records_request, user=user, kind=Event.Kind.FILED, date=when, channel=channel)
            result.done.append(records_request)
    return result


def send_initial_letters(requests, *, user, when=None, channel: str = "email") -> BulkResult:
    """The initial letter for each request not yet sent, logged as an outgoing communication; the
    letter is the sending, so the request is marked sent on `when` and its clock starts.

    Idempotent like mark_sent: a request that already has a Filed event is skipped.
    """
    when = when or timezone.localdate()
    filed = set(Event.objects.filter(request__in=requests, kind=Event.Kind.FILED).values_list("request_id", flat=True))
    return _letters(
        requests, "initial", lambda r: r.pk not in filed, "already sent", user=user, when=when, channel=channel
    )


def follow_up_overdue(requests, *, user, today=None) -> BulkResult:
    """A follow-up letter, logged as an outgoing communication, for every overdue request among them."""
    today = today or timezone.localdate()
    return _letters(requests, "follow_up", lambda r: r.is_overdue(today), "not overdue", user=user, when=today)


def appeal_denials(requests, *, user, today=None) -> BulkResult:
    """An appeal letter for every denied request among them (not yet appealed)."""
    today = today or timezone.localdate()
    return _letters(requests, "appeal", lambda r: r.status == Status.DENIED, "not denied", user=user, when=today)


def _letters(requests, kind, wanted, why_not, *, user, when, channel: str = "email") -> BulkResult:
    result = BulkResult()
    with transaction.atomic():
        for records_request in requests:
            if not wanted(records_request):
                result.skipped.append((records_request, why_not))
                continue
            try:
                with transaction.atomic():
                    comm, _rendered = generate_letter(records_request, kind, user=user, when=when, channel=channel)
            except LetterError as error:  # e.g. the team's template names a value this request lacks
                result.skipped.append((records_request, str(error)))
                continue
            result.done.append(comm)
    return result
