"""Flushing the outbox: every email is kept until the mail server accepts it, retried with
backoff, and sent at most once, from any number of runs on any number of machines.

How exactly-once holds. Each outbox row moves through the transitions below, each a guarded
UPDATE (`WHERE status = <from>`) committed in its own short transaction, so two runners can
never both win one step:

1. claim: pending -> sending, with a lease (its expiry is the claim's identity); committed
   before any network traffic.
2. transfer the whole message over SMTP, all but the final ".".
3. commit point: sending -> committing, only if our lease still holds; committed.
4. send the ".": the server accepts (250) and holds the message.
5. sending recorded: committing -> sent, with the audit entry; committed.

A failure before 3 (server down, refused, timeout, crash) leaves the server with nothing:
the row goes back to pending with backoff (or its lease expires and it is recovered to
pending), and the next run sends it once. A run that lost its lease never sends the dot.

The one window: between 3 and 5 (one "." on the wire, the server's reply, and one UPDATE). If
the process dies there, the server may or may not hold the message. Such a row is never resent
automatically: when its lease expires it becomes `unconfirmed` (counted by `incidents jobs run`
and kept with its alerts in the in-app inbox, which never depends on email). The window is
bounded to one round trip plus one commit; every attempt carries the row's own Message-ID, so
if an operator does resend one, the copy is recognisable as the same message.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from incidents import audit
from incidents.alerts.messages import Sender, compose
from incidents.alerts.transport import NotOurs, Transport
from incidents.config import Settings
from incidents.models import OutboxMessage, OutboxStatus, School, SchoolMail, User
from incidents.models.base import utcnow

log = logging.getLogger(__name__)

S = OutboxStatus
# The outbox's transition table: nothing moves a row any other way.
TRANSITIONS = frozenset(
    {
        (S.PENDING, S.SENDING),  # claimed, with a lease
        (S.SENDING, S.COMMITTING),  # the whole message transferred; the "." goes next
        (S.SENDING, S.PENDING),  # failed before the "." (or its lease expired): retry
        (S.SENDING, S.CANCELLED),  # the recipient's account was closed meanwhile
        (S.COMMITTING, S.SENT),  # the server accepted it
        (S.COMMITTING, S.PENDING),  # the server answered the "." with a refusal: retry
        (S.COMMITTING, S.UNCONFIRMED),  # no answer to the ".": never resent automatically
    }
)
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8... minutes after each failed attempt, at most an hour: never given up."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def move(
    session: Session,
    row_id: uuid.UUID,
    source: OutboxStatus,
    target: OutboxStatus,
    *guards: Any,
    **values: Any,
) -> bool:
    """One transition, guarded by the row's current status: True if this caller made it."""
    if (source, target) not in TRANSITIONS:
        raise ValueError(f"an outbox message cannot go from {source} to {target}")
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == source, *guards)
        .values(status=target, **values)
    )
    return cast(CursorResult[Any], result).rowcount == 1


@dataclass
class Flushed:
    sent: int = 0
    retried: int = 0
    unconfirmed: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)


Clock = Callable[[], datetime]


def recover(factory: Callable[[], Session], now: datetime) -> Flushed:
    """Rows whose runner died: before the "." they are retried; after it, unconfirmed."""
    result = Flushed()
    with factory() as session:
        expired = session.execute(
            select(OutboxMessage.id, OutboxMessage.status).where(
                OutboxMessage.status.in_((S.SENDING, S.COMMITTING)),
                OutboxMessage.lease_until < now,
            )
        ).all()
        for row_id, status in expired:
            stale = OutboxMessage.lease_until < now
            if status is S.SENDING:
                move(session, row_id, S.SENDING, S.PENDING, stale, lease_until=None)
            elif move(session, row_id, S.COMMITTING, S.UNCONFIRMED, stale, lease_until=None):
                log.warning("outbox message %s: its runner stopped as the server took it", row_id)
                result.unconfirmed += 1
        session.commit()
    return result


def _claim(factory: Callable[[], Session], now: datetime) -> tuple[uuid.UUID, datetime] | None:
    with factory() as session:
        candidates = session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == S.PENDING, OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.urgent.desc(), OutboxMessage.created_at)
            .limit(20)
        ).all()
        for row_id in candidates:
            lease = now + LEASE
            if move(
                session,
                row_id,
                S.PENDING,
                S.SENDING,
                lease_until=lease,
                attempts=OutboxMessage.attempts + 1,
            ):
                session.commit()
                return row_id, lease
        session.commit()
    return None


