"""An incoming message becomes an incoming communication on its request, with its raw .eml kept as a
document (sha256: what the agency actually sent) whose attachments the ingestion pipeline unpacks into
documents of the request; or it waits in the team's triage inbox with the reason.

Filing is claimed with a conditional UPDATE of the message's state in the same transaction that writes
the communication: a crash rolls both back (the message is filed again by the next fetch), and two
workers filing the same message at once file it once.
"""

import re
from email.utils import getaddresses

from django.db import transaction
from django.utils import timezone

from records import timeline_writes
from records.ingest.errors import IngestError
from records.ingest.intake import UNKNOWN_AGENCY
from records.ingest.store import local_copy, open_stored
from records.models import Agency, Communication, MailMessage, RecordsRequest, Statute

from .hooks import after_incoming_filed
from .matching import match_message
from .parse import ParsedMessage, parse_message_file

State, Kind = MailMessage.State, MailMessage.Kind
_LABELS = {Kind.AUTO_REPLY: "[Auto-reply] ", Kind.BOUNCE: "[Bounce] "}
_MESSAGE_ID = re.compile(rb"<[^<>\s]{3,250}>")
_BOUNCE_SCAN = 4 * 1024 * 1024  # a bounce quotes the original's headers near its top


def file_incoming(message: MailMessage) -> MailMessage:
    """File a fetched message (state FETCHED): on its request, or into triage with the reason."""
    try:
        parsed = _parse(message)
    except IngestError as error:
        return _to_triage(message, f"The message could not be read: {error.message}")
    _remember_headers(message, parsed)
    if message.message_id and _already_filed(message):
        MailMessage.objects.filter(pk=message.pk, state=State.FETCHED).update(
            state=State.DUPLICATE, reason="The same message (Message-ID) was already filed."
        )
        return message
    records_request = _bounced_request(message) if message.kind == Kind.BOUNCE else None
    if records_request is None:
        match = match_message(message.team, message.mailbox.address if message.mailbox else "", parsed)
        records_request = match.request
        if records_request is None:
            return _to_triage(message, match.reason)
    file_on_request(message, records_request, parsed=parsed)
    return message


def file_on_request(message: MailMessage, records_request: RecordsRequest, *, parsed=None, user=None) -> bool:
    """File the message on this request (of its team); False when it was filed already."""
    if records_request.team_id != message.team_id:
        raise ValueError("A message is only ever filed on a request of its own team.")
    parsed = parsed or _parse(message)
    with transaction.atomic():
        claimed = MailMessage.objects.filter(pk=message.pk, state__in=[State.FETCHED, State.TRIAGE]).update(
            state=State.FILED, request=records_request, reason=""
        )
        if not claimed:
            return False
        sent = parsed.sent_at
        communication = timeline_writes.log_communication(
            records_request,
            user=user,
            direction=Communication.INCOMING,
            channel="email",
            date=timezone.localdate(sent)
            if sent and timezone.is_aware(sent)
            else (sent.date() if sent else timezone.localdate()),
            sender=parsed.get("from")[:300],
            recipient=parsed.get("to")[:300],
            subject=(_LABELS.get(message.kind, "") + parsed.get("subject"))[:500],
            body=parsed.body,
        )
        from records.tasks import submit_document  # the tasks module imports the mail tasks

        with open_stored(message.raw) as raw:
            submit_document(
                records_request, name=_raw_name(parsed), data_or_fileobj=raw, user=user, communication=communication
            )
        MailMessage.objects.filter(pk=message.pk).update(communication=communication)
        message.state, message.request, message.communication = State.FILED, records_request, communication
        transaction.on_commit(lambda: _incoming_filed(communication))
    return True


def uploaded_message_filed(document, headers: dict) -> MailMessage:
    """An uploaded .eml or .msg became a communication (records/ingest/unpack.py): record it as mail, so
    replies thread onto it and it is labelled like fetched mail."""
    from .parse import message_kind

    parsed = ParsedMessage(headers=headers)
    message = MailMessage.objects.create(
        team_id=document.request.team_id, direction=MailMessage.INCOMING, state=State.FILED,
        kind=message_kind(headers), raw=document.stored_file, request=document.request,
        communication=document.communication, created_by=document.uploaded_by,
    )  # fmt: skip
    _remember_headers(message, parsed)
    transaction.on_commit(lambda: _incoming_filed(document.communication))
    return message


