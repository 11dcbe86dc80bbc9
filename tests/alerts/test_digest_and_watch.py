"""The daily digest (07:00 on working days, once per person and day, counts only), the watch
on scheduled audit checkpoints, and the demo's inbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from incidents.alerts import commands, digest, jobs
from incidents.alerts.queries import inbox
from incidents.demo import build_demo
from incidents.models import (
    Alert,
    AlertKind,
    AuditCheckpoint,
    DisclosureSource,
    OutboxMessage,
    Role,
    School,
    User,
)
from incidents.models.audit import AuditEntry
from tests import factories

LONDON = ZoneInfo("Europe/London")


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc]


def digests(db: Session, user: User) -> list[OutboxMessage]:
    return list(
        db.scalars(
            select(OutboxMessage).where(
                OutboxMessage.recipient_id == user.id, OutboxMessage.kind == AlertKind.DIGEST
            )
        )
    )


def test_the_digest_holds_chosen_alerts_until_7am_on_a_working_day_then_once(
    db: Session, users: dict[Role, User]
) -> None:
    dsl = users[Role.DSL]
    commands.set_delivery(db, actor=dsl, delivery="digest")
    # Friday's digest went at 07:00; in the evening, two reports. The DSL chose the digest:
    # no email yet, and not until Monday.
    with time_machine.travel(london(2026, 12, 18, 7, 0), tick=False):
        digest.make_digests(db)
    with time_machine.travel(london(2026, 12, 18, 19, 0), tick=False):
        for _ in range(2):
            factories.make_case(db, users[Role.STAFF], source=DisclosureSource.STAFF)
        db.commit()
        assert digest.make_digests(db) == 0
    assert (
        db.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.recipient_id == dsl.id)
        )
        == 0
    )
    # Saturday and Monday before 07:00: nothing. Monday 07:00: one digest counting both.
    for moment in (london(2026, 12, 19, 9, 0), london(2026, 12, 21, 6, 59)):
        with time_machine.travel(moment, tick=False):
            digest.make_digests(db)
    assert digests(db, dsl) == []
    with time_machine.travel(london(2026, 12, 21, 7, 0), tick=False):
        digest.make_digests(db)
        digest.make_digests(db)  # the job runs every minute: still one
    (made,) = digests(db, dsl)
    assert made.items == 2 and made.link_path == "/"
    held = db.scalars(select(Alert).where(Alert.user_id == dsl.id)).all()
    assert {a.outbox_id for a in held} == {made.id}
    # Christmas Day is no working day: no digest, even with a task due.
    with time_machine.travel(london(2026, 12, 25, 9, 0), tick=False):
        assert digest.make_digests(db) == 0


def test_the_administrators_hear_once_a_day_when_checkpoints_stop(
    db: Session, users: dict[Role, User], school: School
) -> None:
    admin = users[Role.ADMIN]
    factories.make_case(db, users[Role.HEADTEACHER])
    db.commit()
    now = datetime.now(UTC)
    # Every entry an hour and a half old, and no checkpoint covers the newest ones.
    db.execute(
        update(AuditEntry)
        .where(AuditEntry.school_id == school.id)
        .values(at=now - timedelta(minutes=90))
    )
    db.execute(update(AuditCheckpoint).where(AuditCheckpoint.school_id == school.id).values(size=1))
    assert jobs.watch_checkpoints(db, now=now) == 1
    assert jobs.watch_checkpoints(db, now=now + timedelta(minutes=1)) == 0
    kinds = db.scalars(select(Alert.kind).where(Alert.user_id == admin.id)).all()
    assert kinds == [AlertKind.CHECKPOINTS_STOPPED]
    assert jobs.watch_checkpoints(db, now=now + timedelta(days=1)) == 1


def test_the_demo_shows_alerts_in_the_inbox(db: Session) -> None:
    school = build_demo(db, password="a demo password for tests")
    db.flush()
    dsl = db.scalars(
        select(User)
        .join(User.role_rows)
        .where(User.school_id == school.id)
        .where(User.role_rows.any(role=Role.DSL))
    ).first()
    assert dsl is not None
    assert inbox(db, dsl), "the demo's DSL has alerts waiting"
