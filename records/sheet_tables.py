"""One sheet of a spreadsheet document as a table: sorted and paginated on the server.

Rows are Page rows (one per spreadsheet row, Page.cells as displayed); the sheet's header,
hidden rows and columns and merged ranges come from its Sheet row.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator

from .ingest.sheets import column_name
from .models import Document, Sheet

ROWS_PER_PAGE = 100
_NUMBER = re.compile(r"^-?[\d,]*\.?\d+%?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$")
_US_DATE = re.compile(
    r"^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$", re.IGNORECASE
)


@dataclass
class SheetTable:
    sheets: list[Sheet]
    sheet: Sheet
    columns: list[dict]  # name, hidden, sort link, sorted ("asc"/"desc"/"")
    rows: PaginatorPage  # each: {"row": n, "cells": [...], "hidden": bool}
    querystring: str  # sheet, sort and direction, for the pagination links


def sheet_table(document: Document, params) -> SheetTable | None:
    """The table for ?sheet=&sort=&dir=&rows= (all optional), or None for a document without sheets."""
    sheets = list(document.sheets.order_by("index"))
    if not sheets:
        return None
    sheet = next((s for s in sheets if str(s.index) == params.get("sheet")), sheets[0])
    pages = document.pages.filter(sheet=sheet.name)  # the header row is not a Page: it is sheet.header
    width = max([len(sheet.header), *[len(cells or []) for cells in pages.values_list("cells", flat=True)[:200]]])
    sort = params.get("sort", "")
    column = int(sort) if sort.isdigit() and int(sort) < max(width, 1) else None
    descending = params.get("dir") == "desc"
    if column is None:
        rows = pages.order_by("number").values("row", "cells")
    else:
        rows = sorted(pages.values("row", "cells"), key=lambda r: _sort_key(r["cells"], column), reverse=descending)
    hidden_rows = set(sheet.hidden_rows)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(params.get("rows"))
    page.object_list = [
        {"row": r["row"], "cells": _padded(r["cells"], width), "hidden": r["row"] in hidden_rows}
        for r in page.object_list
    ]
    return SheetTable(
        sheets=sheets,
        sheet=sheet,
        columns=_columns(sheet, width, column, descending),
        rows=page,
        querystring=urlencode(
            {"sheet": sheet.index, **({"sort": column, "dir": params.get("dir", "asc")} if column is not None else {})}
        ),
    )


def _columns(sheet: Sheet, width: int, sorted_by: int | None, descending: bool) -> list[dict]:
    hidden = set(sheet.hidden_columns)
    columns = []
    for position in range(width):
        name = sheet.header[position] if position < len(sheet.header) and sheet.header[position] else ""
        direction = "desc" if sorted_by == position and not descending else "asc"
        columns.append({
            "name": name or column_name(position),
            "hidden": position in hidden,
            "link": "?" + urlencode({"sheet": sheet.index, "sort": position, "dir": direction}),
            "sorted": ("desc" if descending else "asc") if sorted_by == position else "",
        })  # fmt: skip
    return columns


def _padded(cells: list[str] | None, width: int) -> list[str]:
    cells = list(cells or [])
    return cells + [""] * (width - len(cells))


def _sort_key(cells: list[str] | None, column: int):
    """Numbers by value, then dates in time order, then text without case; empty cells last."""
    value = (cells or [])[column] if column < len(cells or []) else ""
    if value == "":
        return (3, 0, "")
    if _NUMBER.match(value):
        try:
            return (0, float(value.replace(",", "").rstrip("%")), "")
        except ValueError:
            pass
    when = _date_key(value)
    if when is not None:
        return (1, when, "")
    return (2, 0, value.casefold())


def _date_key(value: str) -> tuple | None:
    """A displayed date (m/d/y as US agencies write it, or ISO) as a sortable tuple."""
    if match := _ISO_DATE.match(value):
        year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
    elif match := _US_DATE.match(value):
        month, day, year, hour, minute, second = (int(part or 0) for part in match.groups()[:6])
        year += 2000 if year < 70 else 1900 if year < 100 else 0
        meridiem = (match.group(7) or "").upper()
        hour = hour % 12 + (12 if meridiem == "PM" else 0) if meridiem else hour
    else:
        return None
    return (year, month, day, hour, minute, second)
