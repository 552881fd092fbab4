"""Holiday calendars as data: one per jurisdiction, with agency closure days layered on top.

Pure Python (stdlib + the `holidays` package); no Django. A calendar answers, for any date, whether the
responding body is closed and why. Some closures are *contested*: closed on one reading of the law and
open on another (California courts close on Native American Day, state offices do not; a federal
executive-order closure is not a "legal public holiday" under 5 U.S.C. 6103). The deadline engine counts a
contested day as open for the earlier date a requester can defend, and as closed for the later date an
agency might argue, and shows both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.easter import easter  # python-dateutil: a dependency of holidays

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@dataclass(frozen=True)
class Closure:
    """Why a day is closed. contested: closed on one reading, open on another (show both dates)."""

    reason: str
    contested: bool = False
    weekend: bool = False


YearTable = dict[date, Closure]


class HolidayCalendar:
    """A jurisdiction's closed days: weekends, its holidays, and extra closure days.

    day_zero_citation: the law that makes the day of receipt day 0 (counting starts the next day).
    roll_forward_citation: the law that moves a period's last day off a weekend or holiday, if any.
    closures_are_holidays: whether an office's own closure days stop the clock (CCP 12b: yes), or are
    only flagged (FOIA excepts "legal public holidays" alone, so a federal closure is contested).
    """

    def __init__(
        self,
        key: str,
        name: str,
        build_year: Callable[[int], YearTable],
        *,
        day_zero_citation: str = "",
        roll_forward_citation: str = "",
        closures_are_holidays: bool = True,
        extra: YearTable | None = None,
    ) -> None:
        self.key = key
        self.name = name
        self.day_zero_citation = day_zero_citation
        self.roll_forward_citation = roll_forward_citation
        self.closures_are_holidays = closures_are_holidays
        self._build_year = build_year
        self._extra: YearTable = dict(extra or {})

    def __repr__(self) -> str:
        return f"<HolidayCalendar {self.key}>"

    def with_closures(self, closures: Iterable[tuple[date, str]]) -> HolidayCalendar:
        """This calendar plus closure days [(date, reason), ...], e.g. an agency's own (from the database)."""
        closures = list(closures)
        if not closures:
            return self
        extra = dict(self._extra)
        how = "office closed" if self.closures_are_holidays else "office closed; not a legal holiday"
        for day, reason in closures:
            extra[day] = Closure(f"{reason} ({how})", contested=not self.closures_are_holidays)
        return HolidayCalendar(
            self.key, self.name, self._build_year,
            day_zero_citation=self.day_zero_citation, roll_forward_citation=self.roll_forward_citation,
            closures_are_holidays=self.closures_are_holidays, extra=extra,
        )  # fmt: skip

    def holidays_in(self, year: int) -> YearTable:
        """The weekday holidays and closures of a year (weekends are closed anyway)."""
        days = set(self._build_year(year)) | {day for day in self._extra if day.year == year}
        return {day: self._holiday(day) for day in sorted(days) if day.weekday() < SAT}  # type: ignore[misc]

    def _holiday(self, day: date) -> Closure | None:
        """The listed holiday or the extra closure of a day; a firm one wins over a contested one."""
        listed = self._build_year(day.year).get(day)
        extra = self._extra.get(day)
        if extra is None or (listed is not None and not listed.contested):
            return listed
        return extra

    def closure(self, day: date) -> Closure | None:
        """The Closure for a day, or None when the office is open."""
        holiday = self._holiday(day)
        if day.weekday() >= SAT:
            name = "Saturday" if day.weekday() == SAT else "Sunday"
            return Closure(f"{name}; also {holiday.reason}" if holiday else name, weekend=True)
        return holiday

    def why_closed(self, day: date) -> str | None:
        """Why the office is closed that day ("Saturday", "Thanksgiving Day (5 U.S.C. 6103)"), or None."""
        closure = self.closure(day)
        return closure.reason if closure else None

    def is_contested(self, day: date) -> bool:
        closure = self.closure(day)
        return bool(closure and closure.contested)

    def is_open(self, day: date, *, strict: bool = False) -> bool:
        """Open for business. strict: count contested days as closed (the agency's reading)."""
        closure = self.closure(day)
        return closure is None or (closure.contested and not strict)


