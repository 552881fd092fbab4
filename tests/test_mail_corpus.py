"""Every message in ../shared/corpus/formats/ read right, whether uploaded by hand (the same path as
fetched mail: a communication, its attachments as documents, the raw file kept) or fetched from the
real IMAP server. Expected values written by hand from the files."""

import datetime as dt

import pytest

from records.ingest import run_to_completion
from records.mail.fetch import fetch_mailbox
from records.models import Communication, Document, MailMessage
from records.tasks import submit_document
from tests import factories
from tests.mail_helpers import connect_mailbox

pytest_plugins = ["tests.mail_servers"]
pytestmark = pytest.mark.usefixtures("mail_key")

CORPUS = {
    "alaveteli_incoming-request-pdf-attachment.eml": {
        "subject": "Hello", "date": dt.date(2012, 1, 8), "sender": "EMAIL_FROM", "recipient": "FOI Person <EMAIL_TO>",
        "body": ["PDF attachment enclosed."], "attachments": ["fs_50379341.pdf"],
    },
    "alaveteli_iso8859-2_FOI_reply.eml": {
        # ISO-8859-2 in the encoded-word subject and in the quoted-printable body.
        "subject": "RE: Freedom of Information request - Sasia e pulave të importuara gjatë vitit 2010",
        "date": dt.date(2011, 9, 30), "sender": "EMAIL_FROM", "recipient": "FOI Person <EMAIL_TO>",
        "body": ["Faleminderit per kerkesen tënde.", "5 milion e treqind mije sosh (me numra 3,500,000)"],
        "attachments": [],
    },
    "mail_html-only-alternative_rfc822.eml": {
        # HTML-only (an inline image and nothing else to read), an inline PNG and a forwarded message.
        "subject": "test", "date": dt.date(2020, 4, 21), "sender": "test@example.com", "recipient": "foo@example.com",
        "body": [], "attachments": ["Another PDF.eml", "img.png"],
    },
    "bcgov_Outlook_msg_pdf_xlsx_attachments.msg": {
        "subject": "Test MSG File with Attachments", "date": dt.date(2022, 11, 23),
        "sender": "Aparna S <aparna.s@aot-technologies.com>", "recipient": "Aparna.Sobha@gov.bc.ca",
        "body": ["[EXTERNAL] This email came from an external source.", "Lorem ipsum dolor sit amet"],
        "attachments": ["capbudg.xlsx", "doc-4.pdf", "potluck-23-mar-2022.xlsx"],
    },
}  # fmt: skip


def check(communication: Communication, expected: dict) -> None:
    assert communication.direction == Communication.INCOMING and communication.channel == "email"
    assert communication.subject == expected["subject"]
    assert communication.date == expected["date"]
    assert communication.sender == expected["sender"]
    assert communication.recipient == expected["recipient"]
    for words in expected["body"]:
        assert words in communication.body
    if not expected["body"]:
        assert "<" not in communication.body  # HTML is never kept as markup
    names = sorted(
        Document.objects.filter(communication=communication)
        .exclude(archive=None)
        .values_list("original_name", flat=True)
    )
    assert names == expected["attachments"]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_uploaded_message_becomes_communication_attachments_and_raw(name, team, editor, shared_dir):
    records_request = factories.make_request(team)
    with open(shared_dir / "corpus/formats" / name, "rb") as file:
        document, _ = submit_document(records_request, name=name, data_or_fileobj=file, user=editor, dispatch=False)
    run_to_completion(document.pk)
    document.refresh_from_db()
    assert document.state == "done", document.error
    communication = document.communication
    check(communication, CORPUS[name])
    assert document.original_name == name  # the raw file is kept, with its hash
    message = MailMessage.objects.get(communication=communication)
    assert message.raw == document.stored_file and message.state == "filed"


def test_msg_attachments_are_read(team, editor, shared_dir):
    records_request = factories.make_request(team)
    name = "bcgov_Outlook_msg_pdf_xlsx_attachments.msg"
    with open(shared_dir / "corpus/formats" / name, "rb") as file:
        document, _ = submit_document(records_request, name=name, data_or_fileobj=file, user=editor, dispatch=False)
    run_to_completion(document.pk)
    pdf = Document.objects.get(archive=document, original_name="doc-4.pdf")
    assert pdf.state == "done" and pdf.page_count and pdf.pages.exists()
    sheet = Document.objects.get(archive=document, original_name="capbudg.xlsx")
    assert sheet.state == "done" and sheet.detected_type == "xlsx"


@pytest.mark.parametrize("name", sorted(n for n in CORPUS if n.endswith(".eml")))
def test_fetched_message_reads_the_same(name, team, shared_dir, imap_account, smtp_sink):
    controller, _ = smtp_sink
    mailbox = connect_mailbox(team, imap_account, controller.port)
    records_request = factories.make_request(team)
    imap_account.deliver((shared_dir / "corpus/formats" / name).read_bytes())
    fetch_mailbox(mailbox.pk)
    message = MailMessage.objects.get(mailbox=mailbox)
    assert message.state == "triage"  # nothing in these points to a request of ours
    from records.mail.filing import assign_from_triage

    assert assign_from_triage(message, records_request, user=None)
    raw = Document.objects.get(communication=message.communication, archive=None)
    run_to_completion(raw.pk)
    check(message.communication, CORPUS[name])


def test_html_only_message_becomes_readable_text(team, imap_account, smtp_sink):
    controller, _ = smtp_sink
    mailbox = connect_mailbox(team, imap_account, controller.port)
    records_request = factories.make_request(team)
    from records.models import TrackingNumber

    TrackingNumber.objects.create(request=records_request, number="2026-117")
    imap_account.deliver(
        b"From: Clerk <clerk@city.example.gov>\r\nTo: desk@desk.example\r\nSubject: Request 2026-117\r\n"
        b"Date: Tue, 01 Dec 2026 10:00:00 -0800\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><head><style>p{color:red}</style><script>alert('x')</script></head><body>"
        b"<p>Your records are <b>ready</b>.</p><p>Fee: &pound;25 &amp; postage.</p></body></html>\r\n"
    )
    fetch_mailbox(mailbox.pk)
    communication = Communication.objects.get(request=records_request)
    assert "Your records are ready." in communication.body and "Fee: £25 & postage." in communication.body
    assert "alert" not in communication.body and "color" not in communication.body and "<" not in communication.body
