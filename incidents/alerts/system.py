"""Raising alerts: the one-line hooks other commands call when something needs someone, and
the rules for who is told. Internal (see the package rule): the calling command has checked
permission and state; nothing here checks either, and no view imports it.

Who is told is read from the case as routing left it (its case manager) and from the same
record-level rule the pages use (`can_view_case`): nobody is ever alerted about a case they may
not open, so a case about the headteacher reaches the chair and never the head."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from incidents.alerts.queries import UNREAD
from incidents.db import new_id
from incidents.models import (
    Alert,
    AlertKind,
    AlertPreference,
    Case,
    Delivery,
    DisclosureSource,
    OutboxMessage,
    OutboxStatus,
    Role,
    Task,
    User,
    UserRole,
)
from incidents.models.base import utcnow
from incidents.models.case_parts import Part, may_have
from incidents.permissions import can_view_case


def _school_users(session: Session, school_id: uuid.UUID, *roles: Role) -> list[User]:
    query = (
        select(User)
        .where(User.school_id == school_id, User.is_active.is_(True))
        .order_by(User.created_at)
    )
    if roles:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(roles))))
    return list(session.scalars(query))


def _unique(users: Iterable[User | None]) -> list[User]:
    seen: dict[uuid.UUID, User] = {}
    for user in users:
        if user is not None and user.is_active and user.id not in seen:
            seen[user.id] = user
    return list(seen.values())


def case_manager(session: Session, case: Case) -> User | None:
    manager = session.get(User, case.case_manager_id) if case.case_manager_id else None
    return manager if manager is not None and can_view_case(manager, case) else None


def safeguarding_leads(session: Session, case: Case, *, deputies: bool) -> list[User]:
    roles = (Role.DSL, Role.DEPUTY_DSL) if deputies else (Role.DSL,)
    return [u for u in _school_users(session, case.school_id, *roles) if can_view_case(u, case)]


def clock_keepers(session: Session, case: Case) -> list[User]:
    """Who a statutory clock's reminders go to: the case manager; with none (a case about both
    the head and the chair), the safeguarding leads."""
    manager = case_manager(session, case)
    return [manager] if manager else safeguarding_leads(session, case, deputies=True)


def overdue_recipients(session: Session, case: Case) -> list[User]:
    """A missed clock: the case manager and the headteacher, or the chair where the head may
    not open the case (they are its subject)."""
    heads = [
        u
        for u in _school_users(session, case.school_id, Role.HEADTEACHER)
        if can_view_case(u, case)
    ]
    if not heads:
        heads = [
            u
            for u in _school_users(session, case.school_id, Role.CHAIR_OF_GOVERNORS)
            if can_view_case(u, case)
        ]
    return _unique([*clock_keepers(session, case), *heads])


def delivery_for(session: Session, user: User, kind: AlertKind) -> Delivery:
    if kind.statutory:
        return Delivery.IMMEDIATE
    chosen = session.get(AlertPreference, user.id)
    return chosen.delivery if chosen else Delivery.IMMEDIATE


def link_for(object_type: str, object_id: uuid.UUID | None) -> str:
    """The page an alert opens, by opaque id (the same paths the views serve)."""
    if object_type == "case" and object_id is not None:
        return f"/cases/{object_id}"
    if object_type == "sar" and object_id is not None:
        return f"/subject-access-requests/{object_id}"
    if object_type == "log":
        return "/admin/audit"
    return "/"


def raise_alert(
    session: Session,
    user: User,
    kind: AlertKind,
    *,
    school_id: uuid.UUID,
    case_id: uuid.UUID | None = None,
    object_type: str = "case",
    object_id: uuid.UUID | None = None,
    dedupe_key: str | None = None,
) -> Alert | None:
    """One alert for one user, in the caller's transaction; with an email in the outbox when
    it goes at once. With `dedupe_key`, raised once ever (None when it already was)."""
    if dedupe_key is not None and session.scalar(
        select(Alert.id).where(Alert.dedupe_key == dedupe_key)
    ):
        return None
    delivery = delivery_for(session, user, kind)
    alert = Alert(
        id=new_id(),
        school_id=school_id,
        user_id=user.id,
        kind=kind,
        case_id=case_id,
        object_type=object_type,
        object_id=object_id if object_id is not None else case_id,
        delivery=delivery,
        dedupe_key=dedupe_key,
    )
    if delivery is Delivery.IMMEDIATE:
        alert.outbox_id = _email(session, alert).id
    session.add(alert)
    session.flush()
    return alert


def _email(session: Session, alert: Alert) -> OutboxMessage:
    """The alert's email. Two alerts about one case for one user, while the first still waits
    in the outbox (a child's disclosure also gives the DSL a task), share one email, worded for
    the more urgent."""
    if alert.case_id is not None:
        waiting = session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.recipient_id == alert.user_id,
                OutboxMessage.case_id == alert.case_id,
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.attempts == 0,
                OutboxMessage.kind != AlertKind.DIGEST,
            )
        )
        if waiting is not None:
            if alert.kind.rank > waiting.kind.rank:
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == waiting.id, OutboxMessage.attempts == 0)
                    .values(kind=alert.kind, urgent=alert.kind.urgent)
                )
            return waiting
    message = new_message(
        session,
        school_id=alert.school_id,
        recipient_id=alert.user_id,
        kind=alert.kind,
        case_id=alert.case_id,
        link_path=link_for(alert.object_type, alert.object_id),
    )
    return message


def new_message(
    session: Session,
    *,
    school_id: uuid.UUID,
    recipient_id: uuid.UUID,
    kind: AlertKind,
    case_id: uuid.UUID | None,
    link_path: str,
    items: int = 1,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    message_id = new_id()
    message = OutboxMessage(
        id=message_id,
        # Fixed for the row's life: every attempt carries the same Message-ID, so a receiving
        # system can recognise a repeat (see outbox.py for when one can happen).
        message_id=f"<{message_id}@incidents.alerts>",
        school_id=school_id,
        recipient_id=recipient_id,
        kind=kind,
        case_id=case_id,
        link_path=link_path,
        items=items,
        urgent=kind.urgent,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
        dedupe_key=dedupe_key,
    )
    session.add(message)
    session.flush()
    return message


# --- The hooks: one line in each command whose event needs someone ---------------------------


def case_opened(session: Session, case: Case, actor: User) -> None:
    """A staff report or a recorded disclosure: the case manager and the DSLs at once; a
    child's disclosure: the DSL and deputies (and the case manager), marked urgent. Whoever
    recorded it already knows."""
    if case.source is DisclosureSource.CHILD:
        kind = AlertKind.CHILD_DISCLOSURE
        told = [case_manager(session, case), *safeguarding_leads(session, case, deputies=True)]
    else:
        kind = AlertKind.NEW_CASE
        told = [case_manager(session, case), *safeguarding_leads(session, case, deputies=False)]
        if case.case_manager_id is None:
            told += safeguarding_leads(session, case, deputies=True)
    for user in _unique(told):
        if user.id != actor.id:
            raise_alert(session, user, kind, school_id=case.school_id, case_id=case.id)


def case_seen(session: Session, actor: User, case: Case) -> None:
    """Opening a case marks the actor's alerts about it read."""
    if not may_have(case, Part.UNREAD_ALERTS):  # the case's own query found none (issue 21)
        return
    session.execute(
        update(Alert)
        .where(Alert.user_id == actor.id, Alert.case_id == case.id, Alert.read_at.is_(None))
        .values(read_at=utcnow())
    )
    session.info.pop(UNREAD, None)  # the header counts again


def object_seen(
    session: Session, actor: User, object_type: str, object_id: uuid.UUID | None
) -> None:
    """Opening a record that is not a case (a subject access request; the audit log, which
    has no id) marks its alerts read."""
    same = Alert.object_id.is_(None) if object_id is None else Alert.object_id == object_id
    session.execute(
        update(Alert)
        .where(
            Alert.user_id == actor.id,
            Alert.object_type == object_type,
            same,
            Alert.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )
    session.info.pop(UNREAD, None)  # the header counts again


def task_assigned(session: Session, task: Task, actor: User | None) -> None:
    """The assignee of a new task, unless they gave it to themselves."""
    if task.assignee_id is None or (actor is not None and task.assignee_id == actor.id):
        return
    assignee = session.get(User, task.assignee_id)
    if assignee is None or not assignee.is_active or not can_view_case(assignee, task.case):
        return
    raise_alert(
        session,
        assignee,
        AlertKind.TASK_ASSIGNED,
        school_id=task.case.school_id,
        case_id=task.case_id,
    )


def log_verified(
    session: Session, school_id: uuid.UUID, ok: bool, actor: User | None = None
) -> None:
    """A failed verification of the school's audit log: its administrators at once. A passing
    one run by an administrator (the audit page's button) marks their log alerts read."""
    if ok:
        if actor is not None:
            object_seen(session, actor, "log", None)
        return
    for admin in _school_users(session, school_id, Role.ADMIN):
        raise_alert(
            session, admin, AlertKind.AUDIT_VERIFY_FAILED, school_id=school_id, object_type="log"
        )


def checkpoints_stopped(session: Session, school_id: uuid.UUID, day: str) -> int:
    """Entries have waited over an hour for a scheduled checkpoint: the administrators, once a
    day while it lasts. Returns how many were told."""
    told = 0
    for admin in _school_users(session, school_id, Role.ADMIN):
        told += (
            raise_alert(
                session,
                admin,
                AlertKind.CHECKPOINTS_STOPPED,
                school_id=school_id,
                object_type="log",
                dedupe_key=f"checkpoints:{school_id}:{day}:{admin.id}",
            )
            is not None
        )
    return told
