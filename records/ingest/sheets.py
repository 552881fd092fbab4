"""Spreadsheets (XLSX, XLSM, XLS, ODS, CSV, TSV) read row by row, inside the sandboxed child.

read_table() is the child's generator (run it with run_isolated). It yields, in order:
("sheet", info) when a sheet starts, ("header", row, names) for a detected header row,
("row", row, cells) for each row with data, ("end", row_count) when the sheet ends, and
("note", text) for what the user should know (macros, hidden sheets). Cells are strings
as the spreadsheet shows them; formulas are never evaluated (only cached values are read).
"""

import csv
import datetime as dt
import functools
import io
import re
import zipfile
from xml.etree import ElementTree

from .errors import IngestError, short

XLSX, XLS, ODS, CSV, TSV = "xlsx", "xls", "ods", "csv", "tsv"
SPREADSHEET_TYPES = (XLSX, XLS, ODS, CSV, TSV)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_WORKBOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))
_MB = 1024 * 1024

ENCRYPTED = (
    "This spreadsheet is protected with a password (it is encrypted), so the tracker cannot read it. "
    "Open it with the password the agency gave, save a copy without one, and upload that. The file is kept."
)


def spreadsheet_format(path: str, name: str, detected: str) -> str | None:
    """xlsx/xls/ods/csv/tsv when the file is a spreadsheet, else None. Raises IngestError when encrypted."""
    if detected in SPREADSHEET_TYPES:
        return detected
    extension = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if detected == "zip":
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "xl/workbook.xml" in names:
                    return XLSX
                if "mimetype" in names:
                    with archive.open("mimetype") as member:  # never read() whole: it may be a bomb
                        if member.read(100).strip().endswith(b"spreadsheet"):
                            return ODS
        except (zipfile.BadZipFile, OSError, KeyError, ValueError):
            return None  # unpack_zip says it is damaged
        return None
    if detected == "unknown":
        with open(path, "rb") as file:
            head = file.read(8)
        if head == _OLE2:
            return _ole2_format(path)
        if extension in (CSV, TSV):
            return extension
    return None


def _ole2_format(path: str) -> str | None:
    """An OLE2 compound file: an old Excel workbook, an encrypted XLSX, or something else (.msg, .doc)."""
    with open(path, "rb") as file:
        data = file.read(64 * _MB)  # the directory names sit well within this in any real file
    if _ENCRYPTED_PACKAGE in data:
        raise IngestError(ENCRYPTED)
    if any(stream in data for stream in _WORKBOOK_STREAMS):
        return XLS
    return None


def read_table(path: str, kind: str, max_cells: int, max_xml_mb: int):
    """The child's generator: see the module docstring."""
    budget = _CellBudget(max_cells)
    if kind == XLSX:
        yield from _read_xlsx(path, budget, max_xml_mb)
    elif kind == XLS:
        yield from _read_xls(path, budget)
    elif kind == ODS:
        yield from _read_ods(path, budget, max_xml_mb)
    else:
        yield from _read_csv(path, "\t" if kind == TSV else None, budget)


class _CellBudget:
    """Every cell read counts, empty padding included: a sheet that declares a million rows or a
    cell in column XFD costs what it makes the reader do."""

    def __init__(self, max_cells: int):
        self.left = max_cells
        self.max_cells = max_cells

    def take(self, cells: int) -> None:
        self.left -= cells
        if self.left < 0:
            raise IngestError(
                f"This spreadsheet holds more than {self.max_cells:,} cells, the limit for one file (it may be a "
                "'spreadsheet bomb'), so reading stopped. The rows read so far are kept and searchable; "
                "the file is kept."
            )


class _Rows:
    """Turns raw rows into header/row items and counts the data rows of one sheet."""

    def __init__(self):
        self.header_seen = False
        self.count = 0

    def add(self, number: int, cells: list[str], all_text: bool):
        while cells and cells[-1] == "":
            cells.pop()
        if not cells:
            return None
        if not self.header_seen:
            self.header_seen = True
            if all_text:
                return ("header", number, cells)
        self.count += 1
        return ("row", number, cells)


