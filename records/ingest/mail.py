"""A saved email (.eml) split into its headers, its body text and its attached files,
reading one line at a time.

Python's email package holds the whole message in memory, several times over
while it decodes: a 273 MB message took 1.65 GB. Here only header blocks (up to
HEADER_LIMIT) and the body text (up to BODY_LIMIT) are held; every attachment
is decoded (base64, quoted-printable or raw) straight into a file of its own.
split_email runs in the sandboxed child (isolate.run_isolated) with the same
memory and time limits as PDF parsing; it sends back names and file paths,
and the parent stores the files.
"""

import binascii
import os
import re
from collections.abc import Iterator
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import default as default_policy

from .errors import IngestError
from .text import clean_text

LINE_LIMIT = 64 * 1024  # a longer line is read in pieces
HEADER_LIMIT = 1024 * 1024  # bytes of one header block kept for parsing; the rest is skipped
BODY_LIMIT = 4 * 1024 * 1024  # bytes of body text kept (the message's own words, not its files)
MAX_DEPTH = 50  # multiparts inside multiparts
_PROGRESS_EVERY = 8 * 1024 * 1024  # bytes between signs of life to the watchdog
_BLOCK = 1024 * 1024  # read, decoded and written at a time
_SHORT_LINE = 1024  # a delimiter line is shorter (a boundary has at most 70 characters)
# Kept from the top header block: what a communication shows, and what mail matching and the
# auto-reply / bounce labels read (records/mail/parse.py).
HEADER_NAMES = (
    "from", "to", "subject", "date", "cc", "reply-to", "delivered-to", "x-original-to", "message-id",
    "in-reply-to", "references", "auto-submitted", "x-autoreply", "x-autorespond", "precedence",
    "content-type", "return-path",
)  # fmt: skip
_BASE64_JUNK = bytes(set(range(256)) - set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))


def split_email(path: str, folder: str, max_attachments: int, keep_attachments: bool = True) -> Iterator[tuple]:
    """Yield, in this order of appearance:

    ("headers", {name: value for HEADER_NAMES}) once, first;
    ("attachment", file name or "", path of its decoded bytes in folder, size) for each attached file
    (a forwarded email comes out whole, as "<its subject>.eml");
    ("progress", bytes read) now and then, for the watchdog;
    ("body", "plain" or "html", text) once, last, when the message has a body.
    With keep_attachments False, attachments are counted and named but not written (path "").
    """
    with open(path, "rb") as file:
        splitter = _Splitter(file, folder, max_attachments, keep_attachments)
        message = yield from splitter.headers([])
        yield ("headers", {name: header(message, name) for name in HEADER_NAMES})
        yield from splitter.entity(message, [], depth=0)
    body = splitter.bodies.get("plain") or splitter.bodies.get("html")
    if body is not None:
        yield ("body", *body)


def header(message: EmailMessage, name: str) -> str:
    try:
        value = str(message.get(name, "") or "")
    except (ValueError, IndexError, TypeError):  # malformed header the parser could not fold
        value = str(message.get_all(name, [""])[0])
    return clean_text(" ".join(value.split()))


