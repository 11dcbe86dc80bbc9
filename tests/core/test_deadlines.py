"""Statutory clocks: working days across weekends, Christmas and Easter, the ICO's 72 hours
across the clock changes, and the subject-access month."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from incidents import deadlines
from incidents.clock import SCHOOL_TZ


def london(value: datetime) -> datetime:
    return value.astimezone(SCHOOL_TZ)


def test_lado_over_christmas_is_due_at_the_end_of_the_next_working_day() -> None:
    # Wed 24 Dec 2025: Christmas, Boxing Day, then the weekend.
    due = london(deadlines.lado_due(date(2025, 12, 24)))
    assert due.date() == date(2025, 12, 29)
    assert (due.hour, due.minute) == (23, 59)


@pytest.mark.parametrize(
    ("aware", "due"),
    [
        (date(2026, 3, 27), date(2026, 3, 30)),  # Friday -> Monday
        (date(2026, 3, 28), date(2026, 3, 30)),  # Saturday -> Monday
        (date(2026, 4, 2), date(2026, 4, 7)),  # Thursday before Good Friday -> after Easter Monday
        (date(2026, 4, 3), date(2026, 4, 7)),  # Good Friday itself
        (date(2026, 5, 22), date(2026, 5, 26)),  # before the spring bank holiday
        (date(2026, 3, 25), date(2026, 3, 26)),  # an ordinary Wednesday
    ],
)
def test_lado_skips_weekends_and_bank_holidays(aware: date, due: date) -> None:
    assert london(deadlines.lado_due(aware)).date() == due


def test_lado_period_is_configurable() -> None:
    two_days = deadlines.Calendar(lado_working_days=2)
    assert london(deadlines.lado_due(date(2025, 12, 24), two_days)).date() == date(2025, 12, 30)


def test_scotland_has_other_bank_holidays() -> None:
    scotland = deadlines.Calendar(subdivision="SCT")
    # 2 January is a bank holiday in Scotland, not in England.
    assert deadlines.is_working_day(date(2026, 1, 2))
    assert not deadlines.is_working_day(date(2026, 1, 2), scotland)


def test_suspension_confirmation_is_one_working_day() -> None:
    due = london(deadlines.suspension_confirmation_due(date(2026, 4, 2)))
    assert due.date() == date(2026, 4, 7)


def test_end_of_day_is_right_on_clock_change_days() -> None:
    # 29 March 2026 is 23 hours long; 25 October 2026 is 25 hours long.
    assert deadlines.end_of_day(date(2026, 3, 29)) == datetime(
        2026, 3, 29, 22, 59, 59, 999999, tzinfo=UTC
    )
    assert deadlines.end_of_day(date(2026, 10, 25)) == datetime(
        2026, 10, 25, 23, 59, 59, 999999, tzinfo=UTC
    )


def test_ico_is_72_elapsed_hours_across_the_spring_clock_change() -> None:
    aware = datetime(2026, 3, 27, 14, 0, tzinfo=SCHOOL_TZ)  # Friday 2pm GMT
    due = deadlines.ico_due(aware)
    assert (due - aware).total_seconds() == 72 * 3600
    # The clocks went forward on Sunday, so the local time reads an hour later.
    assert london(due) == datetime(2026, 3, 30, 15, 0, tzinfo=SCHOOL_TZ)


def test_ico_is_72_elapsed_hours_across_the_autumn_clock_change() -> None:
    aware = datetime(2026, 10, 23, 14, 0, tzinfo=SCHOOL_TZ)  # Friday 2pm BST
    due = deadlines.ico_due(aware)
    assert london(due) == datetime(2026, 10, 26, 13, 0, tzinfo=SCHOOL_TZ)


def test_ico_counts_weekends_and_holidays() -> None:
    aware = datetime(2025, 12, 24, 9, 0, tzinfo=SCHOOL_TZ)
    assert london(deadlines.ico_due(aware)) == datetime(2025, 12, 27, 9, 0, tzinfo=SCHOOL_TZ)


def test_ico_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        deadlines.ico_due(datetime(2026, 1, 1, 9, 0))


@pytest.mark.parametrize(
    ("received", "extended", "due"),
    [
        (date(2026, 3, 10), False, date(2026, 4, 10)),
        (date(2026, 3, 3), False, date(2026, 4, 7)),  # 3 April is Good Friday
        (date(2026, 1, 31), False, date(2026, 3, 2)),  # 28 Feb is a Saturday -> Monday
        (date(2026, 3, 31), False, date(2026, 4, 30)),  # no 31 April: the month's last day
        (date(2026, 3, 6), False, date(2026, 4, 7)),  # 6 April is Easter Monday
        (date(2026, 3, 3), True, date(2026, 6, 3)),
    ],
)
def test_subject_access_is_one_calendar_month(received: date, extended: bool, due: date) -> None:
    assert deadlines.subject_access_due(received, extended=extended) == due


def test_due_today_and_overdue() -> None:
    due = deadlines.end_of_day(date(2026, 3, 30))
    morning = datetime(2026, 3, 30, 8, 0, tzinfo=SCHOOL_TZ)
    assert deadlines.is_due_today(due, morning)
    assert not deadlines.is_overdue(due, morning)
    assert deadlines.is_overdue(due, datetime(2026, 3, 31, 0, 1, tzinfo=SCHOOL_TZ))


def _london_day(moment: datetime) -> date:
    return moment.astimezone(SCHOOL_TZ).date()


def test_the_kcsie_timescales() -> None:
    """KCSIE Part 4 "Timescales" (issue 13): a plainly unfounded or malicious allegation within
    one week; action within 3 working days of an investigation report; a hearing within 15
    working days. Thursday 18 December 2025: Christmas and Boxing Day are not working days."""
    start = date(2025, 12, 18)
    assert _london_day(deadlines.unfounded_resolution_due(start)) == date(2025, 12, 25)
    assert _london_day(deadlines.report_action_due(start)) == date(2025, 12, 23)
    # 19, 22, 23, 24, 29, 30, 31 Dec, 2, 5-9, 12, 13 Jan (1 Jan a bank holiday).
    assert _london_day(deadlines.hearing_due(start)) == date(2026, 1, 13)
    assert deadlines.hearing_due(start).tzinfo is not None
