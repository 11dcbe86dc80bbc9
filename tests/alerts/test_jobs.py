"""`incidents jobs run`: what one run does, the lease that keeps it single, and two runs
started together from two processes sending each email exactly once (SQLite, and PostgreSQL
when TEST_DATABASE_URL points at it)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine
from alembic import command
from flask import Flask
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from incidents.alerts import jobs
from incidents.audit import signer as signing
from incidents.cli import alembic_config
from incidents.clock import local_today
from incidents.crypto import keys
from incidents.crypto.keyring import Keyring
from incidents.db import make_engine
from incidents.models import (
    Case,
    CaseKind,
    CaseOutcome,
    CaseState,
    DisclosureSource,
    EmploymentOutcome,
    JobLease,
    OutboxMessage,
    OutboxStatus,
    Role,
)
from incidents.models.base import utcnow
from tests import REPO, factories
from tests.alerts.conftest import SmtpServer
from tests.conftest import run_cli
from tests.own_database import own_database


def test_one_run_sends_the_outbox_writes_the_checkpoint_and_lists_retention_reviews(
    signed_app: Flask, tmp_path: Path
) -> None:
    db = signed_app.extensions["incidents.sessions"]()
    school = factories.make_school(db)
    head = factories.make_user(db, school, Role.HEADTEACHER)
    factories.make_user(db, school, Role.DSL)
    staff = factories.make_user(db, school, Role.STAFF)
    factories.make_case(db, staff, source=DisclosureSource.STAFF)
    old = factories.make_case(db, head)
    db.commit()
    # A case closed long ago whose retention period ended yesterday.
    db.execute(
        update(Case)
        .where(Case.id == old.id)
        .values(
            state=CaseState.CLOSED,
            kind=CaseKind.POLICY_BREACH,
            outcome=CaseOutcome.UPHELD,
            closed_at=utcnow(),
            retention_rule="6 years after closure",
            retention_until=local_today() - timedelta(days=1),
            mention_in_references=False,
            employment_outcome=EmploymentOutcome.CONTINUES,
        )
    )
    db.commit()

    result = run_cli(signed_app, "jobs", "run")

    assert result.exit_code == 0, result.output
    assert "Emails sent: " in result.output
    assert f"Checkpoint {school.urn}:" in result.output
    assert f"Retention review: {school.urn} {old.reference}" in result.output
    # Development mail goes to files: the demo needs no mail server.
    mail = list(
        (signed_app.instance_path and Path(signed_app.instance_path) / "mail").glob("*.eml")
    )
    sent = db.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT)).all()
    assert len(mail) == len(sent) >= 2
    # The lease was given back: the next run works too, with nothing left to send.
    again = run_cli(signed_app, "jobs", "run")
    assert "Emails sent: 0" in again.output


def test_the_lease_lets_one_run_work_at_a_time(signed_app: Flask) -> None:
    factory = signed_app.extensions["incidents.sessions"]
    assert jobs.acquire(factory, "test.job", "first")
    assert not jobs.acquire(factory, "test.job", "second")
    result = run_cli(signed_app, "jobs", "run")
    assert "nothing to do" not in result.output  # another job's lease: this one runs
    jobs.release(factory, "test.job", "first")
    assert jobs.acquire(factory, "test.job", "second")
    # A holder that died: its lease expires and the next run takes it over.
    assert jobs.acquire(factory, "test.job", "third", now=utcnow() + jobs.LEASE * 2)
    assert jobs.acquire(factory, "jobs.run", "someone")
    assert "Another run of the jobs is in progress" in run_cli(signed_app, "jobs", "run").output


def test_a_run_gathers_sqlites_planner_statistics_at_most_once_in_ten_minutes(
    signed_app: Flask,
) -> None:
    """SQLite gathers none by itself (issue 21: without them a case page read a school's whole
    log); PostgreSQL's autovacuum does, so a run there leaves it alone."""
    db = signed_app.extensions["incidents.sessions"]()
    factories.make_case(db, factories.make_user(db, factories.make_school(db), Role.HEADTEACHER))
    db.commit()
    first = run_cli(signed_app, "jobs", "run")
    assert first.exit_code == 0, first.output
    if db.get_bind().dialect.name != "sqlite":
        assert "Database statistics" not in first.output
        assert db.get(JobLease, "jobs.planner_statistics") is None
        return
    assert "Database statistics refreshed" in first.output
    sampled = set(db.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")))
    assert {"audit_entry", "case_file"} <= sampled
    # The next run, a minute later, does not gather them again; one past the lease does.
    assert "Database statistics" not in run_cli(signed_app, "jobs", "run").output
    later = utcnow() + jobs.LEASE + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert "Database statistics refreshed" in run_cli(signed_app, "jobs", "run").output


AT_THE_SUITES_MOMENT = (
    "import os, datetime, time_machine\n"
    "moment = os.environ.get('INCIDENTS_TEST_NOW')\n"
    "if moment:\n"
    "    time_machine.travel(datetime.datetime.fromisoformat(moment), tick=True).start()\n"
    "from incidents.cli import cli\n"
)


def test_two_runs_started_together_send_each_email_exactly_once(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    with own_database(tmp_path, "alerts_jobs") as url:
        material = keys.generate("test keys")
        keyring = Keyring(material)
        key_file = tmp_path / "keys.json"
        keys.write_file(key_file, material, new=True)
        signing_key = tmp_path / "audit.key"
        signing.generate(signing_key)
        command.upgrade(alembic_config(url, keyring), "head")
        engine = make_engine(url)
        with Session(engine, info={"keyring": keyring}) as session:
            school = factories.make_school(session)
            for role in (Role.HEADTEACHER, Role.DSL):
                factories.make_user(session, school, role)
            staff = factories.make_user(session, school, Role.STAFF)
            for _ in range(12):
                factories.make_case(session, staff, source=DisclosureSource.STAFF)
            session.commit()
            expected = set(session.scalars(select(OutboxMessage.message_id)))
        assert len(expected) == 24
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "MAIL_"))},
            "INCIDENTS_ENV": "development",
            "INCIDENTS_INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": url,
            "INCIDENTS_KEY_FILE": str(key_file),
            "INCIDENTS_SIGNING_KEY_FILE": str(signing_key),
            "AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": smtp_server.host,
            "SMTP_PORT": str(smtp_server.port),
            "SMTP_SECURITY": "starttls",
            "SMTP_FROM": "alerts@hilltop.example",
            "SMTP_CA_FILE": str(smtp_server.ca_file),
            "INCIDENTS_BASE_URL": "https://incidents.hilltop.example",
        }
        if os.environ.get("INCIDENTS_TEST_NOW"):
            # The runs are other processes: they travel to this process's moment (the suite's
            # INCIDENTS_TEST_NOW, ticked on since), or messages made "now" here would not be
            # due yet in theirs.
            env["INCIDENTS_TEST_NOW"] = datetime.now(UTC).isoformat()
        run = [sys.executable, "-c", AT_THE_SUITES_MOMENT + "cli()", "jobs", "run"]
        runs = [
            subprocess.Popen(
                run, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            for _ in range(2)
        ]
        outputs = [r.communicate(timeout=180)[0] for r in runs]
        assert [r.returncode for r in runs] == [0, 0], outputs
        received = [r.message["Message-ID"] for r in smtp_server.mailbox.received]
        assert sorted(received) == sorted(expected), outputs  # each once, none lost
        with Session(engine) as session:
            statuses = set(session.scalars(select(OutboxMessage.status)))
        assert statuses == {OutboxStatus.SENT}
        engine.dispose()


def test_two_flushes_racing_on_one_outbox_never_share_a_message(
    tmp_path: Path, smtp_server: SmtpServer, settings: object
) -> None:
    """Without the job's lease (two runs that overlapped after one stalled past it), the
    per-message claims alone keep each email single."""
    import threading

    from incidents.alerts import outbox

    with own_database(tmp_path, "alerts_race") as url:
        keyring = Keyring(keys.generate("test keys"))
        command.upgrade(alembic_config(url, keyring), "head")
        engine = make_engine(url)
        with Session(engine, info={"keyring": keyring}) as session:
            school = factories.make_school(session)
            factories.make_user(session, school, Role.HEADTEACHER)
            factories.make_user(session, school, Role.DSL)
            staff = factories.make_user(session, school, Role.STAFF)
            for _ in range(8):
                factories.make_case(session, staff, source=DisclosureSource.STAFF)
            session.commit()

        def factory() -> Session:
            return Session(engine, info={"keyring": keyring}, expire_on_commit=False)

        mail = dataclasses.replace(
            settings,  # type: ignore[type-var]
            mail_from="alerts@hilltop.example",
            base_url="https://incidents.hilltop.example",
        )
        threads = [
            threading.Thread(target=outbox.flush, args=(factory, smtp_server.transport(), mail))
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        ids = [r.message["Message-ID"] for r in smtp_server.mailbox.received]
        assert len(ids) == 16 and len(set(ids)) == 16
        engine.dispose()
