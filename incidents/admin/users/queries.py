"""Reading accounts for the admin: the list (search, role and status filters) and one user's
open tasks (to reassign when they leave). The school's recent account changes are read from
the audit trail by incidents.admin.audit.queries."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from incidents.errors import NotFound
from incidents.models import Case, Role, Task, User, UserRole

MAX_SEARCH = 100
PAGE = 200
# An invited user's stored hash until they accept: nothing verifies against it.
NO_PASSWORD = ""  # nosec B105 - the absence of a password, not one


class Status(enum.StrEnum):
    ACTIVE = "active"
    INVITED = "invited"
    DEACTIVATED = "deactivated"

    @property
    def label(self) -> str:
        return {"active": "Active", "invited": "Invited", "deactivated": "Deactivated"}[self]


def status_of(user: User) -> Status:
    if not user.is_active:
        return Status.DEACTIVATED
    return Status.INVITED if not user.password_hash else Status.ACTIVE


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_users(
    session: Session,
    school_id: uuid.UUID,
    *,
    search: str = "",
    role: str = "",
    status: str = "",
) -> list[User]:
    """The school's accounts by name; filters that are not offered are ignored, not errors."""
    query = select(User).where(User.school_id == school_id)
    search = search.strip()[:MAX_SEARCH]
    if search:
        pattern = _like(search.lower())
        query = query.where(
            or_(
                User.email.like(pattern, escape="\\"),
                User.display_name.ilike(pattern, escape="\\"),
            )
        )
    if role in Role.__members__.values():
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if status == Status.DEACTIVATED:
        query = query.where(User.is_active.is_(False))
    elif status == Status.INVITED:
        query = query.where(User.is_active.is_(True), User.password_hash == NO_PASSWORD)
    elif status == Status.ACTIVE:
        query = query.where(User.is_active.is_(True), User.password_hash != NO_PASSWORD)
    return list(session.scalars(query.order_by(User.display_name, User.email).limit(PAGE)))


def user_in_school(session: Session, school_id: uuid.UUID, user_id: uuid.UUID) -> User:
    """Another school's user is not found, the same as a missing one."""
    user = session.get(User, user_id)
    if user is None or user.school_id != school_id:
        raise NotFound("user")
    return user


@dataclass(frozen=True)
class OpenTask:
    """A task to reassign: which case (its reference only) and when it is due."""

    case_id: uuid.UUID
    case_reference: str
    due_on: date


def open_tasks(session: Session, user: User) -> list[OpenTask]:
    rows = session.execute(
        select(Task.case_id, Case.reference, Task.due_on)
        .join(Case, Case.id == Task.case_id)
        .where(Task.assignee_id == user.id, Task.done_at.is_(None))
        .order_by(Task.due_on)
    ).all()
    return [OpenTask(case_id, reference, due) for case_id, reference, due in rows]