# XLSX and XLSM, through openpyxl in read-only mode (streaming) with cached values only.


def _read_xlsx(path: str, budget: _CellBudget, max_xml_mb: int):
    import openpyxl  # imported here: only the child pays for it

    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        total = sum(info.file_size for info in infos)
        if total > max_xml_mb * _MB:
            raise IngestError(
                f"This spreadsheet would expand to {total / _MB:,.0f} MB of data, more than the {max_xml_mb:,} MB "
                "allowed for one file (it may be a 'spreadsheet bomb'), so it was not opened. The file is kept."
            )
        if any(info.filename.lower().endswith("vbaproject.bin") for info in infos):
            yield ("note", "This workbook contains macros; they were never run, only the values were read.")
    try:
        # A file object, not the path: openpyxl refuses names without .xlsx, and stored blobs have none.
        workbook = openpyxl.load_workbook(open(path, "rb"), read_only=True, data_only=True, keep_links=False)
    except MemoryError:
        raise  # the sandbox reports the memory limit, not a damaged file
    except Exception as exc:
        raise IngestError(f"This spreadsheet is damaged and cannot be opened ({short(exc, 120)}). The file is kept.")
    with zipfile.ZipFile(path) as archive:
        for index, sheet in enumerate(workbook.worksheets):
            hidden_rows, hidden_columns, merged = _xlsx_layout(archive, sheet._worksheet_path, budget)
            yield _sheet_info(index, sheet.title, sheet.sheet_state != "visible", hidden_rows, hidden_columns, merged)
            yield from _xlsx_rows(sheet, merged, budget)
    workbook.close()


def _xlsx_layout(archive: zipfile.ZipFile, sheet_path: str, budget: _CellBudget):
    """Hidden rows and columns and merged ranges, which read-only openpyxl does not give."""
    hidden_rows, hidden_columns, merged = [], [], []
    if not _mentions(archive, sheet_path.lstrip("/"), (b"hidden=", b"mergeCell")):
        return hidden_rows, hidden_columns, merged  # most sheets: skip parsing the XML a second time
    with archive.open(sheet_path.lstrip("/")) as xml:
        for _, element in ElementTree.iterparse(xml):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "row":
                budget.take(1)
                if element.get("hidden") in ("1", "true") and element.get("r", "").isdigit():
                    hidden_rows.append(int(element.get("r")))
                element.clear()
            elif tag == "col" and element.get("hidden") in ("1", "true"):
                first, last = int(element.get("min", "1")), int(element.get("max", "1"))
                hidden_columns.extend(range(first - 1, min(last, first + 1000)))
            elif tag == "mergeCell" and element.get("ref"):
                merged.append(element.get("ref"))
    return hidden_rows, sorted(set(hidden_columns)), merged


def _mentions(archive: zipfile.ZipFile, name: str, needles: tuple[bytes, ...]) -> bool:
    tail = b""
    with archive.open(name) as raw:
        while chunk := raw.read(1024 * 1024):
            window = tail + chunk
            if any(needle in window for needle in needles):
                return True
            tail = window[-32:]
    return False


def _xlsx_rows(sheet, merged: list[str], budget: _CellBudget):
    from openpyxl.utils.cell import range_boundaries

    sheet.reset_dimensions()  # never trust the declared size: read what is there
    spans = _merge_spans(merged, range_boundaries)
    rows, merged_values = _Rows(), {}
    for number, row in enumerate(sheet.iter_rows(), start=1):
        budget.take(max(len(row), 1))
        cells, all_text = [], True
        for cell in row:
            value = getattr(cell, "value", None)
            if value is not None and not isinstance(value, str):
                all_text = False
            cells.append(display(value, getattr(cell, "number_format", "General")))
        _fill_merged(spans, number, cells, merged_values)
        item = rows.add(number, cells, all_text)
        if item:
            yield item
    yield ("end", rows.count)


