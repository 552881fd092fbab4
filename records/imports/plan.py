"""The plan: every row read, nothing written. It says what would be created, what is already here, and
what cannot be read and why; the preview page shows it and run_import creates exactly `plan.rows`."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from .. import timeline
from ..models import Agency, Event, RecordsRequest, Status, Statute, TrackingNumber
from .agencies import AgencyDirectory, NewAgency, Statutes, default_statute, new_agency_for
from .cells import parse_date, parse_money, parse_yes_no, split_list
from .columns import Mapping
from .reader import Sheet
from .statuses import DRAFT, Kind, Outcome, status_events


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
    # Rows the reader could not split into cells (a cell over the size limit) are errors like the others.
    plan.errors += [RowProblem(row_number, [reason]) for row_number, reason in sheet.unreadable]
    plan.errors.sort(key=lambda problem: problem.row_number)

    used = {row.new_agency.key for row in plan.rows if row.new_agency}
    plan.new_agencies = [a for key, a in directory.new.items() if key in used]
    return plan


class _RowReader:
    """Reads one row into a PlannedRow, or lists every reason it cannot (a row error, never a guess)."""

    def __init__(self, *, team, today, filename, received_is_sent, reads_received, jurisdiction, directory):
        self.team, self.today, self.filename = team, today, filename
        self.received_is_sent, self.reads_received = received_is_sent, reads_received
        self.jurisdiction, self.directory = jurisdiction, directory
        self.statutes = Statutes()
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
            # "Public Records Act" is the agency's state's law; a new agency's state is the one chosen below.
            state = agency.state if agency is not None else ("CA" if self.jurisdiction == "CA" else "")
            statute = read(functools.partial(self.statutes.find, state=state), "statute", "statute")
            if statute is None:
                return agency, None, None
        if agency is None:
            new_agency = new_agency_for(self.directory, name, abbreviation, statute, self.jurisdiction, row_number)
            if new_agency is None:
                problems.append(
                    f"“{name}” is not in the agency directory and nothing says whether it is federal or "
                    "Californian: choose below what new agencies are, or map a statute column"
                )
                return None, None, None
        if statute is None:
            statute = default_statute(agency, new_agency, self.statutes)
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
