"""Proposals from letters, stored and decided: the database side of records/letter_reader.

`propose_for_communication` and `propose_for_document` read a letter and store what it implies;
`confirm_proposal` logs the event through records.timeline_writes (the one write path, so the deadline
recomputes); `reject_proposal` sets it aside. Nothing reaches the timeline without one of those two calls.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .letter_reader import ProposedEvent, letter_pages, read_letter
from .models import Agency, ClosureDay, Communication, Document, Event, LetterReading, Proposal, RecordsRequest
from .timeline_rules import event_errors
from .timeline_writes import edit_communication, log_communication, log_event, save_request

logger = logging.getLogger(__name__)

# A document is read as a letter only when it is short: a 400-page release is records, not a letter.
MAX_LETTER_FILE_PAGES = 30
LETTER_PAGES = 6


class ProposalError(Exception):
    """Why a proposal could not be confirmed, in a sentence for the user."""


def propose_for_communication(communication: Communication) -> list[Proposal]:
    """Read an incoming message (the `mail` hook and the request page call this)."""
    if communication.direction != Communication.INCOMING:
        return []
    text = "\n\n".join(part for part in (communication.body,) if part)
    if communication.subject:
        text = f"Subject: {communication.subject}\n\n{text}"
    return _store(
        communication.request,
        f"communication:{communication.pk}",
        text,
        letter_date=communication.date,
        communication=communication,
    )


def propose_for_document(document: Document) -> list[Proposal]:
    """Read a short document's letter pages once its text is in (extraction and OCR done)."""
    if document.state != Document.State.DONE or document.is_spreadsheet:
        return []
    if document.archive_id is not None and document.archive.communication_id is None:
        return []  # a file inside a ZIP is released records; an email's attachment may be the letter
    if not document.page_count or document.page_count > MAX_LETTER_FILE_PAGES:
        return []
    rows = list(document.pages.order_by("number").values_list("text", "needs_ocr")[:LETTER_PAGES])
    pages = letter_pages([text for text, _ in rows], LETTER_PAGES)
    scanned = any(needs_ocr for _, needs_ocr in rows[: len(pages)])
    comm = document.communication
    return _store(
        document.request,
        f"document:{document.pk}",
        "\n\n".join(pages),
        letter_date=comm.date if comm is not None else None,
        document=document,
        pages=(1, len(pages)) if pages else None,
        scanned=scanned,
    )


def log_communication_and_read(records_request: RecordsRequest, *, user, **fields) -> Communication:
    """Log a communication (the request page's form) and, if it came in, read it for proposals."""
    comm = log_communication(records_request, user=user, **fields)
    propose_after_logging(comm)
    return comm


def propose_after_logging(communication: Communication) -> None:
    """Read a communication just logged: a reading that fails must not lose the message."""
    try:
        propose_for_communication(communication)
    except Exception:
        logger.exception("The letter reader failed on communication %s; it is logged all the same.", communication.pk)


def propose_after_extraction(document: Document) -> None:
    """The pipeline's hook when a document is done: a reading that fails must not fail the document."""
    try:
        propose_for_document(
            Document.objects.select_related("request__statute", "communication", "archive").get(pk=document.pk)
        )
    except Exception:
        logger.exception("The letter reader failed on document %s; the document itself is fine.", document.pk)


def _law(records_request: RecordsRequest):
    """The statute's rule and closure days, as the timeline counts them (records.timeline)."""
    rule = records_request.statute.as_rule()
    if rule.calendar == "CA-JUDICIAL" and records_request.agency.level == Agency.CITY:
        rule = replace(rule, calendar="CA-LOCAL")
    closures = tuple(
        ClosureDay.objects.applying_to(
            calendar=rule.calendar, agency_id=records_request.agency_id, team_id=records_request.team_id
        )
        .order_by()
        .values_list("date", "reason")
    )
    return rule, closures


def _store(
    records_request, source_key, text, *, letter_date, communication=None, document=None, pages=None, scanned=False
):
    rule, closures = _law(records_request)
    reading = read_letter(
        text,
        letter_date=letter_date,
        statute=rule.code,
        received=records_request.received_date,
        rule=rule,
        closures=closures,
        scanned=scanned,
        sent=records_request.sent_date,
    )
    first, last = pages or (None, None)
    with transaction.atomic():
        LetterReading.objects.update_or_create(
            source_key=source_key,
            defaults={"request": records_request, "communication": communication, "document": document,
                      "unread": reading.unread},
        )  # fmt: skip
        kept = []
        for proposed in reading.proposals:
            proposal, created = Proposal.objects.get_or_create(
                source_key=source_key,
                kind=proposed.kind,
                evidence_key=hashlib.sha256(proposed.evidence.encode()).hexdigest(),
                defaults={
                    "request": records_request, "communication": communication, "document": document,
                    "first_page": first, "last_page": last, "evidence": proposed.evidence,
                    "fields": as_fields(proposed), "statute_note": proposed.statute_note,
                },
            )  # fmt: skip
            if not created and proposal.is_pending:  # read again: the request may know more, or be another (triage)
                proposal.fields, proposal.statute_note = as_fields(proposed), proposed.statute_note
                proposal.request = records_request
                proposal.save(update_fields=["fields", "statute_note", "request"])
            kept.append(proposal)
        # A re-reading replaces what nobody has decided yet; decided proposals stay as they were.
        Proposal.objects.pending().filter(source_key=source_key).exclude(pk__in=[p.pk for p in kept]).delete()
    return kept


