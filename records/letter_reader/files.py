"""A letter's text from a file on disk, for the `read_letter` command: PDF (OCR where a page has no text
layer), images, .eml, .msg, .docx and plain text. Only the letter's first pages are read."""

from __future__ import annotations

import email
import email.policy
import itertools
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime
from html import unescape
from pathlib import Path

from records.ingest.errors import IngestError
from records.ingest.plaintext import html_to_text
from records.review.files import page_texts

from .text import letter_pages

LETTER_PAGES = 6


@dataclass
class LetterText:
    text: str
    date: date | None = None  # the message's date, from its headers
    scanned: bool = False  # no text could be read (scans OCR could not read)


def letter_text(path: str | Path, max_pages: int = LETTER_PAGES) -> LetterText:
    """IngestError with a plain reason when the file cannot be read. max_pages: of a PDF or image (OCR costs)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".eml":
        return _eml(path)
    if suffix == ".msg":
        return _msg(path)
    if suffix in (".docx", ".odt"):
        return LetterText(_office_xml(path))
    if suffix in (".txt", ".text", ".md"):
        return LetterText(_read(path).decode("utf-8", "replace"))
    pages = [text for _, text in itertools.islice(page_texts(path), max_pages)]
    text = "\n\n".join(letter_pages(pages, max_pages))
    return LetterText(text, scanned=not text.strip())


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise IngestError(f"{path} cannot be read ({error.strerror}).") from None


def _eml(path: Path) -> LetterText:
    message = email.message_from_bytes(_read(path), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        content = body.get_content()
        text = html_to_text(content) if body.get_content_type() == "text/html" else content
    return LetterText(f"Subject: {message.get('subject', '')}\n\n{text}", _header_date(message.get("date")))


def _header_date(value) -> date | None:
    try:
        return parsedate_to_datetime(str(value)).date() if value else None
    except (TypeError, ValueError):
        return None


def _msg(path: Path) -> LetterText:
    import extract_msg

    try:
        message = extract_msg.openMsg(str(path))
    except Exception as error:
        raise IngestError(f"{path} is not an Outlook message that can be read ({type(error).__name__}).") from None
    try:
        text = message.body or (html_to_text(message.htmlBody.decode("utf-8", "replace")) if message.htmlBody else "")
        sent = message.date.date() if message.date else None
        return LetterText(f"Subject: {message.subject or ''}\n\n{text}", sent)
    finally:
        message.close()


def _office_xml(path: Path) -> str:
    """The paragraphs of a word-processing file, from its XML (enough for a letter's words)."""
    try:
        with zipfile.ZipFile(path) as archive:
            name = "word/document.xml" if "word/document.xml" in archive.namelist() else "content.xml"
            xml = archive.read(name).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        raise IngestError(f"{path} is not a word-processing file that can be read.") from None
    xml = re.sub(r"</(?:w|text):p>", "\n\n", xml)
    xml = re.sub(r"<w:tab/>|<text:tab/>", " ", xml)
    return unescape(re.sub(r"<[^>]+>", "", xml))