# --- date helpers -----------------------------------------------------------------------------------


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def last_weekday(year: int, month: int, weekday: int) -> date:
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


OBSERVED = " (observed)"


def _cite(names: str, citation: str) -> str:
    """ "Independence Day (observed)" + citation -> "Independence Day (observed, 5 U.S.C. 6103(b))"."""
    if names.endswith(OBSERVED):
        return f"{names.removesuffix(OBSERVED)} (observed, {citation})"
    return f"{names} ({citation})"


def _add(table: YearTable, day: date, closure: Closure) -> None:
    """Add a closure; a firm one wins over a contested one on the same day."""
    current = table.get(day)
    if current is None or (current.contested and not closure.contested):
        table[day] = closure
    elif current.contested == closure.contested:
        table[day] = Closure(f"{current.reason}; {closure.reason}", current.contested)


# --- federal ----------------------------------------------------------------------------------------

# Closures by executive order: agencies are closed, but these are not "legal public holidays"
# (5 U.S.C. 552(a)(6)(A)(i)), so the engine flags them and shows both dates (statutes.md decision).
FEDERAL_EXECUTIVE_ORDER_CLOSURES = {
    date(2025, 12, 24): "Executive-order closure (Christmas Eve 2025)",
    date(2025, 12, 26): "Executive-order closure (day after Christmas 2025)",
}


@lru_cache(maxsize=64)
def _us_federal_year(year: int) -> YearTable:
    # The package's US list without a subdivision matches OPM, observed days included (6103(b)).
    table: YearTable = {}
    for day, names in holidays.US(years=year).items():
        if day.year == year:
            citation = "5 U.S.C. 6103(b)" if OBSERVED in names else "5 U.S.C. 6103(a)"
            _add(table, day, Closure(_cite(names, citation)))
    for day, reason in FEDERAL_EXECUTIVE_ORDER_CLOSURES.items():
        if day.year == year:
            _add(table, day, Closure(f"{reason}: not a legal public holiday under 5 U.S.C. 6103", contested=True))
    return table


# --- California judicial holidays (CCP 135, Rules of Court 1.11), built by hand ----------------------


def _ca_judicial_dates(year: int) -> list[tuple[date, str]]:
    thanksgiving = nth_weekday(year, 11, THU, 4)
    return [
        (date(year, 1, 1), "New Year's Day"),
        (nth_weekday(year, 1, MON, 3), "Martin Luther King Jr. Day"),
        (date(year, 2, 12), "Lincoln Day"),
        (nth_weekday(year, 2, MON, 3), "Presidents' Day"),
        (date(year, 3, 31), "Cesar Chavez Day"),
        (last_weekday(year, 5, MON), "Memorial Day"),
        (date(year, 6, 19), "Juneteenth"),
        (date(year, 7, 4), "Independence Day"),
        (nth_weekday(year, 9, MON, 1), "Labor Day"),
        (nth_weekday(year, 9, FRI, 4), "Native American Day"),
        (date(year, 11, 11), "Veterans Day"),
        (thanksgiving, "Thanksgiving Day"),
        (thanksgiving + timedelta(days=1), "Day after Thanksgiving"),
        (date(year, 12, 25), "Christmas Day"),
    ]


# Ambiguous California days (statutes.md): open for the requester's date, closed for the agency's.
CA_STATE_OFFICES_OPEN = "courts closed, state offices open"


