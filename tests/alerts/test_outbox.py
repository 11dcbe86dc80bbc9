"""The outbox never loses an email and never sends one twice: the server down, a crash before
the server took the message, a crash after it did, and a run that lost its lease."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.alerts import outbox
from incidents.alerts.transport import SmtpTransport
from incidents.db import new_id
from incidents.models import DisclosureSource, OutboxMessage, OutboxStatus, Role, User
from incidents.models.base import utcnow
from tests import factories
from tests.alerts.conftest import SmtpServer, free_port


class Crash(BaseException):
    """The process dies here (BaseException: nothing in the code under test catches it)."""


def one_report(db: Session, users: dict[Role, User]) -> OutboxMessage:
    """A staff report: two emails (head and DSL); the DSL's is returned."""
    factories.make_case(db, users[Role.STAFF], source=DisclosureSource.STAFF)
    db.commit()
    return db.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == users[Role.DSL].id)
    ).one()


def status(db: Session, row: OutboxMessage) -> OutboxStatus:
    db.expire_all()
    fresh = db.get(OutboxMessage, row.id)
    assert fresh is not None
    return fresh.status


def test_with_the_server_down_the_outbox_keeps_the_email_and_the_next_run_sends_it_once(
    db: Session, users: dict[Role, User], smtp_server: SmtpServer, flush: Any
) -> None:
    row = one_report(db, users)
    down = SmtpTransport("127.0.0.1", free_port(), security="starttls", timeout=2)
    result = flush(down)
    assert result.sent == 0 and result.retried == 2
    assert "ConnectionRefusedError" in result.errors
    assert status(db, row) is OutboxStatus.PENDING
    db.expire_all()
    kept = db.get(OutboxMessage, row.id)
    assert kept is not None and kept.attempts == 1 and kept.last_error == "ConnectionRefusedError"
    # Backoff: not retried at once...
    assert flush().sent == 0
    assert smtp_server.mailbox.received == []
    # ...but a minute later, exactly once.
    with time_machine.travel(utcnow() + timedelta(minutes=1, seconds=1), tick=False):
        assert flush().sent == 2
        assert flush().sent == 0
    assert len(smtp_server.mailbox.to(users[Role.DSL].email)) == 1
    assert status(db, row) is OutboxStatus.SENT


class CrashAfterAccepted:
    """The server accepts the message, then the process dies before the outbox records it."""

    def __init__(self, real: SmtpTransport) -> None:
        self.real = real

    def deliver(self, message: EmailMessage, **kw: Any) -> None:
        self.real.deliver(message, **kw)
        raise Crash


class CrashBeforeTheDot:
    """The whole message is on the wire, then the process dies before asking the server to
    take it (before the outbox's commit point)."""

    def __init__(self, real: SmtpTransport) -> None:
        self.real = real

    def deliver(self, message: EmailMessage, *, commit_point: Any, **kw: Any) -> None:
        def die() -> bool:
            raise Crash

        self.real.deliver(message, commit_point=die, **kw)


def test_a_crash_between_send_and_commit_does_not_send_twice(
    db: Session, users: dict[Role, User], smtp_server: SmtpServer, flush: Any
) -> None:
    one_report(db, users)
    with pytest.raises(Crash):
        flush(CrashAfterAccepted(smtp_server.transport()))
    assert len(smtp_server.mailbox.received) == 1  # the server has it
    (taken,) = db.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.COMMITTING)
    ).all()
    # Runs while the dead run's lease holds leave it alone; after the lease, it is marked
    # unconfirmed and never resent.
    flush()
    assert len(smtp_server.mailbox.to(smtp_server.mailbox.received[0].rcpt_tos[0])) == 1
    with time_machine.travel(utcnow() + outbox.LEASE + timedelta(seconds=1), tick=False):
        result = flush()
    assert result.unconfirmed == 1
    assert status(db, taken) is OutboxStatus.UNCONFIRMED
    with time_machine.travel(utcnow() + timedelta(hours=3), tick=False):
        flush()
    recipients = [r.rcpt_tos[0] for r in smtp_server.mailbox.received]
    assert sorted(recipients) == sorted([users[Role.HEADTEACHER].email, users[Role.DSL].email])


def test_a_crash_before_the_server_takes_it_is_sent_once_by_the_next_run(
    db: Session, users: dict[Role, User], smtp_server: SmtpServer, flush: Any
) -> None:
    one_report(db, users)
    with pytest.raises(Crash):
        flush(CrashBeforeTheDot(smtp_server.transport()))
    # The connection dropped without the final ".": the server discarded the message.
    assert smtp_server.mailbox.received == []
    (claimed,) = db.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENDING)
    ).all()
    with time_machine.travel(utcnow() + outbox.LEASE + timedelta(seconds=1), tick=False):
        assert flush().sent == 2
    assert status(db, claimed) is OutboxStatus.SENT
    assert len(smtp_server.mailbox.received) == 2
    ids = [r.message["Message-ID"] for r in smtp_server.mailbox.received]
    assert len(set(ids)) == 2


def test_a_run_that_lost_its_lease_never_sends(
    db: Session,
    users: dict[Role, User],
    smtp_server: SmtpServer,
    flush: Any,
    session_factory: Any,
    mail_settings: Any,
) -> None:
    """A run stalled past its lease while another took the message over: the stalled run
    stops before the final "." and the other sends it, once."""
    one_report(db, users)
    stalled_transport = smtp_server.transport()

    class Stall:
        def deliver(self, message: EmailMessage, *, commit_point: Any, **kw: Any) -> None:
            def late() -> bool:
                # Meanwhile, the lease expired and another run took the message and sent it.
                with time_machine.travel(utcnow() + outbox.LEASE + timedelta(seconds=5)):
                    outbox.flush(session_factory, smtp_server.transport(), mail_settings, limit=1)
                return bool(commit_point())

            stalled_transport.deliver(message, commit_point=late, **kw)

    outbox.flush(session_factory, Stall(), mail_settings, limit=1)
    assert len(smtp_server.mailbox.received) == 1


def test_an_email_to_a_closed_account_is_cancelled(
    db: Session, users: dict[Role, User], smtp_server: SmtpServer, flush: Any
) -> None:
    row = one_report(db, users)
    users[Role.DSL].is_active = False
    db.commit()
    assert flush().cancelled == 1
    assert status(db, row) is OutboxStatus.CANCELLED
    assert smtp_server.mailbox.to(users[Role.DSL].email) == []


def test_backoff_doubles_and_never_gives_up() -> None:
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert outbox.backoff(40) == timedelta(hours=1)


def test_a_transition_outside_the_table_is_refused(db: Session) -> None:
    with pytest.raises(ValueError, match="cannot go from sent to pending"):
        outbox.move(db, new_id(), OutboxStatus.SENT, OutboxStatus.PENDING)
