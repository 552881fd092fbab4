"""The deadline engine (records.deadlines): plain functions, no database."""

import csv
import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from records.deadlines import (
    DEFAULT_RULES,
    RULE_FIELDS,
    Rule,
    appeal_decision_due,
    appeal_window_closes,
    compute_request_deadlines,
    default_rule,
    expedited_decision_due,
    may_sue_from,
    response_due,
)
from records.holiday_calendars import CALENDARS, get_calendar

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CASES_FILE = SHARED / "deadline-cases.tsv"


def deadline_cases():
    """The worked cases as pytest params; one skipping param where ../shared is absent."""
    if not CASES_FILE.exists():
        return [pytest.param(None, id="no-cases-file")]
    with CASES_FILE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [pytest.param(row, id=f"{row['statute']}-{row['received']}-{row['extended']}") for row in rows]


def skip_without_cases(row):
    if row is None:
        pytest.skip(f"../shared/deadline-cases.tsv not found: {CASES_FILE}")


D = date.fromisoformat
FOIA, CPRA = default_rule("FOIA"), default_rule("CPRA")


# --- the worked cases -------------------------------------------------------------------------------


@pytest.mark.parametrize("row", deadline_cases())
def test_worked_case(row):
    skip_without_cases(row)
    deadline = response_due(default_rule(row["statute"]), D(row["received"]), extended=row["extended"] == "yes")
    assert deadline.due == D(row["due"]), f"{row['why']}\n" + "\n".join(deadline.working)
    assert deadline.alt_due is None


# --- rules and seed data ----------------------------------------------------------------------------


def test_rule_fields_match_the_statute_model():
    from records.models import Statute  # importing a model needs settings, not the database

    assert RULE_FIELDS == Statute.RULE_FIELDS


def test_seed_data_covers_every_statute_with_a_known_calendar():
    assert set(DEFAULT_RULES) == {
        "FOIA", "CPRA", "NY-FOIL", "TX-PIA", "IL-FOIA", "FL-PRA", "WA-PRA",
        "PA-RTKL", "MA-PRL", "MI-FOIA", "NJ-OPRA", "GA-ORA", "OH-PRA",
    }  # fmt: skip
    for code, data in DEFAULT_RULES.items():
        rule = Rule(**data)
        assert rule.code == code
        assert rule.calendar in CALENDARS
        assert rule.response_citation, code


def test_a_rule_can_be_built_with_few_arguments_and_rejects_a_bad_unit():
    assert Rule("X", response_days=5).calendar == "US-FED"
    with pytest.raises(ValueError, match="response_unit"):
        Rule("X", response_days=5, response_unit="weeks")


# --- holiday calendars ------------------------------------------------------------------------------

# CCP 135 + Rules of Court 1.11 by hand; True = contested (courts closed, state offices open; or
# Columbus Day, in Gov. Code 6700 but not a court holiday).
CA_JUDICIAL = {
    2025: {
        "2025-01-01": False, "2025-01-20": False, "2025-02-12": False, "2025-02-17": False, "2025-03-31": False,
        "2025-05-26": False, "2025-06-19": False, "2025-07-04": False, "2025-09-01": False, "2025-09-26": True,
        "2025-10-13": True, "2025-11-11": False, "2025-11-27": False, "2025-11-28": False, "2025-12-25": False,
    },
    2026: {
        "2026-01-01": False, "2026-01-19": False, "2026-02-12": False, "2026-02-16": False, "2026-03-31": False,
        "2026-05-25": False, "2026-06-19": False, "2026-07-03": True, "2026-09-07": False, "2026-09-25": True,
        "2026-10-12": True, "2026-11-11": False, "2026-11-26": False, "2026-11-27": False, "2026-12-25": False,
    },
    2027: {
        "2027-01-01": False, "2027-01-18": False, "2027-02-12": False, "2027-02-15": False, "2027-03-31": False,
        "2027-05-31": False, "2027-06-18": True, "2027-07-05": False, "2027-09-06": False, "2027-09-24": True,
        "2027-10-11": True, "2027-11-11": False, "2027-11-25": False, "2027-11-26": False, "2027-12-24": True,
        "2027-12-31": True,
    },
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(CA_JUDICIAL))
def test_california_judicial_calendar(year):
    found = {day.isoformat(): closure.contested for day, closure in CALENDARS["CA-JUDICIAL"].holidays_in(year).items()}
    assert found == CA_JUDICIAL[year]