def _ca_observed(day: date, name: str, why: str) -> tuple[date, Closure]:
    """Where the courts observe a judicial holiday (Rules of Court 1.11), and whether it is contested."""
    if day.weekday() == SAT:  # the courts close the Friday before; state offices stay open
        friday = day - timedelta(days=1)
        return friday, Closure(f"{name} (observed; Cal. Rules of Court 1.11): {CA_STATE_OFFICES_OPEN}", contested=True)
    if day.weekday() == SUN:
        day, reason = day + timedelta(days=1), f"{name} (observed; Cal. Rules of Court 1.11)"
    else:
        reason = f"{name} (Code Civ. Proc. 135)"
    return day, Closure(f"{reason}: {why}" if why else reason, contested=bool(why))


def _ca_year(year: int, contested_names: dict[str, str]) -> YearTable:
    table: YearTable = {}
    # Next year's Jan 1 on a Saturday is observed on this year's Dec 31.
    for holiday, name in _ca_judicial_dates(year) + _ca_judicial_dates(year + 1)[:1]:
        day, closure = _ca_observed(holiday, name, contested_names.get(name, ""))
        if day.year == year:
            _add(table, day, closure)
    columbus = nth_weekday(year, 10, MON, 2)
    _add(table, columbus, Closure("Columbus Day: in Gov. Code 6700, not a judicial holiday", contested=True))
    return table


@lru_cache(maxsize=64)
def _ca_judicial_year(year: int) -> YearTable:
    return _ca_year(year, {"Native American Day": CA_STATE_OFFICES_OPEN})


@lru_cache(maxsize=64)
def _ca_local_year(year: int) -> YearTable:
    city_open = "a city that stays open (Gov. Code 6700, local clause) may count it as a workday"
    return _ca_year(
        year,
        {
            "Native American Day": CA_STATE_OFFICES_OPEN,
            "Martin Luther King Jr. Day": city_open,
            "Cesar Chavez Day": city_open,
        },
    )


# --- states, from the holidays package with the corrections of the audit ----------------------------
#
# Audit (issue 10): for each state, every day on the package's list and every legal holiday it lacks was
# decided against the state's legal-holiday statute and its records law's business day. A legal holiday on
# which state offices close is closed (firm). A day that is closed on one reading and open on another (a
# legal holiday when offices stay open; an office closure that is no legal holiday; a fact not verified
# here) is contested: both dates, with the reason. The statute's notes (records/statute_data.py) cite the
# same decisions.


@dataclass(frozen=True)
class StateAdjustments:
    """How a state's law differs from the package's list for that state."""

    subdiv: str
    citation: str
    drop: frozenset[str] = frozenset()  # names the state's holiday law does not list
    contested: tuple[tuple[str, str], ...] = ()  # (name, why): closed only on some readings
    observed: str = "closed"  # a weekend holiday's weekday: "closed" | "sunday_only" | "contested"
    observed_why: str = ""  # why observed days are contested
    # Legal holidays the package lacks: (name, the day in a year or None, why contested or "" for closed).
    add: tuple[tuple[str, Callable[[int], date | None], str], ...] = ()


def _state_year(adjust: StateAdjustments, year: int) -> YearTable:
    table: YearTable = {}
    contested = dict(adjust.contested)
    for day, names in holidays.US(subdiv=adjust.subdiv, years=year).items():
        if day.year != year:
            continue
        firm = []
        for name in names.split("; "):
            observed = name.endswith(OBSERVED)
            if name in adjust.drop or (observed and day.weekday() == FRI and adjust.observed == "sunday_only"):
                continue
            why = contested.get(name.removesuffix(OBSERVED), "")  # a contested holiday's observed day too
            if observed and adjust.observed == "contested":
                why = adjust.observed_why
            if why:
                _add(table, day, Closure(f"{_cite(name, adjust.citation)}: {why}", contested=True))
            else:
                firm.append(name)
        if firm:
            _add(table, day, Closure(_cite("; ".join(firm), adjust.citation)))
    for name, day_in, why in adjust.add:
        day = day_in(year)
        if day is not None:
            reason = _cite(name, adjust.citation)
            _add(table, day, Closure(f"{reason}: {why}" if why else reason, contested=bool(why)))
    return table


