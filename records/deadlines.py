"""Public-records deadlines: statutes as rules, counted over holiday calendars, with the working.

Pure date arithmetic (stdlib and `holidays`, through records.holiday_calendars); no Django, no database.

Conventions, from the statutes notes: the day of receipt is day 0 and counting starts the next day
(Cal. Gov. Code 6800; the usual federal reading). A business-day period skips weekends and the body's
holidays, so it ends on a business day. A calendar-day period ends where it ends, and moves off a weekend
or holiday only where the rule says so (`roll_forward`). An extension counts from the original last day
*before* any roll-forward, in the extension's unit, and then rolls.

Where the law is ambiguous (a contested closure day, a calendar period with no roll-forward rule), a
Deadline carries two dates: `due`, the earlier one a requester can defend, and `alt_due`, the later one an
agency might argue, with `alt_reason`. Every date comes with its working, one step a line.

Which of the two is safe depends on whose deadline it is (`party`). For a deadline the agency must meet
(response, extension, expedited or appeal decision, may-sue-from), the safe date is the later one: an
escalation sent before it may be answered with "we were not late". For the requester's own deadline (the
appeal window, the team's internal target), the earlier one. `safe_due` gives it; the dashboard, digests
and feed use it, while `due` stays the earlier date (the worked cases in deadline-cases.tsv).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Any

from records.holiday_calendars import Closure, HolidayCalendar, get_calendar
from records.statute_data import STATUTES

DISCLAIMER = "Computed from the statute's rules as data; not legal advice. Check the citation."

BUSINESS, CALENDAR = "business", "calendar"
UNITS = (BUSINESS, CALENDAR)
ONE_DAY = timedelta(days=1)
# Whose deadline a date is: the agency must act by it, or the requester must.
AGENCY, REQUESTER = "agency", "requester"

# Where a missed deadline lets the requester sue at once (constructive exhaustion), and the law that says so.
CONSTRUCTIVE_EXHAUSTION = {"FOIA": "5 U.S.C. 552(a)(6)(C)(i)"}


@dataclass(frozen=True)
class Rule:
    """A statute's deadline rules. Field names match records.models.Statute (RULE_FIELDS).

    A period of None means the law sets no fixed period.
    """

    code: str
    name: str = ""
    citation: str = ""
    response_days: int | None = None
    response_unit: str = BUSINESS
    response_citation: str = ""
    extension_days: int | None = None
    extension_unit: str = BUSINESS
    extension_citation: str = ""
    roll_forward: bool = True
    calendar: str = "US-FED"
    tolling_allowed: bool = False
    tolling_citation: str = ""
    appeal_window_days: int | None = None
    appeal_window_unit: str = CALENDAR
    appeal_window_citation: str = ""
    appeal_decision_days: int | None = None
    appeal_decision_unit: str = BUSINESS
    appeal_decision_citation: str = ""
    expedited_days: int | None = None
    expedited_unit: str = CALENDAR
    expedited_citation: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        for unit_field in (
            "response_unit",
            "extension_unit",
            "appeal_window_unit",
            "appeal_decision_unit",
            "expedited_unit",
        ):
            if getattr(self, unit_field) not in UNITS:
                raise ValueError(f"{self.code}: {unit_field} must be one of {UNITS}, not {getattr(self, unit_field)!r}")

    def unverified_points(self) -> list[str]:
        """The lines of the notes marked ⚠ (not verified): shown with every date."""
        return [line.strip() for line in self.notes.splitlines() if "⚠" in line]


RULE_FIELDS = tuple(f.name for f in fields(Rule))

# The seed data for the Statute table lives in records/statute_data.py (plain dicts, versioned).
DEFAULT_RULES: dict[str, dict[str, Any]] = STATUTES


def default_rule(code: str) -> Rule:
    """The seed Rule for a statute code (case-insensitive)."""
    return Rule(**DEFAULT_RULES[code.upper()])


@dataclass
class Deadline:
    """A computed date with its working. due None: the law sets no fixed period (the working says so)."""

    label: str
    due: date | None
    working: list[str] = field(default_factory=list)
    citation: str = ""
    alt_due: date | None = None
    alt_reason: str = ""
    internal: bool = False
    party: str = AGENCY

    @property
    def safe_due(self) -> date | None:
        """The date to act on: the agency's later date for its own deadlines, the earlier for the requester's."""
        if self.party == AGENCY and self.alt_due is not None:
            return self.alt_due
        return self.due

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "due": _iso(self.due),
            "working": list(self.working),
            "citation": self.citation,
            "alt_due": _iso(self.alt_due),
            "alt_reason": self.alt_reason,
            "internal": self.internal,
            "party": self.party,
            "safe_due": _iso(self.safe_due),
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _fmt(day: date) -> str:
    return f"{day.isoformat()} ({day:%a})"


# --- counting ---------------------------------------------------------------------------------------


class _Log:
    """The working of the requester's reading, and the disputed points behind the agency's later date."""

    def __init__(self, *, quiet: bool = False) -> None:
        self.quiet = quiet
        self.lines: list[str] = []
        self.disputes: list[str] = []
        self._weekend: tuple[date, date] | None = None  # the weekend day(s) the last line skips

    def step(self, text: str) -> None:
        if not self.quiet:
            self.lines.append(text)
            self._weekend = None

    def skip(self, day: date, closure: Closure) -> None:
        plain_weekend = closure.reason in ("Saturday", "Sunday")
        run = self._weekend
        if plain_weekend and run and run[1] == day - ONE_DAY and self.lines:
            self.lines[-1] = f"Skip {_fmt(run[0])} and {_fmt(day)}: weekend"
            return
        self.step(f"Skip {_fmt(day)}: {closure.reason}")
        self._weekend = (day, day) if plain_weekend else None

    def dispute(self, condition: str, text: str) -> None:
        """A point the agency's reading takes the other way: condition completes "the later date holds if ..."."""
        self.disputes.append(condition)
        self.step(text)