class _Splitter:
    def __init__(self, file, folder: str, max_attachments: int, keep_attachments: bool = True):
        self.file = file
        self.keep_attachments = keep_attachments
        self.folder = folder
        self.max_attachments = max_attachments
        self.attachments = 0
        self.bodies: dict[str, tuple[str, str]] = {}
        self.pending = b""  # read from the file (or put back) but not used yet, from offset on
        self.offset = 0
        self.starts_line = True  # the next byte begins a line
        self.read = 0
        self.reported = 0

    # Reading: lines for header blocks, blocks for bodies.

    def line(self) -> tuple[bytes, bool]:
        """The next line (or piece of a long line) and whether it starts a line; b"" at the end."""
        starts = self.starts_line
        if self.offset < len(self.pending):
            end = self.pending.find(b"\n", self.offset, self.offset + LINE_LIMIT)
            stop = end + 1 if end != -1 else min(self.offset + LINE_LIMIT, len(self.pending))
            piece, self.offset = self.pending[self.offset : stop], stop
            if end == -1 and len(piece) < LINE_LIMIT:  # the line goes on in the file
                piece += self._from_file(self.file.readline(LINE_LIMIT - len(piece)))
        else:
            piece = self._from_file(self.file.readline(LINE_LIMIT))
        self.starts_line = piece.endswith(b"\n")
        return piece, starts

    def block(self) -> tuple[bytes, bool]:
        """The next block of bytes and whether it starts a line; b"" at the end."""
        starts = self.starts_line
        if self.offset < len(self.pending):
            block = self.pending[self.offset :]
            self.pending, self.offset = b"", 0
        else:
            block = self._from_file(self.file.read(_BLOCK))
        self.starts_line = block.endswith(b"\n")
        return block, starts

    def unread(self, data: bytes) -> None:
        """Put back bytes that begin a line."""
        self.pending, self.offset = data + self.pending[self.offset :], 0
        self.starts_line = True

    def _from_file(self, data: bytes) -> bytes:
        self.read += len(data)
        return data

    def progress(self) -> Iterator[tuple]:
        if self.read - self.reported >= _PROGRESS_EVERY:
            self.reported = self.read
            yield ("progress", self.read)

    @staticmethod
    def delimiter(piece: bytes, starts: bool, boundaries: list[bytes]) -> tuple[int, bool] | None:
        """(index of the boundary, whether it closes its multipart) if the line is a delimiter."""
        if not starts or not piece.startswith(b"--"):
            return None
        text = piece.rstrip(b" \t\r\n")
        for index in range(len(boundaries) - 1, -1, -1):  # the innermost first
            boundary = boundaries[index]
            if text == b"--" + boundary:
                return index, False
            if text == b"--" + boundary + b"--":
                return index, True
        return None

    # Entities.

    def headers(self, boundaries: list[bytes]):
        """Read a header block up to its blank line; a delimiter or the end also ends it."""
        kept = bytearray()
        while True:
            piece, starts = self.line()
            if not piece or (starts and piece in (b"\r\n", b"\n")):
                break
            if self.delimiter(piece, starts, boundaries):
                self.unread(piece)  # a part with no body: the delimiter is the next one's
                break
            if len(kept) < HEADER_LIMIT:
                kept += piece[: HEADER_LIMIT - len(kept)]
            yield from self.progress()
        return BytesHeaderParser(policy=default_policy).parsebytes(bytes(kept))

    def entity(self, message: EmailMessage, boundaries: list[bytes], depth: int):
        """Read an entity's body; return the delimiter that ended it, or None at the end of the file."""
        boundary = message.get_boundary() if message.get_content_maintype() == "multipart" else None
        if boundary:
            if depth >= MAX_DEPTH:
                raise IngestError(
                    f"This email nests more than {MAX_DEPTH} groups of parts inside each other, as no mail "
                    "program does, so it was not unpacked. It is kept."
                )
            return (yield from self.multipart(boundary.encode("utf-8", "surrogateescape"), boundaries, depth))
        sink = self.sink_for(message)
        decoder = _decoder(message.get("content-transfer-encoding", ""))
        try:
            hit = yield from self.copy(boundaries, decoder, sink)
            sink.write(decoder.finish())
        finally:
            sink.close()
        yield from sink.results()
        return hit

    def multipart(self, boundary: bytes, enclosing: list[bytes], depth: int):
        inner = [*enclosing, boundary]
        mine = len(enclosing)
        hit = yield from self.skip(inner)  # the preamble
        while hit == (mine, False):
            part = yield from self.headers(inner)
            hit = yield from self.entity(part, inner, depth + 1)
        if hit == (mine, True):
            hit = yield from self.skip(enclosing)  # the epilogue
        return hit  # None (the end) or an enclosing multipart's delimiter

    def skip(self, boundaries: list[bytes]):
        while True:
            piece, starts = self.line()
            if not piece:
                return None
            hit = self.delimiter(piece, starts, boundaries)
            if hit:
                return hit
            yield from self.progress()

    def copy(self, boundaries: list[bytes], decoder, sink):
        """Decode a body into the sink up to a delimiter line; the line break before it belongs to it.

        Read in blocks, searched for lines that start with "--": decoding line
        by line costs ten times more.
        """
        carry = b""  # the end of the last block, when it may begin a delimiter
        data_starts_line = None
        while True:
            block, starts = self.block()
            if data_starts_line is None:
                data_starts_line = starts
            if not block:
                sink.write(decoder.feed(carry))
                return None
            data = carry + block
            candidate = 0 if data_starts_line and data.startswith(b"--") else None
            position = 0
            while True:
                if candidate is None:
                    found = data.find(b"\n--", position)
                    if found == -1:
                        break
                    candidate = found + 1
                end = data.find(b"\n", candidate)
                if end == -1:
                    break  # the line goes on in the next block
                hit = self.delimiter(data[candidate : end + 1], True, boundaries)
                if hit:
                    sink.write(decoder.feed(data[: candidate - _break_before(data, candidate)]))
                    self.unread(data[end + 1 :])
                    return hit
                position, candidate = end, None
            last_break = data.rfind(b"\n")
            if last_break == -1 and data_starts_line and len(data) <= _SHORT_LINE:
                keep = 0  # a short first line, still open
            elif last_break != -1 and len(data) - last_break <= _SHORT_LINE:
                keep = last_break - _break_before(data, last_break + 1) + 1
            else:
                keep = len(data) - data.endswith(b"\r")
            sink.write(decoder.feed(data[:keep]))
            carry = data[keep:]
            data_starts_line = data_starts_line and keep == 0
            yield from self.progress()

    def sink_for(self, message: EmailMessage):
        content_type = message.get_content_type()
        disposition = message.get_content_disposition()
        name = message.get_filename() or ""
        if content_type == "message/rfc822":
            return self.attachment("", forwarded=True)
        subtype = message.get_content_subtype()
        if (
            content_type in ("text/plain", "text/html")
            and disposition != "attachment"
            and not name
            and subtype not in self.bodies
        ):
            return _BodyText(self.bodies, subtype, message.get_content_charset() or "utf-8")
        if disposition == "attachment" or name:
            return self.attachment(name)
        return _Discard()  # alternative bodies and inline logos, not released records

    def attachment(self, name: str, forwarded: bool = False):
        self.attachments += 1
        if self.attachments > self.max_attachments:
            raise IngestError(
                f"This email has more than {self.max_attachments:,} attachments, more than allowed; "
                "it was not unpacked. It is kept."
            )
        path = os.path.join(self.folder, f"attachment-{self.attachments}") if self.keep_attachments else os.devnull
        return _AttachedFile(path, name, forwarded)


