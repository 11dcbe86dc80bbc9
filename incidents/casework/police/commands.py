"""Police holds: while the police investigate, the school's own investigation waits. A hold is
placed by the child-protection route or by recording that the police are investigating, and
lifted only by recording that their investigation has finished, with its result."""

from __future__ import annotations

from sqlalchemy.orm import Session

from incidents import audit, workflow
from incidents.casework.allegation import restrictions
from incidents.casework.guard import progressable, record
from incidents.casework.police.system import place_hold
from incidents.models import Case, CaseState, PoliceHold, User
from incidents.models.base import utcnow
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_RESULT = 5_000


def await_police(session: Session, *, actor: User, case: Case) -> PoliceHold:
    progressable(actor, case)
    workflow.advance(case, "await_police", actor)
    return place_hold(session, case, actor)


def result_action(case: Case) -> str:
    """The workflow action that records the police result: it also moves a case that was
    waiting for the police back to the school's own investigation."""
    return "police_finished" if case.state is CaseState.AWAITING_POLICE else "police_result"


def record_result(
    session: Session, *, actor: User, case: Case, result: str, teacher_charged: bool = False
) -> PoliceHold:
    """The police investigation has finished: its result lifts the hold. `teacher_charged`:
    the teacher was charged, which ends the reporting restriction (Education Act 2002
    s.141F)."""
    progressable(actor, case)
    action = result_action(case)
    workflow.check(case, action, actor)
    errors = Errors()
    result = errors.text(
        "result",
        result,
        label="The result",
        limit=MAX_RESULT,
        empty="Enter what the police decided or found",
    )
    if teacher_charged and not workflow.reporting_restriction_applies(case):
        errors["teacher_charged"] = "No reporting restriction applies to this case"
    errors.raise_any()
    hold = case.open_police_hold
    assert hold is not None  # noqa: S101 - the step's guard requires an open hold
    # Advance while the hold is still open: its guard is that there is one to lift.
    workflow.advance(case, action, actor)
    hold.lifted_at = utcnow()
    hold.lifted_by_id = actor.id
    hold.result = Sensitive(result)
    record(
        session,
        case,
        actor,
        audit.Action.POLICE_HOLD_LIFT,
        object_type="police_hold",
        object_id=hold.id,
    )
    if teacher_charged:
        restrictions.charged_with_police_result(session, case, actor)
    return hold
