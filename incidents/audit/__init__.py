"""The one entry point for the audit trail: `record(...)`, called by services inside the same
transaction as the change it records, never from a view and never after commit."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.audit.actions import Action
from incidents.models import AuditEvent, School, User

__all__ = ["Action", "record"]


def record(
    session: Session,
    *,
    school_id: uuid.UUID,
    action: Action,
    actor: User | None,
    case_id: uuid.UUID | None = None,
    object_type: str | None = None,
    object_id: uuid.UUID | None = None,
) -> AuditEvent:
    """Append one event. The school row is locked first so the sequence number is gap-free and
    taken in commit order (SQLite already serialises writers with BEGIN IMMEDIATE)."""
    session.execute(select(School.id).where(School.id == school_id).with_for_update())
    last = session.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.school_id == school_id))
    event = AuditEvent(
        school_id=school_id,
        seq=0 if last is None else last + 1,
        actor_id=actor.id if actor else None,
        actor_role=",".join(sorted(actor.roles)) if actor else None,
        action=action.value,
        case_id=case_id,
        object_type=object_type,
        object_id=object_id,
    )
    session.add(event)
    return event