def _nth_business_day(start: date, n: int, cal: HolidayCalendar, strict: bool, log: _Log) -> date:
    day, counted = start, 0
    while counted < n:
        day += ONE_DAY
        closure = cal.closure(day)
        if closure is None:
            counted += 1
        elif closure.contested and not strict:
            counted += 1
            log.dispute(
                f"{day.isoformat()} counts as closed ({closure.reason})",
                f"Count {_fmt(day)} as a working day: {closure.reason} (disputed; see the later date)",
            )
        else:
            log.skip(day, closure)
    log.step(f"Business day {n} is {_fmt(day)}")
    return day


def _roll_forward(day: date, cal: HolidayCalendar, strict: bool, log: _Log) -> date:
    citation = cal.roll_forward_citation or "the rule's roll-forward"
    while (closure := cal.closure(day)) is not None:
        if closure.contested and not strict:
            log.dispute(
                f"{day.isoformat()} counts as closed ({closure.reason})",
                f"Do not roll past {_fmt(day)}: {closure.reason} (disputed; see the later date)",
            )
            return day
        log.step(f"{_fmt(day)} is closed ({closure.reason}): roll forward to the next day ({citation})")
        day += ONE_DAY
    return day


def _count_period(
    start: date, n: int, unit: str, cal: HolidayCalendar, *, roll_forward: bool, strict: bool, log: _Log
) -> tuple[date, date]:
    """Count n days in unit after start. Returns (the last day before any roll-forward, the due date).

    strict is the agency's reading: contested days are closed, and a calendar period rolls forward
    even where the rule has no roll-forward.
    """
    if unit == BUSINESS:
        last = _nth_business_day(start, n, cal, strict, log)
        return last, last
    last = start + timedelta(days=n)
    log.step(f"Calendar day {n} is {_fmt(last)}")
    if roll_forward or strict:
        return last, _roll_forward(last, cal, strict, log)
    if (closure := cal.closure(last)) is not None:
        log.dispute(
            f"the last day, {last.isoformat()} ({closure.reason}), rolls forward, which the law does not provide",
            f"{_fmt(last)} is closed ({closure.reason}), but the law sets no roll-forward: the date stays (flagged; see the later date)",
        )
    return last, last


@dataclass(frozen=True)
class _Period:
    days: int
    unit: str
    citation: str


