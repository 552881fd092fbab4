"""Dates written in letters: "Monday, November 28, 2022", "28 Nov. 2022", "5/1/2015", "2022-11-28",
and "within 14 days" counted from the letter's date. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
         ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
         ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
_PATTERNS = [
    re.compile(_WEEKDAY + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b", re.I),
    re.compile(_WEEKDAY + r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<year>\d{4})\b", re.I),
    re.compile(r"(?<![\d/.-])(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4}|\d{2})(?![\d/])"),
    re.compile(r"(?<![\d-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\d-])"),
]
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30, "forty-five": 45,
    "sixty": 60, "ninety": 90,
}  # fmt: skip
COUNT = r"(?P<count>\d{1,3}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r")(?:\s*\(\d{1,3}\))?"
UNIT = r"(?:(?P<unit>business|working|calendar)\s+)?days?"
_WITHIN = re.compile(r"\bwithin\s+(?:an?\s+additional\s+|another\s+)?" + COUNT + r"\s+(?:additional\s+)?" + UNIT, re.I)


@dataclass(frozen=True)
class FoundDate:
    day: date
    text: str
    start: int
    end: int


def find_dates(text: str) -> list[FoundDate]:
    """Every calendar date written in `text`, in order of appearance (impossible dates are skipped)."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            day = _as_date(m.group("year"), m.group("month"), m.group("day"))
            if day is not None:
                found.append(FoundDate(day, m.group(0), m.start(), m.end()))
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


def _as_date(year: str, month: str, day: str) -> date | None:
    number = int(month) if month.isdigit() else _MONTHS[month.lower().rstrip(".")]
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    try:
        return date(full_year, number, int(day))
    except ValueError:
        return None


def count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


def within_days(text: str, start: date | None, is_open=None) -> tuple[date | None, str] | None:
    """ "within 14 days" → (the date, the phrase), counted from `start` (business days where the letter
    says business or working days and `is_open` tells open days). None if there is no such phrase;
    (None, phrase) when there is no date to count from."""
    m = _WITHIN.search(text)
    if m is None:
        return None
    if start is None:
        return None, m.group(0)
    days, unit = count(m.group("count")), (m.group("unit") or "calendar").lower()
    if unit == "calendar" or is_open is None:
        return start + timedelta(days=days), m.group(0)
    day, left = start, days
    while left:
        day += timedelta(days=1)
        left -= bool(is_open(day))
    return day, m.group(0)