def as_fields(proposed: ProposedEvent) -> dict:
    return {
        "date": _iso(proposed.date),
        "promised_date": _iso(proposed.promised_date),
        "outcome": proposed.outcome,
        "amount": str(proposed.amount) if proposed.amount is not None else None,
        "tracking_number": proposed.tracking_number,
        "citations": proposed.citations,
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def confirm_proposal(proposal: Proposal, user, edits: dict | None = None) -> Event:
    """Log the proposed event (with the user's edits: date, promised_date, amount, tracking_number,
    citations, outcome as typed values) through the write path. Raises ProposalError with a sentence."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().select_related("request").get(pk=proposal.pk)
        if not proposal.is_pending:
            raise ProposalError(f"This proposal was already {proposal.get_status_display().lower()}.")
        fields = dict(proposal.fields)
        changed = _apply_edits(fields, edits or {})
        on = date.fromisoformat(fields["date"]) if fields.get("date") else None
        if on is None:
            raise ProposalError("Enter the date of the event: the letter's date could not be read.")
        records_request = proposal.request
        outcome = (fields.get("outcome") or "") if proposal.kind in Event.OUTCOME_KINDS else ""
        errors = event_errors(records_request, kind=proposal.kind, date=on, outcome=outcome)
        if errors:
            raise ProposalError(" ".join(message for messages in errors.values() for message in messages))
        amount = Decimal(fields["amount"]) if fields.get("amount") and proposal.kind in _FEE_KINDS else None
        event = log_event(
            records_request, user=user, kind=proposal.kind, date=on, outcome=outcome, amount=amount,
            note=_event_note(proposal, fields),
        )  # fmt: skip
        _add_tracking_number(records_request, fields.get("tracking_number") or "", user)
        comm = proposal.communication
        if comm is not None and comm.event_id is None:
            edit_communication(comm, user=user, event=event)
        proposal.fields = fields
        proposal.status = Proposal.Status.EDITED if changed else Proposal.Status.CONFIRMED
        proposal.decided_by, proposal.decided_at, proposal.event = user, timezone.now(), event
        proposal.save(update_fields=["fields", "status", "decided_by", "decided_at", "event"])
    return event


_FEE_KINDS = (Event.Kind.FEE_ESTIMATE, Event.Kind.FEE_PAID)
EDITABLE = ("date", "promised_date", "outcome", "amount", "tracking_number", "citations")


def _apply_edits(fields: dict, edits: dict) -> bool:
    changed = False
    for name in EDITABLE:
        if name not in edits:
            continue
        value = edits[name]
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif value == "" and name != "tracking_number" and name != "outcome":
            value = None
        if value != fields.get(name) and not (value in (None, "", []) and fields.get(name) in (None, "", [])):
            fields[name] = value
            changed = True
    return changed


def _event_note(proposal: Proposal, fields: dict) -> str:
    lines = [f"From the letter: “{proposal.evidence}”"]
    if fields.get("promised_date"):
        lines.append(f"The agency promises a response by {fields['promised_date']}.")
    if fields.get("citations"):
        lines.append("Cited: " + "; ".join(fields["citations"]) + ".")
    if fields.get("tracking_number"):
        lines.append(f"Agency's tracking number: {fields['tracking_number']}.")
    if proposal.statute_note:
        lines.append(proposal.statute_note)
    return "\n".join(lines)


def _add_tracking_number(records_request: RecordsRequest, number: str, user) -> None:
    number = number.strip()
    if not number or records_request.tracking_numbers.filter(number=number).exists():
        return
    existing = list(records_request.tracking_numbers.values_list("kind", "number"))
    save_request(records_request, user=user, tracking_numbers=[*existing, ("initial", number)])


def reject_proposal(proposal: Proposal, user) -> Proposal:
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if not proposal.is_pending:
            raise ProposalError(f"This proposal was already {proposal.get_status_display().lower()}.")
        proposal.status, proposal.decided_by, proposal.decided_at = Proposal.Status.REJECTED, user, timezone.now()
        proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return proposal
