"""The case list: the SQL twin of the visibility rules, filters, pagination, and the surname
search (a keyed blind index, so nothing is decrypted to search)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Exists

from incidents.errors import Forbidden, InvalidInput
from incidents.models import Case, CaseKind, CaseState, Person, Role, User
from incidents.models.case import case_subject
from incidents.models.person import surname_of
from incidents.permissions import Permission, has_permission
from incidents.sensitive import cipher_of

MAX_SURNAME = 60


@dataclass(frozen=True)
class Page:
    items: list[Case]
    total: int
    page: int
    per_page: int
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pages", max(1, math.ceil(self.total / self.per_page)))


def _visible_to(user: User) -> Select[Case]:
    """The SQL twin of permissions.can_view_case, for lists (a test keeps the two in step)."""
    mine_as_subject = exists().where(
        and_(
            case_subject.c.case_id == Case.id,
            case_subject.c.person_id == Person.id,
            Person.user_id == user.id,
        )
    )
    query = select(Case).where(Case.school_id == user.school_id, ~mine_as_subject)
    if not user.has_role(Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL):
        query = query.where(Case.case_manager_id == user.id)
    return query


def list_cases(
    session: Session,
    *,
    actor: User,
    state: CaseState | None = None,
    kind: CaseKind | None = None,
    unassessed: bool = False,
    surname: str = "",
    page: int = 1,
    per_page: int = 25,
) -> Page:
    if not has_permission(actor, Permission.CASE_LIST):
        raise Forbidden("Your role cannot see cases")
    query = _visible_to(actor)
    if surname.strip():
        query = query.where(_has_subject_surname(session, actor, surname))
    if state is not None:
        query = query.where(Case.state == state)
    if unassessed:
        query = query.where(Case.kind.is_(None))
    elif kind is not None:
        query = query.where(Case.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, page)
    items = list(
        session.scalars(
            query.order_by(Case.recorded_at.desc(), Case.number.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return Page(items=items, total=total, page=page, per_page=per_page)


def _has_subject_surname(session: Session, actor: User, surname: str) -> Exists:
    """Cases with a subject of this surname, matched on the blind index alone."""
    if len(surname) > MAX_SURNAME:
        raise InvalidInput({"surname": f"Surname must be {MAX_SURNAME} characters or fewer"})
    wanted = surname_of(surname)
    if not any(ch.isalpha() for ch in wanted):
        raise InvalidInput({"surname": "Enter a surname using letters"})
    index = cipher_of(session).blind_index(actor.school_id, "surname", wanted)
    return exists().where(
        and_(
            case_subject.c.case_id == Case.id,
            case_subject.c.person_id == Person.id,
            Person.surname_index == index,
        )
    )
