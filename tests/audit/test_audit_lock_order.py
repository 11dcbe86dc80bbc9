"""One lock order on PostgreSQL (issue 19, item 5): case numbering used to lock the school row
before the audit log's head while every other append locked the head first and then
share-locked the same row through the entry's foreign key, so new cases and notes written at
once deadlocked. Now everything takes the log's head first. 8 processes x 100 mixed
operations (new cases and notes) in one school: no deadlock, no retry, every operation done.

PostgreSQL only (SQLite has one writer at a time, and no row locks to order): it runs in CI's
PostgreSQL pass, where TEST_DATABASE_URL is set."""

from __future__ import annotations

import multiprocessing
import os
import random
import time
import uuid
from pathlib import Path

import pytest
from alembic import command
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.audit.signer import Signer
from incidents.audit.verify import verify_school
from incidents.casework.cases.notes import add_note
from incidents.cli import alembic_config
from incidents.crypto import keys
from incidents.crypto.keyring import Keyring
from incidents.db import make_engine
from incidents.models import AuditEntry, Case, Person, Role, User
from tests import factories
from tests.own_database import own_database

PROCESSES = 8
OPERATIONS = 100

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="PostgreSQL lock order: runs when TEST_DATABASE_URL names a PostgreSQL server",
)


def _work(
    url: str, key_json: str, signing: bytes, user_ids: list[str], subject: str, seed: int, out
) -> None:
    """Mixed operations, each its own transaction, no retry: any error is reported back."""
    engine = make_engine(url)
    keyring = Keyring(keys.parse(key_json, "test keys"))
    signer = Signer("test-audit", Ed25519PrivateKey.from_private_bytes(signing))
    rng = random.Random(seed)
    errors: list[str] = []
    for _ in range(OPERATIONS):
        with Session(engine, info={"keyring": keyring, "signer": signer}) as session:
            try:
                actor = session.get(User, uuid.UUID(rng.choice(user_ids)))
                assert actor is not None
                cases = session.scalars(
                    select(Case.id).where(Case.school_id == actor.school_id).limit(20)
                ).all()
                if cases and rng.random() < 0.5:
                    case = session.get(Case, rng.choice(cases))
                    add_note(session, actor=actor, case=case, body="Rang the LADO for advice.")
                else:
                    person = session.get(Person, uuid.UUID(subject))
                    factories.make_case(session, actor, subjects=[person])
                session.commit()
            except Exception as exc:  # every failure is counted, none hidden
                session.rollback()
                errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    out.put(errors)
    engine.dispose()


def test_mixed_writers_never_deadlock(tmp_path: Path) -> None:
    with own_database(tmp_path, "lock_order") as url:
        material = keys.generate("test keys")
        keyring = Keyring(material)
        command.upgrade(alembic_config(url, keyring), "head")
        engine = make_engine(url)
        private = Ed25519PrivateKey.generate()
        signer = Signer("test-audit", private)
        with Session(engine, info={"keyring": keyring, "signer": signer}) as session:
            school = factories.make_school(session)
            users = [
                factories.make_user(session, school, role)
                for role in (Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL)
            ]
            first = factories.make_case(session, users[0])
            session.commit()
            user_ids = [str(u.id) for u in users]
            subject = str(first.subjects[0].id)
            school_id = school.id
        raw = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        context = multiprocessing.get_context("spawn")
        out = context.Queue()
        started = time.monotonic()
        workers = [
            context.Process(
                target=_work, args=(url, keys._dump(material), raw, user_ids, subject, seed, out)
            )
            for seed in range(PROCESSES)
        ]
        for worker in workers:
            worker.start()
        errors = [e for _ in workers for e in out.get(timeout=170)]
        for worker in workers:
            worker.join(10)
        elapsed = time.monotonic() - started
        deadlocks = [e for e in errors if "Deadlock" in e or "deadlock" in e]
        assert deadlocks == [] and errors == [], (len(deadlocks), errors[:5])
        with Session(engine, info={"keyring": keyring}) as session:
            appended = session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.school_id == school_id)
            )
            report = verify_school(session, school_id, vkey=signer.verifier_key)
            assert report.ok, report.problems
        engine.dispose()
        print(f"{PROCESSES}x{OPERATIONS} operations, {appended} entries in {elapsed:.1f} s")
