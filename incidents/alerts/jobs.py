"""What `incidents jobs run` does besides sending: a lease so the job never runs twice at once
(across processes and machines: a row in the database, taken by a guarded UPDATE), the watch
on scheduled audit checkpoints, and the list of cases due for a retention review."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from incidents.admin.audit.queries import audit_status
from incidents.alerts import system
from incidents.clock import local_today
from incidents.models import Case, CaseState, JobLease, School
from incidents.models.base import utcnow

LEASE = timedelta(minutes=10)


def acquire(
    factory: Callable[[], Session], name: str, holder: str, now: datetime | None = None
) -> bool:
    """Take the job's lease if nobody holds an unexpired one; committed at once."""
    now = now or utcnow()
    with factory() as session:
        if session.get(JobLease, name) is None:
            try:
                session.add(JobLease(name=name, holder=holder, expires_at=now + LEASE))
                session.commit()
                return True
            except IntegrityError:
                session.rollback()  # another runner made it first: it holds the lease
        result = session.execute(
            update(JobLease)
            .where(JobLease.name == name, JobLease.expires_at < now)
            .values(holder=holder, expires_at=now + LEASE)
        )
        session.commit()
        return cast(CursorResult[Any], result).rowcount == 1


def renew(factory: Callable[[], Session], name: str, holder: str) -> bool:
    with factory() as session:
        result = session.execute(
            update(JobLease)
            .where(JobLease.name == name, JobLease.holder == holder)
            .values(expires_at=utcnow() + LEASE)
        )
        session.commit()
        return cast(CursorResult[Any], result).rowcount == 1


def release(factory: Callable[[], Session], name: str, holder: str) -> None:
    with factory() as session:
        session.execute(
            update(JobLease)
            .where(JobLease.name == name, JobLease.holder == holder)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()


def watch_checkpoints(session: Session, now: datetime | None = None) -> int:
    """Tell each school's administrators when entries have waited over an hour for a
    checkpoint (once a day while it lasts); returns how many were told."""
    now = now or utcnow()
    told = 0
    for school_id in session.scalars(select(School.id)):
        if audit_status(session, school_id, now=now).schedule_looks_stopped:
            told += system.checkpoints_stopped(session, school_id, local_today(now).isoformat())
    return told


@dataclass(frozen=True)
class RetentionDue:
    urn: str
    reference: str
    retention_until: date


def retention_due(session: Session, today: date | None = None) -> list[RetentionDue]:
    """Closed cases whose retention period has ended: for the school to review, and erase
    with `incidents shred` if nothing (a legal hold, a new allegation) keeps them."""
    today = today or local_today()
    rows = session.execute(
        select(School.urn, Case.reference, Case.retention_until)
        .join(School, School.id == Case.school_id)
        .where(
            Case.state == CaseState.CLOSED,
            Case.retention_until.is_not(None),
            Case.retention_until <= today,
        )
        .order_by(School.urn, Case.retention_until, Case.reference)
    ).all()
    return [RetentionDue(urn, ref, until) for urn, ref, until in rows if until is not None]
