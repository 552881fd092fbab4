"""Reading one cell: dates, amounts of money, yes/no, lists. A cell we cannot read is a ValueError saying
why (the row's error), never a guess."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

# The dates desks type, tried in order; the first format the text fits decides. Numeric dates with
# slashes or dashes are US month/day/year: that is what US desks' sheets hold, so 03/04/2026 is March 4,
# and 31/12/2023 is an error, never read the other way round. A 2-digit year is 20yy up to 68, else 19yy
# (strptime's rule). Month names are English: Python leaves LC_TIME at the C locale and nothing here
# changes it; a test pins "Sept. 30, 2023".
DATE_FORMATS = (
    "%Y-%m-%d",  # 2024-01-05 (ISO; also what Excel writes for a date cell)
    "%Y/%m/%d",  # 2024/01/05
    "%Y.%m.%d",  # 2024.01.05
    "%m/%d/%Y",  # 1/5/2024
    "%m/%d/%y",  # 1/5/24
    "%m-%d-%Y",  # 1-5-2024
    "%m-%d-%y",  # 1-5-24
    "%b %d %Y",  # Jan 5 2024, "January 5th, 2024", "Friday, January 5, 2024", "Sept. 30, 2023"
    "%d %b %Y",  # 5 Jan 2024
)
EARLIEST_YEAR = 1950  # before any public-records law we track; a year like 0024 is a typo, not a date

# What is taken off before the formats are tried: a time of day, a weekday in front, commas, ordinals,
# the full month name (→ its abbreviation, which %b reads).
_TIME = re.compile(r"[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[ap]\.?m\.?)?(?:z|[+-]\d{2}:?\d{2})?$")
_WEEKDAY = re.compile(r"^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.? ")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_MONTH_WORD = re.compile(r"\b([a-z]+)\.?(?= )")
_MONTHS = {
    name: names[0]
    for names in [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
                  ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
                  ("oct", "october"), ("nov", "november"), ("dec", "december")]
    for name in names
}  # fmt: skip
_US_NUMERIC = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})$")


def parse_date(text: str) -> dt.date | None:
    """A date in one of DATE_FORMATS, or ValueError saying why not. Blank → None."""
    raw = " ".join(text.strip().split())
    if not raw:
        return None
    value = _normalize_date(raw)
    for date_format in DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(value, date_format).date()
        except ValueError:
            continue
        if parsed.year < EARLIEST_YEAR:
            raise ValueError(f"“{raw}” has an unlikely year ({parsed.year})")
        return parsed
    raise ValueError(_why_not_a_date(raw, value))


def _normalize_date(raw: str) -> str:
    value = raw.lower().replace(",", " ")
    value = " ".join(value.split())
    value = _TIME.sub("", value)
    value = _WEEKDAY.sub("", value)
    value = _ORDINAL.sub(r"\1", value)
    return _MONTH_WORD.sub(lambda m: _MONTHS.get(m[1], m[0]), value)


def _why_not_a_date(raw: str, value: str) -> str:
    """The text has a date's shape but no such day exists, or it is no date we read at all."""
    if m := _US_NUMERIC.match(value):
        return f"“{raw}” is not a real date (read as month/day/year: month {int(m[1])}, day {int(m[2])})"
    if re.match(r"^\d{4}([-/.])\d{1,2}\1\d{1,2}$", value) or re.match(
        r"^([a-z]{3} \d{1,2}|\d{1,2} [a-z]{3}) \d{4}$", value
    ):
        return f"“{raw}” is not a real date"
    return f"“{raw}” is not a date we can read (use e.g. 2024-01-05, 1/5/2024 or Jan 5, 2024)"


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
