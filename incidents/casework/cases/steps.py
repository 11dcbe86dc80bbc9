"""Moving a case along the workflow where the step carries no form of its own: accepting a
staff report, starting the school's investigation. (Starting the disciplinary process opens
its record too: `casework/disciplinary/commands.py`.)"""

from __future__ import annotations

from sqlalchemy.orm import Session

from incidents import audit, workflow
from incidents.casework.guard import record, visible
from incidents.models import Case, User

# action -> the audit entry it writes
SIMPLE_STEPS = {
    "accept": audit.Action.CASE_ACCEPT,
    "investigate": audit.Action.CASE_INVESTIGATE,
}


def take_step(session: Session, *, actor: User, case: Case, action: str) -> None:
    """One of SIMPLE_STEPS; refused with TransitionNotAllowedError when not possible now."""
    visible(actor, case)
    if action not in SIMPLE_STEPS:
        raise workflow.TransitionNotAllowedError(f"unknown action {action!r}")
    workflow.advance(case, action, actor)
    record(session, case, actor, SIMPLE_STEPS[action])
