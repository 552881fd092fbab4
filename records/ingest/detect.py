"""What a file is, from its first bytes: names and extensions lie (a portal's
"session expired" page saved as report.pdf, a TIFF scan renamed .pdf)."""

import re

HEAD_BYTES = 4096

PDF, ZIP, EML, TIFF, JPEG, PNG, HTML, UNKNOWN = "pdf", "zip", "eml", "tiff", "jpeg", "png", "html", "unknown"
IMAGE_TYPES = (TIFF, JPEG, PNG)

_MAGIC = (
    (b"%PDF-", PDF),
    (b"PK\x03\x04", ZIP),
    (b"PK\x05\x06", ZIP),  # empty archive
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"II+\x00", TIFF),  # BigTIFF
    (b"MM\x00+", TIFF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<title", b"<meta")
# Headers that open a saved email (RFC 5322); mbox files start with "From ".
_EMAIL_HEADER = re.compile(
    rb"^(received|return-path|from|to|cc|subject|date|message-id|mime-version|delivered-to|"
    rb"reply-to|content-type|x-[\w-]+|dkim-signature|arc-[\w-]+|authentication-results|thread-\w+):",
    re.IGNORECASE | re.MULTILINE,
)

_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")


def detect_type(head: bytes) -> str:
    """The type of a file given its first bytes (HEAD_BYTES is plenty)."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    # Before looking for %PDF- further in: a saved email often carries a PDF
    # sent raw (8bit/binary) within its first kilobyte, and read as a PDF its
    # message would be lost.
    if _starts_with_mail_headers(head):
        return EML
    # PDF readers accept junk before the header (a CRLF, a mail gateway's line)
    # as long as it starts within the first kilobyte.
    if b"%PDF-" in head[:1024]:
        return PDF
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(_HTML_MARKERS) or b"<html" in text[:1024]:
        return HTML
    if len({m.group(1).lower() for m in _EMAIL_HEADER.finditer(head)}) >= 2:
        return EML
    return UNKNOWN


def _starts_with_mail_headers(head: bytes) -> bool:
    """The file opens with a header block (an mbox "From " line allowed) naming two mail headers."""
    block = head.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    lines = block.lstrip(b"\xef\xbb\xbf").splitlines()
    if lines and lines[0].startswith(b"From "):
        lines = lines[1:]
    if not lines or not _HEADER_LINE.match(lines[0]):
        return False
    if not all(_HEADER_LINE.match(line) or line[:1] in (b" ", b"\t") for line in lines[:-1]):
        return False  # the last line may be cut off by the end of the head
    return len({m.group(1).lower() for m in _EMAIL_HEADER.finditer(block)}) >= 2


def describe_unreadable(kind: str, size: int) -> str:
    """Why a file of this type cannot become pages."""
    if size == 0:
        return "The file is empty (0 bytes): the upload or the agency's export went wrong. Ask for it again."
    if kind == HTML:
        return (
            "This is a web page (HTML), not a PDF: the records portal probably sent an error or "
            "login page instead of the file. Download it again while logged in."
        )
    return (
        "This is not a file type the tracker can read: it does not start like a PDF, a TIFF, "
        "JPEG or PNG image, a ZIP archive, a saved email (.eml), a spreadsheet (XLSX, XLS, ODS) or a "
        "Word or PowerPoint file (DOCX, DOC, ODT, RTF, PPTX, PPT, ODP), "
        "and its name does not end in .csv, .tsv, .txt, .md or .html."
    )
