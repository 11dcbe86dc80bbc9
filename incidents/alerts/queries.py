"""The in-app inbox: a user's alerts, newest first, unread until they open what it is about;
and how many are unread, for the header. Fixed wording and opaque ids: the reference shown is
the case's, to a user entitled to open it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import Session, selectinload

from incidents.models import Alert, AlertKind, AlertPreference, Case, Delivery, User
from incidents.permissions import can_view_case

SHOWN = 20


@dataclass(frozen=True)
class InboxItem:
    kind: AlertKind
    what: str
    at: datetime
    unread: bool
    object_type: str
    object_id: uuid.UUID | None
    reference: str | None


# Where the request's session keeps the header's count once read: the sign-in check reads it
# in its own round trip (`accounts.sessions.resume_user`), so a page asks once, not twice
# (issue 21). Marking alerts read forgets it (`system.case_seen`, `system.object_seen`).
UNREAD = "incidents.alerts_unread"


def unread_of(user_id: Any) -> ScalarSelect[int]:
    """The number of `user_id`'s unread alerts, as a column another query can carry."""
    return (
        select(func.count())
        .select_from(Alert)
        .where(Alert.user_id == user_id, Alert.read_at.is_(None))
        .scalar_subquery()
    )


def unread_count(session: Session, user: User) -> int:
    known = session.info.get(UNREAD)
    if known is not None and known[0] == user.id:
        return int(known[1])
    return session.scalar(select(unread_of(user.id))) or 0


def inbox(session: Session, user: User, limit: int = SHOWN) -> list[InboxItem]:
    """The user's unread alerts, newest first; a case they may no longer open is left out."""
    rows = session.execute(
        select(Alert, Case)
        .outerjoin(Case, Case.id == Alert.case_id)
        .where(Alert.user_id == user.id, Alert.read_at.is_(None))
        .order_by(Alert.created_at.desc(), Alert.id.desc())
        .limit(limit)
        # can_view_case reads each case's subjects: one query for all, not one per alert.
        .options(selectinload(Case.subjects))
    ).all()
    items: list[InboxItem] = []
    for alert, case in rows:
        if case is not None and (case.is_erased or not can_view_case(user, case)):
            continue
        items.append(
            InboxItem(
                kind=alert.kind,
                what=alert.kind.label,
                at=alert.created_at,
                unread=alert.read_at is None,
                object_type=alert.object_type,
                object_id=alert.object_id,
                reference=case.reference if case is not None else None,
            )
        )
    return items


def delivery_of(session: Session, user: User) -> Delivery:
    chosen = session.get(AlertPreference, user.id)
    return chosen.delivery if chosen else Delivery.IMMEDIATE
