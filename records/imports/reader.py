"""Reading the uploaded sheet: decode the bytes, find the delimiter and the header row, keep the rows.

The work is bounded whatever the file holds (issue 10: a sheet saved with Excel's 16,384 columns took a
minute to preview, one with 200,000 columns nine):
- the upload is at most MAX_IMPORT_BYTES;
- the header row is looked for in the first HEADER_SEARCH_ROWS rows only;
- empty trailing cells are dropped as each row is read, so a sheet keeps only the columns it uses;
- a sheet with something beyond column MAX_COLUMNS is refused, with the row and column to look at;
- so is a sheet with more than MAX_ROWS rows under its header (the desk splits it, as a file over 2 MB);
- a cell over the csv module's field limit (128 KB) makes its row unreadable, not the file.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

# The session carries the uploaded text between preview and import; a database-backed session
# row this size is fine. Bigger sheets are split by the desk (the upload page says so).
MAX_IMPORT_BYTES = 2 * 1024 * 1024
# Our 18 fields fit many times over; a tracking sheet with more columns in use is not one.
MAX_COLUMNS = 200
# Every row is planned for the preview and again for the import, and the import creates each in the web
# request: about 1 ms a row to plan and 40 ms to create (bench/import_wide.py, a loaded 2-core machine).
# 2,000 rows stay well inside the README's gunicorn --timeout 120; 2 MB of short rows would be 44,000.
MAX_ROWS = 2_000
HEADER_SEARCH_ROWS = 50


class SheetError(ValueError):
    """The file as a whole cannot be read (not a CSV, no header row, too wide)."""


@dataclass
class Sheet:
    filename: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells); blank rows dropped
    delimiter: str
    header_row: int = 1
    unreadable: list[tuple[int, str]] = field(default_factory=list)  # (row number, why)

    def cell(self, cells: list[str], index: int | None) -> str:
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()


# Files people upload by mistake, by their first bytes: named, so the message can say what to do.
_NOT_CSV = [
    ((b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), None),  # Excel workbook (.xlsx / .xls)
    ((b"%PDF",), "a PDF"),
    ((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*"), "an image"),
    ((b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!"), "a compressed archive"),
    ((b"{\\rtf",), "a Word (RTF) document"),
]
# C0 control characters other than tab, line breaks (FileMaker writes a line break inside a cell as a
# vertical tab) and form feed, DEL, and the replacement character: a sheet of text has next to none of
# them, a binary file is full of them.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")


def decode(data: bytes) -> str:
    """UTF-8 (with or without Excel's BOM), UTF-16 with a BOM (Excel's "Unicode Text"), else Windows-1252,
    which is what Excel on Windows saves. A file that is not text is refused with a sentence saying so."""
    for magic, what in _NOT_CSV:
        if data.startswith(magic):
            if what is None:
                raise SheetError(
                    "This is an Excel workbook, not a CSV file. In Excel: File → Save As → CSV UTF-8, then upload that."
                )
            raise SheetError(f"This is {what}, not a spreadsheet saved as CSV. Save the sheet as CSV and upload that.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise SheetError(_not_text("it says it is UTF-16 but is not")) from None
    if b"\x00" in data:
        raise SheetError(_not_text("it has NUL bytes"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:65536]
    if len(_NOT_TEXT.findall(sample)) > max(8, len(sample) // 100):
        raise SheetError(_not_text("it is full of control characters, or in an encoding we cannot read"))
    return text


def _not_text(why: str) -> str:
    return f"This file is not text ({why}). Save the sheet as CSV UTF-8 and upload that."


def read_sheet(text: str, filename: str = "") -> Sheet:
    """Find the delimiter and the header row (the first row with two or more filled cells)."""
    text = text.lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise SheetError("The file is empty.")
    delimiter = _guess_delimiter(first)
    headers: list[str] | None = None
    header_row = 0
    rows: list[tuple[int, list[str]]] = []
    unreadable: list[tuple[int, str]] = []
    width = 0
    for number, cells in _records(text, delimiter):
        if isinstance(cells, str):  # the reason the row could not be read
            if headers is None:
                raise SheetError(f"Row {number} cannot be read, so neither can the header row: {cells}.")
            unreadable.append((number, cells))
            _check_row_count(len(rows) + len(unreadable))
            continue
        if len(cells) > MAX_COLUMNS:
            raise SheetError(
                f"This sheet has something in column {_column_name(len(cells))} (column {len(cells):,}) on row "
                f"{number}; the import reads up to {MAX_COLUMNS} columns. Delete the columns it does not need, save "
                "it as CSV again and upload that."
            )
        if headers is None:
            if sum(1 for c in cells if c.strip()) >= 2:
                headers, header_row = [h.strip() for h in cells], number
            elif number >= HEADER_SEARCH_ROWS:
                break
            continue
        if cells:
            rows.append((number, cells))
            width = max(width, len(cells))
            _check_row_count(len(rows) + len(unreadable))
    if headers is None:
        raise SheetError(
            f"No header row found in the first {HEADER_SEARCH_ROWS} rows: the first row should name the columns "
            "(agency, date sent, …)."
        )
    # A column with data but no header can still be mapped ("(column 7)").
    headers += [""] * (width - len(headers))
    return Sheet(
        filename=filename,
        headers=headers,
        rows=rows,
        delimiter=delimiter,
        header_row=header_row,
        unreadable=unreadable,
    )


def _check_row_count(count: int) -> None:
    if count > MAX_ROWS:
        raise SheetError(
            f"This sheet has more than {MAX_ROWS:,} rows under its header; the import takes up to {MAX_ROWS:,} at "
            "a time. Split it into several files, each with its header row."
        )


def _records(text: str, delimiter: str):
    """(row number, cells without the empty ones at the end) for each row, or (row number, why) for a row
    the csv module refuses. Rows are numbered as the spreadsheet shows them: a cell with line breaks in it
    is one row."""
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    number = 0
    while True:
        number += 1
        lines.record = []
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            lines.skip_rest_of_record()
            yield number, _unreadable_reason(e)
            continue
        yield number, _trim(cells)


class _Lines:
    """The text's lines for csv.reader, keeping those of the row being read: after a row the reader
    refuses, the rest of that row is skipped, not read as rows of its own."""

    def __init__(self, text: str):
        self._lines = iter(io.StringIO(text, newline=""))
        self.record: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.record.append(line)
        return line

    def skip_rest_of_record(self) -> None:
        # An odd number of quotes so far means the reader stopped inside a quoted cell that spans lines:
        # its end is the line that makes the count even again. ("" inside a quoted cell counts twice.)
        quotes = sum(line.count('"') for line in self.record)
        while quotes % 2:
            line = next(self._lines, None)
            if line is None:
                return
            quotes += line.count('"')


def _unreadable_reason(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        limit_kb = csv.field_size_limit() // 1024
        return (
            f"a cell is over {limit_kb} KB, more than the import reads in one cell; shorten it (keep long text "
            "in a document on the request) and upload the sheet again"
        )
    return f"this row cannot be read as CSV ({error})"


def _trim(cells: list[str]) -> list[str]:
    if not cells or cells[-1].strip():
        return cells
    # map() keeps the scan in C: a row saved 200,000 columns wide is one list of that many empty strings.
    filled_from_the_end = list(map(bool, map(str.strip, reversed(cells))))
    if True not in filled_from_the_end:
        return []
    return cells[: len(cells) - filled_from_the_end.index(True)]


def _column_name(number: int) -> str:
    """1 → A, 27 → AA, 16,384 → XFD: the column as the spreadsheet labels it."""
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _guess_delimiter(header_line: str) -> str:
    # The header line has no quoted commas in practice; count outside quotes anyway.
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: unquoted.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
