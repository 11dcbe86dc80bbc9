"""Statutory-clock reminders fire on the right working day: across weekends, Christmas, Easter
and both clock changes, with the time pinned (nothing here depends on today or the zone)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import deadlines
from incidents.alerts import clocks
from incidents.models import Alert, AlertKind, CaseKind, Role, User
from tests import case_stages, factories

LONDON = ZoneInfo("Europe/London")
HALFWAY, LAST_DAY, OVERDUE = (
    AlertKind.CLOCK_HALFWAY,
    AlertKind.CLOCK_DUE_TODAY,
    AlertKind.CLOCK_OVERDUE,
)


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc]


def test_a_lado_clock_over_christmas_reminds_on_the_first_working_day_after_it() -> None:
    # Aware on Christmas Eve 2026 (a Thursday): Christmas, the weekend and the Boxing Day
    # holiday (Monday 28th) are not working days, so the LADO is due at the end of Tuesday 29th.
    due = deadlines.lado_due(date(2026, 12, 24))
    assert due == london(2026, 12, 29, 23, 59, 59, 999999)
    plan = clocks.schedule(london(2026, 12, 24, 15, 0), due)
    # Halfway falls on the Sunday: it would move to Tuesday morning, where the last-day
    # reminder already is, so only one reminder is sent that morning.
    assert plan == [(LAST_DAY, london(2026, 12, 29, 8, 0)), (OVERDUE, due)]


def test_a_lado_clock_across_a_weekend_reminds_on_friday_and_monday() -> None:
    # Aware on Thursday 8 October 2026 at 09:00: due at the end of Friday 9th.
    due = deadlines.lado_due(date(2026, 10, 8))
    plan = clocks.schedule(london(2026, 10, 8, 9, 0), due)
    # Halfway is 04:30 on Friday, before work: 08:00 Friday is the last-day reminder itself.
    assert plan == [(LAST_DAY, london(2026, 10, 9, 8, 0)), (OVERDUE, due)]
    # Aware on a Friday: the working day after is Monday; halfway lands on the weekend and
    # moves to Monday, where the last-day reminder is.
    due = deadlines.lado_due(date(2026, 10, 2))
    plan = clocks.schedule(london(2026, 10, 2, 11, 0), due)
    assert plan == [(LAST_DAY, london(2026, 10, 5, 8, 0)), (OVERDUE, due)]


def test_a_long_clock_reminds_at_half_time_on_a_working_day() -> None:
    # A subject access request received Monday 2 November 2026: due Wednesday 2 December.
    started = london(2026, 11, 2, 9, 0)
    due = deadlines.end_of_day(deadlines.subject_access_due(date(2026, 11, 2)))
    plan = clocks.schedule(started, due)
    # Half of the month is gone at 16:30 on Tuesday 17 November, a working day, in hours.
    assert plan == [
        (HALFWAY, london(2026, 11, 17, 16, 30)),
        (LAST_DAY, london(2026, 12, 2, 8, 0)),
        (OVERDUE, due),
    ]


def test_an_ico_clock_over_easter_reminds_before_the_long_weekend() -> None:
    # Aware on Maundy Thursday, 25 March 2027: 72 hours from the start of that day end at
    # midnight on Easter Saturday night, in the middle of the Easter weekend (and of the
    # clock change, on the Sunday). Nobody is at work on Good Friday: the last-day reminder is
    # that Thursday afternoon, because the clock started after Thursday's 08:00.
    due = deadlines.ico_due(deadlines.start_of_day(date(2027, 3, 25)))
    assert due == datetime(2027, 3, 28, 0, 0, tzinfo=UTC)
    plan = clocks.schedule(london(2027, 3, 25, 10, 0), due)
    assert plan == [(LAST_DAY, london(2027, 3, 25, 16, 0)), (OVERDUE, due)]


def test_the_spring_clock_change_moves_no_reminder_by_an_hour() -> None:
    # Aware Friday 27 March 2026; clocks go forward on Sunday 29th. The LADO is due at the end
    # of Monday 30th, British Summer Time: the reminder is 08:00 BST, which is 07:00 UTC.
    due = deadlines.lado_due(date(2026, 3, 27))
    plan = clocks.schedule(london(2026, 3, 27, 11, 0), due)
    assert plan[0] == (LAST_DAY, datetime(2026, 3, 30, 7, 0, tzinfo=UTC))
    assert due == datetime(2026, 3, 30, 22, 59, 59, 999999, tzinfo=UTC)


def test_the_autumn_clock_change_moves_no_reminder_by_an_hour() -> None:
    # Aware Friday 23 October 2026; clocks go back on Sunday 25th. Monday's 08:00 is GMT.
    due = deadlines.lado_due(date(2026, 10, 23))
    plan = clocks.schedule(london(2026, 10, 23, 14, 0), due)
    assert plan[0] == (LAST_DAY, datetime(2026, 10, 26, 8, 0, tzinfo=UTC))
    assert due == datetime(2026, 10, 26, 23, 59, 59, 999999, tzinfo=UTC)


def test_only_the_latest_due_alert_is_raised_after_a_pause() -> None:
    started, due = london(2026, 11, 2, 9, 0), london(2026, 12, 2, 23, 59)
    assert clocks.current(started, due, london(2026, 11, 2, 10, 0)) is None
    assert clocks.current(started, due, london(2026, 11, 20, 10, 0)) is HALFWAY
    # The job was stopped for weeks: only the overdue alert, not three stale reminders.
    assert clocks.current(started, due, london(2026, 12, 10, 10, 0)) is OVERDUE


def _clock_alerts(db: Session, user: User) -> list[AlertKind]:
    return list(
        db.scalars(
            select(Alert.kind)
            .where(Alert.user_id == user.id, Alert.kind.in_((HALFWAY, LAST_DAY, OVERDUE)))
            .order_by(Alert.created_at)
        )
    )


def test_a_lado_referral_left_undone_reminds_then_goes_overdue(
    db: Session, users: dict[Role, User]
) -> None:
    """Done when (issue 15): a LADO referral left undone produces the reminder and then the
    overdue alert, once each, to the case manager, and the overdue one to the head too."""
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    # The case is about the head: the chair manages it, and the head is never told.
    chair = users[Role.CHAIR_OF_GOVERNORS]
    with time_machine.travel(london(2026, 12, 24, 15, 0), tick=False):
        case = factories.make_case(
            db, dsl, subjects=[factories.person_of(db, head)], became_aware_on=date(2026, 12, 24)
        )
        case_stages.triaged(db, chair, case, CaseKind.ALLEGATION)
        assert clocks.raise_due(db) == 0
    for moment, expected in [
        (london(2026, 12, 28, 12, 0), []),  # a bank holiday: nothing yet
        (london(2026, 12, 29, 7, 59), []),
        (london(2026, 12, 29, 8, 0), [LAST_DAY]),
        (london(2026, 12, 29, 9, 0), [LAST_DAY]),  # once, however often the job runs
        (london(2026, 12, 30, 0, 0, 1), [LAST_DAY, OVERDUE]),
        (london(2026, 12, 30, 0, 5), [LAST_DAY, OVERDUE]),
    ]:
        with time_machine.travel(moment, tick=False):
            clocks.raise_due(db)
            db.commit()
        assert _clock_alerts(db, chair) == expected, moment
    assert _clock_alerts(db, head) == []
    # The DSL can open the case but is not its manager: told of nothing about the clock.
    assert _clock_alerts(db, dsl) == []
