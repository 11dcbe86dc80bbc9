"""Steps the workflow takes by itself as the consequence of another command (a police hold on the
school's own investigation). The calling command has checked permission and workflow; nothing
here checks either, so no view imports this module."""

from __future__ import annotations

from sqlalchemy.orm import Session

from incidents import audit
from incidents.casework.guard import record
from incidents.models import Case, PoliceHold, User


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
