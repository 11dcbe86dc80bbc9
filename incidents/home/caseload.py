"""The home page as a caseload (issue 17, item 4): the open cases a case worker may see, what
awaits triage, the deadlines passed and those due this week, tasks nobody has, and their own
cases. Three queries whatever the number of cases or tasks (issue 21), reading plain columns
only: no subject's name or task title is decrypted, so the page shows references and fixed
wording, and the case page (which logs the visit) shows the rest."""

from __future__ import annotations

import enum
import functools
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, aliased

from incidents import deadlines
from incidents.casework.cases.queries import visible_where
from incidents.clock import local_today
from incidents.models import (
    Case,
    CaseKind,
    CaseState,
    DisclosureSource,
    Referral,
    ReferralStatus,
    Role,
    Task,
    TaskKind,
    User,
)
from incidents.models.base import utcnow

# Triage has not yet chosen the track: a staff report waits to be accepted, a recorded
# disclosure to be assessed (the `accept` and `triage` transitions of workflow.py).
AWAITING_TRIAGE = (CaseState.REPORTED, CaseState.RECORDED)
# The page's week: today and the six days after it, so a Friday still shows next week's
# first days (a calendar week would show two days on a Friday).
WEEK_DAYS = 7
# Rows shown in each table: the counts cover everything, and the case list pages through the
# rest; a school with hundreds of open cases still gets a page that loads quickly.
SHOWN = 50


class Sort(enum.StrEnum):
    """How the case list is ordered: a GET parameter, since an order is not personal data."""

    DEADLINE = "deadline"
    OPENED = "opened"
    STATUS = "status"

    @property
    def label(self) -> str:
        return {"deadline": "Next deadline", "opened": "Opened", "status": "Status"}[self.value]

    @classmethod
    def read(cls, raw: str | None) -> Sort:
        """The order asked for; the default for anything else (a link cannot be half-valid)."""
        try:
            return cls(raw or cls.DEADLINE)
        except ValueError:
            return cls.DEADLINE


@dataclass(frozen=True)
class Deadline:
    case_id: uuid.UUID
    reference: str
    # Fixed wording only (task kinds, agency names): a sealed task title is not decrypted.
    what: str
    # Who it falls to: a display name (user accounts are not case content), or None.
    who: str | None
    # A task is due by a date; a referral clock runs to a moment.
    due_on: date
    due_at: datetime | None
    overdue: bool

    @functools.cached_property
    def ends(self) -> datetime:
        # Worked out once: the page sorts hundreds of deadlines by it, three times over.
        return self.due_at or deadlines.end_of_day(self.due_on)


@dataclass(frozen=True)
class CaseRow:
    id: uuid.UUID
    reference: str
    state: CaseState
    kind: CaseKind | None
    source: DisclosureSource
    recorded_at: datetime
    manager: str | None
    # KCSIE Part 4: a concern about both the headteacher and the chair goes to the LADO, and
    # the case has no manager in school.
    direct_to_lado: bool
    mine: bool
    next_deadline: Deadline | None

    @property
    def overdue(self) -> bool:
        return self.next_deadline is not None and self.next_deadline.overdue


@dataclass(frozen=True)
class Caseload:
    cases: list[CaseRow]  # sorted as asked
    sort: Sort
    today: date
    awaiting_triage: list[CaseRow]
    overdue: list[Deadline]
    this_week: list[Deadline]
    unassigned: list[Deadline]
    mine: list[CaseRow]
    shown: int = SHOWN