def test_california_calendar_leaves_out_what_courts_do_not_close_for():
    cal = CALENDARS["CA-JUDICIAL"]
    # Admission Day, Lunar New Year, Apr 24, Diwali, Susan B. Anthony Day (holidays.US(subdiv="CA") has the last two).
    for day in ("2026-09-09", "2026-02-17", "2026-04-24", "2027-10-29", "2027-02-16"):
        assert cal.why_closed(D(day)) is None, day


def test_federal_calendar_names_the_law():
    cal = CALENDARS["US-FED"]
    assert cal.why_closed(D("2026-11-26")) == "Thanksgiving Day (5 U.S.C. 6103(a))"
    assert cal.why_closed(D("2026-11-27")) is None  # the day after Thanksgiving is a federal workday
    assert cal.why_closed(D("2026-07-03")) == "Independence Day (observed, 5 U.S.C. 6103(b))"
    assert cal.why_closed(D("2026-11-21")) == "Saturday"
    for day in ("2025-12-24", "2025-12-26"):  # executive-order closures: flagged, not holidays
        assert cal.is_contested(D(day)) and "Executive-order closure" in cal.why_closed(D(day))


@pytest.mark.parametrize(
    ("key", "day", "closed", "contested"),
    [
        ("IL", "2026-02-12", True, False),  # Lincoln's Birthday
        ("IL", "2026-11-03", True, False),  # Election Day, even year
        ("IL", "2027-11-02", False, False),  # not in odd years
        ("WA", "2026-11-27", True, False),  # Native American Heritage Day
        ("TX", "2026-11-27", True, False),  # day after Thanksgiving
        ("TX", "2026-12-24", True, False),
        ("TX", "2025-12-26", True, False),
        ("TX", "2026-07-03", True, True),  # weekend holiday's weekday: only if observed (552.0031)
        ("TX", "2026-03-31", True, True),  # optional holiday
        ("NY", "2026-02-12", True, False),  # Lincoln's Birthday
        ("NY", "2026-10-12", True, False),  # Columbus Day
        ("NY", "2027-11-02", True, False),  # general election day, every year
        ("NY", "2026-07-03", False, False),  # only Sunday holidays move
        ("NY", "2027-07-05", True, False),
        ("MA", "2026-04-20", True, False),  # Patriots' Day: G.L. c. 4 §7 cl. 18, offices closed
        # The audit (issue 10): each decided day, closed (firm) or disputed (both dates).
        ("TX", "2026-03-02", True, False),  # Texas Independence Day, 662.003(b)
        ("TX", "2027-03-26", True, True),  # Good Friday: optional (662.003(c))
        ("IL", "2027-02-12", True, False),  # Lincoln's Birthday, every year
        ("IL", "2026-03-02", True, True),  # Casimir Pulaski Day: legal holiday, offices open
        ("IL", "2026-11-27", True, True),  # day after Thanksgiving: offices close, not in 5 ILCS 490
        ("NY", "2026-11-03", True, False),  # general election day, Gen. Constr. Law 24
        ("WA", "2027-11-26", True, False),  # Native American Heritage Day, RCW 1.16.050(1)
        ("MA", "2027-04-19", True, False),  # Patriots' Day
        ("MA", "2026-03-17", True, True),  # Evacuation Day: Suffolk County only
        ("MA", "2026-06-17", True, True),  # Bunker Hill Day: Suffolk County only
        ("PA", "2027-06-14", True, True),  # Flag Day: legal holiday, offices open
        ("PA", "2026-11-27", True, True),  # day after Thanksgiving: not verified as a legal holiday
        ("MI", "2026-12-24", True, True),  # Christmas Eve: office closure, not in MCL 435.101
        ("MI", "2026-11-26", True, False),  # Thanksgiving: MCL 435.101
        ("NJ", "2026-02-12", True, False),  # Lincoln's Birthday, N.J.S.A. 36:1-1
        ("NJ", "2026-04-03", True, False),  # Good Friday
        ("GA", "2026-11-27", True, False),  # State Holiday by proclamation, O.C.G.A. 1-4-1
        ("FL", "2026-11-27", True, False),  # Friday after Thanksgiving, Fla. Stat. 110.117
        ("FL", "2026-02-12", True, True),  # Lincoln's Birthday: 683.01, offices open
        ("FL", "2027-06-18", True, True),  # Juneteenth (observed): in neither list
        ("OH", "2026-10-12", True, False),  # Columbus Day, R.C. 1.14
    ],
)
def test_state_calendars(key, day, closed, contested):
    cal = CALENDARS[key]
    assert (cal.why_closed(D(day)) is not None) == closed
    assert cal.is_contested(D(day)) == contested