def _fixed(month: int, day: int) -> Callable[[int], date]:
    return lambda year: date(year, month, day)


def _even_year_election_day(year: int) -> date | None:
    """The general election: the Tuesday after the first Monday of November, in even years."""
    return nth_weekday(year, 11, MON, 1) + timedelta(days=1) if year % 2 == 0 else None


def _day_after_thanksgiving(year: int) -> date:
    return nth_weekday(year, 11, THU, 4) + timedelta(days=1)


def _good_friday(year: int) -> date:
    return easter(year) - timedelta(days=2)


TX_OPTIONAL = (
    "optional holiday (Tex. Gov't Code 662.003(c)): not a business day only for a body that observes it (552.0031)"
)
FL_OFFICES_OPEN = (
    "a legal holiday (Fla. Stat. 683.01) on which state offices stay open (not a paid holiday under Fla. Stat. 110.117)"
)
MI_OFFICE_CLOSURE = (
    "state offices close (Civil Service holiday schedule), but it is no legal holiday under MCL 435.101; "
    "⚠ a local body may be open"
)
PA_UNVERIFIED = "⚠ state offices close, but not verified as a legal holiday under 44 P.S. 11 / 1 Pa.C.S. 1908"

STATE_ADJUSTMENTS = {
    # Gen. Constr. Law 24 lists Lincoln's Birthday, Columbus Day and each general election day as public
    # holidays, and state offices close on them: closed. Only a Sunday holiday moves (to Monday); 25-a rolls
    # a deadline off weekends and holidays.
    "NY": StateAdjustments(
        "NY", "N.Y. Gen. Constr. Law 24", drop=frozenset({"Susan B. Anthony Day"}), observed="sunday_only"
    ),
    # 552.0031(a): not a business day are weekends, national holidays (662.003(a)) and state holidays
    # (662.003(b): Confederate Heroes Day, Texas Independence Day, San Jacinto Day, Emancipation Day, LBJ Day,
    # the Friday after Thanksgiving, Dec 24, Dec 26; all on the package's list): closed. Optional holidays (662.003(c)) and a weekend
    # holiday's Friday/Monday count only where the body observes them: contested.
    "TX": StateAdjustments(
        "TX",
        "Tex. Gov't Code 662.003; 552.0031",
        contested=(("Cesar Chavez Day", TX_OPTIONAL), ("Good Friday", TX_OPTIONAL)),
        observed="contested",
        observed_why="a weekend holiday's weekday counts only if the body observes it (Tex. Gov't Code 552.0031)",
    ),  # fmt: skip
    # 5 ILCS 490 (legal holidays): Lincoln's Birthday and, in even years, general election day; state offices
    # close: closed. Casimir Pulaski Day is a legal holiday on which state offices stay open; the day after
    # Thanksgiving is a state-office closure that the statute does not list: both contested.
    "IL": StateAdjustments(
        "IL",
        "5 ILCS 490",
        contested=(
            ("Casimir Pulaski Day", "a legal holiday on which state offices stay open (⚠ not verified for every body)"),
        ),
        add=(
            (
                "Day after Thanksgiving",
                _day_after_thanksgiving,
                "state offices close (State employee holiday schedule), not a legal holiday in 5 ILCS 490 (⚠ not verified)",
            ),
        ),
    ),  # fmt: skip
    # RCW 1.16.050(1): the fourth Friday of November is Native American Heritage Day, a legal holiday on
    # which state offices close: closed. A Saturday holiday is observed Friday, a Sunday one Monday (1.16.050).
    "WA": StateAdjustments("WA", "RCW 1.16.050"),
    # 44 P.S. 11 lists Flag Day (June 14) as a legal holiday, but Commonwealth offices stay open: contested.
    # The day after Thanksgiving and Juneteenth close Commonwealth offices; their legal-holiday status for
    # 1 Pa.C.S. 1908 is not verified here: contested.
    "PA": StateAdjustments(
        "PA",
        "44 P.S. 11; 1 Pa.C.S. 1908",
        contested=(
            ("Day After Thanksgiving", PA_UNVERIFIED),
            ("Juneteenth National Independence Day", PA_UNVERIFIED),
        ),
        add=(("Flag Day", _fixed(6, 14), "a legal holiday on which Commonwealth offices stay open"),),
    ),  # fmt: skip
    # M.G.L. c. 4 §7 cl. 18 lists Patriots' Day (third Monday of April); state offices close: closed.
    # Evacuation Day (Mar 17) and Bunker Hill Day (Jun 17) close offices in Suffolk County only: contested
    # (add them as closure days for a Suffolk County agency).
    "MA": StateAdjustments(
        "MA",
        "M.G.L. c. 4 §7",
        add=(
            ("Evacuation Day", _fixed(3, 17), "closed in Suffolk County (Boston) only; open elsewhere in the state"),
            ("Bunker Hill Day", _fixed(6, 17), "closed in Suffolk County (Boston) only; open elsewhere in the state"),
        ),
    ),  # fmt: skip
    # MCL 435.101 lists the legal holidays; the state's own closures on top of them (Christmas Eve, New Year's
    # Eve, the day after Thanksgiving, even-year Election Day) are no legal holidays: contested.
    "MI": StateAdjustments(
        "MI",
        "MCL 435.101",
        contested=(
            ("Christmas Eve", MI_OFFICE_CLOSURE),
            ("New Year's Eve", MI_OFFICE_CLOSURE),
            ("Day After Thanksgiving", MI_OFFICE_CLOSURE),
            ("Election Day", MI_OFFICE_CLOSURE),
        ),
    ),  # fmt: skip
    # N.J.S.A. 36:1-1 lists Lincoln's Birthday, Good Friday and general election day; state offices close.
    "NJ": StateAdjustments("NJ", "N.J.S.A. 36:1-1"),
    # O.C.G.A. 1-4-1: the Governor's proclaimed state holidays are public and legal holidays (the package
    # follows the proclamation: "State Holiday", Washington's Birthday observed in December); closed.
    "GA": StateAdjustments("GA", "O.C.G.A. 1-4-1"),
    # Fla. Stat. 110.117 lists the days state offices close (incl. the Friday after Thanksgiving): closed.
    # Other legal holidays of 683.01 leave offices open: contested. Juneteenth is in neither list.
    "FL": StateAdjustments(
        "FL",
        "Fla. Stat. 110.117; 683.01",
        contested=(
            ("Susan B. Anthony Day", FL_OFFICES_OPEN),
            (
                "Juneteenth National Independence Day",
                "not a legal holiday in Fla. Stat. 683.01 or 110.117; state offices open (⚠ not verified)",
            ),
        ),
        add=(
            ("Lincoln's Birthday", _fixed(2, 12), FL_OFFICES_OPEN),
            ("Good Friday", _good_friday, FL_OFFICES_OPEN),
            ("Pascua Florida Day", _fixed(4, 2), FL_OFFICES_OPEN),
            ("Confederate Memorial Day", _fixed(4, 26), FL_OFFICES_OPEN),
            ("Flag Day", _fixed(6, 14), FL_OFFICES_OPEN),
            ("Columbus Day", lambda year: nth_weekday(year, 10, MON, 2), FL_OFFICES_OPEN),
            ("General Election Day", _even_year_election_day, FL_OFFICES_OPEN),
        ),
    ),  # fmt: skip
    # R.C. 1.14 lists the legal holidays (the package's list); a Saturday one is observed Friday, a Sunday
    # one Monday; state offices close: closed.
    "OH": StateAdjustments("OH", "R.C. 1.14"),
}