def _incoming_filed(communication) -> None:
    after_incoming_filed(communication)  # the one call: the letter reader is wired in there


def assign_from_triage(message: MailMessage, records_request: RecordsRequest, *, user) -> bool:
    return file_on_request(message, records_request, user=user)


def new_request_from_message(message: MailMessage, *, user) -> RecordsRequest:
    """A new request titled after the message, for the agency whose email domain sent it (if known)."""
    agency = _agency_for_sender(message.sender)
    if agency is None:
        agency = Agency.objects.filter(name=UNKNOWN_AGENCY).order_by("pk").first() or Agency.objects.create(
            name=UNKNOWN_AGENCY, level=Agency.OTHER
        )
    statute = (
        getattr(agency, "default_statute", None)
        or Statute.objects.filter(code="FOIA").first()
        or Statute.objects.order_by("pk").first()
    )
    with transaction.atomic():
        records_request = timeline_writes.save_request(
            RecordsRequest(team=message.team, title=(message.subject or "Request from an email")[:300],
                           agency=agency, statute=statute),
            user=user,
        )  # fmt: skip
        file_on_request(message, records_request, user=user)
    return records_request


def mark_not_records(message: MailMessage, *, user) -> bool:
    return bool(
        MailMessage.objects.filter(pk=message.pk, state=State.TRIAGE).update(
            state=State.NOT_RECORDS, reason=f"Marked not records-related by {user}."
        )
    )


def _parse(message: MailMessage) -> ParsedMessage:
    with local_copy(message.raw) as path:
        return parse_message_file(str(path))


def _remember_headers(message: MailMessage, parsed: ParsedMessage) -> None:
    message.message_id = parsed.message_id[:998]
    message.in_reply_to = parsed.get("in-reply-to")
    message.references = parsed.get("references")[:10000]
    message.sender = parsed.get("from")[:300]
    message.recipient = parsed.get("to")[:1000]
    message.subject = parsed.get("subject")[:500]
    message.sent_at = parsed.sent_at if parsed.sent_at and timezone.is_aware(parsed.sent_at) else None
    message.kind = parsed.kind
    message.save(
        update_fields=["message_id", "in_reply_to", "references", "sender", "recipient", "subject", "sent_at", "kind"]
    )


def _already_filed(message: MailMessage) -> bool:
    return (
        MailMessage.objects.filter(
            team_id=message.team_id, direction=MailMessage.INCOMING, message_id=message.message_id
        )
        .exclude(pk=message.pk)
        .filter(state__in=[State.FILED, State.TRIAGE, State.NOT_RECORDS])
        .exists()
    )


def _bounced_request(message: MailMessage) -> RecordsRequest | None:
    """The request of the letter this bounce quotes (one of our outgoing Message-IDs in its text)."""
    with open_stored(message.raw) as raw:
        head = raw.read(_BOUNCE_SCAN)
    ids = {found.decode("ascii", "replace") for found in _MESSAGE_ID.findall(head)}
    ours = MailMessage.objects.filter(
        team_id=message.team_id, direction=MailMessage.OUTGOING, message_id__in=ids, request__isnull=False
    ).first()
    return ours.request if ours else None


def _to_triage(message: MailMessage, reason: str) -> MailMessage:
    MailMessage.objects.filter(pk=message.pk, state=State.FETCHED).update(state=State.TRIAGE, reason=reason)
    message.state, message.reason = State.TRIAGE, reason
    return message


def _raw_name(parsed: ParsedMessage) -> str:
    subject = re.sub(r"[^\w .,()&'-]+", " ", parsed.get("subject"))[:80].strip() or "message"
    return f"{subject}.eml"


def _agency_for_sender(sender: str):
    addresses = [address for _, address in getaddresses([sender]) if "@" in address]
    if not addresses:
        return None
    domain = addresses[0].rsplit("@", 1)[1].lower()
    return Agency.objects.filter(email__iendswith="@" + domain).order_by("pk").first()
