"""A large message is fetched from the real IMAP server in pieces (imaplib holds a whole literal in
memory), stored byte for byte, and its attachment reaches the request; the beat task's function
fetches every active mailbox not in its back-off."""

import email.policy
import hashlib
import os
import tracemalloc

import pytest

from records.ingest.store import open_stored
from records.mail import fetch
from records.mail.tasks import fetch_all_mailboxes_task
from records.models import MailMessage, TrackingNumber
from tests import factories
from tests.mail_helpers import agency_message, connect_mailbox

pytest_plugins = ["tests.mail_servers"]
pytestmark = pytest.mark.usefixtures("mail_key")


def test_a_large_message_is_fetched_in_pieces_with_bounded_memory(team, imap_account, smtp_sink, monkeypatch):
    controller, _ = smtp_sink
    mailbox = connect_mailbox(team, imap_account, controller.port)
    records_request = factories.make_request(team)
    TrackingNumber.objects.create(request=records_request, number="BIG-1")
    attachment = b"%PDF-1.4\n" + os.urandom(12 * 1024 * 1024)
    raw = agency_message(
        to=imap_account.address, subject="BIG-1 release", body="Large file.", attachments=[("big.pdf", attachment)]
    ).as_bytes(policy=email.policy.SMTP)  # CRLF line ends, as IMAP serves them
    imap_account.deliver(raw)
    pieces = []
    real_literal = fetch._literal

    def counted(data):
        piece = real_literal(data)
        pieces.append(len(piece or b""))  # the sizes only: keeping the bytes would defeat the measure
        return piece

    monkeypatch.setattr(fetch, "_literal", counted)

    tracemalloc.start()
    try:
        result = fetch.fetch_mailbox(mailbox.pk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.filed == 1
    assert len(pieces) == -(-len(raw) // fetch.CHUNK)  # in CHUNK-sized pieces
    assert peak < len(raw) / 2  # never the whole 16 MB message in memory at once
    message = MailMessage.objects.get()
    with open_stored(message.raw) as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == hashlib.sha256(raw).hexdigest()


def test_beat_task_fetches_active_mailboxes_and_skips_those_backing_off(team, imap_account, smtp_sink):
    from django.utils import timezone

    controller, _ = smtp_sink
    mailbox = connect_mailbox(team, imap_account, controller.port)
    imap_account.deliver(agency_message(to=imap_account.address, subject="Hello", body="Hi").as_bytes())
    mailbox.retry_after = timezone.now() + timezone.timedelta(minutes=5)
    mailbox.save()
    assert fetch_all_mailboxes_task() == 0  # backing off
    mailbox.retry_after = None
    mailbox.save()
    assert fetch_all_mailboxes_task() == 1
    assert fetch_all_mailboxes_task() == 0  # nothing new: nothing twice
    assert MailMessage.objects.count() == 1