@lru_cache(maxsize=512)
def _state_year_cached(key: str, year: int) -> YearTable:
    return _state_year(STATE_ADJUSTMENTS[key], year)


def _state_calendar(key: str, name: str, **kwargs) -> HolidayCalendar:
    return HolidayCalendar(key, name, lambda year: _state_year_cached(key, year), **kwargs)


CALENDARS: dict[str, HolidayCalendar] = {
    "US-FED": HolidayCalendar(
        "US-FED", "Federal legal public holidays (5 U.S.C. 6103)", _us_federal_year,
        day_zero_citation="the usual federal reading of 5 U.S.C. 552(a)(6)(A)",
        closures_are_holidays=False,
    ),
    "CA-JUDICIAL": HolidayCalendar(
        "CA-JUDICIAL", "California judicial holidays (CCP 135; Rules of Court 1.11)", _ca_judicial_year,
        day_zero_citation="Cal. Gov. Code 6800", roll_forward_citation="Code Civ. Proc. 12a, 12b",
    ),
    # For a city or county that stays open on MLK Day and Cesar Chavez Day (Gov. Code 6700, local clause).
    "CA-LOCAL": HolidayCalendar(
        "CA-LOCAL", "California judicial holidays, city or county open on MLK Day and Mar 31", _ca_local_year,
        day_zero_citation="Cal. Gov. Code 6800", roll_forward_citation="Code Civ. Proc. 12a, 12b",
    ),
    # day_zero_citation / roll_forward_citation: each state's general law on computing time, where known.
    "NY": _state_calendar(
        "NY", "New York public holidays (Gen. Constr. Law 24)",
        day_zero_citation="N.Y. Gen. Constr. Law 20", roll_forward_citation="N.Y. Gen. Constr. Law 25-a",
    ),
    "TX": _state_calendar(
        "TX", "Texas national and state holidays (Gov't Code 662.003, 552.0031)",
        day_zero_citation="Tex. Gov't Code 311.014(a)", roll_forward_citation="Tex. Gov't Code 311.014(b)",
    ),
    "IL": _state_calendar(
        "IL", "Illinois legal holidays (5 ILCS 490)",
        day_zero_citation="5 ILCS 70/1.11", roll_forward_citation="5 ILCS 70/1.11",
    ),
    "WA": _state_calendar(
        "WA", "Washington legal holidays (RCW 1.16.050)",
        day_zero_citation="RCW 1.12.040", roll_forward_citation="RCW 1.12.040",
    ),
    "PA": _state_calendar(
        "PA", "Pennsylvania legal holidays (44 P.S. 11)",
        day_zero_citation="1 Pa.C.S. 1908", roll_forward_citation="1 Pa.C.S. 1908",
    ),
    "MA": _state_calendar("MA", "Massachusetts legal holidays (M.G.L. c. 4 §7)"),
    "MI": _state_calendar(
        "MI", "Michigan legal holidays (MCL 435.101)", day_zero_citation="MCL 8.6", roll_forward_citation="MCL 8.6"
    ),
    "NJ": _state_calendar("NJ", "New Jersey legal holidays (N.J.S.A. 36:1-1)"),
    "GA": _state_calendar(
        "GA", "Georgia public and legal holidays (O.C.G.A. 1-4-1)",
        day_zero_citation="O.C.G.A. 1-3-1(d)(3)", roll_forward_citation="O.C.G.A. 1-3-1(d)(3)",
    ),
    "FL": _state_calendar("FL", "Florida state office holidays (Fla. Stat. 110.117; 683.01)"),
    "OH": _state_calendar(
        "OH", "Ohio legal holidays (R.C. 1.14)", day_zero_citation="R.C. 1.14", roll_forward_citation="R.C. 1.14"
    ),
}  # fmt: skip


def get_calendar(key: str, closures: Iterable[tuple[date, str]] = ()) -> HolidayCalendar:
    """The calendar for a key (case-insensitive), with extra closure days on top."""
    try:
        calendar = CALENDARS[key.upper()]
    except KeyError:
        raise ValueError(f"unknown holiday calendar {key!r} (known: {', '.join(CALENDARS)})") from None
    return calendar.with_closures(closures)
