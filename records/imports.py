"""Import a desk's existing tracking spreadsheet (CSV).

Desks arrive with years of requests in a spreadsheet whose columns vary desk to desk. Three steps,
each a plain function, so the views stay thin and the preview shows exactly what the import will do:

    sheet = read_sheet(data, filename)                      # decode, find delimiter and header row
    plan = plan_import(sheet, mapping, team=team, ...)     # read every row; nothing is written
    result = run_import(plan, team=team, user=user)        # one transaction, all or nothing

Rules a desk relies on:
- A date we cannot read is a row error, never a guess (ISO, US m/d/yyyy and m/d/yy, "Jan 5, 2024").
- Agencies link to the directory by name or abbreviation, ignoring case, spacing and punctuation;
  an agency not in the directory is created once, however many rows name it.
- Importing the same file again creates nothing new: a row matches an existing request of the team
  by agency + tracking number, else by agency + title + date sent.
- The status column becomes events (status is derived from events, never typed), then
  timeline.recompute derives the status and deadlines like any other request.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import timeline, timeline_writes
from .models import Agency, Event, RecordsRequest, Status, Statute, Tag, TrackingNumber

# The session carries the uploaded text between preview and import; a database-backed session
# row this size is fine. Bigger sheets are split by the desk (the upload page says so).
MAX_IMPORT_BYTES = 2 * 1024 * 1024

Kind = Event.Kind
Outcome = Event.Outcome


class SheetError(ValueError):
    """The file as a whole cannot be read (not a CSV, no header row)."""


# ---------------------------------------------------------------------------------------------
# Reading the file


@dataclass
class Sheet:
    filename: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells); blank rows dropped
    delimiter: str
    header_row: int = 1

    def cell(self, cells: list[str], index: int | None) -> str:
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()


def decode(data: bytes) -> str:
    """UTF-8 (with or without Excel's BOM), else Windows-1252, which is what Excel on Windows saves."""
    if data[:2] == b"PK" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SheetError(
            "This is an Excel workbook, not a CSV file. In Excel: File → Save As → CSV UTF-8, then upload that."
        )
    if b"\x00" in data[:4096]:
        raise SheetError("This file is not text (it has NUL bytes). Save the sheet as CSV and upload that.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_sheet(text: str, filename: str = "") -> Sheet:
    """Find the delimiter and the header row (the first row with two or more filled cells)."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise SheetError("The file is empty.")
    delimiter = _guess_delimiter(first)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header_index = next((i for i, cells in enumerate(records) if sum(1 for c in cells if c.strip()) >= 2), None)
    if header_index is None:
        raise SheetError("No header row found: the first row should name the columns (agency, date sent, …).")
    headers = [h.strip() for h in records[header_index]]
    rows = [
        (number, cells)
        for number, cells in enumerate(records[header_index + 1 :], start=header_index + 2)
        if any(c.strip() for c in cells)
    ]
    return Sheet(filename=filename, headers=headers, rows=rows, delimiter=delimiter, header_row=header_index + 1)


def _guess_delimiter(header_line: str) -> str:
    # The header line has no quoted commas in practice; count outside quotes anyway.
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: unquoted.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# ---------------------------------------------------------------------------------------------
# Our columns and the desk's words for them


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str
    synonyms: tuple[str, ...]
    help: str = ""


FIELDS = [
    ImportField("agency", "Agency", (
        "agency", "agency name", "agency department", "department", "dept", "public body", "public agency",
        "government body", "entity", "organization", "office", "filed with", "sent to", "recipient", "to",
    ), "Required. Matched to the directory by name or abbreviation; new names are added to it."),
    ImportField("title", "Title / subject", (
        "title", "subject", "request title", "request subject", "short title", "topic", "summary", "name",
        "request name", "re", "request",
    ), "Required, unless the request text is given (then its start becomes the title)."),
    ImportField("tracking_numbers", "Agency tracking number(s)", (
        "tracking number", "tracking", "tracking id", "agency tracking number", "request number",
        "agency request number", "agency number", "agency reference", "agency ref", "case number",
        "foia number", "foia case number", "control number", "reference number", "request id", "confirmation number",
    ), "Several in one cell: separate them with ; or a new line."),
    ImportField("sent_date", "Date sent", (
        "date sent", "sent", "sent date", "sent on", "date filed", "filed", "filed on", "filing date", "date submitted",
        "submitted", "submitted on", "submission date", "date requested", "request date", "requested", "date",
    )),
    ImportField("received_date", "Date received by agency", (
        "date received", "received", "received date", "received by agency", "date received by agency", "receipt date",
    )),
    ImportField("status", "Status", ("status", "current status", "state", "disposition", "outcome", "result", "stage")),
    ImportField("status_date", "Date of the status (response, closing)", (
        "status date", "date closed", "closed", "closed date", "closed on", "date of response", "response date",
        "responded", "date responded", "completed", "date completed", "completion date", "last action",
        "last action date", "last update", "resolved", "resolution date", "disposition date", "decision date",
    ), "The date the status events are logged on. Without it they are dated on the date sent, and say so."),
    ImportField("due_date", "Due date (kept as a note)", (
        "due", "due date", "date due", "deadline", "response due", "response deadline", "due by",
    ), "Our due dates are computed from the statute; the sheet's is kept in the filing event's note."),
    ImportField("statute", "Statute / law", (
        "statute", "law", "act", "legal basis", "statute code", "records law", "request type", "type",
    ), "FOIA, CPRA, … Without it: the agency's default statute, else FOIA (federal) or CPRA (California)."),
    ImportField("reference", "Our reference", (
        "our reference", "our ref", "reference", "ref", "internal reference", "internal id", "our id", "file number",
    )),
    ImportField("body", "Text of the request", (
        "request text", "text", "text sent", "description", "details", "request details", "request language",
        "records requested", "records sought", "body",
    )),
    ImportField("notes", "Notes", ("notes", "note", "comments", "comment", "remarks", "memo", "internal notes")),
    ImportField("project", "Project / story", ("project", "story", "project story", "beat", "investigation", "matter")),
    ImportField("tags", "Tags", ("tags", "tag", "labels", "label", "keywords", "category", "categories", "topics")),
    ImportField("assignee", "Assignee", (
        "assignee", "assigned to", "assigned", "owner", "reporter", "requester", "filed by", "attorney", "staff",
    ), "A member of the team: username, full name or email."),
    ImportField("fee_estimate", "Fee estimate", (
        "fee estimate", "estimated fee", "fee", "fees", "estimate", "cost", "estimated cost", "fees quoted",
    )),
    ImportField("fee_paid", "Fee paid", ("fee paid", "fees paid", "paid", "amount paid", "payment")),
    ImportField("fee_waiver_requested", "Fee waiver asked", (
        "fee waiver", "waiver", "fee waiver requested", "waiver requested", "fee waiver asked",
    ), "yes / no"),
]  # fmt: skip
FIELDS_BY_KEY = {f.key: f for f in FIELDS}
REQUIRED = ("agency",)

Mapping = dict[str, "int | None"]


def normalize_header(text: str) -> str:
    text = text.lower().replace("#", " number ").replace("&", " and ")
    text = re.sub(r"\bno\.?(?=\s|$)", " number ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def guess_mapping(headers: list[str]) -> Mapping:
    """Each of our fields → the index of the desk's column that most likely holds it, or None.

    Exact synonyms first (in FIELDS order, so "request" means the title, not the text); then a
    synonym contained in a longer header ("Date sent (mm/dd/yyyy)"). A column is used once.
    """
    normalized = [normalize_header(h) for h in headers]
    mapping: Mapping = {f.key: None for f in FIELDS}
    taken: set[int] = set()
    for exact in (True, False):
        for f in FIELDS:
            if mapping[f.key] is not None:
                continue
            for synonym in f.synonyms:
                if not exact and len(synonym) < 4:
                    continue  # "to", "re", "ref" inside a longer header would be noise
                match = next(
                    (
                        i for i, h in enumerate(normalized)
                        if i not in taken and (h == synonym if exact else re.search(rf"\b{synonym}\b", h))
                    ),
                    None,
                )  # fmt: skip
                if match is not None:
                    mapping[f.key] = match
                    taken.add(match)
                    break
    return mapping


# ---------------------------------------------------------------------------------------------
# Reading one cell


MONTHS = {
    m: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for m in names
}  # fmt: skip
_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_US = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})(?: \d{1,2}:\d{2}(?::\d{2})?(?: ?[ap]\.?m\.?)?)?$", re.I)
_MONTH_FIRST = re.compile(r"^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)? ([a-z]+)\.?,? (\d{4})$")
_WEEKDAY = re.compile(r"^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,? ", re.I)
EARLIEST_YEAR = 1950  # before any public-records law we track; a year like 0024 is a typo, not a date


def parse_date(text: str) -> dt.date | None:
    """A date in one of the forms desks type, or ValueError saying why not. Blank → None.

    Numeric dates with slashes are US month/day/year: that is what US desks' spreadsheets hold, and
    day/month would be a guess. A 2-digit year is 20yy (19yy from 70 up).
    """
    raw = " ".join(text.strip().split())
    if not raw:
        return None
    value = _WEEKDAY.sub("", raw).lower().replace(",", ", ").replace(" ,", ",")
    value = " ".join(value.split())
    year = month = day = None
    if m := _ISO.match(value):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _US.match(value):
        month, day, year = int(m[1]), int(m[2]), int(m[3])
        if len(m[3]) == 2:
            year += 2000 if year < 70 else 1900
    elif (m := _MONTH_FIRST.match(value.replace(",", ""))) and m[1] in MONTHS:
        month, day, year = MONTHS[m[1]], int(m[2]), int(m[3])
    elif (m := _DAY_FIRST.match(value.replace(",", ""))) and m[2] in MONTHS:
        day, month, year = int(m[1]), MONTHS[m[2]], int(m[3])
    else:
        raise ValueError(f"“{raw}” is not a date we can read (use e.g. 2024-01-05, 1/5/2024 or Jan 5, 2024)")
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"“{raw}” is not a real date (read as month {month}, day {day}, year {year})") from None
    if parsed.year < EARLIEST_YEAR:
        raise ValueError(f"“{raw}” has an unlikely year ({parsed.year})")
    return parsed


def parse_money(text: str) -> Decimal | None:
    value = text.strip().lower().replace("$", "").replace(",", "").replace("usd", "").strip()
    if value in ("", "-", "—", "n/a", "na", "none", "waived", "free", "no fee"):
        return None
    try:
        amount = Decimal(value).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(f"“{text.strip()}” is not an amount of money") from None
    if amount < 0 or amount >= Decimal("100000000"):
        raise ValueError(f"“{text.strip()}” is not a plausible fee")
    return amount


YES = {"yes", "y", "true", "x", "1", "requested", "asked", "sought", "✓", "✔"}
NO = {"", "no", "n", "false", "0", "-", "—", "n/a", "na", "none"}


def parse_yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(f"“{text.strip()}” is not yes or no")


def split_list(text: str, separators: str = r"[;|\n]") -> list[str]:
    return [part.strip() for part in re.split(separators, text) if part.strip()]


# ---------------------------------------------------------------------------------------------
# The desk's status words → events


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split()) + " "


def _has(text: str, *phrases: str) -> bool:
    return any(f" {p} " in text for p in phrases)


def _outcome(text: str) -> str | None:
    if _has(text, "no records", "no responsive", "no responsive records", "no documents", "none found",
            "no record", "records not found", "not found", "nonexistent"):  # fmt: skip
        return Outcome.NO_RECORDS
    if _has(text, "partial", "partially", "partly", "in part"):
        return Outcome.PARTLY_GRANTED
    if _has(text, "denied", "denial", "rejected", "refused", "withheld", "exempt"):
        return Outcome.DENIED
    if _has(text, "granted", "fulfilled", "complete", "completed", "released", "produced", "provided",
            "full release", "records received", "done", "satisfied"):  # fmt: skip
        return Outcome.GRANTED
    return None


DRAFT = "draft"


def status_events(text: str) -> list[tuple[str, str]] | str:
    """The events that leave a request in the status the desk wrote, as (kind, outcome).

    "Closed - denied" → a final response, denied; "Denied, appealed" → that, then an appeal;
    "Appeal granted" → an appeal filed and decided. Returns DRAFT for a request never sent, and
    raises ValueError for words we cannot read (a row error, never a guess).
    """
    t = _words(text)
    if not t.strip():
        return []
    if _has(t, "draft", "not sent", "unsent", "to send", "not filed", "not yet sent"):
        return DRAFT
    if _has(t, "withdrawn", "withdrew", "cancelled", "canceled", "abandoned"):
        return [(Kind.WITHDRAWN, "")]
    for keywords, kind in ((("lawsuit", "litigation", "sued", "suit", "court"), Kind.LAWSUIT_FILED),
                           (("appeal", "appealed", "appealing", "appeals"), Kind.APPEAL_FILED)):  # fmt: skip
        positions = [t.find(f" {k} ") for k in keywords if f" {k} " in t]
        if not positions:
            continue
        pos = min(positions)
        before, after = t[: pos + 1], t[pos:]
        events = []
        if (first := _outcome(before)) is not None:
            events.append((Kind.FINAL_RESPONSE, first))
        events.append((kind, ""))
        if kind == Kind.APPEAL_FILED:
            decided = _outcome(after)
            if decided is not None:
                events.append((Kind.APPEAL_DECIDED, decided))
            elif _has(after, "decided", "decision"):
                raise ValueError(f"status “{text.strip()}”: say how the appeal was decided (granted, denied, …)")
        return events
    if _has(t, "interim", "rolling", "partial release", "partial production", "installment", "first release"):
        return [(Kind.INTERIM_RELEASE, "")]
    if (outcome := _outcome(t)) is not None:
        return [(Kind.FINAL_RESPONSE, outcome)]
    if _has(t, "closed", "close"):
        return [(Kind.CLOSED, "")]
    if _has(t, "fee paid", "paid"):
        return [(Kind.FEE_PAID, "")]
    if _has(t, "fee", "fees", "payment", "invoice", "estimate"):
        return [(Kind.FEE_ESTIMATE, "")]
    if _has(t, "clarification", "clarify", "more information", "more info", "needs info", "awaiting requester",
            "waiting on us", "question"):  # fmt: skip
        return [(Kind.CLARIFICATION_ASKED, "")]
    if _has(t, "extension", "extended"):
        return [(Kind.EXTENSION, "")]
    if _has(t, "acknowledged", "ack", "acknowledgement", "acknowledgment", "received", "in progress", "processing",
            "under review", "assigned", "being processed", "in process", "working"):  # fmt: skip
        return [(Kind.ACKNOWLEDGED, "")]
    if _has(t, "pending", "open", "submitted", "sent", "filed", "awaiting", "waiting", "new", "outstanding",
            "no response", "overdue", "late", "active"):  # fmt: skip
        return []
    raise ValueError(
        f"status “{text.strip()}” is not one we can read (e.g. pending, acknowledged, closed - denied, appealed)"
    )


# ---------------------------------------------------------------------------------------------
# Agencies


def agency_key(text: str) -> str:
    """Case-, spacing- and punctuation-insensitive form of an agency name or abbreviation."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = text.replace("'", "").replace(".", "").replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"\bunited states\b", "us", text)
    words = [{"dept": "department", "depts": "departments", "dep": "department"}.get(w, w) for w in text.split()]
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


_PAREN = re.compile(r"^(.*?)\s*\(([^()]+)\)\s*$")


@dataclass
class NewAgency:
    key: str
    name: str
    abbreviation: str = ""
    level: str = Agency.OTHER
    state: str = ""
    first_row: int = 0

    @property
    def level_label(self) -> str:
        return dict(Agency.LEVEL_CHOICES).get(self.level, self.level)


class AgencyDirectory:
    """The shared directory, indexed once, plus the agencies this sheet will add."""

    def __init__(self):
        self.by_key: dict[str, list[Agency]] = {}
        for agency in Agency.objects.select_related("default_statute"):
            for key in {agency_key(agency.name), agency_key(agency.abbreviation) if agency.abbreviation else ""}:
                if key:
                    self.by_key.setdefault(key, []).append(agency)
        self.new: dict[str, NewAgency] = {}

    def find(self, text: str) -> tuple[Agency | None, str, str]:
        """The directory's agency for this cell, or None with the name and abbreviation to create."""
        name, abbreviation = text.strip(), ""
        if m := _PAREN.match(name):
            name, abbreviation = m[1].strip(), m[2].strip()
        for candidate in (text, name, abbreviation):
            key = agency_key(candidate) if candidate else ""
            if not key:
                continue
            found = {a.pk: a for a in self.by_key.get(key, [])}
            if len(found) > 1:
                names = "; ".join(sorted(str(a) for a in found.values()))
                raise ValueError(
                    f"agency “{text.strip()}” matches several agencies in the directory ({names}): use the full name"
                )
            if found:
                return next(iter(found.values())), name, abbreviation
        return None, name, abbreviation


# ---------------------------------------------------------------------------------------------
# The plan


@dataclass
class PlannedEvent:
    kind: str
    date: dt.date
    outcome: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        label = Kind(self.kind).label
        return f"{label}: {Outcome(self.outcome).label}" if self.outcome else label


@dataclass
class PlannedRow:
    row_number: int
    agency: Agency | None
    new_agency: NewAgency | None
    statute: Statute
    title: str
    body: str = ""
    reference: str = ""
    project: str = ""
    tracking_numbers: list[str] = field(default_factory=list)
    sent_date: dt.date | None = None
    received_date: dt.date | None = None
    events: list[PlannedEvent] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    assignee: object = None
    fee_estimate: Decimal | None = None
    fee_paid: Decimal | None = None
    fee_waiver_requested: bool = False
    status_text: str = ""
    expected_status: str = Status.DRAFT

    @property
    def agency_name(self) -> str:
        return str(self.agency) if self.agency else self.new_agency.name

    @property
    def expected_status_label(self) -> str:
        return Status(self.expected_status).label


@dataclass
class RowProblem:
    row_number: int
    reasons: list[str]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


@dataclass
class Plan:
    sheet: Sheet
    mapping: Mapping
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)
    duplicates: list[RowProblem] = field(default_factory=list)
    new_agencies: list[NewAgency] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def can_import(self) -> bool:
        return bool(self.rows)


JURISDICTIONS = [
    ("", "from the statute column (FOIA: federal; CPRA: California)"),
    ("federal", "federal (FOIA)"),
    ("CA", "California state or local (CPRA)"),
]


class _Statutes:
    def __init__(self):
        self.all = list(Statute.objects.all())
        self.by_key = {}
        for s in self.all:
            self.by_key[agency_key(s.code)] = s
            self.by_key.setdefault(agency_key(s.name), s)
        self.by_code = {s.code.upper(): s for s in self.all}

    def find(self, text: str) -> Statute:
        statute = self.by_key.get(agency_key(text))
        if statute is None:
            codes = ", ".join(s.code for s in self.all[:12])
            raise ValueError(f"statute “{text.strip()}” is not one we know ({codes}, …)")
        return statute

    def code(self, code: str) -> Statute | None:
        return self.by_code.get(code)


def plan_import(
    sheet: Sheet,
    mapping: Mapping,
    *,
    team,
    received_is_sent: bool = True,
    new_agency_jurisdiction: str = "",
    today: dt.date | None = None,
) -> Plan:
    """Read every row; say what would be created, what is already here, and what cannot be read.

    Writes nothing: the preview page shows this, and run_import creates exactly `plan.rows`.
    """
    today = today or timezone.localdate()
    plan = Plan(sheet=sheet, mapping=mapping)
    directory = AgencyDirectory()
    existing = _ExistingRequests(team)
    seen_in_file = _ExistingRequests(None)

    if mapping.get("status") is not None and mapping.get("status_date") is None:
        plan.notices.append(
            "No column gives the date of each status: status events (responses, closings) are dated on the "
            "date sent, and their note says so. Correct them on the request when you know the real date."
        )
    if mapping.get("received_date") is None:
        plan.notices.append(
            "No “received by agency” column: "
            + ("the date sent is used (email and portal requests arrive the day they are sent)."
               if received_is_sent else "deadlines start once you set “received by agency” on each request.")
        )  # fmt: skip
    if mapping.get("due_date") is not None:
        plan.notices.append(
            "Due dates are computed from the statute; the sheet's due date is kept in the filing event's note."
        )

    reader = _RowReader(
        team=team, today=today, filename=sheet.filename, received_is_sent=received_is_sent,
        reads_received=mapping.get("received_date") is not None, jurisdiction=new_agency_jurisdiction,
        directory=directory,
    )  # fmt: skip
    for row_number, cells in sheet.rows:
        value = {key: sheet.cell(cells, index) for key, index in mapping.items()}
        planned, problems = reader.read(row_number, value)
        if problems:
            plan.errors.append(RowProblem(row_number, problems))
            continue
        agency_ref = ("id", planned.agency.pk) if planned.agency else ("new", planned.new_agency.key)
        key = (agency_ref, planned.tracking_numbers, planned.title, planned.sent_date)
        if match := existing.find(*key):
            plan.duplicates.append(RowProblem(row_number, [f"already in the tracker: “{match[1]}” (#{match[0]})"]))
            continue
        if match := seen_in_file.find(*key):
            plan.duplicates.append(RowProblem(row_number, [f"the same request as row {match}"]))
            continue
        seen_in_file.add(*key, row_number)
        plan.rows.append(planned)

    used = {row.new_agency.key for row in plan.rows if row.new_agency}
    plan.new_agencies = [a for key, a in directory.new.items() if key in used]
    return plan


class _RowReader:
    """Reads one row into a PlannedRow, or lists every reason it cannot (a row error, never a guess)."""

    def __init__(self, *, team, today, filename, received_is_sent, reads_received, jurisdiction, directory):
        self.team, self.today, self.filename = team, today, filename
        self.received_is_sent, self.reads_received = received_is_sent, reads_received
        self.jurisdiction, self.directory = jurisdiction, directory
        self.statutes = _Statutes()
        self.members = _TeamMembers(team)

    def read(self, row_number: int, value: dict) -> tuple[PlannedRow | None, list[str]]:
        problems: list[str] = []
        read = functools.partial(_read_cell, value=value, problems=problems)
        agency, new_agency, statute = self._agency_and_statute(row_number, value, read, problems)
        title, body = self._title_and_body(value, problems)

        sent = read(parse_date, "sent_date", "date sent")
        received = read(parse_date, "received_date", "date received")
        if received is None and self.received_is_sent and not self.reads_received:
            received = sent
        if sent and sent > self.today:
            problems.append(f"date sent {sent:%Y-%m-%d} is in the future")
        if sent and received and received < sent:
            problems.append(f"received {received:%Y-%m-%d} before it was sent ({sent:%Y-%m-%d})")
        events, body = self._events(row_number, value, read, problems, sent, body)

        tracking = list(dict.fromkeys(split_list(value.get("tracking_numbers", ""))))
        if any(len(n) > 100 for n in tracking):
            problems.append("a tracking number is longer than 100 characters")
        tags = list(dict.fromkeys(split_list(value.get("tags", ""), r"[;,|\n]")))
        if any(len(t) > 60 for t in tags):
            problems.append("a tag is longer than 60 characters")
        reference, project = value.get("reference", ""), value.get("project", "")
        if len(reference) > 100:
            problems.append("our reference is longer than 100 characters")
        if len(project) > 200:
            problems.append("project is longer than 200 characters")
        assignee = None
        if value.get("assignee"):
            assignee = self.members.find(value["assignee"])
            if assignee is None:
                problems.append(
                    f"assignee “{value['assignee']}” is not a member of {self.team} (leave the column unmapped to skip it)"
                )
        fee_estimate = read(parse_money, "fee_estimate", "fee estimate")
        fee_paid = read(parse_money, "fee_paid", "fee paid")
        waiver = read(parse_yes_no, "fee_waiver_requested", "fee waiver") or False
        if problems:
            return None, problems

        planned = PlannedRow(
            row_number=row_number, agency=agency, new_agency=new_agency, statute=statute, title=title, body=body,
            reference=reference, project=project, tracking_numbers=tracking, sent_date=sent, received_date=received,
            events=events, tags=tags, assignee=assignee, fee_estimate=fee_estimate, fee_paid=fee_paid,
            fee_waiver_requested=waiver, status_text=value.get("status", ""),
        )  # fmt: skip
        planned.expected_status = _expected_status(planned)
        return planned, []

    def _agency_and_statute(self, row_number, value, read, problems):
        agency = new_agency = statute = None
        agency_text = value.get("agency", "")
        if not agency_text:
            problems.append("no agency")
            return None, None, None
        if len(agency_text) > 300:
            problems.append("agency name is longer than 300 characters")
            return None, None, None
        try:
            agency, name, abbreviation = self.directory.find(agency_text)
        except ValueError as e:
            problems.append(str(e))
            return None, None, None
        if value.get("statute"):
            statute = read(self.statutes.find, "statute", "statute")
            if statute is None:
                return agency, None, None
        if agency is None:
            new_agency = _new_agency(self.directory, name, abbreviation, statute, self.jurisdiction, row_number)
            if new_agency is None:
                problems.append(
                    f"“{name}” is not in the agency directory and nothing says whether it is federal or "
                    "Californian: choose below what new agencies are, or map a statute column"
                )
                return None, None, None
        if statute is None:
            statute = _default_statute(agency, new_agency, self.statutes)
            if statute is None:
                problems.append(
                    f"no statute: the sheet has none for this row, {agency or new_agency.name} has no default statute, "
                    "and it is neither federal nor Californian"
                )
        return agency, new_agency, statute

    @staticmethod
    def _title_and_body(value, problems):
        body = value.get("body", "")
        title = " ".join(value.get("title", "").split()) or " ".join(body.split())
        if not title:
            problems.append("no title (and no request text to take one from)")
        if len(title) > 300:
            body = body or title
            title = title[:299] + "…"
        return title, body

    def _events(self, row_number, value, read, problems, sent, body):
        """The filing (with the sheet's notes and due date) and the events the status words mean."""
        status_text = value.get("status", "")
        status_date = read(parse_date, "status_date", "status date")
        due = read(parse_date, "due_date", "due date")
        kinds = read(status_events, "status", "status")
        if kinds == DRAFT:
            if sent:
                problems.append(f"status “{status_text}” says not sent, but a date sent is given")
            kinds = []
        events: list[PlannedEvent] = []
        extra = ([f"The spreadsheet's due date: {due:%Y-%m-%d}."] if due else []) + (
            [f"Notes: {value['notes']}"] if value.get("notes") else []
        )
        provenance = f"Imported from {self.filename or 'a spreadsheet'}, row {row_number}."
        if sent:
            events.append(PlannedEvent(Kind.FILED, sent, note="\n".join([provenance, *extra])))
        elif extra:
            # Never sent, so no filing event to carry them: the notes go with the request's text.
            body = "\n\n".join(part for part in [body, "\n".join([provenance, *extra])] if part)
        if kinds:
            when, note = status_date, f"Status in the spreadsheet: “{status_text}”."
            if when is None and not value.get("status_date"):
                when = sent
                note += " The sheet gives no date for it: dated on the date sent. Correct the date if you know it."
            if when is None:
                problems.append(f"status “{status_text}” needs a date: the row has no date sent or status date")
            elif sent and when < sent:
                problems.append(f"status date {when:%Y-%m-%d} is before the date sent ({sent:%Y-%m-%d})")
            elif when > self.today:
                problems.append(f"status date {when:%Y-%m-%d} is in the future")
            else:
                events += [PlannedEvent(kind, when, outcome, note) for kind, outcome in kinds]
        return events, body


def _read_cell(reader, key: str, label: str, *, value: dict, problems: list):
    """One cell through its reader; a ValueError becomes the row's problem, named by column."""
    try:
        return reader(value.get(key, ""))
    except ValueError as e:
        problems.append(f"{label}: {e}")
        return None


def _spelling_score(name: str) -> tuple:
    # "Oakland Police Department" over "oakland police dept.": mixed case first, then the fuller form.
    return (not name.islower() and not name.isupper(), len(name))


def _new_agency(directory, name, abbreviation, statute, jurisdiction, row_number) -> NewAgency | None:
    key = agency_key(name)
    known = directory.new.get(key) or (directory.new.get(agency_key(abbreviation)) if abbreviation else None)
    if known is not None:
        if _spelling_score(name) > _spelling_score(known.name):
            known.name = name
        if abbreviation and not known.abbreviation:
            known.abbreviation = abbreviation[:40]
        return known
    if jurisdiction == "federal" or (not jurisdiction and statute is not None and statute.code == "FOIA"):
        level, state = Agency.FEDERAL, ""
    elif jurisdiction == "CA" or (not jurisdiction and statute is not None and statute.code == "CPRA"):
        level, state = Agency.OTHER, "CA"
    elif not jurisdiction and statute is not None:
        # A state law: its code starts with the postal code (NY-FOIL, TX-PIA).
        prefix = re.match(r"^([A-Z]{2})-", statute.code)
        level, state = Agency.OTHER, prefix[1] if prefix else ""
    else:
        return None
    new = NewAgency(key=key, name=name, abbreviation=abbreviation[:40], level=level, state=state, first_row=row_number)
    directory.new[key] = new
    if abbreviation:
        directory.new.setdefault(agency_key(abbreviation), new)
    return new


def _default_statute(agency, new_agency, statutes: _Statutes) -> Statute | None:
    if agency is not None and agency.default_statute is not None:
        return agency.default_statute
    level = agency.level if agency else new_agency.level
    state = agency.state if agency else new_agency.state
    if level == Agency.FEDERAL:
        return statutes.code("FOIA")
    if state == "CA":
        return statutes.code("CPRA")
    return None


def _expected_status(row: PlannedRow) -> str:
    probe = RecordsRequest(sent_date=row.sent_date)
    events = [Event(kind=e.kind, date=e.date, outcome=e.outcome) for e in row.events]
    return timeline.derive_status(probe, events)


class _TeamMembers:
    def __init__(self, team):
        self.users = list(get_user_model().objects.filter(memberships__team=team)) if team else []

    def find(self, text: str):
        wanted = " ".join(text.lower().split())
        for attr in ("username", "email"):
            for user in self.users:
                if (getattr(user, attr, "") or "").lower() == wanted:
                    return user
        full_names = [u for u in self.users if " ".join(u.get_full_name().lower().split()) == wanted]
        return full_names[0] if len(full_names) == 1 else None


class _ExistingRequests:
    """Requests keyed the two ways a row can match one: the team's (values: (id, title)), or, with
    team None, the file's own rows so far (values: row numbers)."""

    def __init__(self, team):
        self.by_tracking: dict[tuple, object] = {}
        self.by_title: dict[tuple, object] = {}
        self.with_tracking: set = set()
        if team is None:
            return
        for pk, title, agency_id, sent in RecordsRequest.objects.for_team(team).values_list(
            "id", "title", "agency_id", "sent_date"
        ):
            self.by_title.setdefault((("id", agency_id), title.strip().lower(), sent), (pk, title))
        for number, pk, title, agency_id in TrackingNumber.objects.filter(request__team=team).values_list(
            "number", "request_id", "request__title", "request__agency_id"
        ):
            self.by_tracking.setdefault((("id", agency_id), number.strip().lower()), (pk, title))
            self.with_tracking.add((pk, title))

    def add(self, agency_ref, tracking, title, sent, row_number):
        for number in tracking:
            self.by_tracking.setdefault((agency_ref, number.lower()), row_number)
        self.by_title.setdefault((agency_ref, title.strip().lower(), sent), row_number)
        if tracking:
            self.with_tracking.add(row_number)

    def find(self, agency_ref, tracking, title, sent):
        for number in tracking:
            if (match := self.by_tracking.get((agency_ref, number.lower()))) is not None:
                return match
        match = self.by_title.get((agency_ref, title.strip().lower(), sent))
        # Same title and day, but both carry tracking numbers that differ: two requests, not one.
        if match is not None and tracking and match in self.with_tracking:
            return None
        return match


# ---------------------------------------------------------------------------------------------
# The import


@dataclass
class ImportResult:
    created: list[RecordsRequest]
    agencies_created: list[Agency]
    skipped_duplicates: int
    skipped_errors: int


def run_import(plan: Plan, *, team, user) -> ImportResult:
    """Create exactly what the plan lists, in one transaction: any failure leaves nothing behind."""
    created: list[RecordsRequest] = []
    with transaction.atomic():
        agencies = {
            new.key: Agency.objects.create(
                name=new.name, abbreviation=new.abbreviation, level=new.level, state=new.state
            )
            for new in plan.new_agencies
        }
        tags = {t.name.lower(): t.name for t in Tag.objects.filter(team=team)}  # a tag keeps its first spelling
        for row in plan.rows:
            agency = row.agency or agencies[row.new_agency.key]
            records_request = timeline_writes.save_request(
                RecordsRequest(
                    team=team, title=row.title, agency=agency, statute=row.statute, body=row.body,
                    reference=row.reference, sent_date=row.sent_date, received_date=row.received_date,
                    assignee=row.assignee, project=row.project, fee_estimate=row.fee_estimate, fee_paid=row.fee_paid,
                    fee_waiver_requested=row.fee_waiver_requested,
                ),
                user=user,
                tags=[tags.setdefault(name.lower(), name) for name in row.tags],
                tracking_numbers=[(TrackingNumber.INITIAL, number) for number in row.tracking_numbers],
            )  # fmt: skip
            for event in row.events:
                timeline_writes.log_event(
                    records_request, user=user, kind=event.kind, date=event.date, outcome=event.outcome,
                    note=event.note,
                )  # fmt: skip
            created.append(records_request)
    return ImportResult(
        created=created,
        agencies_created=list(agencies.values()),
        skipped_duplicates=len(plan.duplicates),
        skipped_errors=len(plan.errors),
    )