def test_every_state_holiday_cites_its_law():
    citations = {"NY": "Gen. Constr. Law 24", "TX": "662.003", "IL": "5 ILCS 490", "WA": "RCW 1.16.050",
                 "PA": "44 P.S. 11", "MA": "c. 4 §7", "MI": "MCL 435.101", "NJ": "36:1-1", "GA": "1-4-1",
                 "FL": "683.01", "OH": "R.C. 1.14"}  # fmt: skip
    for key, citation in citations.items():
        for year in (2026, 2027):
            for day, closure in CALENDARS[key].holidays_in(year).items():
                assert citation in closure.reason, (key, day, closure.reason)


def test_texas_day_after_thanksgiving_is_not_a_business_day_for_tx_pia():
    cal = get_calendar(default_rule("TX-PIA").calendar)
    assert not cal.is_open(D("2026-11-27"), strict=False)  # closed on both readings: 662.003(b), 552.0031
    # The team's 10-day target from Tue 11-17 lands on Fri 11-27 and rolls to Mon 11-30, one date only.
    target = compute_request_deadlines(
        default_rule("TX-PIA"), received=D("2026-11-17"), internal_target_days=10
    ).internal_target
    assert (target.due, target.alt_due) == (D("2026-11-30"), None)


def test_illinois_lincolns_birthday_is_skipped_on_one_date():
    deadline = response_due(default_rule("IL-FOIA"), D("2027-02-08"))  # Mon; Fri 02-12 and Mon 02-15 closed
    assert (deadline.due, deadline.alt_due) == (D("2027-02-17"), None)
    assert "Skip 2027-02-12 (Fri): Lincoln's Birthday (5 ILCS 490)" in deadline.working


def test_new_york_lincolns_birthday_and_election_day_are_skipped():
    assert response_due(default_rule("NY-FOIL"), D("2026-02-09")).due == D("2026-02-18")  # skips 02-12, 02-16
    election = response_due(default_rule("NY-FOIL"), D("2026-10-30"))  # skips Tue 11-03
    assert (election.due, election.alt_due) == (D("2026-11-09"), None)


def test_washington_native_american_heritage_day_is_closed_not_disputed():
    deadline = response_due(default_rule("WA-PRA"), D("2026-11-25"))
    assert (deadline.due, deadline.alt_due) == (D("2026-12-04"), None)
    assert not any("⚠" in line for line in deadline.working)


def test_massachusetts_patriots_day_is_a_non_business_day():
    deadline = response_due(default_rule("MA-PRL"), D("2026-04-13"))  # 10 business days, skipping Mon 04-20
    assert (deadline.due, deadline.alt_due) == (D("2026-04-28"), None)
    assert "Skip 2026-04-20 (Mon): Patriots' Day (M.G.L. c. 4 §7)" in deadline.working


