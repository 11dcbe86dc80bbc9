"""Who manages a case (KCSIE Part 4): the headteacher; the chair of governors when the head is a
subject; then the school's named deputy case manager; then the trust or local authority officer.
Never a subject of the case, and never someone who cannot decide cases. Changing the case manager
is a decision of the head, the chair or an administrator, with a reason, audited (issue 13,
item 3)."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from incidents import audit, workflow
from incidents.casework.guard import visible
from incidents.errors import Forbidden, InvalidInput, TransitionNotAllowedError
from incidents.models import Case, Person, Role, School, User
from incidents.permissions import Permission, has_permission
from incidents.validation import Errors

MAX_REASON = 2_000


class Basis(enum.StrEnum):
    """Why this person manages the case, in the order KCSIE Part 4 gives."""

    HEADTEACHER = "headteacher"
    CHAIR = "chair"
    DEPUTY = "deputy"
    TRUST_OFFICER = "trust_officer"
    CHANGED = "changed"
    NOBODY = "nobody"


BASIS_TEXT = {
    Basis.HEADTEACHER: "The headteacher manages the case.",
    Basis.CHAIR: "The headteacher is a subject of this case or cannot manage it, so the chair "
    "of governors manages it (KCSIE Part 4).",
    Basis.DEPUTY: "Neither the headteacher nor the chair of governors can manage this case, so "
    "the school's named deputy case manager does (KCSIE Part 4).",
    Basis.TRUST_OFFICER: "Neither the headteacher, the chair of governors nor a named deputy can "
    "manage this case, so the trust or local authority officer does (KCSIE Part 4).",
    Basis.CHANGED: "The case manager was changed, with a reason (see the case history).",
    Basis.NOBODY: "Nobody who can manage cases is free of this case. Refer it to the LADO now, "
    "and ask an administrator to name a deputy case manager.",
}


@dataclass(frozen=True)
class Choice:
    manager: User | None
    basis: Basis


def _school_users(session: Session, school_id: uuid.UUID) -> list[User]:
    return [u for u in school_staff(session, school_id) if u.is_active]


def school_staff(session: Session, school_id: uuid.UUID) -> list[User]:
    """Every user of the school, former ones too, with their roles, in one query (issue 21:
    the case page names its people and works out its manager from this one list)."""
    return list(
        session.scalars(
            select(User)
            .where(User.school_id == school_id)
            .order_by(User.created_at, User.id)
            .options(joinedload(User.role_rows))
        ).unique()
    )


def _can_manage(user: User, subject_users: set[uuid.UUID]) -> bool:
    return user.id not in subject_users and has_permission(user, Permission.CASE_DECIDE)


def subject_user_ids(subjects: Iterable[Person]) -> set[uuid.UUID]:
    return {uid for uid in (p.user_id for p in subjects) if uid is not None}


def choose(
    session: Session,
    school_id: uuid.UUID,
    subjects: Iterable[Person],
    staff: list[User] | None = None,
) -> Choice:
    """The first in KCSIE's order who is not a subject and can decide cases. `staff`: the
    school's users (`school_staff`), when the caller has them already."""
    subject_users = subject_user_ids(subjects)
    if staff is None:
        users = _school_users(session, school_id)
    else:
        users = [u for u in staff if u.is_active and u.school_id == school_id]
    school = session.get(School, school_id)
    deputy_id = school.deputy_case_manager_id if school is not None else None
    chain: list[tuple[Basis, list[User]]] = [
        (Basis.HEADTEACHER, [u for u in users if Role.HEADTEACHER in u.roles]),
        # The named deputy may hold the chair's role (a vice-chair): they stand in as deputy.
        (
            Basis.CHAIR,
            [u for u in users if Role.CHAIR_OF_GOVERNORS in u.roles and u.id != deputy_id],
        ),
        (Basis.DEPUTY, [u for u in users if u.id == deputy_id]),
        (Basis.TRUST_OFFICER, [u for u in users if Role.TRUST_OFFICER in u.roles]),
    ]
    for basis, candidates in chain:
        found = next((u for u in candidates if _can_manage(u, subject_users)), None)
        if found is not None:
            return Choice(found, basis)
    return Choice(None, Basis.NOBODY)


