"""Who may be given a task on a case."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.models import Case, User
from incidents.permissions import can_view_case


def case_workers(session: Session, case: Case) -> list[User]:
    """Users who may work this case (same school, a case-work role, not a subject)."""
    users = session.scalars(
        select(User).where(User.school_id == case.school_id, User.is_active.is_(True))
    )
    return [u for u in users if can_view_case(u, case)]
