"""The daily digest, at 07:00 London on working days: one email per user counting the alerts
they chose to receive once a day and their tasks due today or overdue. Made by the first run of
the day at or after 07:00 (a marker row records the day), and once per user and day (its
outbox row's key), however often the job runs; what arrives later waits for tomorrow's."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from incidents import deadlines
from incidents.alerts import system
from incidents.clock import SCHOOL_TZ, local_today
from incidents.models import Alert, AlertKind, Delivery, JobLease, OutboxMessage, Task, User
from incidents.models.base import utcnow
from incidents.permissions import can_view_case

DIGEST_AT = time(7, 0)
# A job_lease row used as a record: its holder is the last day the digests were made.
MARKER = "alerts.digest_day"


def is_digest_time(now: datetime) -> bool:
    local = now.astimezone(SCHOOL_TZ)
    return deadlines.is_working_day(local.date()) and local.time() >= DIGEST_AT


def make_digests(session: Session, now: datetime | None = None) -> int:
    """Today's digests, if it is time and they are not made yet; returns how many were made."""
    now = now or utcnow()
    if not is_digest_time(now):
        return 0
    today = local_today(now)
    marker = session.get(JobLease, MARKER)
    if marker is not None and marker.holder == today.isoformat():
        return 0
    if marker is None:
        session.add(JobLease(name=MARKER, holder=today.isoformat(), expires_at=now))
    else:
        marker.holder, marker.expires_at = today.isoformat(), now
    waiting: dict[uuid.UUID, list[Alert]] = defaultdict(list)
    for alert in session.scalars(
        select(Alert).where(Alert.delivery == Delivery.DIGEST, Alert.outbox_id.is_(None))
    ):
        waiting[alert.user_id].append(alert)
    tasks: dict[uuid.UUID, int] = defaultdict(int)
    for task in session.scalars(
        select(Task).where(
            Task.assignee_id.is_not(None), Task.done_at.is_(None), Task.due_on <= today
        )
    ):
        assert task.assignee_id is not None  # noqa: S101 - filtered above
        tasks[task.assignee_id] += 1
    made = 0
    for user_id in sorted(set(waiting) | set(tasks)):
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            continue
        alerts = [a for a in waiting[user_id] if a.read_at is None]
        due_tasks = [
            t
            for t in session.scalars(
                select(Task).where(
                    Task.assignee_id == user_id, Task.done_at.is_(None), Task.due_on <= today
                )
            )
            if can_view_case(user, t.case)
        ]
        items = len(alerts) + len(due_tasks)
        key = f"digest:{user_id}:{today.isoformat()}"
        if items == 0 or session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)
        ):
            continue
        message = system.new_message(
            session,
            school_id=user.school_id,
            recipient_id=user_id,
            kind=AlertKind.DIGEST,
            case_id=None,
            link_path="/",
            items=items,
            dedupe_key=key,
        )
        if waiting[user_id]:
            session.execute(
                update(Alert)
                .where(Alert.id.in_([a.id for a in waiting[user_id]]))
                .values(outbox_id=message.id)
            )
        made += 1
    return made
