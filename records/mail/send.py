"""A letter out by SMTP from the team's mailbox, with Reply-To the request's own reply address.

queue_letter keeps the letter (a MailMessage in state "queued") before anything is sent, so a failed
sending loses nothing: the request page shows the failure in words and the letter can be sent again.
send_queued (the Celery task's one call) claims it, builds the message, keeps its raw bytes by
content hash, sends it and logs it as an outgoing communication with its Message-ID.
"""

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from django.db import transaction
from django.utils import timezone

from records import timeline_writes
from records.ingest.store import open_stored, store_file
from records.models import Communication, Event, LetterKind, Mailbox, MailMessage

from .addresses import reply_address
from .connect import MailConnectionError, close_smtp, open_smtp

State = MailMessage.State
NO_MAILBOX = "This team has no mailbox connected: a team admin connects one under Mail settings."


class CannotSend(Exception):
    pass


def queue_letter(records_request, *, user, to: str, subject: str, body: str, attachments=(), letter_kind: str = ""):
    """Keep the letter and send it once the transaction commits (Celery queue "mail")."""
    mailbox = Mailbox.objects.filter(team_id=records_request.team_id).first()
    if mailbox is None:
        raise CannotSend(NO_MAILBOX)
    with transaction.atomic():
        message = MailMessage.objects.create(
            team_id=records_request.team_id, mailbox=mailbox, direction=MailMessage.OUTGOING, state=State.QUEUED,
            recipient=to, subject=subject[:500], body=body, request=records_request, created_by=user,
            letter_kind=letter_kind,
        )  # fmt: skip
        message.attachments.set(attachments)
        from .tasks import send_mail_task

        transaction.on_commit(lambda: send_mail_task.delay(message.pk))
    return message


def retry_sending(message: MailMessage) -> bool:
    with transaction.atomic():
        if not MailMessage.objects.filter(pk=message.pk, state=State.SEND_FAILED).update(state=State.QUEUED):
            return False
        from .tasks import send_mail_task

        transaction.on_commit(lambda: send_mail_task.delay(message.pk))
    return True


def send_queued(message_id: int) -> MailMessage | None:
    """Send a queued letter; None when it is gone or not waiting (sent already, or being sent)."""
    if not MailMessage.objects.filter(pk=message_id, state=State.QUEUED).update(state=State.SENDING, reason=""):
        return None
    message = MailMessage.objects.select_related("request__team", "request__agency", "mailbox").get(pk=message_id)
    mailbox = message.mailbox
    if mailbox is None:
        return _failed(message, NO_MAILBOX)
    email = build_email(message, mailbox)
    message.message_id = email["Message-ID"]
    message.raw = store_file(email.as_bytes())
    message.save(update_fields=["message_id", "raw"])
    try:
        connection = open_smtp(mailbox)
    except MailConnectionError as error:
        return _failed(message, f"The letter was not sent: {error.message}")
    try:
        connection.send_message(email)
    except smtplib.SMTPRecipientsRefused:
        return _failed(message, f"The letter was not sent: the mail server refused the address {message.recipient!r}.")
    except (smtplib.SMTPException, OSError) as error:
        return _failed(message, f"The letter was not sent: the mail server answered {error}.")
    finally:
        close_smtp(connection)
    return _sent(message)


def build_email(message: MailMessage, mailbox: Mailbox) -> EmailMessage:
    records_request = message.request
    domain = mailbox.address.rpartition("@")[2]
    email = EmailMessage()
    email["From"] = f"{records_request.team.name} <{mailbox.address}>"
    email["To"] = message.recipient
    email["Reply-To"] = reply_address(records_request, mailbox.address)
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=True)
    email["Message-ID"] = make_msgid(idstring=f"records-r{records_request.pk}", domain=domain)
    email.set_content(message.body)
    for document in message.attachments.select_related("stored_file"):
        with open_stored(document.stored_file) as data:
            email.add_attachment(
                data.read(), maintype="application", subtype="octet-stream", filename=document.original_name
            )
    return email


def _failed(message: MailMessage, reason: str) -> MailMessage:
    MailMessage.objects.filter(pk=message.pk).update(state=State.SEND_FAILED, reason=reason)
    message.state, message.reason = State.SEND_FAILED, reason
    return message


def _sent(message: MailMessage) -> MailMessage:
    records_request, today = message.request, timezone.localdate()
    user = message.created_by
    with transaction.atomic():
        event = None
        if (
            message.letter_kind == LetterKind.INITIAL
            and not records_request.events.filter(kind=Event.Kind.FILED).exists()
        ):
            event = timeline_writes.log_event(
                records_request, user=user, kind=Event.Kind.FILED, date=today, channel="email",
                note="Initial letter sent by email from the tracker.",
            )  # fmt: skip
        communication = timeline_writes.log_communication(
            records_request, user=user, direction=Communication.OUTGOING, channel="email", date=today,
            sender=message.mailbox.address, recipient=message.recipient[:300], subject=message.subject,
            body=message.body, event=event,
        )  # fmt: skip
        MailMessage.objects.filter(pk=message.pk).update(
            state=State.SENT, communication=communication, sent_at=timezone.now()
        )
    message.state, message.communication = State.SENT, communication
    return message
