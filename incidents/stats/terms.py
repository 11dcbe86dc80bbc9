"""England's academic year (1 September to 31 August) and its three terms, with configurable
boundaries. Pure Python: dates in, dates out.

By default the terms follow the Department for Education's statistical convention (used for its
exclusions statistics): autumn runs from the start of the year to 31 December, spring from
1 January to Easter Sunday, and summer from Easter Monday to the end of the year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

TERM_NAMES = ("autumn", "spring", "summer")
TERM_LABELS = {"autumn": "Autumn term", "spring": "Spring term", "summer": "Summer term"}
EARLIEST_YEAR = 2000
_MONTH_DAY = re.compile(r"^([0-9]{2})-([0-9]{2})$")
_YEAR = re.compile(r"^[0-9]{4}$")


@dataclass(frozen=True)
class Term:
    name: str
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        return TERM_LABELS[self.name]


@dataclass(frozen=True)
class TermCalendar:
    """Where spring and summer start, as (month, day); summer None means Easter Monday."""

    spring_starts: tuple[int, int] = (1, 1)
    summer_starts: tuple[int, int] | None = None

    def summer_start(self, calendar_year: int) -> date:
        if self.summer_starts is None:
            return easter_sunday(calendar_year) + timedelta(days=1)
        return date(calendar_year, *self.summer_starts)


def easter_sunday(year: int) -> date:
    """Western Easter (the anonymous Gregorian algorithm), so term dates need no download."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def academic_year_of(day: date) -> int:
    """The calendar year in which the academic year containing `day` starts."""
    return day.year if day.month >= 9 else day.year - 1


def year_start(year: int) -> date:
    return date(year, 9, 1)


def year_end(year: int) -> date:
    return date(year + 1, 8, 31)


def year_label(year: int) -> str:
    # GOV.UK style: "2025 to 2026", never "2025/26".
    return f"{year} to {year + 1}"


def terms(year: int, calendar: TermCalendar | None = None) -> tuple[Term, Term, Term]:
    cal = calendar or TermCalendar()
    spring = date(year + 1, *cal.spring_starts)
    summer = cal.summer_start(year + 1)
    if not year_start(year) < spring < summer <= year_end(year):
        raise ValueError(
            f"term dates for {year_label(year)} are out of order: spring must start after "
            "1 September and before summer, and summer by 31 August"
        )
    return (
        Term("autumn", year_start(year), spring - timedelta(days=1)),
        Term("spring", spring, summer - timedelta(days=1)),
        Term("summer", summer, year_end(year)),
    )


def term_of(day: date, calendar: TermCalendar | None = None) -> Term:
    return next(t for t in terms(academic_year_of(day), calendar) if t.start <= day <= t.end)


def parse_month_day(raw: str, setting: str) -> tuple[int, int]:
    match = _MONTH_DAY.match(raw.strip())
    if match is None:
        raise ValueError(f"{setting} must be a date as MM-DD, like 01-04 (got {raw!r})")
    month, day = int(match[1]), int(match[2])
    try:
        date(2001, month, day)  # not a leap year: 29 February would not exist every year
    except ValueError:
        raise ValueError(f"{setting} is not a date that exists every year: {raw!r}") from None
    if month >= 9:
        raise ValueError(f"{setting} must fall between January and August (got {raw!r})")
    return month, day


def calendar_from(spring: str, summer: str) -> TermCalendar:
    """The calendar from settings: spring as MM-DD; summer as MM-DD or "easter"."""
    spring_md = parse_month_day(spring, "STATS_SPRING_TERM_STARTS")
    summer_md = (
        None
        if summer.strip().lower() == "easter"
        else parse_month_day(summer, "STATS_SUMMER_TERM_STARTS")
    )
    if summer_md is not None and summer_md <= spring_md:
        raise ValueError("STATS_SUMMER_TERM_STARTS must come after STATS_SPRING_TERM_STARTS")
    return TermCalendar(spring_starts=spring_md, summer_starts=summer_md)


def parse_year(raw: str, *, latest: int) -> int:
    """An academic year from a query string: its first calendar year, like 2025."""
    text = raw.strip()
    # ASCII digits only: str.isdigit() and int() also accept other scripts' digits.
    if not _YEAR.match(text):
        raise ValueError("Enter the academic year as the year it started, like 2025")
    year = int(text)
    if not EARLIEST_YEAR <= year <= latest:
        raise ValueError(
            f"Choose an academic year between {year_label(EARLIEST_YEAR)} and {year_label(latest)}"
        )
    return year