def flush(
    factory: Callable[[], Session],
    transport: Transport,
    settings: Settings,
    *,
    clock: Clock = utcnow,
    limit: int = 500,
) -> Flushed:
    """Send what is due, one message per claim, until nothing is due (or `limit`)."""
    result = recover(factory, clock())
    for _ in range(limit):
        claimed = _claim(factory, clock())
        if claimed is None:
            break
        _attempt(factory, transport, settings, *claimed, result=result, clock=clock)
    return result


def _attempt(
    factory: Callable[[], Session],
    transport: Transport,
    settings: Settings,
    row_id: uuid.UUID,
    lease: datetime,
    *,
    result: Flushed,
    clock: Clock,
) -> None:
    ours = OutboxMessage.lease_until == lease
    with factory() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None  # noqa: S101 - claimed just now, and rows are never deleted
        user = session.get(User, row.recipient_id)
        school = session.get(School, row.school_id)
        if user is None or school is None or not user.is_active:
            move(session, row_id, S.SENDING, S.CANCELLED, ours, lease_until=None)
            session.commit()
            result.cancelled += 1
            return
        mail = session.get(SchoolMail, school.id)
        sender = Sender(
            school.name, settings.mail_from, mail.reply_to if mail else None, settings.base_url
        )
        message = compose(row, to_address=user.email, sender=sender)
        # No transaction stays open over the network: on SQLite it would block every writer.
        session.commit()

    passed = False

    def commit_point() -> bool:
        nonlocal passed
        with factory() as point:
            passed = move(point, row_id, S.SENDING, S.COMMITTING, ours)
            point.commit()
        return passed

    try:
        transport.deliver(
            message,
            sender=settings.mail_from,
            recipient=str(message["To"]),
            commit_point=commit_point,
        )
    except NotOurs:
        return
    except (OSError, smtplib.SMTPException) as exc:
        _failed(factory, row_id, exc, passed=passed, ours=ours, clock=clock, result=result)
        return
    with factory() as session:
        if move(session, row_id, S.COMMITTING, S.SENT, ours, sent_at=clock(), lease_until=None):
            _audit(session, row_id)
        session.commit()
    result.sent += 1


def _failed(
    factory: Callable[[], Session],
    row_id: uuid.UUID,
    exc: Exception,
    *,
    passed: bool,
    ours: Any,
    clock: Clock,
    result: Flushed,
) -> None:
    # Class and SMTP code only: a server's reply can quote the address.
    code = getattr(exc, "smtp_code", None)
    error = f"{type(exc).__name__}{f' {code}' if code else ''}"[:200]
    result.errors.append(error)
    with factory() as session:
        row = session.get(OutboxMessage, row_id)
        attempts = row.attempts if row else 1
        retry = {
            "next_attempt_at": clock() + backoff(attempts),
            "last_error": error,
            "lease_until": None,
        }
        if not passed:
            move(session, row_id, S.SENDING, S.PENDING, ours, **retry)
            result.retried += 1
        elif isinstance(exc, smtplib.SMTPResponseException):
            # The server answered the "." with a refusal: it holds nothing.
            move(session, row_id, S.COMMITTING, S.PENDING, ours, **retry)
            result.retried += 1
        else:
            # The "." went and no answer came back: the server may hold it.
            move(
                session,
                row_id,
                S.COMMITTING,
                S.UNCONFIRMED,
                ours,
                last_error=error,
                lease_until=None,
            )
            result.unconfirmed += 1
        session.commit()


def _audit(session: Session, row_id: uuid.UUID) -> None:
    """Every alert sent is an audit entry: to whom (by id), which kind, which case (by id)."""
    row = session.get(OutboxMessage, row_id)
    assert row is not None  # noqa: S101 - just moved
    audit.record(
        session,
        school_id=row.school_id,
        action=audit.Action.ALERT_SENT,
        actor=None,
        case_id=row.case_id,
        object_type="user",
        object_id=row.recipient_id,
        detail={"kind": row.kind.value, "message": str(row.id), "urgent": row.urgent},
        checkpoint=False,
    )
