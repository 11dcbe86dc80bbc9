"""Statutory clocks (DOMAIN.md section 5): working days in England, the LADO and suspension
deadlines, the ICO's 72 elapsed hours, the KCSIE timescales and the subject-access month. Pure
Python, no I/O; every deadline is an aware UTC datetime, or a date where the rule is in whole
days."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from incidents.clock import SCHOOL_TZ


@dataclass(frozen=True)
class Calendar:
    """Whose bank holidays count. Local safeguarding partnerships set the LADO period, so it
    is configurable; one working day is the common rule."""

    country: str = "GB"
    subdivision: str | None = "ENG"
    lado_working_days: int = 1
    suspension_working_days: int = 1
    ico_hours: int = 72
    # KCSIE Part 4 s.1, "Timescales": plainly unfounded or malicious allegations resolved within
    # one week; action within 3 working days of an investigation report; a disciplinary hearing
    # within 15 working days (of the decision that one is needed).
    unfounded_days: int = 7
    report_action_working_days: int = 3
    hearing_working_days: int = 15


DEFAULT = Calendar()


@lru_cache(maxsize=32)
def _bank_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    # Imported on first use: the package loads every country's calendar, a cost every command
    # and worker start would pay otherwise (issue 21).
    import holidays

    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


def is_working_day(day: date, cal: Calendar = DEFAULT) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(cal.country, cal.subdivision, day.year)


def add_working_days(day: date, count: int, cal: Calendar = DEFAULT) -> date:
    """The `count`-th working day after `day` (the day itself never counts, even if it is one)."""
    if count < 0:
        raise ValueError("count must be zero or more")
    current = day
    while count > 0:
        current += timedelta(days=1)
        if is_working_day(current, cal):
            count -= 1
    return current


def end_of_day(day: date) -> datetime:
    """The last moment of `day` in England, in UTC: midnight that night, London time, less a
    microsecond. Built from the local date so a clock-change night has the right length."""
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=SCHOOL_TZ)
    return (midnight - timedelta(microseconds=1)).astimezone(UTC)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SCHOOL_TZ).astimezone(UTC)


def lado_due(allegation_on: date, cal: Calendar = DEFAULT) -> datetime:
    """KCSIE Part 4 / local procedures: refer to the LADO within one working day."""
    return end_of_day(add_working_days(allegation_on, cal.lado_working_days, cal))


def suspension_confirmation_due(decided_on: date, cal: Calendar = DEFAULT) -> datetime:
    """A suspension is confirmed in writing within one working day of the decision."""
    return end_of_day(add_working_days(decided_on, cal.suspension_working_days, cal))


def ico_due(became_aware_at: datetime, cal: Calendar = DEFAULT) -> datetime:
    """UK GDPR Art 33: 72 elapsed hours, weekends and holidays included. Arithmetic in UTC, so
    a daylight-saving change neither adds nor removes an hour."""
    if became_aware_at.tzinfo is None:
        raise ValueError("give an aware datetime")
    return became_aware_at.astimezone(UTC) + timedelta(hours=cal.ico_hours)


def unfounded_resolution_due(allegation_on: date, cal: Calendar = DEFAULT) -> datetime:
    """KCSIE Part 4: a plainly unfounded or malicious allegation is resolved within one week
    (calendar days: the guidance says a week, not five working days)."""
    return end_of_day(allegation_on + timedelta(days=cal.unfounded_days))


def report_action_due(report_on: date, cal: Calendar = DEFAULT) -> datetime:
    """KCSIE Part 4: the case manager decides what action follows within 3 working days of
    receiving an investigation report."""
    return end_of_day(add_working_days(report_on, cal.report_action_working_days, cal))


def hearing_due(decided_on: date, cal: Calendar = DEFAULT) -> datetime:
    """KCSIE Part 4: where a disciplinary hearing is needed, it is held within 15 working
    days."""
    return end_of_day(add_working_days(decided_on, cal.hearing_working_days, cal))


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day where that day does not exist."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def subject_access_due(received_on: date, *, extended: bool = False) -> date:
    """ICO guidance: one calendar month from receipt (three if extended); a deadline on a
    weekend or bank holiday moves to the next working day."""
    due = add_months(received_on, 3 if extended else 1)
    while not is_working_day(due):
        due += timedelta(days=1)
    return due


def is_overdue(due_at: datetime, now: datetime) -> bool:
    return now > due_at


def is_due_today(due_at: datetime, now: datetime) -> bool:
    return due_at.astimezone(SCHOOL_TZ).date() == now.astimezone(SCHOOL_TZ).date()