def _period_deadline(
    label: str,
    rule: Rule,
    cal: HolidayCalendar,
    start_line: str,
    start: date,
    period: _Period,
    *,
    extension: _Period | None = None,
    tolled_days: int = 0,
    requester_files: bool = False,
    internal: bool = False,
) -> Deadline:
    """Count a period (plus tolled days, then an extension from its un-rolled last day), both readings."""

    def compute(strict: bool, log: _Log) -> date:
        log.step(f"Count {period.days} {period.unit} days ({period.citation})")
        if tolled_days:
            log.step(_tolling_line(rule, tolled_days, period))
        last, due = _count_period(
            start, period.days + tolled_days, period.unit, cal, roll_forward=rule.roll_forward, strict=strict, log=log
        )
        if extension is None:
            return due
        log.step(
            f"Extension: {extension.days} more {extension.unit} days from the original last day {_fmt(last)}, "
            f"before any roll-forward ({extension.citation})"
        )
        return _count_period(
            last, extension.days, extension.unit, cal, roll_forward=rule.roll_forward, strict=strict, log=log
        )[1]

    log = _Log()
    due = compute(False, log)
    alt = compute(True, _Log(quiet=True))
    citation = "; ".join(c for c in (period.citation, extension.citation if extension else "") if c)
    working = [start_line, *log.lines, f"Due {_fmt(due)} ({citation})"]
    party = REQUESTER if requester_files or internal else AGENCY
    alt_due, alt_reason = None, ""
    if alt != due:
        alt_due = alt
        alt_reason = "if " + "; and if ".join(log.disputes)
        working.append(f"Later date an agency might argue: {_fmt(alt)}, {alt_reason}")
        working.append(_safe_date_line(party, due, alt))
    working += rule.unverified_points()
    return Deadline(label, due, working, citation, alt_due, alt_reason, internal, party)


def _safe_date_line(party: str, due: date, alt: date) -> str:
    if party == REQUESTER:
        return f"File by the earlier date to be safe: {_fmt(due)} is the requester's last day."
    return (
        f'An escalation before {_fmt(alt)} may be answered with "we were not late": '
        f"treat {_fmt(alt)} as the agency's last day."
    )


def _tolling_line(rule: Rule, tolled_days: int, period: _Period) -> str:
    total = period.days + tolled_days
    if rule.tolling_allowed:
        return f"Clock stopped for {tolled_days} {period.unit} days in all ({rule.tolling_citation}): count {total}"
    return f"⚠ {tolled_days} tolled {period.unit} days added as given, but this statute's rule records no tolling: count {total}"


def _no_fixed_period(label: str, start_line: str, citation: str, what: str = "period", notes: str = "") -> Deadline:
    working = [start_line, f"The law sets no fixed {what} ({citation or 'no citation recorded'})"]
    working += [line.strip() for line in notes.splitlines() if line.strip()]
    return Deadline(label, None, working, citation)


def _start_line(event: str, day: date, cal: HolidayCalendar) -> str:
    why = f" — {cal.day_zero_citation}" if cal.day_zero_citation else ""
    return f"{event} {day.isoformat()} (day 0; counting starts the next day{why})"


def _calendar(rule: Rule, closures: Iterable[tuple[date, str]]) -> HolidayCalendar:
    return get_calendar(rule.calendar, closures)


# --- the public functions ---------------------------------------------------------------------------


def response_due(
    rule: Rule,
    received: date,
    *,
    extended: bool = False,
    tolled_days: int = 0,
    closures: Iterable[tuple[date, str]] = (),
) -> Deadline:
    """When the first response is due. tolled_days: days the clock stood still, in the rule's response unit."""
    if tolled_days < 0:
        raise ValueError("tolled_days cannot be negative")
    cal = _calendar(rule, closures)
    label = "Extended response due" if extended else "Initial response due"
    start_line = _start_line("Received", received, cal)
    if rule.response_days is None:
        return _no_fixed_period(label, start_line, rule.response_citation, notes=rule.notes)
    extension = None
    if extended:
        if rule.extension_days is None:
            return _no_fixed_period(label, start_line, rule.extension_citation, "extension period")
        extension = _Period(rule.extension_days, rule.extension_unit, rule.extension_citation)
    period = _Period(rule.response_days, rule.response_unit, rule.response_citation)
    return _period_deadline(
        label, rule, cal, start_line, received, period, extension=extension, tolled_days=tolled_days
    )


def appeal_window_closes(
    rule: Rule, determination_date: date, *, closures: Iterable[tuple[date, str]] = ()
) -> Deadline:
    """The last day for the requester's administrative appeal after an adverse determination."""
    cal = _calendar(rule, closures)
    label = "Appeal window closes"
    start_line = _start_line("Adverse determination dated", determination_date, cal)
    if rule.appeal_window_days is None:
        return _no_fixed_period(label, start_line, rule.appeal_window_citation, "administrative appeal window")
    period = _Period(rule.appeal_window_days, rule.appeal_window_unit, rule.appeal_window_citation)
    return _period_deadline(label, rule, cal, start_line, determination_date, period, requester_files=True)


