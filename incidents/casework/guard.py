"""The access checks and the audit entry every case-work command shares: a case the actor may not
see is reported as missing, so its existence is not revealed."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from incidents import audit
from incidents.errors import NotFound
from incidents.models import Case, User
from incidents.permissions import can_progress, can_view_case


def visible(actor: User, case: Case) -> None:
    """A case the actor may not see is reported as missing, so its existence is not revealed."""
    if not can_view_case(actor, case) or case.is_erased:
        raise NotFound("Case not found")


def progressable(actor: User, case: Case) -> None:
    if not can_progress(actor, case):
        raise NotFound("Case not found")


def record(
    session: Session,
    case: Case,
    actor: User | None,
    action: audit.Action,
    *,
    object_type: str = "case",
    object_id: uuid.UUID | None = None,
    target: Any = None,
    checkpoint: bool | None = None,
    sealed_actor: bool = False,
) -> None:
    """The case's audit entry for a step. `target`: the changed record, when the caller has it
    (else it is loaded by id). `checkpoint=True`: sign a checkpoint at once, for a moment that
    is high-stakes only in context (a referral to the LADO, a case put on the allegation
    track, how a disciplinary process ended). `sealed_actor`: the actor is the case's sealed
    reporter, recorded as a per-case pseudonym (`audit.record`)."""
    audit.record(
        session,
        school_id=case.school_id,
        action=action,
        actor=actor,
        case_id=case.id,
        object_type=object_type,
        object_id=object_id or case.id,
        target=target,
        checkpoint=checkpoint,
        sealed_actor=sealed_actor,
    )
