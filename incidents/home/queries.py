"""What is due today or overdue for one user: their open tasks, and the statutory referral
clocks on the cases they manage (for a case sent straight to the LADO, its safeguarding leads);
and for whoever handles them, the subject access requests falling due."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import deadlines
from incidents.alerts.queries import InboxItem, inbox
from incidents.casework.cases.queries import visible_where
from incidents.clock import local_today
from incidents.models import Case, Referral, ReferralStatus, Role, Task, TaskKind, User
from incidents.models.base import utcnow
from incidents.permissions import Permission, has_permission
from incidents.registers.subject_access import commands as subject_access
from incidents.web.filters import london_datetime


@dataclass(frozen=True)
class DueItem:
    case_id: uuid.UUID
    reference: str
    # Fixed wording only (task kinds, agency names): a home page shows no case content.
    what: str
    due: str
    overdue: bool


@dataclass(frozen=True)
class Due:
    """Everything the home page lists as due."""

    case_work: list[DueItem]
    requests: list[subject_access.DueRequest]
    # The alerts inbox ("Needs your attention"), newest first.
    attention: list[InboxItem]


def due_for(session: Session, *, actor: User) -> Due:
    """What `actor` has due: case work if they progress cases, requests if they handle them."""
    return Due(
        case_work=due_items(session, actor=actor)
        if has_permission(actor, Permission.CASE_PROGRESS)
        else [],
        # Empty for anyone who does not handle subject access requests.
        requests=subject_access.due_requests(session, actor=actor),
        attention=inbox(session, actor),
    )


def _mine(actor: User, case_manager_id: uuid.UUID | None) -> bool:
    if case_manager_id == actor.id:
        return True
    return case_manager_id is None and actor.has_role(Role.DSL, Role.DEPUTY_DSL)


def due_items(session: Session, *, actor: User, now: datetime | None = None) -> list[DueItem]:
    """Two queries whatever the number of tasks (issue 21: this page once loaded every task's
    case and its related tables one by one): only the columns the page shows, and the cases
    the actor may progress (can_progress) chosen in SQL."""
    now = now or utcnow()
    today: date = local_today(now)
    progressable = [*visible_where(session, actor), Case.erased_at.is_(None)]
    items: list[DueItem] = []
    open_tasks = session.execute(
        select(Task.case_id, Case.reference, Task.kind, Task.due_on)
        .join(Case, Case.id == Task.case_id)
        .where(
            Task.assignee_id == actor.id,
            Task.done_at.is_(None),
            Task.due_on <= today,
            *progressable,
        )
    )
    for case_id, reference, kind, due_on in open_tasks:
        what = "A task you added" if kind is TaskKind.CUSTOM else kind.label
        items.append(DueItem(case_id, reference, what, f"{due_on:%d %B %Y}", due_on < today))
    clocks = session.execute(
        select(
            Referral.case_id,
            Case.reference,
            Case.case_manager_id,
            Referral.agency,
            Referral.due_at,
        )
        .join(Case, Case.id == Referral.case_id)
        .where(
            Referral.status == ReferralStatus.DRAFT,
            Referral.due_at.is_not(None),
            *progressable,
        )
    )
    for case_id, reference, manager_id, agency, due_at in clocks:
        if due_at is None or not _mine(actor, manager_id):
            continue
        overdue = deadlines.is_overdue(due_at, now)
        if overdue or deadlines.is_due_today(due_at, now):
            items.append(
                DueItem(
                    case_id,
                    reference,
                    f"Referral to the {agency.label}",
                    _london(due_at),
                    overdue,
                )
            )
    return sorted(items, key=lambda i: (not i.overdue, i.reference))


def _london(moment: datetime) -> str:
    return london_datetime(moment)  # the one date-and-time format (issue 17, item 10)