def appeal_decision_due(
    rule: Rule, appeal_received: date, *, extended: bool = False, closures: Iterable[tuple[date, str]] = ()
) -> Deadline:
    """When the decision on an appeal is due. extended: the rule's extension applies (FOIA (a)(6)(B))."""
    cal = _calendar(rule, closures)
    label = "Extended appeal decision due" if extended else "Appeal decision due"
    start_line = _start_line("Appeal received", appeal_received, cal)
    if rule.appeal_decision_days is None:
        return _no_fixed_period(label, start_line, rule.appeal_decision_citation, "period for an appeal decision")
    extension = None
    if extended:
        if rule.extension_days is None:
            return _no_fixed_period(label, start_line, rule.extension_citation, "extension period")
        extension = _Period(rule.extension_days, rule.extension_unit, rule.extension_citation)
    period = _Period(rule.appeal_decision_days, rule.appeal_decision_unit, rule.appeal_decision_citation)
    return _period_deadline(label, rule, cal, start_line, appeal_received, period, extension=extension)


def expedited_decision_due(rule: Rule, received: date, *, closures: Iterable[tuple[date, str]] = ()) -> Deadline:
    """When the decision on expedited processing is due (FOIA: 10 calendar days, no roll-forward: flagged)."""
    cal = _calendar(rule, closures)
    label = "Expedited-processing decision due"
    start_line = _start_line("Received", received, cal)
    if rule.expedited_days is None:
        return _no_fixed_period(
            label, start_line, rule.expedited_citation, "period for an expedited-processing decision"
        )
    period = _Period(rule.expedited_days, rule.expedited_unit, rule.expedited_citation)
    return _period_deadline(label, rule, cal, start_line, received, period)


def may_sue_from(rule: Rule, due: date | None, alt_due: date | None = None) -> Deadline | None:
    """The first day the requester may sue for a missed deadline (FOIA constructive exhaustion), else None.
    alt_due: the agency's later reading of the response date, where there is one."""
    citation = CONSTRUCTIVE_EXHAUSTION.get(rule.code)
    if citation is None or due is None:
        return None
    day = due + ONE_DAY
    working = [
        f"Response due {_fmt(due)}",
        f"From the next day, {_fmt(day)}, the requester may sue without an administrative appeal: "
        f"constructive exhaustion ({citation})",
    ]
    if alt_due is None:
        return Deadline("May sue from", day, working, citation)
    alt_day = alt_due + ONE_DAY
    working.append(
        f"On the agency's reading the response is due {_fmt(alt_due)}: a suit filed before {_fmt(alt_day)} "
        'may be met with "we were not late"; file from that day to be safe.'
    )
    return Deadline("May sue from", day, working, citation, alt_day, "if the response is due on the later date")


def internal_target(rule: Rule, received: date, days: int, *, closures: Iterable[tuple[date, str]] = ()) -> Deadline:
    """The team's own target where the law sets no fixed period: calendar days from receipt, moved off a
    weekend or holiday of the statute's calendar."""
    cal = _calendar(rule, closures)
    period = _Period(days, CALENDAR, "team's internal target, not a legal deadline")
    start_line = _start_line("Received", received, cal)
    target_rule = replace(rule, roll_forward=True)  # a team target lands on a working day
    return _period_deadline(
        "Internal target (not a legal deadline)", target_rule, cal, start_line, received, period, internal=True
    )


# --- a request's timeline: tolling, extensions, appeals ---------------------------------------------

EVENT_KINDS = (
    "filed", "acknowledged", "clarification_asked", "clarification_given", "fee_estimate", "fee_paid",
    "extension", "interim_release", "final_response", "appeal_filed", "appeal_decided", "lawsuit_filed",
    "withdrawn", "closed",
)  # fmt: skip
ADVERSE_OUTCOMES = ("denied", "partly_granted", "no_records")
# The stage a request is in after these events; other events leave it where it was.
STAGE_AFTER = {
    "final_response": "answered", "appeal_filed": "appeal", "appeal_decided": "appeal_decided",
    "lawsuit_filed": "litigation", "withdrawn": "closed", "closed": "closed",
}  # fmt: skip
# A stop and the answer that restarts the clock (FOIA (a)(6)(A)(ii)(I)-(II)).
TOLL_RESUMES = {"clarification_asked": "clarification_given", "fee_estimate": "fee_paid"}


