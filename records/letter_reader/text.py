"""A letter's text as the reader sees it: whitespace tidied, split into messages and sentences.

Offsets are into the tidied text (runs of whitespace collapsed to one space), which is what the
evidence quotes: the PDF text layer's line breaks fall anywhere, so they carry no meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .dates import find_dates

# "Mr. Maass", "5 U.S.C. 552", "Ill. App. 3d": a full stop that does not end a sentence.
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|No|Nos|St|Sec|Gov|Govt|Inc|Co|Corp|Ltd|Jr|Sr|Dept|Ste|Ave|App|Ill|Dist|Cal|Stat|v|vs|"
    r"etc|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|[A-Z])|U\.S|C\.F\.R)\.$"
)
_SENTENCE_END = re.compile(r"[.!?](?:[\"”’')\]]*)\s+(?=[\"“(\[]?[A-Z0-9])|:\s+(?=Dear\b)|\s{2,}")
# A quoted or forwarded message inside an email chain: its header starts a new message.
_FROM_HEADER = re.compile(r"^\s*(?:-+\s*Original Message\s*-+\s*)?From:\s.*$", re.M)
_WROTE = re.compile(r"^\s*On\s(?P<when>[^\n]{6,80}?)(?:,|\s)\s*[^\n]*wrote:\s*$", re.M)
_SENT_LINE = re.compile(r"(?:^|\s-\s|\n)\s*(?:Sent|Date):\s*(?P<when>[^\n]+)", re.M)
_CLOSINGS = re.compile(
    r"^\s*(?:Sincerely|Very truly yours|Yours (?:truly|sincerely)|Regards|Best regards|Respectfully)\b", re.M | re.I
)


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


@dataclass
class Message:
    """One message of a chain (or the whole letter): its tidied text and the date it bears."""

    text: str
    date: date | None
    quoted: bool  # a message further down the chain, quoted or forwarded


def tidy(raw: str) -> str:
    """Collapse whitespace. A text layer that puts one word a line (some PDF generators) reads the same."""
    text = raw.replace("\u200b", " ").replace("\u00a0", " ").replace("\ufb01", "fi").replace("\ufb02", "fl")
    return re.sub(r"\s+", " ", text).strip()


def _paragraphs(raw: str) -> str:
    """Tidy, but keep a paragraph break as a double space so sentences do not run across a heading.

    Where the layout is one word a line, blank lines fall mid-sentence: then no break is kept.
    """
    lines = [line.strip() for line in raw.splitlines()]
    words = [len(line.split()) for line in lines if line]
    one_word_lines = bool(words) and sum(1 for n in words if n <= 1) > 0.6 * len(words)
    if one_word_lines:
        return tidy(raw)
    widest = max((len(line) for line in lines), default=0)
    out = []
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        out.append(line)
        # A paragraph ends at a blank line, or at a short line followed by one that starts anew (a list,
        # a heading, a signature): mail printed to PDF often has no blank lines at all.
        if (
            not line
            or not following
            or (len(line) < 0.6 * widest and following[:1].isupper() and line[-1:] not in ",;-")
        ):
            out.append("\n")
    blocks = re.split(r"\n\s*\n", "\n".join(out))
    return "  ".join(tidy(block) for block in blocks if block.strip())


def sentences(raw: str) -> list[Sentence]:
    text = _paragraphs(raw)
    found, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if _ABBREVIATIONS.search(text[start : match.start() + 1]):
            continue
        _add(found, text, start, match.start() + 1)
        start = match.end()
    _add(found, text, start, len(text))
    return found


def _add(found: list[Sentence], text: str, start: int, end: int) -> None:
    piece = text[start:end].strip()
    if piece:
        offset = text.index(piece, start)
        found.append(Sentence(tidy(piece), offset, offset + len(piece)))


def split_messages(raw: str, fallback_date: date | None) -> list[Message]:
    """An email chain (printed to PDF or pasted) into its messages, newest first, each with its date.

    A plain letter is one message dated by its dateline (or `fallback_date`).
    """
    starts = sorted({m.start() for m in _FROM_HEADER.finditer(raw)} | {m.start() for m in _WROTE.finditer(raw)})
    bounds = [0, *[s for s in starts if s > 0], len(raw)]
    messages = []
    for index, (begin, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
        chunk = raw[begin:end]
        if not chunk.strip():
            continue
        messages.append(Message(chunk, _header_date(chunk) or (dateline(chunk) if index == 0 else None), index > 0))
    if messages and messages[0].date is None:
        messages[0].date = fallback_date
    return messages


def _header_date(chunk: str) -> date | None:
    head = "\n".join(chunk.strip().splitlines()[:6])
    for pattern in (_SENT_LINE, _WROTE):
        match = pattern.search(head)
        if match:
            found = find_dates(match.group(0))
            if found:
                return found[0].day
    return None


def dateline(chunk: str) -> date | None:
    """The letter's own date: a line near the top that is a date and nothing much else."""
    for line in [line.strip() for line in chunk.splitlines() if line.strip()][:40]:
        if 6 <= len(line) <= 40:
            found = find_dates(line)
            if found and (found[0].start == 0 or len(found[0].text) >= len(line) - 12):  # "May 1, 2015 Via E-Mail"
                return found[0].day
    return None


def before_closing(chunk: str) -> str:
    """The message up to its sign-off: what follows a closing is a signature, enclosures or a leaflet."""
    closing = _CLOSINGS.search(chunk)
    return chunk[: closing.start()] if closing else chunk


def letter_pages(texts: list[str], limit: int = 6) -> list[str]:
    """The pages of a document that make up its letter: up to the page that signs off (a closing
    with no quoted message after it), at most `limit`. What follows is usually the released records."""
    pages = []
    for text in texts[:limit]:
        pages.append(text)
        closing = list(_CLOSINGS.finditer(text))
        if closing and not _FROM_HEADER.search(text, closing[-1].end()) and not _WROTE.search(text, closing[-1].end()):
            break
    return pages


def noise_share(raw: str) -> float:
    """The share of (non-trivial) lines that look like OCR noise rather than words."""
    lines = [line.strip() for line in raw.splitlines() if len(line.strip()) >= 4]
    if not lines:
        return 0.0
    return sum(1 for line in lines if _noisy(line)) / len(lines)


def _noisy(line: str) -> bool:
    letters = sum(ch.isalpha() for ch in line)
    if letters < 0.5 * len(line.replace(" ", "")):
        return not re.search(r"\d{1,4}[/.-]\d{1,2}|\$\s?\d|\(\d{3}\)|\d{3}-\d{4}", line)  # dates, money, phones
    words = re.findall(r"[A-Za-z]+", line)
    vowelless = sum(1 for w in words if len(w) >= 3 and not re.search(r"[aeiouyAEIOUY]", w))
    return bool(words) and vowelless > 0.4 * len(words)
