"""A crash in the middle of a service call leaves neither the change without its entry nor the
entry without its change, on a real database with real commits (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set): the process dying after the flush, the entry failing to be written,
and the flush after the entry failing. Each time the log head is as it was, and it verifies.
Also: verifying while other processes append and verify raises no false alarm and no deadlock."""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from incidents.admin.audit.commands import verify_and_record
from incidents.audit import Action, record, tlog
from incidents.audit import verify as verify_module
from incidents.audit.verify import verify_school
from incidents.cli import alembic_config
from incidents.crypto import keys
from incidents.crypto.keyring import Keyring
from incidents.db import make_engine
from incidents.models import AuditEntry, AuditLog, Case, Role, School, User
from tests import factories
from tests.own_database import own_database

VKEY = tlog.verifier_key("x", bytes(32))


@dataclass
class Live:
    url: str
    engine: Engine
    key_json: str
    keyring: Keyring
    school_id: uuid.UUID
    head_id: uuid.UUID

    def session(self) -> Session:
        return Session(self.engine, info={"keyring": self.keyring})

    def state(self) -> tuple[int, int, int, bytes]:
        """(cases, entries, head size, head root), read fresh from the database."""
        with self.session() as db:
            head = db.get(AuditLog, self.school_id)
            assert head is not None
            return (
                db.scalar(select(func.count()).select_from(Case)) or 0,
                db.scalar(select(func.count()).select_from(AuditEntry)) or 0,
                head.size,
                bytes(head.root),
            )

    def verifies(self) -> bool:
        with self.session() as db:
            return verify_school(db, self.school_id, vkey=VKEY, unanchored=True).ok


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    # Its own database: these tests commit for real, so they cannot share the test one.
    with own_database(tmp_path, "atomicity") as url:
        material = keys.generate("test keys")
        keyring = Keyring(material)
        command.upgrade(alembic_config(url, keyring), "head")
        engine = make_engine(url)
        with Session(engine, info={"keyring": keyring}) as db:
            school = factories.make_school(db)
            head = factories.make_user(db, school, Role.HEADTEACHER)
            db.commit()
            ids = school.id, head.id
        yield Live(url, engine, keys._dump(material), keyring, *ids)
        engine.dispose()


def _crash_after_flush(url: str, key_json: str, head_id: str) -> None:
    """A worker that records a case (its change and its entry flushed, the transaction open)
    and then dies at once, as a killed process or a power cut would: no rollback runs."""
    engine = make_engine(url)
    keyring = Keyring(keys.parse(key_json, "test keys"))
    db = Session(engine, info={"keyring": keyring})
    head = db.get(User, uuid.UUID(head_id))
    assert head is not None
    factories.make_case(db, head)
    db.flush()
    os._exit(3)


def test_a_process_that_dies_mid_call_leaves_neither(live: Live) -> None:
    before = live.state()
    worker = multiprocessing.get_context("spawn").Process(
        target=_crash_after_flush, args=(live.url, live.key_json, str(live.head_id))
    )
    worker.start()
    worker.join(120)
    assert worker.exitcode == 3  # it got as far as the flush, then died
    assert live.state() == before
    assert live.verifies()
    # And the log carries on from where it was: the next call lands at the same sequence.
    with live.session() as db:
        factories.make_case(db, db.get(User, live.head_id))  # type: ignore[arg-type]
        db.commit()
    assert live.state()[2] > before[2] and live.verifies()