def _merge_spans(merged: list[str], boundaries) -> list[tuple[int, int, int, int]]:
    spans = []
    for ref in merged[:10000]:
        try:
            min_col, min_row, max_col, max_row = boundaries(ref)
        except (ValueError, TypeError):
            continue
        if (max_col - min_col + 1) * (max_row - min_row + 1) <= 100000:
            spans.append((min_row, max_row, min_col - 1, max_col - 1))
    return spans


def _fill_merged(spans, number: int, cells: list[str], values: dict) -> None:
    """A merged range shows its top-left value across the range, as the spreadsheet does."""
    for top, bottom, left, right in spans:
        if not top <= number <= bottom:
            continue
        if number == top and left < len(cells):
            values[(top, left)] = cells[left]
        value = values.get((top, left), "")
        if len(cells) <= right:
            cells.extend([""] * (right + 1 - len(cells)))
        for column in range(left, right + 1):
            if not cells[column]:
                cells[column] = value


# XLS (Excel 97-2003), through xlrd.


def _read_xls(path: str, budget: _CellBudget):
    import xlrd

    try:
        book = xlrd.open_workbook(path, formatting_info=True, on_demand=True)
    except xlrd.biffh.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise IngestError(ENCRYPTED) from None
        raise IngestError(f"This Excel file is damaged and cannot be opened ({short(exc, 120)}). The file is kept.")
    except MemoryError:
        raise
    except Exception as exc:
        raise IngestError(f"This Excel file is damaged and cannot be opened ({short(exc, 120)}). The file is kept.")
    for index in range(book.nsheets):
        sheet = book.get_sheet(index)
        hidden_rows = sorted(r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden)
        hidden_columns = sorted(c for c, info in sheet.colinfo_map.items() if info.hidden)
        merged = [_a1(rlo, clo) + ":" + _a1(rhi - 1, chi - 1) for rlo, rhi, clo, chi in sheet.merged_cells]
        yield _sheet_info(index, sheet.name, sheet.visibility != 0, hidden_rows, hidden_columns, merged)
        rows = _Rows()
        for r in range(sheet.nrows):
            budget.take(max(sheet.row_len(r), 1))
            cells, all_text = [], True
            for cell in sheet.row(r):
                if cell.ctype not in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_TEXT):
                    all_text = False
                cells.append(_xls_display(book, cell, xlrd))
            item = rows.add(r + 1, cells, all_text)
            if item:
                yield item
        yield ("end", rows.count)
        book.unload_sheet(index)


def _xls_display(book, cell, xlrd) -> str:
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            value = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return str(cell.value)
        fmt = book.format_map.get(book.xf_list[cell.xf_index].format_key) if cell.xf_index is not None else None
        return display(value, fmt.format_str if fmt else "yyyy-mm-dd")
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        fmt = book.format_map.get(book.xf_list[cell.xf_index].format_key) if cell.xf_index is not None else None
        return display(cell.value, fmt.format_str if fmt else "General")
    return "" if cell.value is None else str(cell.value)


# ODS (OpenDocument), from content.xml: each cell carries the text the spreadsheet displays.

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"