def test_a_disputed_state_day_gives_both_dates_with_its_reason():
    deadline = response_due(default_rule("MI-FOIA"), D("2026-12-17"))  # day 5 is Dec 24: an office closure
    assert deadline.due == D("2026-12-24") and deadline.alt_due == D("2026-12-28")  # skips Dec 24 and 25
    assert "no legal holiday under MCL 435.101" in deadline.alt_reason


def test_roll_forward_where_the_state_law_provides_it():
    # IL 60-day window from 2026-01-02 ends Tue 03-03; from 2026-01-03 on Wed 03-04: no roll. From 2025-12-31:
    # day 60 is Sun 2026-03-01, rolled to Mon 03-02 (Pulaski Day, disputed) on the requester's reading.
    window = appeal_window_closes(default_rule("IL-FOIA"), D("2025-12-31"))
    assert window.due == D("2026-03-02") and window.alt_due == D("2026-03-03")
    assert any("5 ILCS 70/1.11" in line for line in window.working)
    extended = response_due(default_rule("PA-RTKL"), D("2026-05-07"), extended=True)  # day 30 after 05-14 is Sat
    assert extended.due == D("2026-06-15") and extended.alt_due is None
    assert any("1 Pa.C.S. 1908" in line for line in extended.working)


def test_georgia_day_zero_is_cited_not_flagged():
    deadline = response_due(default_rule("GA-ORA"), D("2026-11-23"))
    assert "O.C.G.A. 1-3-1(d)(3)" in deadline.working[0]
    assert not any("Day-0" in line for line in deadline.working)


def test_new_york_drops_susan_b_anthony_day():
    reason = CALENDARS["NY"].why_closed(D("2027-02-15"))
    assert "Washington's Birthday" in reason and "Susan" not in reason


def test_agency_closures_layer_on_top():
    ca = get_calendar("ca-judicial", [(D("2026-12-24"), "County furlough day")])
    assert ca.why_closed(D("2026-12-24")) == "County furlough day (office closed)"
    assert not ca.is_contested(D("2026-12-24"))  # CCP 12b: a closed office's day is a holiday
    assert CALENDARS["CA-JUDICIAL"].why_closed(D("2026-12-24")) is None  # the shared calendar is unchanged
    fed = get_calendar("US-FED", [(D("2026-12-24"), "Executive order")])
    assert fed.is_contested(D("2026-12-24"))  # not a legal public holiday: flagged, both dates


def test_unknown_calendar_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown holiday calendar"):
        get_calendar("XX")


# --- working and dual dates -------------------------------------------------------------------------


def test_working_shows_each_step():
    deadline = response_due(FOIA, D("2026-11-18"))
    assert deadline.working[0].startswith("Received 2026-11-18 (day 0; counting starts the next day")
    assert "Skip 2026-11-26 (Thu): Thanksgiving Day (5 U.S.C. 6103(a))" in deadline.working
    assert deadline.working[-1] == "Due 2026-12-17 (Thu) (5 U.S.C. 552(a)(6)(A)(i))"
    assert deadline.citation == "5 U.S.C. 552(a)(6)(A)(i)"
    assert json.loads(json.dumps(deadline.to_dict()))["due"] == "2026-12-17"


def test_cpra_start_line_cites_gov_code_6800_and_roll_forward_cites_ccp_12a():
    deadline = response_due(CPRA, D("2026-11-16"))
    assert deadline.working[0] == "Received 2026-11-16 (day 0; counting starts the next day — Cal. Gov. Code 6800)"
    assert any("roll forward" in line and "Code Civ. Proc. 12a" in line for line in deadline.working)


