"""Agency names typed, pasted or uploaded, matched to the shared directory.

Each line is one of: blank, duplicate (an agency an earlier line already chose), exact (same name but for
case, punctuation and common abbreviations), abbreviation (the agency's abbreviation), near (a close
spelling: the user confirms it), new (nothing close: the user may add it to the directory).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field

from ..models import Agency

BLANK, DUPLICATE, EXACT, ABBREVIATION, NEAR, NEW, DIRECTORY = (
    "blank", "duplicate", "exact", "abbreviation", "near", "new", "directory",
)  # fmt: skip
NEAR_CUTOFF = 0.85
MAX_LINES = 2000
MAX_UPLOAD_BYTES = 5 * 1024 * 1024

_WORDS = {"dept": "department", "co": "county", "st": "saint", "&": "and", "u s": "us", "ofc": "office"}


def normalize(name: str) -> str:
    text = name.lower().replace("&", " and ").replace("'", "").replace("’", "")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    text = re.sub(r"^the ", "", text)
    text = re.sub(r"\bu s\b", "us", text)
    return " ".join(_WORDS.get(word, word) for word in text.split())


@dataclass
class Match:
    line: str
    kind: str
    agency: Agency | None = None
    duplicate_of: int | None = None  # the line number (1-based) that already chose this agency
    candidates: list[Agency] = field(default_factory=list)


class Directory:
    """The agency directory, indexed once for matching many names."""

    def __init__(self, agencies=None):
        agencies = list(agencies if agencies is not None else Agency.objects.select_related("default_statute"))
        self.by_name: dict[str, Agency] = {}
        self.by_abbreviation: dict[str, list[Agency]] = {}
        for agency in agencies:
            self.by_name.setdefault(normalize(agency.name), agency)
            if agency.abbreviation:
                self.by_abbreviation.setdefault(agency.abbreviation.strip().lower(), []).append(agency)
        self.names = list(self.by_name)

    def match(self, line: str) -> Match:
        text = line.strip()
        if not text:
            return Match(line, BLANK)
        key = normalize(text)
        if key in self.by_name:
            return Match(text, EXACT, self.by_name[key])
        by_abbr = self.by_abbreviation.get(text.lower(), [])
        if len(by_abbr) == 1:
            return Match(text, ABBREVIATION, by_abbr[0])
        close = difflib.get_close_matches(key, self.names, n=3, cutoff=NEAR_CUTOFF)
        candidates = by_abbr + [self.by_name[name] for name in close]
        if candidates:
            return Match(text, NEAR, candidates[0], candidates=candidates)
        return Match(text, NEW)


def match_lines(lines: list[str], directory: Directory | None = None, *, chosen: dict[int, int] | None = None):
    """One Match a line; a line naming an agency an earlier line chose is a duplicate.

    `chosen` maps agency id → line number for agencies already in the plan (e.g. from a directory filter).
    """
    directory = directory or Directory()
    chosen = dict(chosen or {})
    seen_text: dict[str, int] = {}
    matches = []
    for number, line in enumerate(lines, start=1):
        m = directory.match(line)
        key = normalize(m.line)
        if m.kind != BLANK:
            if m.agency is not None and m.kind != NEAR and m.agency.pk in chosen:
                m = Match(m.line, DUPLICATE, m.agency, duplicate_of=chosen[m.agency.pk])
            elif key in seen_text:
                m = Match(m.line, DUPLICATE, m.agency, duplicate_of=seen_text[key])
            elif m.agency is not None and m.kind != NEAR:
                chosen[m.agency.pk] = number
            seen_text.setdefault(key, number)
        matches.append(m)
    return matches


class UnreadableFile(ValueError):
    """The uploaded list could not be read; the message says why in plain words."""


def names_from_upload(upload) -> list[str]:
    """The first column of a CSV or XLSX file (a header row named like "agency"/"name" is skipped)."""
    name = (upload.name or "").lower()
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise UnreadableFile("That file is larger than 5 MB; upload a list of agency names only.")
    data = upload.read()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    elif name.endswith((".csv", ".txt")) or not name:
        rows = _csv_rows(data)
    else:
        raise UnreadableFile("Upload a .csv or .xlsx file with one agency name a row.")
    names = [str(row[0]).strip() if row and row[0] is not None else "" for row in rows]
    if names and normalize(names[0]) in {"agency", "name", "agency name", "agencies"}:
        names = names[1:]
    if len(names) > MAX_LINES:
        raise UnreadableFile(f"That list has {len(names)} rows; a campaign takes at most {MAX_LINES} agencies.")
    return names


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise UnreadableFile("That CSV file is not in a text encoding we can read; save it as UTF-8.")
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise UnreadableFile(f"That CSV file could not be read ({error}).") from error


def _xlsx_rows(data: bytes) -> list[tuple]:
    import openpyxl  # only needed for uploads

    from ..imports.reader import SheetError
    from ..imports.xlsx import check_unpacked_sizes

    try:
        check_unpacked_sizes(data)  # the import's sheet-bomb check, before openpyxl unpacks anything
    except SheetError as error:
        raise UnreadableFile(str(error)) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise UnreadableFile("That spreadsheet could not be opened; save it as .xlsx or .csv and try again.") from error
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True, max_col=1):
            rows.append(row)
            if len(rows) > MAX_LINES + 1:
                break
        return rows
    finally:
        book.close()
