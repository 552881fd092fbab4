"""A raw message read into what matching and filing need: headers, text body, attachment names, kind.

The reading is the ingestion's streaming .eml reader (records/ingest/mail.py) in the sandboxed child
with the limits of PDF parsing; attachments are only counted here (the pipeline stores them later,
when it unpacks the raw .eml document).
"""

import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime

from django.conf import settings

from records.ingest.isolate import run_isolated
from records.ingest.limits import Limits, current_limits
from records.ingest.mail import split_email
from records.ingest.unpack import body_text

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_AUTO_SUBJECT = re.compile(r"^\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|autoresponse)", re.I)
_DAEMON = re.compile(r"mailer-daemon|postmaster@", re.I)


@dataclass
class ParsedMessage:
    headers: dict
    body: str = ""
    attachments: list = field(default_factory=list)  # (name, size)

    def get(self, name: str) -> str:
        return self.headers.get(name, "") or ""

    @property
    def message_id(self) -> str:
        found = _MESSAGE_ID.findall(self.get("message-id"))
        return found[0] if found else ""

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers: In-Reply-To, then References (newest last)."""
        return _MESSAGE_ID.findall(self.get("in-reply-to")) + _MESSAGE_ID.findall(self.get("references"))

    @property
    def sent_at(self) -> datetime | None:
        try:
            return parsedate_to_datetime(self.get("date"))
        except (TypeError, ValueError, IndexError):
            return None

    @property
    def kind(self) -> str:
        return message_kind(self.headers)


def message_kind(headers: dict) -> str:
    """ "bounce", "auto_reply" or "message" (RFC 3834 Auto-Submitted, the common vendor headers, RFC 3464)."""
    content_type = (headers.get("content-type") or "").lower()
    sender = (headers.get("from") or "") + " " + (headers.get("return-path") or "")
    if "multipart/report" in content_type and "delivery-status" in content_type:
        return "bounce"
    if (
        _DAEMON.search(headers.get("from") or "")
        or (headers.get("return-path") or "").strip() == "<>"
        and _DAEMON.search(sender)
    ):
        return "bounce"
    auto = (headers.get("auto-submitted") or "").strip().lower()
    if auto and auto != "no":
        return "auto_reply"
    if headers.get("x-autoreply") or headers.get("x-autorespond"):
        return "auto_reply"
    if (headers.get("precedence") or "").strip().lower() == "auto_reply":
        return "auto_reply"
    if _AUTO_SUBJECT.match(headers.get("subject") or ""):
        return "auto_reply"
    return "message"


def parse_message_file(path: str, limits: Limits | None = None) -> ParsedMessage:
    """Read a raw .eml at path (raises IngestError with a plain reason when it cannot be read)."""
    limits = limits or current_limits()
    parsed = ParsedMessage(headers={})
    with tempfile.TemporaryDirectory(prefix="mail-", dir=settings.FILE_UPLOAD_TEMP_DIR) as folder:
        for kind, *details in run_isolated(
            split_email, path, folder, limits.zip_max_members, False,
            memory_mb=limits.parse_memory_mb, total_seconds=limits.parse_seconds, idle_seconds=limits.page_seconds,
        ):  # fmt: skip
            if kind == "headers":
                parsed.headers = details[0]
            elif kind == "attachment":
                parsed.attachments.append((details[0], details[2]))
            elif kind == "body":
                parsed.body = body_text(*details)
    return parsed