def caseload(
    session: Session, *, actor: User, sort: Sort = Sort.DEADLINE, now: datetime | None = None
) -> Caseload:
    """The open cases `actor` may see (`visible_where`: a chair or an LA officer sees only the
    cases they manage), with their open deadlines. Callers check CASE_LIST first."""
    now = now or utcnow()
    today = local_today(now)
    open_cases = [
        *visible_where(session, actor),
        Case.erased_at.is_(None),
        Case.state.not_in((CaseState.CLOSED, CaseState.ERASED)),
    ]
    manager = aliased(User)
    case_rows = session.execute(
        select(
            Case.id,
            Case.reference,
            Case.state,
            Case.kind,
            Case.source,
            Case.recorded_at,
            Case.case_manager_id,
            Case.needs_direct_lado_referral,
            manager.display_name,
        )
        .outerjoin(manager, manager.id == Case.case_manager_id)
        .where(*open_cases)
    ).all()
    # Whom each case's referral clocks fall to: its manager ("You" for the reader).
    managers = {r.id: "You" if r.case_manager_id == actor.id else r.display_name for r in case_rows}
    tasks, assigned_to_me = _tasks(session, actor, open_cases, today)
    due = tasks + _referral_clocks(session, open_cases, managers, now)
    next_due: dict[uuid.UUID, Deadline] = {}
    for item in sorted(due, key=lambda d: d.ends):
        next_due.setdefault(item.case_id, item)
    # A case with no manager in school (sent straight to the LADO) falls to the safeguarding
    # leads, as its referral clock does.
    leads = actor.has_role(Role.DSL, Role.DEPUTY_DSL)
    rows = [
        CaseRow(
            id=r.id,
            reference=r.reference,
            state=r.state,
            kind=r.kind,
            source=r.source,
            recorded_at=r.recorded_at,
            manager=r.display_name,
            direct_to_lado=r.needs_direct_lado_referral,
            mine=r.case_manager_id == actor.id
            or r.id in assigned_to_me
            or (r.case_manager_id is None and leads),
            next_deadline=next_due.get(r.id),
        )
        for r in case_rows
    ]
    by_deadline = sorted(due, key=lambda d: (d.ends, d.reference))
    week_end = today + timedelta(days=WEEK_DAYS - 1)
    by_opened = sorted(rows, key=lambda c: (c.recorded_at, c.reference), reverse=True)
    return Caseload(
        cases=sort_cases(rows, sort),
        sort=sort,
        today=today,
        awaiting_triage=[c for c in reversed(by_opened) if c.state in AWAITING_TRIAGE],
        overdue=[d for d in by_deadline if d.overdue],
        this_week=[d for d in by_deadline if not d.overdue and d.due_on <= week_end],
        unassigned=[d for d in by_deadline if d.who is None and d.due_at is None],
        mine=[c for c in by_opened if c.mine],
        shown=SHOWN,
    )


def sort_cases(rows: list[CaseRow], sort: Sort) -> list[CaseRow]:
    """Newest first by opening; soonest first by deadline (none last); by the workflow's order
    of states, furthest back first (what waits longest for a step comes first)."""
    if sort is Sort.OPENED:
        return sorted(rows, key=lambda c: (c.recorded_at, c.reference), reverse=True)
    if sort is Sort.STATUS:
        order = list(CaseState)
        return sorted(rows, key=lambda c: (order.index(c.state), c.recorded_at, c.reference))
    far = datetime.max.replace(tzinfo=utcnow().tzinfo)
    return sorted(
        rows,
        key=lambda c: (c.next_deadline.ends if c.next_deadline else far, c.reference),
    )


def _tasks(
    session: Session, actor: User, open_cases: list[ColumnElement[bool]], today: date
) -> tuple[list[Deadline], set[uuid.UUID]]:
    """Every open task on the open cases, with its assignee's name: one query."""
    assignee = aliased(User)
    rows = session.execute(
        select(
            Task.case_id,
            Case.reference,
            Task.kind,
            Task.assignee_id,
            assignee.display_name,
            Task.due_on,
        )
        .join(Case, Case.id == Task.case_id)
        .outerjoin(assignee, assignee.id == Task.assignee_id)
        .where(Task.done_at.is_(None), *open_cases)
    ).all()
    items = [
        Deadline(
            case_id=r.case_id,
            reference=r.reference,
            what="A task added on the case" if r.kind is TaskKind.CUSTOM else r.kind.label,
            who=("You" if r.assignee_id == actor.id else r.display_name) if r.assignee_id else None,
            due_on=r.due_on,
            due_at=None,
            overdue=r.due_on < today,
        )
        for r in rows
    ]
    return items, {r.case_id for r in rows if r.assignee_id == actor.id}


def _referral_clocks(
    session: Session,
    open_cases: list[ColumnElement[bool]],
    managers: dict[uuid.UUID, str | None],
    now: datetime,
) -> list[Deadline]:
    """The statutory clocks (LADO, ICO) of referrals not yet made: making the referral meets
    the clock. They fall to the case manager (for a case sent straight to the LADO, to the
    safeguarding leads: no name)."""
    rows = session.execute(
        select(Referral.case_id, Case.reference, Referral.agency, Referral.due_at)
        .join(Case, Case.id == Referral.case_id)
        .where(
            Referral.status == ReferralStatus.DRAFT,
            Referral.due_at.is_not(None),
            *open_cases,
        )
    ).all()
    return [
        Deadline(
            case_id=r.case_id,
            reference=r.reference,
            what=f"Referral to the {r.agency.label}",
            who=managers.get(r.case_id) or "The safeguarding leads",
            due_on=local_today(r.due_at),
            due_at=r.due_at,
            overdue=deadlines.is_overdue(r.due_at, now),
        )
        for r in rows
        if r.due_at is not None
    ]