def basis_of(session: Session, case: Case, staff: list[User] | None = None) -> Basis:
    """Why the current case manager manages the case: the routing rule, or a recorded change."""
    chosen = choose(session, case.school_id, case.subjects, staff)
    if case.case_manager_id is None:
        return Basis.NOBODY
    if chosen.manager is not None and chosen.manager.id == case.case_manager_id:
        return chosen.basis
    return Basis.CHANGED


def eligible_managers(session: Session, case: Case) -> list[User]:
    """Who the case could be given to: the school's active users who can decide cases, none of
    them a subject, not the current manager."""
    subject_users = subject_user_ids(case.subjects)
    return [
        u
        for u in _school_users(session, case.school_id)
        if _can_manage(u, subject_users) and u.id != case.case_manager_id
    ]


def _check_may_change(actor: User | None, case: Case) -> None:
    """The headteacher or the chair (who can open the case, so neither is a subject), or an
    administrator at the server (`incidents case-manager`, actor None), who never sees it."""
    if actor is None:
        step = workflow.transition("change_case_manager")
        if step.from_states is None or case.state not in step.from_states:
            raise TransitionNotAllowedError(
                f"The case manager cannot be changed while the case is {case.state.label.lower()}"
            )
        return
    if not actor.has_role(Role.HEADTEACHER, Role.CHAIR_OF_GOVERNORS):
        raise Forbidden("Only the headteacher, the chair or an administrator can change this")
    visible(actor, case)
    workflow.check(case, "change_case_manager", actor)


def change_case_manager(
    session: Session,
    *,
    actor: User | None,
    case: Case,
    manager_id: uuid.UUID | None,
    reason: str,
) -> User:
    """Give the case to another case manager: by the headteacher, the chair or an
    administrator, never to a subject of the case, with a reason kept in the audit trail."""
    _check_may_change(actor, case)
    errors = Errors()
    offered = {u.id: u for u in eligible_managers(session, case)}
    chosen = offered.get(manager_id) if manager_id is not None else None
    if chosen is None:
        errors["manager"] = "Choose the new case manager from the list"
    reason = errors.text(
        "reason",
        reason,
        label="The reason",
        limit=MAX_REASON,
        empty="Enter why the case manager is changing",
    )
    errors.raise_any()
    assert chosen is not None  # noqa: S101 - checked above
    old = case.case_manager_id
    case.case_manager_id = chosen.id
    audit.record(
        session,
        school_id=case.school_id,
        action=audit.Action.CASE_MANAGER_CHANGE,
        actor=actor,
        case_id=case.id,
        object_type="case",
        object_id=case.id,
        detail={"reason": reason, "from": str(old) if old else None, "to": str(chosen.id)},
    )
    return chosen


def name_deputy(session: Session, *, actor: User | None, school: School, user: User) -> None:
    """Name the school's deputy case manager (an operator's or administrator's step)."""
    if actor is not None and not actor.has_role(Role.ADMIN):
        raise Forbidden("Only an administrator can name the deputy case manager")
    if user.school_id != school.id or not user.is_active:
        raise InvalidInput({"user": "Choose an active user of this school"})
    if not has_permission(user, Permission.CASE_DECIDE):
        raise InvalidInput(
            {"user": "The deputy case manager must hold a role that can decide cases"}
        )
    school.deputy_case_manager_id = user.id
    audit.record(
        session,
        school_id=school.id,
        action=audit.Action.SCHOOL_DEPUTY_NAMED,
        actor=actor,
        object_type="user",
        object_id=user.id,
    )
