"""Data out: the request list as CSV, and one request's chronology (a lawyer's exhibit).

Both start from querysets the caller scoped with visible_to(user); nothing here widens them.
Every text cell goes through `csv_safe`: a cell that starts with = + - @ is a formula to Excel and
LibreOffice, and an agency's name or a subject line is text we did not write (OWASP: CSV injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from . import timeline
from .models import Communication, Document, Event, RecordsRequest, TrackingNumber

logger = logging.getLogger(__name__)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> object:
    """Text that a spreadsheet would run as a formula gets a leading quote; numbers pass through."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """CSV text a line at a time (for streaming), led by a BOM so Excel reads UTF-8 as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([csv_safe(value) for value in row])


# ---------------------------------------------------------------------------------------------
# The request list

# Events that are the agency speaking: the clock for "days since the last response".
AGENCY_EVENT_KINDS = [
    Event.Kind.ACKNOWLEDGED, Event.Kind.CLARIFICATION_ASKED, Event.Kind.FEE_ESTIMATE, Event.Kind.EXTENSION,
    Event.Kind.INTERIM_RELEASE, Event.Kind.FINAL_RESPONSE, Event.Kind.APPEAL_DECIDED,
]  # fmt: skip

EXPORT_HEADER = [
    "id", "title", "agency", "statute", "tracking numbers", "our reference", "date sent", "date received by agency",
    "status", "due date", "overdue", "days open", "days since last response", "last response", "fee estimate",
    "fee paid", "fee waiver asked", "appeal status", "project", "tags", "assignee", "link",
]  # fmt: skip


def export_queryset(requests: QuerySet) -> QuerySet:
    """What the export reads, in a fixed number of queries however many requests there are."""
    last_incoming = (
        Communication.objects.filter(request=OuterRef("pk"), direction=Communication.INCOMING)
        .order_by("-date")
        .values("date")[:1]
    )
    last_agency_event = (
        Event.objects.filter(request=OuterRef("pk"), kind__in=AGENCY_EVENT_KINDS).order_by("-date").values("date")[:1]
    )
    return (
        requests.with_list_data()
        .annotate(last_incoming=Subquery(last_incoming), last_agency_event=Subquery(last_agency_event))
        .prefetch_related(
            Prefetch("events", queryset=Event.objects.only("id", "request_id", "kind", "date", "outcome", "created_at"))
        )
    )


def tracking_text(numbers: Iterable[TrackingNumber]) -> str:
    return "; ".join(n.number if n.kind == TrackingNumber.INITIAL else f"{n.kind}: {n.number}" for n in numbers)


def appeal_status(events) -> str:
    """'' (no appeal), 'pending since …', or 'decided …: outcome', from the events in time order."""
    status = ""
    for event in timeline.chronological(events):
        if event.kind == Event.Kind.APPEAL_FILED:
            status = f"pending since {event.date:%Y-%m-%d}"
        elif event.kind == Event.Kind.APPEAL_DECIDED:
            outcome = event.get_outcome_display() if event.outcome else "decided"
            status = f"decided {event.date:%Y-%m-%d}: {outcome}"
    return status


def days_open(records_request: RecordsRequest, events, today: dt.date) -> int | None:
    """From the date sent to today while open, or to the last event (the one that closed it)."""
    if records_request.sent_date is None:
        return None
    end = today if records_request.is_open or not events else max(e.date for e in events)
    return max((end - records_request.sent_date).days, 0)


def request_export_rows(requests: QuerySet, *, base_url: str = "", today: dt.date | None = None) -> Iterator[list]:
    """The header, then one row per request; `requests` comes from export_queryset (and any filters)."""
    today = today or timezone.localdate()
    yield EXPORT_HEADER
    for r in requests.iterator(chunk_size=500):
        events = list(r.events.all())
        last_response = max((d for d in (r.last_incoming, r.last_agency_event) if d), default=None)
        yield [
            r.pk,
            r.title,
            r.agency.name,
            r.statute.code,
            tracking_text(r.tracking_numbers.all()),
            r.reference,
            r.sent_date,
            r.received_date,
            r.get_status_display(),
            r.due_date,
            r.is_overdue(today),
            days_open(r, events, today),
            (today - last_response).days if last_response else None,
            last_response,
            r.fee_estimate,
            r.fee_paid,
            r.fee_waiver_requested,
            appeal_status(events),
            r.project,
            "; ".join(t.name for t in r.tags.all()),
            r.assignee.username if r.assignee else "",
            f"{base_url}{r.get_absolute_url()}",
        ]


# ---------------------------------------------------------------------------------------------
# One request's chronology


@dataclass
class ChronologyEntry:
    date: dt.date | None
    kind: str  # event | communication | document | deadline
    summary: str
    details: str = ""
    sha256: str = ""
    pages: int | None = None
    size: int | None = None
    citation: str = ""
    working: list[str] = field(default_factory=list)
    recorded_by: str = ""
    recorded_at: dt.datetime | None = None


@dataclass
class Chronology:
    request: RecordsRequest
    entries: list[ChronologyEntry]  # events, communications, documents, oldest first
    deadlines: list[ChronologyEntry]  # with their working and citations
    deadlines_note: str
    generated_at: dt.datetime
    generated_by: str


