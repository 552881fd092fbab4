"""Reading an Excel workbook (.xlsx) for the import: its first visible sheet, turned into CSV text once.

The preview and the import read the sheet from the session between requests; storing the CSV text the
workbook becomes (not the workbook's bytes, base64-encoded) means the session holds what the reader
already reads, with the CSV path's limits, and the workbook is opened exactly once, at upload.

Safe by construction:
- openpyxl in read-only mode with cached values (data_only): a formula is never evaluated, its last saved
  result is read (a formula never calculated by Excel reads as empty);
- before opening, the ZIP's declared uncompressed sizes of the sheet and shared-string XML are checked,
  so a small file that inflates to gigabytes (a "sheet bomb") is refused, not unpacked;
- the rows read stop a little past the row limit; the CSV reader then applies the same limits as to any
  CSV (columns, rows, 128 KB cells), with the same sentences.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

from .reader import HEADER_SEARCH_ROWS, MAX_IMPORT_BYTES, MAX_ROWS, SheetError, decode

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .xls format, and every password-protected .xlsx
# An encrypted workbook is an OLE file holding a stream of this name (MS-OFFCRYPTO).
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# A 2,000-row, 200-column sheet of 128 KB cells is not a sheet; 100 MB of XML is far beyond any real
# tracking log (the 524-row Delaware log's sheet is 0.5 MB) and still parses in seconds.
MAX_XML_BYTES = 100 * 1024 * 1024


def is_xlsx(data: bytes) -> bool:
    """A ZIP file with a workbook part: what Excel, LibreOffice and Google Sheets save as .xlsx."""
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def refuse_non_csv_workbook(data: bytes) -> None:
    """A sentence for the workbook-like files we cannot read: password-protected, .xls, other ZIPs."""
    if data.startswith(OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise SheetError(
                "This workbook is protected with a password, so it cannot be read. In Excel: File → Info → "
                "Protect Workbook → Encrypt with Password, clear the password, save, and upload it again."
            )
        raise SheetError(
            "This is an old-style Excel workbook (.xls). In Excel: File → Save As → Excel Workbook (.xlsx) "
            "or CSV UTF-8, then upload that."
        )
    if data.startswith(ZIP_MAGIC):
        raise SheetError(
            "This file is a ZIP archive but not an Excel workbook that can be read (it may be damaged, or a "
            "Word or other document). Open it in Excel, save it as .xlsx or CSV UTF-8, and upload that."
        )


def xlsx_to_text(data: bytes) -> tuple[str, str]:
    """(CSV text of the first visible sheet, the sheet's name). Dates become ISO dates, whole numbers
    lose Excel's ".0", and text is kept as typed."""
    import openpyxl  # only needed for uploads

    check_unpacked_sizes(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise SheetError(
            "This Excel workbook could not be opened; it may be damaged. Open it in Excel, save it again as "
            ".xlsx or CSV UTF-8, and upload that."
        ) from error
    try:
        visible = [ws for ws in book.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        if not visible:
            raise SheetError(
                "This workbook has no visible sheet to read. Unhide the sheet to import and upload it again."
            )
        sheet = visible[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        try:
            # A stale dimension ("A1:XFD1048576") would pad every row to 16,384 cells; rows as stored instead.
            sheet.reset_dimensions()
            filled, blank_run = 0, 0
            for row in sheet.iter_rows(values_only=True):
                cells = _trim([_cell_text(value) for value in row])
                if not cells:
                    # Written only when a filled row follows (row numbers stay as Excel shows them): the
                    # thousands of formatted empty rows under a sheet's data cost nothing.
                    blank_run += 1
                    continue
                out.write("\r\n" * blank_run)
                blank_run = 0
                writer.writerow(cells)
                filled += 1
                if filled > MAX_ROWS + HEADER_SEARCH_ROWS:
                    break  # enough for the reader to say the sheet is too long
        except SheetError:
            raise
        except Exception as error:
            raise SheetError(
                f"The sheet “{sheet.title}” could not be read to the end; the workbook may be damaged. Open it "
                "in Excel, save it again as .xlsx or CSV UTF-8, and upload that."
            ) from error
        text = out.getvalue()
        if len(text.encode()) > MAX_IMPORT_BYTES:
            # The session carries this text, as it carries a CSV upload: the same limit.
            raise SheetError(
                f"The sheet “{sheet.title}” holds more than {MAX_IMPORT_BYTES // (1024 * 1024)} MB of text; the "
                "import takes up to that at a time. Split it into several files, each with its header row."
            )
        return text, sheet.title
    finally:
        book.close()


def check_unpacked_sizes(data: bytes) -> None:
    """Refuse a workbook whose parts would unpack past MAX_XML_BYTES, by the ZIP's declared sizes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a readable ZIP: nothing to unpack; opening it fails with its own sentence
    for info in infos:
        if info.filename.startswith("xl/") and info.filename.endswith(".xml") and info.file_size > MAX_XML_BYTES:
            raise SheetError(
                f"This workbook would unpack to {info.file_size / (1024 * 1024):,.0f} MB in one part "
                f"({info.filename}); the import reads up to {MAX_XML_BYTES // (1024 * 1024)} MB. Save the sheet as "
                "CSV UTF-8 and upload that, or split it."
            )


def _trim(cells: list[str]) -> list[str]:
    """Without the empty cells at the end: a row formatted out to column XFD holds three values, not 16,384."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        # Excel stores a date as a date-time at midnight; a time of day is kept when there is one.
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        # 2019001.0 is a tracking number typed as a number: shown as Excel shows it, without ".0".
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def text_of_upload(data: bytes) -> tuple[str, str]:
    """The uploaded file as CSV text, and the sheet read when it is a workbook ("" for a CSV file)."""
    if is_xlsx(data):
        return xlsx_to_text(data)
    refuse_non_csv_workbook(data)
    return decode(data), ""
