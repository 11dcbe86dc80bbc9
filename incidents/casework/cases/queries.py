"""The case list: the SQL twin of the visibility rules, filters, pagination, and the surname
search (a keyed blind index, so nothing is decrypted to search). The case page: the people it
names and its history."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session, joinedload, load_only, selectinload
from sqlalchemy.sql.expression import Exists

from incidents.audit import Action
from incidents.casework.cases import managers
from incidents.casework.cases.history import History, case_history, openers
from incidents.casework.cases.summary import Summary, case_summary
from incidents.errors import Forbidden, InvalidInput
from incidents.models import Case, CaseKind, CaseState, Person, Role, User
from incidents.models.case import case_subject
from incidents.models.person import account_index_of, surname_of
from incidents.permissions import Permission, has_permission
from incidents.validation import plain_name

MAX_SURNAME = 60
MAX_PAGE = 100_000
UNASSESSED = "unassessed"  # the kind filter's value for cases not yet triaged


@dataclass(frozen=True)
class Page:
    items: list[Case]
    total: int
    page: int
    per_page: int
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pages", max(1, math.ceil(self.total / self.per_page)))


def visible_where(session: Session, user: User) -> list[ColumnElement[bool]]:
    """The SQL twin of permissions.can_view_case, as conditions on Case, for lists and the home
    page (a test keeps the two in step). The "a case about me" check looks up this user's
    person in their own school first (issue 21: a trust's or an LA's other schools are not
    read), and through the index on case_subject(person_id)."""
    me = (
        select(Person.id)
        .where(
            Person.school_id == user.school_id,
            Person.account_index == account_index_of(session, user.school_id, user.id),
        )
        .scalar_subquery()
    )
    mine_as_subject = exists().where(
        and_(case_subject.c.case_id == Case.id, case_subject.c.person_id == me)
    )
    where: list[ColumnElement[bool]] = [Case.school_id == user.school_id, ~mine_as_subject]
    if not user.has_role(Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL):
        where.append(Case.case_manager_id == user.id)
    return where


# The columns the case list shows or decides with (its template, can_view_case).
LIST_COLUMNS = (
    Case.id,
    Case.school_id,
    Case.reference,
    Case.number,
    Case.kind,
    Case.state,
    Case.source,
    Case.recorded_at,
    Case.case_manager_id,
    Case.needs_direct_lado_referral,
    Case.erased_at,
)


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
    where = visible_where(session, actor)
    if surname.strip():
        where.append(_has_subject_surname(session, actor, surname))
    if state is not None:
        where.append(Case.state == state)
    if unassessed:
        where.append(Case.kind.is_(None))
    elif kind is not None:
        where.append(Case.kind == kind)
    total = session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
    page = max(1, page)
    items = list(
        session.scalars(
            select(Case)
            .where(*where)
            .order_by(Case.recorded_at.desc(), Case.number.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
            # Only what the list shows: no ciphertexts but the subjects' names (issue 21).
            .options(load_only(*LIST_COLUMNS), selectinload(Case.subjects))
        )
    )
    return Page(items=items, total=total, page=page, per_page=per_page)


def _has_subject_surname(session: Session, actor: User, surname: str) -> Exists:
    """Cases with a subject whose surname starts with `surname` ("fenw" finds Fenwick). The
    blind index matches whole surnames only, and a prefix index would tell a database reader
    which people share the first letters of their names; so the names of the school's case
    subjects are decrypted here, in memory, compared and dropped (`search.py` says what the
    index reveals)."""
    problem = surname_problem(surname)
    if problem:
        raise InvalidInput({"surname": problem})
    wanted = surname_of(surname)
    people = session.scalars(
        select(Person).where(
            Person.school_id == actor.school_id,
            Person.id.in_(select(case_subject.c.person_id)),
        )
    )
    ids = [p.id for p in people if surname_of(p.name.reveal()).startswith(wanted)]
    return exists().where(
        and_(case_subject.c.case_id == Case.id, case_subject.c.person_id.in_(ids))
    )


def surname_problem(surname: str) -> str | None:
    """Why `surname` cannot be searched for, or None."""
    if len(surname) > MAX_SURNAME:
        return f"Surname must be {MAX_SURNAME} characters or fewer"
    if not any(ch.isalpha() for ch in surname_of(surname)):
        return "Enter a surname using letters"
    return None


@dataclass(frozen=True)
class Filters:
    """The case list's filters as asked for in the query string. A value that cannot be used is
    left out, and `problems` (field -> message) says why."""

    state: CaseState | None = None
    kind: CaseKind | None = None
    unassessed: bool = False
    surname: str = ""
    page: int = 1
    problems: dict[str, str] = field(default_factory=dict)


def read_filters(args: Mapping[str, str], surname: str = "") -> Filters:
    """The filters from the query string; the surname never comes from there (it is POSTed,
    and comes back inside an encrypted token: `search.py`)."""
    problems: dict[str, str] = {}
    state = _choice(CaseState, args.get("state", ""))
    if state is None and args.get("state"):
        problems["state"] = "Choose a state from the list"
    unassessed = args.get("kind") == UNASSESSED
    kind = None if unassessed else _choice(CaseKind, args.get("kind", ""))
    if kind is None and args.get("kind") and not unassessed:
        problems["kind"] = "Choose a kind from the list"
    page_raw = args.get("page", "1")
    # ASCII digits only: str.isdigit() also accepts "²", which int() then refuses.
    digits = page_raw.isascii() and page_raw.isdigit()
    page = int(page_raw) if digits and 0 < int(page_raw) < MAX_PAGE else 1
    if page_raw != str(page):
        problems["results"] = "Page must be a whole number"
    surname = plain_name(surname)
    problem = surname_problem(surname) if surname else None
    if problem:
        problems["surname"] = problem
        surname = ""
    return Filters(state, kind, unassessed, surname, page, problems)


E = TypeVar("E", CaseState, CaseKind)


def _choice(enum_cls: type[E], raw: str) -> E | None:
    try:
        return enum_cls(raw) if raw else None
    except ValueError:
        return None


# What the case page shows of a case, loaded with it (issue 21: Case's relationships are lazy).
# The records a case has none or one or two of are joined to the case row; those that grow
# (notes, tasks, referrals, citations) come in one query each, and only when the case's query
# found some (`case_parts.skip_empty_collections`).
CASE_PAGE_LOADING = (
    joinedload(Case.subjects),
    joinedload(Case.breach_record),
    joinedload(Case.triage_decisions),
    joinedload(Case.police_holds),
    joinedload(Case.legal_holds),
    joinedload(Case.suspension_decisions),
    joinedload(Case.disciplinary_processes),
)


@dataclass(frozen=True)
class CasePage:
    """What the case page shows besides the case itself."""

    # The people the page names: note authors, task assignees and the case manager.
    people: dict[uuid.UUID, User]
    manager: User | None
    # Why this person manages the case (KCSIE Part 4's order, or a recorded change).
    manager_basis: str
    # Entries a later note corrects.
    corrected: set[uuid.UUID]
    history: History | None
    # What was recorded, read back: the discloser, overdue deadlines, what needs doing.
    summary: Summary


def case_page(session: Session, *, actor: User, case: Case) -> CasePage:
    """The people the page names, the manager's basis and the history's names all come from
    one list of the school's users (issue 21: one query, not three)."""
    staff = managers.school_staff(session, case.school_id)
    wanted = {n.author_id for n in case.notes} | {t.assignee_id for t in case.tasks}
    wanted |= {case.case_manager_id} | {d.decided_by_id for d in case.triage_decisions}
    people = {u.id: u for u in staff if u.id in wanted}
    opened_by = openers(session, case)
    return CasePage(
        people=people,
        manager=people.get(case.case_manager_id) if case.case_manager_id else None,
        manager_basis=managers.BASIS_TEXT[managers.basis_of(session, case, staff)],
        corrected={n.corrects_id for n in case.notes if n.corrects_id},
        # Read from the log, not logged again: the page's CASE_VIEW already records the visit.
        history=case_history(
            session,
            actor=actor,
            case=case,
            names={u.id: u.display_name for u in staff},
            opened_by=opened_by,
        ),
        summary=case_summary(
            session, actor=actor, case=case, recorders=opened_by[Action.CASE_RECORD]
        ),
    )


def case_manager(session: Session, case: Case) -> User | None:
    """The case manager, for pages that name them (the parent letter)."""
    return session.get(User, case.case_manager_id) if case.case_manager_id else None
