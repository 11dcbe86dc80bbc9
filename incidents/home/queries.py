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
from incidents.clock import local_today
from incidents.models import Case, Referral, ReferralStatus, Role, Task, User
from incidents.models.base import utcnow
from incidents.permissions import Permission, can_progress, has_permission
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


def _mine(actor: User, case: Case) -> bool:
    if case.case_manager_id == actor.id:
        return True
    return case.case_manager_id is None and actor.has_role(Role.DSL, Role.DEPUTY_DSL)


def due_items(session: Session, *, actor: User, now: datetime | None = None) -> list[DueItem]:
    now = now or utcnow()
    today: date = local_today(now)
    items: list[DueItem] = []
    open_tasks = session.scalars(
        select(Task).where(
            Task.assignee_id == actor.id, Task.done_at.is_(None), Task.due_on <= today
        )
    )
    for task in open_tasks:
        if not can_progress(actor, task.case):
            continue
        what = "A task you added" if task.kind.value == "custom" else task.kind.label
        items.append(
            DueItem(
                task.case_id,
                task.case.reference,
                what,
                f"{task.due_on:%d %B %Y}",
                task.due_on < today,
            )
        )
    clocks = session.scalars(
        select(Referral)
        .join(Case)
        .where(
            Case.school_id == actor.school_id,
            Referral.status == ReferralStatus.DRAFT,
            Referral.due_at.is_not(None),
        )
    )
    for referral in clocks:
        due_at = referral.due_at
        if (
            due_at is None
            or not can_progress(actor, referral.case)
            or not _mine(actor, referral.case)
        ):
            continue
        overdue = deadlines.is_overdue(due_at, now)
        if overdue or deadlines.is_due_today(due_at, now):
            items.append(
                DueItem(
                    referral.case_id,
                    referral.case.reference,
                    f"Referral to the {referral.agency.label}",
                    _london(due_at),
                    overdue,
                )
            )
    return sorted(items, key=lambda i: (not i.overdue, i.reference))


def _london(moment: datetime) -> str:
    return london_datetime(moment)  # the one date-and-time format (issue 17, item 10)
