"""Outlook .msg files turned into a standard .eml, so they are unpacked like any saved email.

Runs in the sandboxed child (isolate.run_isolated): extract-msg reads the whole compound file in
memory, so the child's memory limit is what bounds a hostile one.
"""

from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import format_datetime

from .errors import IngestError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def looks_like_outlook(name: str) -> bool:
    return name.lower().endswith(".msg")


def msg_to_eml(path: str, out_path: str) -> Iterator[tuple]:
    """Yield ("eml", out_path) once the message is written there as RFC 822."""
    import extract_msg  # imported in the child only: it pulls in a lot

    with open(path, "rb") as file:
        if file.read(8) != OLE_MAGIC:
            raise IngestError("This file is named .msg but is not an Outlook message; it is kept as it is.")
    try:
        message = extract_msg.openMsg(path)
    except Exception as exc:  # the package raises many kinds on a damaged file
        raise IngestError(f"This Outlook message is damaged and could not be read ({type(exc).__name__}).") from None
    with message:
        email = EmailMessage()
        for name, value in (
            ("From", message.sender), ("To", message.to), ("Cc", message.cc), ("Subject", message.subject),
            ("Message-ID", message.messageId), ("In-Reply-To", getattr(message, "inReplyTo", None)),
        ):  # fmt: skip
            if value:
                email[name] = " ".join(str(value).split())
        if message.date:
            email["Date"] = format_datetime(message.date)
        email.set_content(message.body or "")
        html = message.htmlBody
        if html and not (message.body or "").strip():
            email.add_alternative(html.decode("utf-8", errors="replace"), subtype="html")
        for attachment in message.attachments:
            data = attachment.data
            if not isinstance(data, bytes):
                continue  # an embedded message or a link, not a file
            name = attachment.longFilename or attachment.shortFilename or "attachment"
            email.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    with open(out_path, "wb") as out:
        out.write(email.as_bytes())
    yield ("eml", out_path)