@pytest.mark.parametrize(
    ("rule", "received", "due", "alt_due", "why"),
    [
        (CPRA, "2026-06-23", "2026-07-03", "2026-07-06", "Independence Day (observed"),  # courts closed, offices open
        (CPRA, "2026-09-15", "2026-09-25", "2026-09-28", "Native American Day"),
        (CPRA, "2026-10-02", "2026-10-12", "2026-10-13", "Columbus Day"),
        (replace(CPRA, calendar="CA-LOCAL"), "2025-03-21", "2025-03-31", "2025-04-01", "Cesar Chavez Day"),
        (replace(CPRA, calendar="CA-LOCAL"), "2026-01-09", "2026-01-19", "2026-01-20", "Martin Luther King"),
        (FOIA, "2025-12-01", "2025-12-30", "2026-01-02", "Executive-order closure"),
    ],
)
def test_ambiguous_days_give_both_dates(rule, received, due, alt_due, why):
    deadline = response_due(rule, D(received))
    assert (deadline.due, deadline.alt_due) == (D(due), D(alt_due))
    assert why in deadline.alt_reason
    assert any(line.startswith("Later date an agency might argue") for line in deadline.working)


def test_extension_counts_from_the_unrolled_last_day():
    # CPRA day 10 is Thanksgiving (rolls to Nov 30); the 14 days run from Nov 26: Dec 10.
    assert response_due(CPRA, D("2026-11-16"), extended=True).due == D("2026-12-10")
    # PA: 30 calendar days after the 5th business day (Mon 2026-03-09): Wed 2026-04-08.
    assert response_due(default_rule("PA-RTKL"), D("2026-03-02"), extended=True).due == D("2026-04-08")
    # IL: +5 business days from the original due date (2026-02-17).
    assert response_due(default_rule("IL-FOIA"), D("2026-02-06"), extended=True).due == D("2026-02-24")


def test_extension_where_the_law_sets_none():
    deadline = response_due(default_rule("WA-PRA"), D("2026-11-25"), extended=True)
    assert deadline.due is None
    assert "no fixed extension period" in deadline.working[1]


# --- FOIA expedited processing, constructive exhaustion ---------------------------------------------


def test_foia_expedited_decision_flags_a_holiday_day_10():
    deadline = expedited_decision_due(FOIA, D("2026-11-16"))  # day 10 is Thanksgiving
    assert (deadline.due, deadline.alt_due) == (D("2026-11-26"), D("2026-11-27"))
    assert any("no roll-forward" in line for line in deadline.working)


def test_foia_expedited_decision_on_a_workday_has_one_date():
    deadline = expedited_decision_due(FOIA, D("2026-11-10"))
    assert (deadline.due, deadline.alt_due) == (D("2026-11-20"), None)


def test_may_sue_from_the_day_after_the_foia_due_date():
    sue = may_sue_from(FOIA, D("2026-12-17"))
    assert sue.due == D("2026-12-18") and "5 U.S.C. 552(a)(6)(C)(i)" in sue.citation
    assert may_sue_from(CPRA, D("2026-12-17")) is None
    assert may_sue_from(FOIA, None) is None


# --- appeals ----------------------------------------------------------------------------------------


def test_appeal_windows():
    assert appeal_window_closes(FOIA, D("2027-01-05")).due == D("2027-04-05")  # 90 calendar days
    assert appeal_window_closes(default_rule("NY-FOIL"), D("2026-10-02")).due == D("2026-11-02")  # Sun rolls (25-a)
    nj = appeal_window_closes(default_rule("NJ-OPRA"), D("2026-01-01"))  # day 45 is Sun 2026-02-15
    assert (nj.due, nj.alt_due) == (D("2026-02-15"), D("2026-02-17"))  # Mon 02-16 is Presidents Day
    assert "File by the earlier date to be safe: 2026-02-15 (Sun) is the requester's last day." in nj.working
    assert appeal_window_closes(default_rule("PA-RTKL"), D("2026-03-02")).due == D("2026-03-23")  # 15 business days
    assert appeal_window_closes(CPRA, D("2026-03-02")).due is None  # writ of mandate, no appeal


