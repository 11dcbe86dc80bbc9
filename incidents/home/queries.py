"""What the home page lists for one user: the caseload of a case worker (`caseload.py`), the
subject access requests falling due for whoever handles them, and the alerts inbox."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from incidents.alerts.queries import InboxItem, inbox
from incidents.home.caseload import Caseload, Sort, caseload
from incidents.models import User
from incidents.permissions import Permission, has_permission
from incidents.registers.subject_access import commands as subject_access


@dataclass(frozen=True)
class Due:
    """Everything the home page lists."""

    # None for a role that sees no cases (staff, governor, admin): least privilege.
    caseload: Caseload | None
    requests: list[subject_access.DueRequest]
    # The alerts inbox ("Needs your attention"), newest first.
    attention: list[InboxItem]


def due_for(session: Session, *, actor: User, sort: Sort = Sort.DEADLINE) -> Due:
    """What `actor` has to do: the caseload if they may list cases, requests if they handle
    them, and their unread alerts."""
    return Due(
        caseload=caseload(session, actor=actor, sort=sort)
        if has_permission(actor, Permission.CASE_LIST)
        else None,
        # Empty for anyone who does not handle subject access requests.
        requests=subject_access.due_requests(session, actor=actor),
        attention=inbox(session, actor),
    )
