"""Auto-replies and bounces are recognised and labelled; a bounce of a letter we sent shows on its request;
a reply threaded by In-Reply-To lands on the request of the message it answers."""

import pytest

from records.mail.fetch import fetch_mailbox
from records.mail.parse import message_kind
from records.mail.send import queue_letter, send_queued
from records.models import Communication, MailMessage
from tests import factories
from tests.mail_helpers import agency_message, connect_mailbox

pytest_plugins = ["tests.mail_servers"]
pytestmark = pytest.mark.usefixtures("mail_key")


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ({"auto-submitted": "auto-replied"}, "auto_reply"),
        ({"auto-submitted": "no"}, "message"),
        ({"x-autoreply": "yes"}, "auto_reply"),
        ({"precedence": "auto_reply"}, "auto_reply"),
        ({"subject": "Out of Office: back Monday"}, "auto_reply"),
        ({"subject": "Automatic reply: FOIA request"}, "auto_reply"),
        ({"content-type": 'multipart/report; report-type=delivery-status; boundary="x"'}, "bounce"),
        ({"from": "Mail Delivery System <MAILER-DAEMON@mx.example.gov>"}, "bounce"),
        ({"subject": "Re: office supplies records", "from": "clerk@city.example.gov"}, "message"),
    ],
)
def test_message_kind(headers, kind):
    assert message_kind(headers) == kind


@pytest.fixture
def sent_letter(team, editor, imap_account, smtp_sink, monkeypatch):
    from records.mail import tasks

    monkeypatch.setattr(tasks.send_mail_task, "delay", lambda pk: None)
    controller, _ = smtp_sink
    mailbox = connect_mailbox(team, imap_account, controller.port)
    agency = factories.make_agency(email="records@city.example.gov")
    records_request = factories.make_request(team, agency=agency)
    message = queue_letter(records_request, user=editor, to="records@city.example.gov", subject="Request", body="Hi")
    return send_queued(message.pk), mailbox


BOUNCE = """From: Mail Delivery System <MAILER-DAEMON@mx.desk.example>
To: {to}
Subject: Undelivered Mail Returned to Sender
Date: Tue, 01 Dec 2026 10:00:00 -0800
Message-ID: <bounce-1@mx.desk.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail system could not deliver your message to records@city.example.gov: mailbox full.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.desk.example
Final-Recipient: rfc822; records@city.example.gov
Action: failed
Status: 5.2.2

--B
Content-Type: text/rfc822-headers

From: Records Desk <{to}>
To: records@city.example.gov
Subject: Request
Message-ID: {message_id}

--B--
"""


def test_bounce_of_our_letter_is_shown_on_its_request(sent_letter, imap_account, login, editor):
    letter, mailbox = sent_letter
    raw = BOUNCE.format(to=imap_account.address, message_id=letter.message_id).replace("\n", "\r\n")
    imap_account.deliver(raw.encode())
    result = fetch_mailbox(mailbox.pk)
    assert result.filed == 1
    bounce = MailMessage.objects.get(direction="in")
    assert bounce.kind == "bounce" and bounce.request == letter.request
    assert bounce.communication.subject == "[Bounce] Undelivered Mail Returned to Sender"
    page = login(editor).get(letter.request.get_absolute_url()).content.decode()
    assert "Not delivered (bounce)" in page


def test_auto_reply_threads_onto_the_request_and_is_labelled(sent_letter, imap_account):
    letter, mailbox = sent_letter
    reply = agency_message(
        to=imap_account.address, subject="Out of office", body="I am away until Monday.",
        headers={"In-Reply-To": letter.message_id, "Auto-Submitted": "auto-replied"},
    )  # fmt: skip
    imap_account.deliver(reply.as_bytes())
    fetch_mailbox(mailbox.pk)
    message = MailMessage.objects.get(direction="in")
    assert message.kind == "auto_reply" and message.request == letter.request  # matched by thread
    communication = Communication.objects.get(request=letter.request, direction="in")
    assert communication.subject == "[Auto-reply] Out of office"


def test_unmatched_bounce_goes_to_triage_labelled(team, imap_account, smtp_sink):
    controller, _ = smtp_sink
    mailbox = connect_mailbox(team, imap_account, controller.port)
    raw = BOUNCE.format(to=imap_account.address, message_id="<not-ours@elsewhere.example>").replace("\n", "\r\n")
    imap_account.deliver(raw.encode())
    fetch_mailbox(mailbox.pk)
    message = MailMessage.objects.get(direction="in")
    assert (message.state, message.kind) == ("triage", "bounce")


def test_two_candidate_requests_make_the_message_ambiguous(team, imap_account, smtp_sink):
    controller, _ = smtp_sink
    mailbox = connect_mailbox(team, imap_account, controller.port)
    agency = factories.make_agency(email="records@city.example.gov")
    first, second = factories.make_request(team, agency=agency), factories.make_request(team, agency=agency)
    imap_account.deliver(agency_message(to=imap_account.address, subject="Your records", body="Attached.").as_bytes())
    fetch_mailbox(mailbox.pk)
    message = MailMessage.objects.get(direction="in")
    assert message.state == "triage" and "several requests by agency domain" in message.reason
    assert f"#{first.pk}" in message.reason and f"#{second.pk}" in message.reason


def test_unreadable_message_is_kept_raw_in_triage_with_the_reason(team, imap_account, smtp_sink, settings):
    controller, _ = smtp_sink
    mailbox = connect_mailbox(team, imap_account, controller.port)
    nested = "".join(f'Content-Type: multipart/mixed; boundary="b{n}"\r\n\r\n--b{n}\r\n' for n in range(60))
    imap_account.deliver(f"From: a@b.example\r\nSubject: deep\r\nMIME-Version: 1.0\r\n{nested}".encode())
    fetch_mailbox(mailbox.pk)
    message = MailMessage.objects.get(direction="in")
    assert message.state == "triage" and message.raw is not None
    assert message.reason.startswith("The message could not be read:") and "nests more than" in message.reason