def test_appeal_decision_and_its_extension():
    assert appeal_decision_due(FOIA, D("2027-02-01")).due == D("2027-03-02")
    assert appeal_decision_due(FOIA, D("2027-02-01"), extended=True).due == D("2027-03-16")
    assert appeal_decision_due(default_rule("WA-PRA"), D("2026-11-25")).due == D("2026-12-01")


# --- statutes with no fixed period ------------------------------------------------------------------


@pytest.mark.parametrize("code", ["FL-PRA", "OH-PRA", "TX-PIA"])
def test_no_fixed_period(code):
    deadline = response_due(default_rule(code), D("2026-11-18"))
    assert deadline.due is None
    assert deadline.working[1].startswith("The law sets no fixed period")


def test_internal_target_where_the_law_sets_no_period():
    result = compute_request_deadlines(default_rule("FL-PRA"), received=D("2026-11-18"), internal_target_days=10)
    assert result.response.due is None
    assert result.internal_target.internal and "not a legal deadline" in result.internal_target.label
    assert result.current_due == D("2026-11-30")  # 10 calendar days: Sat 11-28, moved to a working day
    assert compute_request_deadlines(FOIA, received=D("2026-11-18"), internal_target_days=10).internal_target is None


# --- a request's timeline: tolling and stages -------------------------------------------------------


def test_clarification_stops_the_foia_clock_once_and_it_resumes_with_the_days_left():
    events = [
        ("clarification_asked", D("2026-11-20")),  # 2 business days used, 18 left
        ("clarification_given", D("2026-12-01")),  # resumes: 18 business days after Dec 1
        ("clarification_asked", D("2026-12-02")),  # a second request for information does not toll
    ]
    result = compute_request_deadlines(FOIA, received=D("2026-11-18"), events=events)
    assert result.current_due == D("2026-12-28")  # skips Christmas
    assert any("18 business days left" in line for line in result.response.working)
    assert any("one request for information only" in line for line in result.response.working)
    assert result.may_sue_from.due == D("2026-12-29")


def test_fee_estimate_tolls_foia_separately():
    events = [
        SimpleNamespace(kind="clarification_asked", date=D("2026-11-20"), outcome=""),
        SimpleNamespace(kind="clarification_given", date=D("2026-12-01"), outcome=""),
        SimpleNamespace(kind="fee_estimate", date=D("2026-12-02"), outcome=""),
        SimpleNamespace(kind="fee_paid", date=D("2026-12-04"), outcome=""),
    ]
    result = compute_request_deadlines(FOIA, received=D("2026-11-18"), events=events)
    assert result.current_due == response_due(FOIA, D("2026-11-18"), tolled_days=8).due == D("2026-12-30")


def test_clock_stopped_means_no_due_date_until_the_answer():
    result = compute_request_deadlines(
        FOIA, received=D("2026-11-18"), events=[("clarification_asked", D("2026-11-20"))]
    )
    assert (result.stage, result.paused_since, result.current_due) == ("paused", D("2026-11-20"), None)
    assert result.next_deadlines() == []


def test_no_tolling_where_the_rule_has_none_or_after_the_due_date():
    cpra = compute_request_deadlines(
        CPRA, received=D("2026-11-16"),
        events=[("clarification_asked", D("2026-11-18")), ("clarification_given", D("2026-11-25"))],
    )  # fmt: skip
    assert cpra.current_due == D("2026-11-30")
    late = compute_request_deadlines(
        FOIA, received=D("2026-11-18"),
        events=[("clarification_asked", D("2026-12-18")), ("clarification_given", D("2027-01-10"))],
    )  # fmt: skip
    assert late.current_due == D("2026-12-17")


def test_extension_event_moves_the_current_due_date():
    result = compute_request_deadlines(FOIA, received=D("2026-06-08"), events=[("extension", D("2026-07-01"))])
    assert result.response.due == D("2026-07-08")
    assert result.current_due == result.extended.due == D("2026-07-22")


