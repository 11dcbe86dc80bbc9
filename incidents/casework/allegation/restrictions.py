"""Reporting restrictions (Education Act 2002 ss.141F-141H): a pupil's allegation that a
teacher committed an offence may not be published in a way that could identify the teacher
until the teacher is charged, or the restriction is lifted (by a court) or waived (by the
teacher, in writing). The case is flagged and everyone who opens it is warned until then."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit, workflow
from incidents.casework.guard import record, visible
from incidents.clock import local_today
from incidents.errors import InvalidInput
from incidents.models import Case, RestrictionEnd, RestrictionEnded, User
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_NOTE = 2_000


def ended(session: Session, case: Case) -> RestrictionEnded | None:
    return session.scalar(select(RestrictionEnded).where(RestrictionEnded.case_id == case.id))


def in_force(session: Session, case: Case) -> bool:
    """The warning shows: the restriction applies to the case and has not ended."""
    return workflow.reporting_restriction_applies(case) and ended(session, case) is None


def end_restriction(
    session: Session,
    *,
    actor: User,
    case: Case,
    reason: RestrictionEnd | None,
    ended_on: date | None,
    note: str,
) -> RestrictionEnded:
    visible(actor, case)
    workflow.check(case, "end_reporting_restriction", actor)
    if ended(session, case) is not None:
        raise InvalidInput({"reason": "The end of the reporting restriction is already recorded"})
    errors = Errors()
    if reason is None:
        errors["reason"] = "Choose why the reporting restriction ended"
    errors.day("ended_on", ended_on, called="The date it ended", missing="Enter the date it ended")
    note = errors.text(
        "note",
        note,
        label="The details",
        limit=MAX_NOTE,
        empty="Enter the details: the charge and date, the court's order, or the teacher's "
        "written waiver",
    )
    errors.raise_any()
    assert reason is not None and ended_on is not None  # noqa: S101 - errors raised above
    row = RestrictionEnded(
        case=case, reason=reason, ended_on=ended_on, ended_by_id=actor.id, note=Sensitive(note)
    )
    session.add(row)
    session.flush()
    record(
        session,
        case,
        actor,
        audit.Action.RESTRICTION_END,
        object_type="reporting_restriction",
        object_id=row.id,
        target=row,
    )
    return row


def charged_with_police_result(session: Session, case: Case, actor: User) -> RestrictionEnded:
    """The teacher was charged, recorded with the police result (s.141F(2): the restriction
    ends). For the police-result command, which has checked the step; nothing here checks."""
    row = ended(session, case)
    if row is not None:
        return row
    row = RestrictionEnded(
        case=case,
        reason=RestrictionEnd.CHARGED,
        ended_on=local_today(),
        ended_by_id=actor.id,
        note=Sensitive("Recorded with the result of the police investigation."),
    )
    session.add(row)
    session.flush()
    record(
        session,
        case,
        actor,
        audit.Action.RESTRICTION_END,
        object_type="reporting_restriction",
        object_id=row.id,
        target=row,
    )
    return row