def test_an_entry_that_cannot_be_written_leaves_no_change(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = live.state()

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise OSError("disk full")

    with live.session() as db:
        head = db.get(User, live.head_id)
        assert head is not None
        monkeypatch.setattr("incidents.audit.log.tlog.canonical", broken)
        with pytest.raises(OSError, match="disk full"):
            factories.make_case(db, head)  # the case is flushed before its entry is built
        db.rollback()  # what the web layer and `service_session` do with any exception
    monkeypatch.undo()
    assert live.state() == before
    assert live.verifies()


def test_a_failure_after_the_entry_undoes_the_entry(live: Live) -> None:
    before = live.state()
    with live.session() as db:
        head = db.get(User, live.head_id)
        assert head is not None
        case = factories.make_case(db, head)
        db.flush()
        # The next write of the same call fails: a second case with the same reference.
        db.add(
            Case(
                school_id=case.school_id,
                year=case.year,
                number=case.number,
                reference=case.reference,
                source=case.source,
                became_aware_on=case.became_aware_on,
            )
        )
        with pytest.raises(IntegrityError):
            db.flush()
        db.rollback()
    assert live.state() == before
    assert live.verifies()


# --- verification while the log is in use ------------------------------------------------------

APPENDS = 150
VERIFIERS = 2


def _append_many(url: str, key_json: str, school_id: str, n: int) -> None:
    engine = make_engine(url)
    keyring = Keyring(keys.parse(key_json, "test keys"))
    for _ in range(n):
        with Session(engine, info={"keyring": keyring}) as db:
            record(db, school_id=uuid.UUID(school_id), action=Action.SIGN_IN, actor=None)
            db.commit()
    engine.dispose()


def _verify_many(url: str, key_json: str, school_id: str, n: int) -> None:
    """Verify and record the result, again and again: exits 1 at the first false alarm."""
    engine = make_engine(url)
    keyring = Keyring(keys.parse(key_json, "test keys"))
    for _ in range(n):
        with Session(engine, info={"keyring": keyring}) as db:
            # No signer here, so nothing is checkpointed: the check is of the entries alone.
            report = verify_and_record(
                db, school_id=uuid.UUID(school_id), actor=None, vkey=VKEY, unanchored=True
            )
            db.commit()
            if not report.ok:
                print(report.problems)
                os._exit(1)
    engine.dispose()


def test_verifying_while_others_append_and_verify_gives_no_false_alarm(live: Live) -> None:
    # Under READ COMMITTED an append between reading the head and reading the entries would
    # look like tampering; and two verifiers that each append their result must not deadlock.
    context = multiprocessing.get_context("spawn")
    args = (live.url, live.key_json, str(live.school_id))
    workers = [context.Process(target=_append_many, args=(*args, APPENDS))]
    workers += [context.Process(target=_verify_many, args=(*args, 15)) for _ in range(VERIFIERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(180)
        assert worker.exitcode == 0
    assert live.verifies()
    with live.session() as db:
        results = db.scalar(
            select(func.count()).where(AuditEntry.action == Action.AUDIT_VERIFY.value)
        )
    assert results == 15 * VERIFIERS


def test_a_sound_log_is_verified_on_the_fast_path(live: Live) -> None:
    # The batch checks must accept what this database driver returns (ints and bytes), or
    # every verification would quietly take the slow entry-by-entry path.
    with live.session() as db:
        factories.make_case(db, db.get(User, live.head_id))  # type: ignore[arg-type]
        db.commit()
        head = db.get(AuditLog, live.school_id)
        assert head is not None
        marker = b'"log":' + tlog.canonical({"o": head.origin})[5:-1] + b","
        hashes = verify_module._fast_hashes(db, live.school_id, marker, head.size)
        assert hashes is not None and len(hashes) == head.size


def test_the_admin_buttons_verification_lets_appends_go_on_meanwhile(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21: while the web button verifies, another request's audited step appends to the
    same log without waiting (a held lock would make it wait for the whole verification: here
    it would give up after a second)."""
    from incidents.admin.audit import commands

    with live.session() as db:
        admin_id = factories.make_user(db, db.get(School, live.school_id), Role.ADMIN).id
        db.commit()
    impatient = create_engine(
        live.url,
        connect_args={"timeout": 1} if live.url.startswith("sqlite") else {},
    )
    appended = []
    real = commands.verify_school

    def verify_while_another_appends(session: Session, school_id: uuid.UUID, **options: object):
        with Session(impatient, info={"keyring": live.keyring}) as other:
            if impatient.dialect.name == "postgresql":
                other.execute(text("SET lock_timeout = '1s'"))
            record(other, school_id=school_id, action=Action.SIGN_IN, actor=None)
            other.commit()
            appended.append(True)
        return real(session, school_id, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(commands, "verify_school", verify_while_another_appends)
    with live.session() as db:
        actor = db.get(User, admin_id)
        assert actor is not None
        report = commands.verify_now(db, actor=actor, vkey=VKEY)
        db.commit()
    impatient.dispose()
    assert appended == [True]
    # The snapshot was taken before the other append: the log it saw was whole, and the result
    # went in after it.
    assert not any("tamper" in p for p in report.problems), report.problems
    with live.session() as db:
        actions = list(
            db.scalars(select(AuditEntry.action).order_by(AuditEntry.seq.desc()).limit(2))
        )
    assert actions[1] == Action.SIGN_IN.value
    assert actions[0] in {Action.AUDIT_VERIFY.value, Action.AUDIT_VERIFY_FAILED.value}