def request_chronology(records_request: RecordsRequest, *, generated_by=None) -> Chronology:
    entries = [_event_entry(e) for e in records_request.events.select_related("created_by")]
    entries += [_communication_entry(c) for c in records_request.communications.select_related("created_by")]
    documents = Document.objects.filter(request=records_request).select_related(
        "stored_file", "communication", "archive", "uploaded_by"
    )
    entries += [_document_entry(d) for d in documents]
    order = {"event": 0, "communication": 1, "document": 2}
    far_past = timezone.make_aware(dt.datetime(1970, 1, 1))
    entries.sort(key=lambda e: (e.date or dt.date.min, order[e.kind], e.recorded_at or far_past))
    deadlines, note = _deadline_entries(records_request)
    return Chronology(
        request=records_request,
        entries=entries,
        deadlines=deadlines,
        deadlines_note=note,
        generated_at=timezone.now(),
        generated_by=getattr(generated_by, "username", "") or "",
    )


def _username(user) -> str:
    return user.username if user is not None else ""


def _event_entry(event: Event) -> ChronologyEntry:
    details = []
    if event.amount is not None:
        details.append(f"Amount: ${event.amount}")
    if event.note:
        details.append(event.note)
    summary = event.get_kind_display() + (f": {event.get_outcome_display()}" if event.outcome else "")
    return ChronologyEntry(
        date=event.date, kind="event", summary=summary, details="\n".join(details),
        recorded_by=_username(event.created_by), recorded_at=event.created_at,
    )  # fmt: skip


def _communication_entry(comm: Communication) -> ChronologyEntry:
    direction = "From the agency" if comm.direction == Communication.INCOMING else "To the agency"
    summary = f"{direction} ({comm.get_channel_display().lower()}): {comm.subject or '(no subject)'}"
    parties = " ".join(
        part
        for part in [f"From: {comm.sender}." if comm.sender else "", f"To: {comm.recipient}." if comm.recipient else ""]
        if part
    )
    details = "\n".join(part for part in [parties, comm.body] if part)
    return ChronologyEntry(
        date=comm.date, kind="communication", summary=summary, details=details,
        recorded_by=_username(comm.created_by), recorded_at=comm.created_at,
    )  # fmt: skip


def _document_entry(doc: Document) -> ChronologyEntry:
    # A released file belongs on the day of the letter that carried it, else the day it was uploaded.
    day = doc.communication.date if doc.communication_id else timezone.localdate(doc.uploaded_at)
    details = [f"State: {doc.get_state_display()}."]
    if doc.communication_id:
        details.append(f"Came with: {doc.communication.subject or doc.communication.get_channel_display()}.")
    if doc.archive_id:
        details.append(f"Inside: {doc.archive.original_name}.")
    details.append(f"Uploaded {timezone.localtime(doc.uploaded_at):%Y-%m-%d %H:%M}.")
    return ChronologyEntry(
        date=day, kind="document", summary=f"File: {doc.original_name}", details=" ".join(details),
        sha256=doc.stored_file.sha256, pages=doc.page_count, size=doc.size,
        recorded_by=_username(doc.uploaded_by), recorded_at=doc.uploaded_at,
    )  # fmt: skip


def _deadline_entries(records_request: RecordsRequest) -> tuple[list[ChronologyEntry], str]:
    """The computed deadlines with their working. A statute row edited into rules the engine cannot use
    (ValueError) is said in the exhibit, not raised; anything else is a bug and fails loudly."""
    if records_request.received_date is None:
        return [], "Deadlines start once the agency has received the request; no date received is recorded."
    try:
        result = timeline.request_deadlines(records_request)
    except ValueError:
        logger.exception("deadlines for request %s could not be computed", records_request.pk)
        return [], "The deadlines could not be computed for this request: check its statute's rules."
    entries = [
        ChronologyEntry(
            date=deadline.due,
            kind="deadline",
            summary=deadline.label,
            details=_deadline_details(deadline),
            citation=deadline.citation,
            working=list(deadline.working),
        )
        for deadline in timeline.deadline_list(result)
    ]
    return entries, "" if entries else "No deadlines are computed for this request."


def _deadline_details(deadline) -> str:
    if deadline.due is None:
        return "The law sets no fixed date."
    if deadline.alt_due is None:
        return ""
    return f"Or {deadline.alt_due.isoformat()} on the agency's reading; safe date {deadline.safe_due.isoformat()}."


CHRONOLOGY_HEADER = [
    "date", "type", "what", "details", "sha256", "pages", "size (bytes)", "citation", "working",
    "recorded by", "recorded at",
]  # fmt: skip


def chronology_rows(chronology: Chronology) -> Iterator[list]:
    r = chronology.request
    yield ["request", f"#{r.pk} {r.title}"]
    yield ["agency", str(r.agency)]
    yield ["statute", f"{r.statute.code} ({r.statute.citation})"]
    yield ["tracking numbers", tracking_text(r.tracking_numbers.all())]
    yield ["status", r.get_status_display()]
    yield ["generated", f"{timezone.localtime(chronology.generated_at):%Y-%m-%d %H:%M %Z} by {chronology.generated_by}"]
    yield []
    yield CHRONOLOGY_HEADER
    for e in [*chronology.entries, *chronology.deadlines]:
        yield [
            e.date, e.kind, e.summary, e.details, e.sha256, e.pages, e.size, e.citation,
            " | ".join(e.working), e.recorded_by, e.recorded_at,
        ]  # fmt: skip