@dataclass(frozen=True)
class TimelineEvent:
    kind: str
    date: date
    outcome: str = ""


def as_timeline_event(event: Any) -> TimelineEvent:
    """Accept an object with kind/date/outcome attributes (e.g. records.models.Event) or a tuple."""
    if isinstance(event, tuple):
        result = TimelineEvent(*event)
    else:
        result = TimelineEvent(str(event.kind), event.date, str(getattr(event, "outcome", "") or ""))
    if result.kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {result.kind!r}")
    return result


class _TollingClock:
    """Stops the response clock at a request for information or a fee estimate (where the rule tolls)
    and restarts it at the answer, with the days that were left. Keeps a working line per step."""

    def __init__(
        self, rule: Rule, received: date, cal: HolidayCalendar, closures: tuple[tuple[date, str], ...]
    ) -> None:
        self.rule, self.received, self.cal, self.closures = rule, received, cal, closures
        self.tolled = 0
        self.stopped: TimelineEvent | None = None
        self.information_tolls = 0
        self.lines: list[str] = []

    def _due(self) -> date | None:
        return response_due(self.rule, self.received, tolled_days=self.tolled, closures=self.closures).due

    def _days_between(self, start: date, end: date) -> int:
        if self.rule.response_unit == CALENDAR:
            return max(0, (end - start).days)
        return sum(1 for n in range(1, (end - start).days + 1) if self.cal.is_open(start + timedelta(days=n)))

    def stop(self, event: TimelineEvent) -> None:
        what = event.kind.replace("_", " ")
        if not self.rule.tolling_allowed:
            self.lines.append(f"{event.date}: {what}; the clock does not stop (the rule records no tolling)")
        elif self.stopped is not None:
            self.lines.append(f"{event.date}: {what}; the clock is already stopped")
        elif event.kind == "clarification_asked" and self.information_tolls:
            self.lines.append(
                f"{event.date}: {what} again; the clock does not stop: one request for information only ({self.rule.tolling_citation})"
            )
        elif (due := self._due()) is not None and event.date > due:
            self.lines.append(f"{event.date}: {what} after the due date {due}; no tolling")
        else:
            self.stopped = event
            self.information_tolls += event.kind == "clarification_asked"
            left = f": {self._days_between(event.date, due)} {self.rule.response_unit} days left" if due else ""
            self.lines.append(f"Clock stopped {event.date} ({what}; {self.rule.tolling_citation}){left}")

    def resume(self, event: TimelineEvent) -> None:
        if self.stopped is None or TOLL_RESUMES[self.stopped.kind] != event.kind:
            return
        days = self._days_between(self.stopped.date, event.date)
        self.tolled += days
        self.lines.append(
            f"Clock restarted {event.date} ({event.kind.replace('_', ' ')}): {days} {self.rule.response_unit} days tolled"
        )
        self.stopped = None


@dataclass
class RequestDeadlines:
    """Every deadline of one request, and which one it now waits on.

    stage: response | paused (clock stopped, waiting on the requester) | answered | appeal |
    appeal_decided | litigation | closed.
    """

    response: Deadline
    stage: str = "response"
    extended: Deadline | None = None
    appeal_window: Deadline | None = None
    appeal_decision: Deadline | None = None
    expedited: Deadline | None = None
    may_sue_from: Deadline | None = None
    internal_target: Deadline | None = None
    paused_since: date | None = None

    @property
    def current_deadline(self) -> Deadline | None:
        if self.stage == "response":
            if self.extended is not None:
                return self.extended
            return self.response if self.response.due or self.internal_target is None else self.internal_target
        if self.stage == "appeal":
            return self.appeal_decision
        return None

    @property
    def current_due(self) -> date | None:
        """The date the request now waits on; None while paused, and once answered, closed or in court."""
        current = self.current_deadline
        return current.due if current else None

    @property
    def current_safe_due(self) -> date | None:
        """current_due, read safely for its party (the agency's later date for a response it owes)."""
        current = self.current_deadline
        return current.safe_due if current else None

    def next_deadlines(self) -> list[Deadline]:
        """The dated deadlines still ahead in the current stage, earliest first."""
        ahead: dict[str, list[Deadline | None]] = {
            "response": [self.current_deadline, self.expedited, self.may_sue_from],
            "answered": [self.appeal_window],
            "appeal": [self.appeal_decision],
        }
        dated = [d for d in ahead.get(self.stage, []) if d is not None and d.due is not None]
        return sorted(dated, key=lambda d: d.due)  # type: ignore[arg-type, return-value]

    def to_dict(self) -> dict[str, Any]:
        names = (
            "response",
            "extended",
            "appeal_window",
            "appeal_decision",
            "expedited",
            "may_sue_from",
            "internal_target",
        )
        result: dict[str, Any] = {name: (d.to_dict() if (d := getattr(self, name)) else None) for name in names}
        result.update(stage=self.stage, current_due=_iso(self.current_due), paused_since=_iso(self.paused_since))
        return result


