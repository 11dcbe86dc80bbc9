"""The KCSIE Part 4 timescales as clocks on the case: a plainly unfounded or malicious
allegation resolved within one week; the action after an investigation report decided within
3 working days; a disciplinary hearing held within 15 working days. A clock opens a task for the
case manager due on its last day (so it is on their list and alerted); it is met when the task
is done. The alerts job reminds at half time, on the last day and when overdue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit, deadlines, workflow
from incidents.casework.allegation.system import open_task
from incidents.casework.guard import record, visible
from incidents.clock import SCHOOL_TZ
from incidents.errors import InvalidInput
from incidents.models import Case, CaseClock, ClockKind, User

DUE: dict[ClockKind, Callable[[date], datetime]] = {
    ClockKind.UNFOUNDED: lambda day: deadlines.unfounded_resolution_due(day),
    ClockKind.REPORT_ACTION: lambda day: deadlines.report_action_due(day),
    ClockKind.HEARING: lambda day: deadlines.hearing_due(day),
}


def clocks_of(session: Session, case: Case) -> list[CaseClock]:
    return list(
        session.scalars(
            select(CaseClock).where(CaseClock.case_id == case.id).order_by(CaseClock.due_at)
        )
    )


def start_clock(
    session: Session, *, actor: User, case: Case, kind: ClockKind | None, started_on: date | None
) -> CaseClock:
    visible(actor, case)
    workflow.check(case, "start_clock", actor)
    errors: dict[str, str] = {}
    if kind is None:
        errors["kind"] = "Choose which timescale starts"
    if started_on is None:
        errors["started_on"] = "Enter the date the timescale starts from"
    elif started_on < case.became_aware_on:
        errors["started_on"] = (
            "The date the timescale starts from must be on or after the date the school "
            "became aware"
        )
    if kind is not None and any(c.kind is kind and not c.is_met for c in clocks_of(session, case)):
        errors["kind"] = "That timescale is already running on this case"
    if errors:
        raise InvalidInput(errors)
    assert kind is not None and started_on is not None  # noqa: S101 - checked above
    due_at = DUE[kind](started_on)
    task = open_task(
        session,
        case,
        actor,
        title=kind.label,
        owner=actor,
        due_on=due_at.astimezone(SCHOOL_TZ).date(),
    )
    clock = CaseClock(
        case=case,
        kind=kind,
        started_on=started_on,
        due_at=due_at,
        started_by_id=actor.id,
        task=task,
    )
    session.add(clock)
    session.flush()
    record(session, case, actor, audit.Action.CLOCK_START, object_type="clock", object_id=clock.id)
    return clock
