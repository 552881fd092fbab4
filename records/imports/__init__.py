"""Import a desk's existing tracking spreadsheet (CSV or Excel .xlsx).

Desks arrive with years of requests in a spreadsheet whose columns vary desk to desk. Three steps,
each a plain function, so the views stay thin and the preview shows exactly what the import will do:

    text, sheet_name = text_of_upload(data)                # xlsx: a workbook's first visible sheet → CSV text
    sheet = read_sheet(text, filename)                     # reader: delimiter, header row, bounded work
    plan = plan_import(sheet, mapping, team=team, ...)     # plan: read every row; nothing is written
    result = run_import(plan, team=team, user=user)        # run: one transaction, all or nothing

The mapping comes from guess_mapping(sheet.headers) (columns), changed by the desk in the preview.
Rules a desk relies on:
- A date we cannot read is a row error, never a guess (cells.DATE_FORMATS: ISO, US m/d/yyyy and m/d/yy,
  "Jan 5, 2024").
- Agencies link to the directory by name or abbreviation, ignoring case, spacing and punctuation;
  an agency not in the directory is created once, however many rows name it (agencies).
- Importing the same file again creates nothing new: a row matches an existing request of the team
  by agency + tracking number, else by agency + title + date sent (plan).
- The status column becomes events (statuses; status is derived from events, never typed), then
  timeline.recompute derives the status and deadlines like any other request (run).
"""

from .. import timeline  # noqa: F401  (run.py calls it through the module; tests patch it here)
from .agencies import JURISDICTIONS, AgencyDirectory, NewAgency, agency_key
from .cells import DATE_FORMATS, parse_date, parse_money, parse_yes_no, split_list
from .columns import FIELDS, FIELDS_BY_KEY, REQUIRED, ImportField, Mapping, guess_mapping, normalize_header
from .plan import Plan, PlannedEvent, PlannedRow, RowProblem, plan_import
from .reader import HEADER_SEARCH_ROWS, MAX_COLUMNS, MAX_IMPORT_BYTES, MAX_ROWS, Sheet, SheetError, decode, read_sheet
from .run import ImportResult, run_import
from .statuses import DRAFT, status_events
from .xlsx import text_of_upload

__all__ = [
    "DATE_FORMATS", "DRAFT", "FIELDS", "FIELDS_BY_KEY", "HEADER_SEARCH_ROWS", "JURISDICTIONS", "MAX_COLUMNS",
    "MAX_IMPORT_BYTES", "MAX_ROWS", "REQUIRED", "AgencyDirectory", "ImportField", "ImportResult", "Mapping", "NewAgency", "Plan",
    "PlannedEvent", "PlannedRow", "RowProblem", "Sheet", "SheetError", "agency_key", "decode", "guess_mapping",
    "normalize_header", "parse_date", "parse_money", "parse_yes_no", "plan_import", "read_sheet", "run_import",
    "split_list", "status_events", "text_of_upload",
]  # fmt: skip
