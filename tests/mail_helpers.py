"""Builders shared by the mail tests: a team's mailbox on the test servers, and agency-side sending."""

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from records.mail.secrets import encrypt
from records.models import Mailbox


def connect_mailbox(team, account, smtp_port: int, **overrides) -> Mailbox:
    fields = {
        "team": team, "address": account.address,
        "imap_host": "127.0.0.1", "imap_port": account.server.port, "imap_security": "none",
        "imap_user": account.user, "imap_password_encrypted": encrypt(account.password), "imap_folder": "INBOX",
        "smtp_host": "127.0.0.1", "smtp_port": smtp_port, "smtp_security": "none",
    }  # fmt: skip
    fields.update(overrides)
    return Mailbox.objects.create(**fields)


def agency_message(*, to: str, subject: str, body: str, sender="Records Officer <records@city.example.gov>",
                   attachments=(), headers=None) -> EmailMessage:  # fmt: skip
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="city.example.gov")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return message


def send_as_agency(smtp_port: int, message: EmailMessage) -> None:
    """The agency's side: a message sent through the SMTP server, as their mail system would."""
    with smtplib.SMTP("127.0.0.1", smtp_port) as client:
        client.send_message(message)