def _break_before(data: bytes, line_start: int) -> int:
    """Length of the line break that ends just before line_start (0, 1 or 2)."""
    if line_start < 1 or data[line_start - 1] != 0x0A:
        return 0
    return 2 if line_start >= 2 and data[line_start - 2] == 0x0D else 1


# Where a part's decoded bytes go.


class _Discard:
    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        pass

    def results(self) -> Iterator[tuple]:
        return iter(())


class _BodyText:
    def __init__(self, bodies: dict, subtype: str, charset: str):
        self.bodies, self.subtype, self.charset = bodies, subtype, charset
        self.kept = bytearray()

    def write(self, data: bytes) -> None:
        if len(self.kept) < BODY_LIMIT:
            self.kept += data[: BODY_LIMIT - len(self.kept)]

    def close(self) -> None:
        try:
            text = self.kept.decode(self.charset, errors="replace")
        except LookupError:  # a charset Python does not know
            text = self.kept.decode("utf-8", errors="replace")
        self.bodies[self.subtype] = (self.subtype, text.replace("\r\n", "\n"))

    def results(self) -> Iterator[tuple]:
        return iter(())


class _AttachedFile:
    def __init__(self, path: str, name: str, forwarded: bool):
        self.path, self.name, self.forwarded = path, name, forwarded
        self.file = open(path, "wb")  # closed by close(), after the last write
        self.size = 0
        self.head = bytearray()  # a forwarded email's headers, for its name

    def write(self, data: bytes) -> None:
        if self.forwarded and len(self.head) < HEADER_LIMIT:
            self.head += data[: HEADER_LIMIT - len(self.head)]
        self.file.write(data)
        self.size += len(data)

    def close(self) -> None:
        self.file.close()

    def results(self) -> Iterator[tuple]:
        name = self.name
        if self.forwarded:
            inner = BytesHeaderParser(policy=default_policy).parsebytes(bytes(self.head))
            name = f"{header(inner, 'subject')[:100] or 'forwarded message'}.eml"
        yield ("attachment", name, "" if self.path == os.devnull else self.path, self.size)


# Content-Transfer-Encodings, decoded a piece at a time.


def _decoder(encoding: str):
    encoding = str(encoding).strip().lower()
    if encoding == "base64":
        return _Base64()
    if encoding == "quoted-printable":
        return _QuotedPrintable()
    return _Raw()


class _Raw:
    def feed(self, data: bytes) -> bytes:
        return data

    def finish(self) -> bytes:
        return b""


class _Base64:
    """Lenient as the email package is: characters outside the alphabet are ignored."""

    def __init__(self):
        self.pending = b""
        self.done = False

    def feed(self, data: bytes) -> bytes:
        if self.done or not data:
            return b""
        if b"=" in data:  # padding: the encoded data ends here
            data = data[: data.index(b"=")]
            self.done = True
        data = self.pending + data.translate(None, _BASE64_JUNK)
        whole = len(data) - len(data) % 4
        self.pending = data[whole:]
        return binascii.a2b_base64(data[:whole]) if whole else b""

    def finish(self) -> bytes:
        rest, self.pending = self.pending, b""
        if len(rest) < 2:
            return b""
        return binascii.a2b_base64(rest + b"=" * (-len(rest) % 4))


class _QuotedPrintable:
    _ESCAPE_AT_END = re.compile(rb"=[0-9A-Fa-f]?$")

    def __init__(self):
        self.pending = b""

    def feed(self, data: bytes) -> bytes:
        data = self.pending + data
        self.pending = b""
        if not data.endswith(b"\n"):
            cut = self._ESCAPE_AT_END.search(data[-2:])  # an escape cut in two: wait for the rest
            if cut:
                data, self.pending = data[: len(data) - 2 + cut.start()], data[len(data) - 2 + cut.start() :]
        return binascii.a2b_qp(data)

    def finish(self) -> bytes:
        rest, self.pending = self.pending, b""
        return b"" if rest.startswith(b"=") else binascii.a2b_qp(rest)