def compute_request_deadlines(
    rule: Rule,
    *,
    received: date,
    events: Iterable[Any] = (),
    closures: Iterable[tuple[date, str]] = (),
    expedited_requested: bool = False,
    internal_target_days: int | None = None,
) -> RequestDeadlines:
    """Replay a request's events (in date order) into its deadlines.

    events: objects with kind, date, outcome (records.models.Event) or tuples (kind, date[, outcome]).
    The clock stops at clarification_asked (once) and fee_estimate where rule.tolling_allowed, and restarts
    at clarification_given / fee_paid with the days that were left.
    """
    closures = tuple(closures)
    cal = _calendar(rule, closures)
    clock = _TollingClock(rule, received, cal, closures)
    stage, extended, appeal_extended = "response", False, False
    final: TimelineEvent | None = None
    appeal_on: date | None = None
    # Oldest first; same-day events keep the caller's order (records.timeline passes them as logged).
    for event in sorted((as_timeline_event(e) for e in events), key=lambda e: e.date):
        if event.kind in TOLL_RESUMES and stage == "response":
            clock.stop(event)
        elif event.kind in TOLL_RESUMES.values():
            clock.resume(event)
        elif event.kind == "extension":  # extends whichever period is running (FOIA (a)(6)(B): appeals too)
            extended = extended or stage == "response"
            appeal_extended = appeal_extended or stage == "appeal"
        elif event.kind == "final_response":
            final = event
        elif event.kind == "appeal_filed":
            appeal_on = event.date
        stage = STAGE_AFTER.get(event.kind, stage)

    paused = clock.stopped is not None and stage == "response"
    response = _response_with_tolling(rule, received, clock, closures, paused)
    result = RequestDeadlines(response=response, stage="paused" if paused else stage)
    if paused:
        result.paused_since = clock.stopped.date  # type: ignore[union-attr]
    elif extended:
        result.extended = response_due(rule, received, extended=True, tolled_days=clock.tolled, closures=closures)
        result.extended.working[1:1] = clock.lines
    if expedited_requested and rule.expedited_days is not None:
        result.expedited = expedited_decision_due(rule, received, closures=closures)
    if rule.response_days is None and internal_target_days:
        result.internal_target = internal_target(rule, received, internal_target_days, closures=closures)
    current = result.extended or result.response
    result.may_sue_from = may_sue_from(rule, current.due, current.alt_due)
    if final is not None and final.outcome in ADVERSE_OUTCOMES:
        result.appeal_window = appeal_window_closes(rule, final.date, closures=closures)
    if appeal_on is not None:
        result.appeal_decision = appeal_decision_due(rule, appeal_on, extended=appeal_extended, closures=closures)
    return result


def _response_with_tolling(
    rule: Rule, received: date, clock: _TollingClock, closures: tuple[tuple[date, str], ...], paused: bool
) -> Deadline:
    deadline = response_due(rule, received, tolled_days=clock.tolled, closures=closures)
    if paused:
        waiting = "The clock is stopped, waiting on the requester: the due date is set when the answer arrives"
        return Deadline(deadline.label, None, [deadline.working[0], *clock.lines, waiting], deadline.citation)
    deadline.working[1:1] = clock.lines
    return deadline


__all__ = [
    "ADVERSE_OUTCOMES", "AGENCY", "BUSINESS", "CALENDAR", "CONSTRUCTIVE_EXHAUSTION", "DEFAULT_RULES", "DISCLAIMER",
    "EVENT_KINDS", "REQUESTER", "RULE_FIELDS", "Deadline", "RequestDeadlines", "Rule", "TimelineEvent",
    "appeal_decision_due", "appeal_window_closes", "as_timeline_event", "compute_request_deadlines",
    "default_rule", "expedited_decision_due", "internal_target", "may_sue_from", "response_due",
]  # fmt: skip