def test_adverse_final_response_opens_the_appeal_window_and_an_appeal_its_decision():
    denied = [("final_response", D("2027-01-05"), "denied")]
    answered = compute_request_deadlines(FOIA, received=D("2026-11-18"), events=denied)
    assert answered.current_due is None
    assert [d.label for d in answered.next_deadlines()] == ["Appeal window closes"]
    assert answered.appeal_window.due == D("2027-04-05")

    appealed = compute_request_deadlines(
        FOIA, received=D("2026-11-18"),
        events=[*denied, ("appeal_filed", D("2027-02-01")), ("extension", D("2027-02-20"))],
    )  # fmt: skip
    assert appealed.stage == "appeal"
    assert appealed.current_due == appealed.appeal_decision.due == D("2027-03-16")

    granted = compute_request_deadlines(
        FOIA, received=D("2026-11-18"), events=[("final_response", D("2027-01-05"), "granted")]
    )
    assert granted.appeal_window is None and granted.next_deadlines() == []


@pytest.mark.parametrize("kind", ["withdrawn", "closed", "lawsuit_filed"])
def test_no_current_due_once_closed(kind):
    assert (
        compute_request_deadlines(FOIA, received=D("2026-11-18"), events=[(kind, D("2026-11-20"))]).current_due is None
    )


def test_next_deadlines_in_date_order_with_expedited():
    result = compute_request_deadlines(FOIA, received=D("2026-11-18"), expedited_requested=True)
    assert [d.label for d in result.next_deadlines()] == [
        "Expedited-processing decision due", "Initial response due", "May sue from",
    ]  # fmt: skip
    assert result.expedited.due == D("2026-11-28") and result.expedited.alt_due == D("2026-11-30")


def test_unknown_event_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown event kind"):
        compute_request_deadlines(FOIA, received=D("2026-11-18"), events=[("phoned", D("2026-11-20"))])


# --- properties -------------------------------------------------------------------------------------

BUSINESS_RULES = [
    default_rule(code)
    for code, data in DEFAULT_RULES.items()
    if data.get("response_unit") == "business" and data["response_days"]
]
FIXED_RULES = [default_rule(code) for code, data in DEFAULT_RULES.items() if data["response_days"]]
received_dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


def nth_open_day(cal, start, n):
    day = start
    while n:
        day += timedelta(days=1)
        n -= cal.is_open(day)
    return day


@settings(max_examples=300, deadline=None)
@given(rule=st.sampled_from(BUSINESS_RULES), received=received_dates, extended=st.booleans())
def test_a_business_day_due_date_is_a_business_day(rule, received, extended):
    extended = extended and rule.extension_days is not None and rule.extension_unit == "business"
    deadline = response_due(rule, received, extended=extended)
    cal = get_calendar(rule.calendar)
    assert deadline.due.weekday() < 5 and cal.is_open(deadline.due), cal.why_closed(deadline.due)
    assert deadline.alt_due is None or cal.is_open(deadline.alt_due, strict=True)


@settings(max_examples=300, deadline=None)
@given(rule=st.sampled_from(FIXED_RULES), received=received_dates, later_by=st.integers(0, 40), extended=st.booleans())
def test_a_later_receipt_never_gives_an_earlier_due_date(rule, received, later_by, extended):
    extended = extended and rule.extension_days is not None
    first = response_due(rule, received, extended=extended)
    second = response_due(rule, received + timedelta(days=later_by), extended=extended)
    assert first.due <= second.due
    assert (first.alt_due or first.due) <= (second.alt_due or second.due)


@settings(max_examples=300, deadline=None)
@given(rule=st.sampled_from(BUSINESS_RULES), received=received_dates, tolled=st.integers(0, 30))
def test_tolling_by_n_business_days_moves_the_date_by_n_business_days(rule, received, tolled):
    untolled = response_due(rule, received).due
    assert response_due(rule, received, tolled_days=tolled).due == nth_open_day(
        get_calendar(rule.calendar), untolled, tolled
    )
