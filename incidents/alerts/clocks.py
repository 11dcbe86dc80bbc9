"""Statutory-clock reminders: for each running clock (a LADO or ICO referral not yet made, a
suspension not yet confirmed in writing, a subject access request not yet answered), a reminder
when half its time has gone and on the morning it falls due, and an overdue alert once it has
passed. The schedule is pure (`schedule`); `raise_due` raises whatever is due now, once.

Reminders are for people at work: a halfway reminder that would land outside a working day
(weekends, bank holidays in England) or outside working hours moves to 08:00, London time, on
the next working day; the last-day reminder is on the last working day before the deadline (an
ICO deadline on a Sunday is worked on the Friday). The overdue alert is never moved: a passed
statutory deadline is news whatever the day. Arithmetic is in UTC and wall-clock times are
built from London dates, so a clock change neither adds nor removes an hour."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import deadlines
from incidents.alerts import system
from incidents.clock import SCHOOL_TZ
from incidents.models import (
    AlertKind,
    Case,
    CaseClock,
    CaseState,
    Referral,
    ReferralStatus,
    RequestState,
    Role,
    SubjectAccessRequest,
    SuspensionDecision,
    User,
)
from incidents.models.base import utcnow
from incidents.permissions import Permission, has_permission

WORKDAY_STARTS = time(8, 0)
WORKDAY_ENDS = time(18, 0)
LAST_CALL = time(16, 0)


def _at_london(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=SCHOOL_TZ).astimezone(UTC)


def _next_working_morning(moment: datetime) -> datetime:
    """`moment` itself if it is in working hours on a working day, else 08:00 London on the
    next working day (that same day, if it is one and the morning has not begun)."""
    local = moment.astimezone(SCHOOL_TZ)
    day = local.date()
    if deadlines.is_working_day(day):
        if WORKDAY_STARTS <= local.time() < WORKDAY_ENDS:
            return moment
        if local.time() < WORKDAY_STARTS:
            return _at_london(day, WORKDAY_STARTS)
    day += timedelta(days=1)
    while not deadlines.is_working_day(day):
        day += timedelta(days=1)
    return _at_london(day, WORKDAY_STARTS)


def last_working_morning(due_at: datetime) -> datetime:
    """08:00 London on the last working day whose 08:00 comes before the deadline (the due
    day itself for a deadline at the end of a working day; the Thursday before Good Friday
    for one that falls over Easter)."""
    day = due_at.astimezone(SCHOOL_TZ).date()
    while not (deadlines.is_working_day(day) and _at_london(day, WORKDAY_STARTS) < due_at):
        day -= timedelta(days=1)
    return _at_london(day, WORKDAY_STARTS)


def schedule(started_at: datetime, due_at: datetime) -> list[tuple[AlertKind, datetime]]:
    """When each alert of one clock is raised, in order. The last-day reminder is at 08:00 on
    the last working day before the deadline; when the clock started later that same morning,
    at 16:00 instead (before people leave for a weekend or a holiday). The halfway reminder is
    left out when it would not come before the last-day one."""
    last_day = last_working_morning(due_at)
    if last_day <= started_at:
        afternoon = _at_london(last_day.astimezone(SCHOOL_TZ).date(), LAST_CALL)
        last_day = afternoon if started_at < afternoon < due_at else due_at
    halfway = _next_working_morning(started_at + (due_at - started_at) / 2)
    moments: list[tuple[AlertKind, datetime]] = []
    if started_at < halfway < last_day:
        moments.append((AlertKind.CLOCK_HALFWAY, halfway))
    if started_at < last_day < due_at:
        moments.append((AlertKind.CLOCK_DUE_TODAY, last_day))
    moments.append((AlertKind.CLOCK_OVERDUE, due_at))
    return moments


def current(started_at: datetime, due_at: datetime, now: datetime) -> AlertKind | None:
    """The latest alert due by `now` (earlier ones a stopped job missed are not sent late)."""
    passed = [kind for kind, at in schedule(started_at, due_at) if at <= now]
    return passed[-1] if passed else None


@dataclass(frozen=True)
class RunningClock:
    school_id: uuid.UUID
    object_type: str  # "referral", "suspension", "clock" or "sar"
    object_id: uuid.UUID
    case: Case | None
    started_at: datetime
    due_at: datetime


CLOSED = (CaseState.CLOSED, CaseState.ERASED)


def running_clocks(session: Session) -> list[RunningClock]:
    clocks: list[RunningClock] = []
    referrals = session.scalars(
        select(Referral)
        .join(Case)
        .where(
            Referral.status == ReferralStatus.DRAFT,
            Referral.due_at.is_not(None),
            Case.state.not_in(CLOSED),
        )
    )
    for referral in referrals:
        assert referral.due_at is not None  # noqa: S101 - filtered above
        clocks.append(
            RunningClock(
                referral.case.school_id,
                "referral",
                referral.id,
                referral.case,
                referral.created_at,
                referral.due_at,
            )
        )
    suspensions = session.scalars(
        select(SuspensionDecision)
        .join(Case)
        .where(
            SuspensionDecision.suspended.is_(True),
            SuspensionDecision.confirmation_sent_on.is_(None),
            SuspensionDecision.confirmation_due_at.is_not(None),
            Case.state.not_in(CLOSED),
        )
    )
    for decision in suspensions:
        assert decision.confirmation_due_at is not None  # noqa: S101 - filtered above
        clocks.append(
            RunningClock(
                decision.case.school_id,
                "suspension",
                decision.id,
                decision.case,
                decision.created_at,
                decision.confirmation_due_at,
            )
        )
    # The KCSIE timescales started on a case (issue 13): running until their task is done.
    for clock in session.scalars(select(CaseClock).join(Case).where(Case.state.not_in(CLOSED))):
        if not clock.is_met:
            clocks.append(
                RunningClock(
                    clock.case.school_id,
                    "clock",
                    clock.id,
                    clock.case,
                    max(clock.created_at, deadlines.start_of_day(clock.started_on)),
                    clock.due_at,
                )
            )
    for request in session.scalars(
        select(SubjectAccessRequest).where(SubjectAccessRequest.state == RequestState.OPEN)
    ):
        clocks.append(
            RunningClock(
                request.school_id,
                "sar",
                request.id,
                None,
                max(request.created_at, deadlines.start_of_day(request.received_on)),
                deadlines.end_of_day(request.due_on),
            )
        )
    return clocks


def _sar_handlers(session: Session, school_id: uuid.UUID) -> list[User]:
    heads = session.scalars(
        select(User).where(User.school_id == school_id, User.is_active.is_(True))
    )
    return [
        u
        for u in heads
        if u.has_role(Role.HEADTEACHER) and has_permission(u, Permission.SAR_MANAGE)
    ]


def raise_due(session: Session, now: datetime | None = None) -> int:
    """Raise every clock alert due by `now` that has not been raised; returns how many."""
    now = now or utcnow()
    raised = 0
    for clock in running_clocks(session):
        kind = current(clock.started_at, clock.due_at, now)
        if kind is None:
            continue
        if clock.case is not None:
            people = (
                system.overdue_recipients(session, clock.case)
                if kind is AlertKind.CLOCK_OVERDUE
                else system.clock_keepers(session, clock.case)
            )
            where = {"case_id": clock.case.id, "object_type": "case", "object_id": clock.case.id}
        else:
            people = _sar_handlers(session, clock.school_id)
            where = {"case_id": None, "object_type": "sar", "object_id": clock.object_id}
        for user in people:
            key = f"{kind.value}:{clock.object_id}:{clock.due_at:%Y%m%d%H%M}:{user.id}"
            alert = system.raise_alert(
                session,
                user,
                kind,
                school_id=clock.school_id,
                dedupe_key=key,
                **where,  # type: ignore[arg-type]
            )
            raised += alert is not None
    return raised
