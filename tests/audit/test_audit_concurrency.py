"""Several processes appending to one school's log at once: no forks, no gaps, and the log
verifies. Runs on SQLite (a file) and, when TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import multiprocessing
import uuid

from alembic import command
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.audit import Action, record, tlog
from incidents.audit.verify import verify_school
from incidents.cli import alembic_config
from incidents.crypto import keys
from incidents.crypto.keyring import Keyring
from incidents.db import make_engine
from incidents.models import AuditEntry, AuditLog
from tests import factories
from tests.core.test_migrations import empty_database_url  # noqa: F401  (fixture)

PROCESSES = 4
APPENDS = 40


def _append(url: str, school_id: str, key_json: str, n: int) -> None:
    engine = make_engine(url)
    keyring = Keyring(keys.parse(key_json, "test keys"))
    for _ in range(n):
        with Session(engine, info={"keyring": keyring}) as session:
            record(session, school_id=uuid.UUID(school_id), action=Action.SIGN_IN, actor=None)
            session.commit()
    engine.dispose()


def test_concurrent_appends_never_fork_or_skip(empty_database_url):  # noqa: F811
    url = empty_database_url
    material = keys.generate("test keys")
    keyring = Keyring(material)
    command.upgrade(alembic_config(url, keyring), "head")
    engine = make_engine(url)
    with Session(engine, info={"keyring": keyring}) as session:
        school = factories.make_school(session)
        session.commit()
        school_id, start = school.id, session.get(AuditLog, school.id).size
    key_json = keys._dump(material)
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_append, args=(url, str(school_id), key_json, APPENDS))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    with Session(engine, info={"keyring": keyring}) as session:
        seqs = session.scalars(
            select(AuditEntry.seq).where(AuditEntry.school_id == school_id).order_by(AuditEntry.seq)
        ).all()
        total = start + PROCESSES * APPENDS
        assert seqs == list(range(total))  # gap-free and no two writers took one number
        head = session.get(AuditLog, school_id)
        leaves = session.scalars(
            select(AuditEntry.leaf_hash)
            .where(AuditEntry.school_id == school_id)
            .order_by(AuditEntry.seq)
        ).all()
        assert head.size == total and head.root == tlog.root_of([bytes(h) for h in leaves])
        vkey = tlog.verifier_key("x", bytes(32))
        assert verify_school(session, school_id, vkey=vkey, unanchored=True).ok
    engine.dispose()
