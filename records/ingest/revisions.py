"""A DOCX's tracked changes and comments: often what the agency did not mean to release.

Read straight from word/document.xml (w:ins, w:del, w:moveFrom, w:moveTo with author and
date) and word/comments.xml (w:comment), with expat in streaming mode: a DOCTYPE or an
entity declaration (never in a real Office file; the way to an entity-expansion bomb)
stops the reading. Runs in the sandboxed child, after check_package() has refused
packages that would inflate past the limits.
"""

import zipfile
from xml.parsers import expat

from .errors import IngestError

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CHANGES = {"ins": "insertions", "del": "deletions", "moveFrom": "moves", "moveTo": "moves_to"}
_TEXT = {"t", "delText"}
_MOST_ENTRIES = 5000  # a file with more lists the first ones; the counts stay right
_MOST_CHARS = 2000  # of one entry's text
_MB = 1024 * 1024
KINDS = ("insertions", "deletions", "moves", "comments")


class _Refused(Exception):
    pass


def check_package(path: str, what: str, max_mb: int, max_ratio: int) -> None:
    """Refuse an OOXML/ODF package whose parts would inflate past max_mb, or any part compressed
    more than max_ratio to 1 (a ZIP bomb), before LibreOffice or a parser inflates a byte."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # damaged: the converter says so in its own words
    total = sum(info.file_size for info in infos)
    if total > max_mb * _MB:
        raise IngestError(
            f"This {what} would expand to {total / _MB:,.0f} MB, more than the {max_mb:,} MB allowed for one file "
            "(it may be a 'zip bomb'), so it was not opened. The file is kept."
        )
    for info in infos:
        if info.file_size > max_ratio * max(info.compress_size, 1) and info.file_size > _MB:
            raise IngestError(
                f"Part {info.filename} of this {what} is compressed more than {max_ratio} to 1, as 'zip bombs' are, "
                "so it was not opened. The file is kept."
            )


def read_tracked_changes(path: str):
    """The child's generator: yield ("changes", {kind: [{"author", "date", "text"}], ..., "counts": {kind: n}})."""
    found: dict = {kind: [] for kind in KINDS}
    counts = dict.fromkeys(KINDS, 0)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                with archive.open("word/document.xml") as part:
                    _parse(part, _ChangeCollector(found, counts))
            if "word/comments.xml" in names:
                with archive.open("word/comments.xml") as part:
                    _parse(part, _CommentCollector(found, counts))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, _Refused, expat.ExpatError):
        # The converter reports a damaged file; the changes found so far are kept.
        pass
    found["counts"] = counts
    yield ("changes", found)


def _parse(part, collector) -> None:
    parser = expat.ParserCreate(namespace_separator="|")
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    parser.CharacterDataHandler = collector.text
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    while chunk := part.read(_MB):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _refuse(*_args) -> None:
    raise _Refused("a DTD in an Office part")


def _split(name: str) -> tuple[str, str]:
    uri, _, local = name.rpartition("|")
    return uri, local


def _entry(attributes: dict) -> dict:
    return {"author": attributes.get(f"{_W}|author", ""), "date": attributes.get(f"{_W}|date", ""), "text": []}


def _keep(found: dict, counts: dict, kind: str, entry: dict) -> None:
    text = "".join(entry["text"]).strip()
    if not text:
        return  # a changed paragraph mark or formatting: nothing to read
    counts[kind] += 1
    if len(found[kind]) < _MOST_ENTRIES:
        found[kind].append({"author": entry["author"], "date": entry["date"], "text": text[:_MOST_CHARS]})


class _ChangeCollector:
    def __init__(self, found: dict, counts: dict):
        self.found, self.counts = found, counts
        self.open: list[tuple[str, dict]] = []
        self.in_text = False

    def start(self, name, attributes):
        uri, local = _split(name)
        if uri != _W:
            return
        if local in _CHANGES:
            self.open.append((_CHANGES[local], _entry(attributes)))
        elif local in _TEXT:
            self.in_text = True

    def text(self, data):
        if self.in_text and self.open:
            entry = self.open[-1][1]
            if sum(map(len, entry["text"])) < _MOST_CHARS:
                entry["text"].append(data)

    def end(self, name):
        uri, local = _split(name)
        if uri != _W:
            return
        if local in _TEXT:
            self.in_text = False
        elif local in _CHANGES and self.open:
            kind, entry = self.open.pop()
            if kind != "moves_to":  # a move is counted once, where the text was taken from
                _keep(self.found, self.counts, kind, entry)


class _CommentCollector:
    def __init__(self, found: dict, counts: dict):
        self.found, self.counts = found, counts
        self.comment: dict | None = None
        self.in_text = False

    def start(self, name, attributes):
        uri, local = _split(name)
        if uri != _W:
            return
        if local == "comment":
            self.comment = _entry(attributes)
        elif local == "p" and self.comment is not None and self.comment["text"]:
            self.comment["text"].append("\n")
        elif local in _TEXT:
            self.in_text = True

    def text(self, data):
        if self.in_text and self.comment is not None and sum(map(len, self.comment["text"])) < _MOST_CHARS:
            self.comment["text"].append(data)

    def end(self, name):
        uri, local = _split(name)
        if uri != _W:
            return
        if local in _TEXT:
            self.in_text = False
        elif local == "comment" and self.comment is not None:
            _keep(self.found, self.counts, "comments", self.comment)
            self.comment = None


def searchable_text(changes: dict) -> str:
    """The changes and comments as one page of text, each labelled, for search."""
    labels = {"insertions": "Tracked insertion", "deletions": "Tracked deletion", "moves": "Moved text",
              "comments": "Comment"}  # fmt: skip
    lines = []
    for kind in KINDS:
        for entry in changes.get(kind, []):
            by = f" by {entry['author']}" if entry.get("author") else ""
            when = f" ({entry['date'][:10]})" if entry.get("date") else ""
            lines.append(f"{labels[kind]}{by}{when}: {entry['text']}")
    return "\n".join(lines)