def _read_ods(path: str, budget: _CellBudget, max_xml_mb: int):
    try:
        archive = zipfile.ZipFile(path)
        info = archive.getinfo("content.xml")
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise IngestError(f"This spreadsheet is damaged and cannot be opened ({short(exc, 120)}). The file is kept.")
    if info.file_size > max_xml_mb * _MB:
        raise IngestError(
            f"This spreadsheet would expand to {info.file_size / _MB:,.0f} MB of data, more than the {max_xml_mb:,} MB "
            "allowed for one file (it may be a 'spreadsheet bomb'), so it was not opened. The file is kept."
        )
    hidden_styles: set[str] = set()
    index, number, rows, cells, all_text = -1, 0, None, [], True
    hidden_rows: list[int] = []
    with archive, archive.open(info) as xml:
        for event, element in ElementTree.iterparse(xml, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == f"{{{_TABLE}}}table":
                    index, number, rows, hidden_rows = index + 1, 0, _Rows(), []
                    hidden = element.get(f"{{{_TABLE}}}style-name") in hidden_styles
                    yield _sheet_info(index, element.get(f"{{{_TABLE}}}name", f"Sheet{index + 1}"), hidden, [], [], [])
                elif tag == f"{{{_TABLE}}}table-row":
                    cells, all_text = [], True
                continue
            if tag == f"{{{_STYLE}}}style":
                properties = element.find(f"{{{_STYLE}}}table-properties")
                if properties is not None and properties.get(f"{{{_TABLE}}}display") == "false":
                    hidden_styles.add(element.get(f"{{{_STYLE}}}name"))
                element.clear()
            elif tag in (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"):
                repeat = min(int(element.get(f"{{{_TABLE}}}number-columns-repeated", "1") or 1), 16384)
                text = "\n".join("".join(p.itertext()) for p in element.iter(f"{{{_TEXT}}}p"))
                if element.get(f"{{{_OFFICE}}}value-type") not in (None, "string"):
                    all_text = False
                if text:
                    budget.take(repeat)
                    cells.extend([text] * repeat)
                else:  # a long empty run (to the sheet's last column) is one placeholder, not thousands
                    cells.extend([""] * (repeat if repeat < 1024 else 1))
                element.clear()
            elif tag == f"{{{_TABLE}}}table-row" and rows is not None:
                repeat = int(element.get(f"{{{_TABLE}}}number-rows-repeated", "1") or 1)
                collapsed = element.get(f"{{{_TABLE}}}visibility") in ("collapse", "filter")
                if not any(cells):
                    number += repeat  # empty runs are counted, never expanded
                else:
                    for _ in range(min(repeat, 1048576)):
                        number += 1
                        budget.take(max(len(cells), 1))
                        if collapsed:
                            hidden_rows.append(number)
                        item = rows.add(number, list(cells), all_text)
                        if item:
                            yield item
                element.clear()
            elif tag == f"{{{_TABLE}}}table" and rows is not None:
                if hidden_rows:
                    yield ("hidden_rows", hidden_rows)
                yield ("end", rows.count)
                element.clear()


# CSV and TSV, in the encoding charset-normalizer finds.


def _read_csv(path: str, delimiter: str | None, budget: _CellBudget):
    text = decode_text(path)
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    csv.field_size_limit(1 * _MB)
    yield _sheet_info(0, "Sheet1", False, [], [], [])
    rows = _Rows()
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            budget.take(max(len(record), 1))
            item = rows.add(number, [value.strip() for value in record], number == 1)
            if item:
                yield item
    except csv.Error as exc:
        raise IngestError(f"This CSV file is malformed ({short(exc, 120)}); the rows before it are kept.") from None
    yield ("end", rows.count)


_WESTERN = ("cp1252", "latin_1", "iso8859_15")


def decode_text(path: str) -> str:
    """The file's text in the encoding it most likely uses; refuses bytes that are not text."""
    from charset_normalizer import from_bytes

    with open(path, "rb") as file:
        data = file.read()
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    results = from_bytes(data[: 4 * _MB])
    best = results.best()
    # Short files fit many code pages equally well; agencies' exports are mostly Windows-1252.
    tied = [m for m in results if best and m.percent_chaos <= best.percent_chaos and m.encoding in _WESTERN]
    best = tied[0] if tied else best
    if best is None or b"\x00" in data[:65536] and not best.encoding.startswith("utf_16"):
        raise IngestError(
            "The tracker could not tell which text encoding this file uses (it may not be text at all), so it "
            "was not read. The file is kept; ask the agency for a UTF-8 or an Excel copy."
        )
    return data.decode(best.encoding, "replace")


# What a cell shows.


def _sheet_info(index, name, hidden, hidden_rows, hidden_columns, merged):
    return (
        "sheet",
        {"index": index, "name": str(name)[:255], "hidden": bool(hidden), "hidden_rows": hidden_rows,
         "hidden_columns": hidden_columns, "merged": merged},
    )  # fmt: skip


def _a1(row: int, column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return f"{letters}{row + 1}"


_DATE_TOKENS = re.compile(r"yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p", re.IGNORECASE)


def display(value, number_format: str | None) -> str:
    """The value as the spreadsheet shows it (the common number and date formats)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    fmt = (number_format or "General").split(";")[0]
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return _format_date(value, fmt)
    if isinstance(value, (int, float)):
        if "%" in fmt:
            decimals = len(fmt.split(".")[1].split("%")[0]) if "." in fmt else 0
            return f"{value * 100:.{decimals}f}%"
        if re.search(r"0\.(0+)", fmt):
            decimals = len(re.search(r"0\.(0+)", fmt).group(1))
            return f"{value:,.{decimals}f}" if "," in fmt else f"{value:.{decimals}f}"
        if "," in fmt and "0" in fmt:
            return f"{value:,.0f}"
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.10g}" if isinstance(value, float) else str(value)
    return str(value)


def _format_date(value, fmt: str) -> str:
    parts = _date_parts(fmt)
    if parts is None:
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S" if value.time() != dt.time() else "%Y-%m-%d")
        return value.isoformat()
    return "".join(part if isinstance(part, str) else part(value) for part in parts).strip()


@functools.lru_cache(maxsize=256)
def _date_parts(fmt: str):
    """The format as literals and functions of the value; None when it names no date part."""
    clean = re.sub(r"\[[^\]]*\]|\\|\"|_.|\*.", "", fmt)
    if not _DATE_TOKENS.search(clean) or clean.lower() == "general":
        return None
    twelve = bool(re.search(r"am/pm|a/p", clean, re.IGNORECASE))
    matches = list(_DATE_TOKENS.finditer(clean))
    parts, position = [], 0
    for index, match in enumerate(matches):
        parts.append(clean[position : match.start()])
        token = match.group(0).lower()
        previous = matches[index - 1].group(0).lower() if index else ""
        following = matches[index + 1].group(0).lower() if index + 1 < len(matches) else ""
        minutes = token in ("m", "mm") and (previous.startswith("h") or following.startswith("s"))
        parts.append(_date_part(token, minutes, twelve))
        position = match.end()
    parts.append(clean[position:])
    return tuple(parts)


def _date_part(token: str, minutes: bool, twelve: bool):
    def get(value, name, default=0):  # dates have no hour, times no year
        return getattr(value, name, default)

    def hour(value):
        h = get(value, "hour")
        return (h % 12 or 12) if twelve else h

    def strf(code):
        return lambda v: v.strftime(code) if hasattr(v, "month") else ""

    if token in ("mm", "m") and minutes:
        return (lambda v: f"{get(v, 'minute'):02d}") if token == "mm" else (lambda v: str(get(v, "minute")))
    return {
        "yyyy": lambda v: f"{get(v, 'year', 1900):04d}", "yy": lambda v: f"{get(v, 'year', 1900) % 100:02d}",
        "mmmmm": lambda v: strf("%B")(v)[:1], "mmmm": strf("%B"), "mmm": strf("%b"),
        "mm": lambda v: f"{get(v, 'month', 1):02d}", "m": lambda v: str(get(v, "month", 1)),
        "dddd": strf("%A"), "ddd": strf("%a"),
        "dd": lambda v: f"{get(v, 'day', 1):02d}", "d": lambda v: str(get(v, "day", 1)),
        "hh": lambda v: f"{hour(v):02d}", "h": lambda v: str(hour(v)),
        "ss": lambda v: f"{get(v, 'second'):02d}", "s": lambda v: str(get(v, "second")),
        "am/pm": lambda v: "AM" if get(v, "hour") < 12 else "PM", "a/p": lambda v: "A" if get(v, "hour") < 12 else "P",
    }[token]  # fmt: skip


def row_text(header: list[str], cells: list[str]) -> str:
    """The text searched and shown in snippets: "Header: value | Header: value"."""
    parts = []
    for position, value in enumerate(cells):
        if value == "":
            continue
        name = header[position] if position < len(header) and header[position] else column_name(position)
        parts.append(f"{name}: {value}")
    return " | ".join(parts)


def column_name(position: int) -> str:
    return _a1(0, position)[:-1]
