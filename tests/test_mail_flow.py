"""The issue's "done when", on the real servers: connect a mailbox, send a letter from a request, the
agency replies through SMTP, a fetch files the reply on the request with its attachment extracted and
searchable; a reply with only the tracking number lands right; an unrelated message goes to triage."""

import email
import email.policy
import hashlib

import pytest

from records.ingest import run_to_completion
from records.ingest.store import open_stored
from records.mail.fetch import fetch_mailbox
from records.mail.send import queue_letter, send_queued
from records.models import Communication, Document, MailMessage, Page, TrackingNumber
from tests import factories
from tests.mail_helpers import agency_message, connect_mailbox, send_as_agency

pytest_plugins = ["tests.mail_servers"]  # the real IMAP and SMTP servers

pytestmark = pytest.mark.usefixtures("mail_key")

LETTER_PDF = "CA_OCSD_CPRA_extension_6253c1_2022-11-14.pdf"


@pytest.fixture
def desk(team, editor, imap_account, smtp_sink):
    controller, _handler = smtp_sink
    agency = factories.make_agency("Orange County Sheriff", email="records@city.example.gov")
    records_request = factories.make_request(team, agency=agency, title="ALPR audits")
    TrackingNumber.objects.create(request=records_request, number="R-2026-0042")
    mailbox = connect_mailbox(team, imap_account, controller.port)
    return records_request, mailbox, controller.port


def _send_letter(records_request, editor, monkeypatch):
    from records.mail import tasks

    monkeypatch.setattr(tasks.send_mail_task, "delay", lambda pk: None)
    message = queue_letter(
        records_request, user=editor, to="records@city.example.gov", subject="CPRA request: ALPR audits",
        body="Under the CPRA I request the ALPR audit logs.", letter_kind="initial",
    )  # fmt: skip
    return send_queued(message.pk)


def test_letter_out_reply_in_with_attachment_searchable(desk, editor, shared_dir, monkeypatch, smtp_sink):
    records_request, mailbox, smtp_port = desk
    sent = _send_letter(records_request, editor, monkeypatch)
    assert sent.state == MailMessage.State.SENT, sent.reason
    outgoing = Communication.objects.get(request=records_request, direction=Communication.OUTGOING)
    assert outgoing.subject == "CPRA request: ALPR audits"
    records_request.refresh_from_db()
    assert records_request.events.filter(kind="filed").exists()  # an initial letter starts the clock

    # What the agency received: Reply-To is the request's own address; the raw message was kept.
    _, handler = smtp_sink
    (mail_from, recipients, raw) = handler.received[-1]
    delivered = email.message_from_bytes(raw, policy=email.policy.default)
    reply_to = delivered["Reply-To"]
    assert f"+r{records_request.pk}-" in reply_to
    assert delivered["Message-ID"].strip() == sent.message_id  # a long id is folded onto its own line
    with open_stored(sent.raw) as kept:
        kept_bytes = kept.read()
    assert hashlib.sha256(kept_bytes).hexdigest() == sent.raw.sha256
    assert sent.message_id.encode() in kept_bytes and b"Reply-To:" in kept_bytes

    pdf = (shared_dir / "corpus/formats" / LETTER_PDF).read_bytes()
    reply = agency_message(
        to=reply_to, subject="RE: CPRA request: ALPR audits", body="Please see the attached extension letter.",
        attachments=[(LETTER_PDF, pdf)],
    )  # fmt: skip
    send_as_agency(smtp_port, reply)

    result = fetch_mailbox(mailbox.pk)
    assert (result.downloaded, result.filed, result.triaged) == (1, 1, 0)
    incoming = Communication.objects.get(request=records_request, direction=Communication.INCOMING)
    assert incoming.subject == "RE: CPRA request: ALPR audits"
    assert "attached extension letter" in incoming.body
    assert incoming.sender == "Records Officer <records@city.example.gov>"
    raw_document = Document.objects.get(communication=incoming, archive=None)
    assert raw_document.original_name.endswith(".eml")
    run_to_completion(raw_document.pk)
    attachment = Document.objects.get(archive=raw_document)
    assert attachment.original_name == LETTER_PDF and attachment.communication == incoming
    assert attachment.request == records_request
    assert Page.objects.filter(document=attachment, text__icontains="6253").exists()


def test_tracking_number_only_and_unrelated_message(desk, imap_account):
    records_request, mailbox, smtp_port = desk
    send_as_agency(smtp_port, agency_message(
        to=imap_account.address, subject="Your request R-2026-0042: records ready",
        body="The records are ready.", sender="Clerk <clerk@elsewhere.example>",
    ))  # fmt: skip
    send_as_agency(smtp_port, agency_message(
        to=imap_account.address, subject="Lunch on Friday?", body="Pizza?", sender="Friend <pal@example.net>",
    ))  # fmt: skip
    result = fetch_mailbox(mailbox.pk)
    assert (result.downloaded, result.filed, result.triaged) == (2, 1, 1)
    filed = MailMessage.objects.get(state=MailMessage.State.FILED)
    assert filed.request == records_request and filed.subject.startswith("Your request R-2026-0042")
    triaged = MailMessage.objects.get(state=MailMessage.State.TRIAGE)
    assert triaged.subject == "Lunch on Friday?" and triaged.request is None
    assert "Nothing in it points" in triaged.reason
