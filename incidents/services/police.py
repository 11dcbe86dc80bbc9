"""Police holds: while the police investigate, the school's own investigation waits. A hold is
placed by the child-protection route or by recording that the police are investigating, and
lifted only by recording that their investigation has finished, with its result."""

from __future__ import annotations

from sqlalchemy.orm import Session

from incidents import audit, workflow
from incidents.models import Case, CaseState, PoliceHold, User
from incidents.models.base import utcnow
from incidents.sensitive import Sensitive
from incidents.services.casework import progressable, record
from incidents.services.validation import Errors

MAX_RESULT = 5_000


def place_hold(session: Session, case: Case, actor: User | None) -> PoliceHold:
    """Open a hold (or return the open one); the caller has already checked the step."""
    existing = case.open_police_hold
    if existing is not None:
        return existing
    hold = PoliceHold(case=case, placed_by_id=actor.id if actor else None)
    session.add(hold)
    session.flush()
    record(
        session,
        case,
        actor,
        audit.Action.POLICE_HOLD_PLACE,
        object_type="police_hold",
        object_id=hold.id,
    )
    return hold


def await_police(session: Session, *, actor: User, case: Case) -> PoliceHold:
    progressable(actor, case)
    workflow.advance(case, "await_police", actor)
    return place_hold(session, case, actor)


def record_result(session: Session, *, actor: User, case: Case, result: str) -> PoliceHold:
    """The police investigation has finished: its result lifts the hold."""
    progressable(actor, case)
    action = "police_finished" if case.state is CaseState.AWAITING_POLICE else "police_result"
    workflow.check(case, action, actor)
    errors = Errors()
    result = errors.text(
        "result",
        result,
        label="The result",
        limit=MAX_RESULT,
        empty="Enter what the police decided or found",
    )
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
    return hold
