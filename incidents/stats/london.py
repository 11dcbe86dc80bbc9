"""London calendar dates of the UTC instants the statistics queries read, in SQL. Dated events
are stored in UTC, but a school's day is London's: a case closed at 00:30 in summer was closed
on that London day, which began at 23:00 UTC the day before."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, Integer, and_, case, cast, func
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from incidents.clock import SCHOOL_TZ


def london_midnight(day: date) -> datetime:
    """The instant a London calendar day starts, in UTC (dated events are stored in UTC)."""
    return datetime.combine(day, time(0), tzinfo=SCHOOL_TZ).astimezone(UTC)


def summer_time(year: int) -> tuple[datetime, datetime]:
    """When British Summer Time starts and ends in a calendar year, in UTC: 01:00 on the last
    Sundays of March and October (the tests check this against the tz database)."""

    def last_sunday(month: int) -> date:
        day = date(year, month, 31)
        return day - timedelta(days=(day.weekday() + 1) % 7)

    return (
        datetime.combine(last_sunday(3), time(1), UTC),
        datetime.combine(last_sunday(10), time(1), UTC),
    )


def london_date(session: Session, column: Any, years: range) -> ColumnElement[Any]:
    """The London date of a UTC timestamp column. PostgreSQL converts it itself. SQLite has no
    time zones: an hour is added inside the summer-time spans of `years` (calendar years; keep
    them to the range the query reads, since each is one more CASE branch)."""
    if session.get_bind().dialect.name != "sqlite":
        return cast(func.timezone(SCHOOL_TZ.key, column), Date)
    spans = [summer_time(year) for year in years]
    seconds = _whole_seconds(column)
    return case(
        *[
            (and_(column >= start, column < end), func.date(seconds, "+1 hour"))
            for start, end in spans
        ],
        else_=func.date(seconds),
    )


def _whole_seconds(column: Any) -> ColumnElement[Any]:
    """SQLite: the stored text cut to whole seconds. SQLite's date functions round a time to
    the millisecond, so 23:59:59.9996 would otherwise fall on the next day; cutting off the
    fraction is exact for anything counted in days."""
    return func.substr(column, 1, len("YYYY-MM-DD HH:MM:SS"))


def days_between(session: Session, later: Any, earlier: Any, years: range) -> ColumnElement[Any]:
    """Whole days from the date `earlier` to the London date of the timestamp `later`."""
    if session.get_bind().dialect.name == "sqlite":
        # Julian day numbers, not dates: formatting a date string per row costs a third of the
        # closing query. `earlier` is a date (its midnight), so truncating the difference
        # gives whole days to the London date: both are whole seconds, exact in a double, and
        # the subtraction of two close doubles is exact too.
        spans = [summer_time(year) for year in years]
        seconds = _whole_seconds(later)
        local = case(
            *[
                (and_(later >= start, later < end), func.julianday(seconds, "+1 hour"))
                for start, end in spans
            ],
            else_=func.julianday(seconds),
        )
        return cast(local - func.julianday(earlier), Integer)
    days: ColumnElement[Any] = london_date(session, later, years) - earlier
    return days
