"""Revealing a sealed reporter identity (a staff disclosure, seed policy 001 (2b)): only the
case manager, only under a fresh elevated-access grant (password re-entered, reason given),
and each reveal is audited against that grant."""

from __future__ import annotations

from sqlalchemy.orm import Session

from incidents import audit, workflow
from incidents.casework.guard import record, visible
from incidents.errors import Forbidden
from incidents.models import Case, Elevation, ElevationPurpose, User
from incidents.sensitive import Sensitive


def reveal(session: Session, *, actor: User, case: Case, grant: Elevation) -> Sensitive:
    visible(actor, case)
    workflow.check(case, "reveal_reporter", actor)
    if grant.user_id != actor.id or grant.purpose is not ElevationPurpose.REVEAL_REPORTER:
        raise Forbidden("Re-enter your password and give a reason first")
    identity = case.reporter_identity
    assert identity is not None  # noqa: S101 - the step's guard requires a sealed identity
    record(
        session,
        case,
        actor,
        audit.Action.REPORTER_REVEAL,
        object_type="elevation",
        object_id=grant.id,
    )
    return identity
