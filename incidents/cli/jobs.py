"""`incidents jobs run`: everything that runs on a schedule, for cron or a systemd timer every
minute. Safe from several machines at once: a lease in the database lets one run work while
the others say so and stop, and each email is claimed row by row (alerts/outbox.py), so even
two runs that overlapped could not send one twice."""

from __future__ import annotations

import functools
import os
import socket
import uuid

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.accounts import drafts
from incidents.admin.schools import get_school_by_urn
from incidents.alerts import clocks, commands, digest, jobs, outbox, transport
from incidents.audit import tlog
from incidents.audit.signer import from_settings as load_signer
from incidents.casework.allegation import concerns
from incidents.cli import cli
from incidents.cli.audit import scheduled_checkpoints
from incidents.cli.common import fail_with, service_session
from incidents.clock import local_today
from incidents.config import Settings
from incidents.crypto.keys import KeyFileError
from incidents.db import refresh_statistics
from incidents.errors import DomainError
from incidents.governance import releases
from incidents.models import School
from incidents.models.base import utcnow

JOB = "jobs.run"
STATISTICS = "jobs.planner_statistics"


@cli.group("jobs")
def jobs_group() -> None:
    """Scheduled work: reminders, digests, the email outbox, checkpoints, retention."""


@jobs_group.command("run")
@with_appcontext
def run() -> None:
    """Raise due reminders and digests, send the outbox, write the scheduled audit checkpoint,
    publish statistics for terms that have ended and list cases due for a retention review.
    Run it every minute."""
    settings: Settings = current_app.extensions["incidents.settings"]
    sessions = current_app.extensions["incidents.sessions"]
    factory = functools.partial(sessions, info={"audit_source": "cli"})
    holder = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    if not jobs.acquire(factory, JOB, holder):
        click.echo("Another run of the jobs is in progress: nothing to do.")
        return
    try:
        with service_session() as session:
            click.echo(f"Reminders raised: {clocks.raise_due(session)}")
        with service_session() as session:
            # KCSIE Part 4 s.2: low-level concerns reviewed for patterns, once a term.
            asked = concerns.prompt_reviews(session, local_today())
            if asked:
                click.echo(f"Low-level concern reviews asked for: {asked}")
        with service_session() as session:
            told = jobs.watch_checkpoints(session)
            if told:
                click.echo(f"Audit checkpoints have stopped: {told} administrators told")
        _checkpoints()
        jobs.renew(factory, JOB, holder)
        with service_session() as session:
            click.echo(f"Digests made: {digest.make_digests(session)}")
        flushed = outbox.flush(factory, transport.from_settings(settings), settings)
        click.echo(
            f"Emails sent: {flushed.sent}; to retry: {flushed.retried}; "
            f"unconfirmed: {flushed.unconfirmed}; cancelled: {flushed.cancelled}"
        )
        for error in sorted(set(flushed.errors)):
            click.echo(f"Mail server error: {error}", err=True)
        jobs.renew(factory, JOB, holder)
        _releases()
        jobs.renew(factory, JOB, holder)
        with service_session() as session:
            # What a user typed before their session ended is kept for 30 minutes only.
            purged = drafts.purge_expired(session)
            if purged:
                click.echo(f"Expired form drafts deleted: {purged}")
        _planner_statistics(factory, holder)
        with service_session() as session:
            for due in jobs.retention_due(session):
                click.echo(
                    f"Retention review: {due.urn} {due.reference} "
                    f"(retention ended {due.retention_until:%d %B %Y})"
                )
    finally:
        jobs.release(factory, JOB, holder)


def _planner_statistics(factory: functools.partial[Session], holder: str) -> None:
    """SQLite's planner statistics, refreshed at most once a lease (ten minutes): its own lease,
    taken and left to expire, so a run every minute does not repeat it (PostgreSQL keeps its
    own: nothing to do there)."""
    with factory() as session:
        if session.get_bind().dialect.name != "sqlite":
            return
    if not jobs.acquire(factory, STATISTICS, holder):
        return
    with service_session() as session:
        if refresh_statistics(session):
            session.commit()
            click.echo("Database statistics refreshed")


def _releases() -> None:
    """Statistics for terms that have ended, published once (issue 18). A release that
    cannot be made (figures changed since an earlier one) is said, and the rest go on."""
    try:
        with service_session() as session:
            made = releases.publish_due(
                session,
                actor=None,
                today=local_today(),
                now=utcnow(),
                settings=current_app.extensions["incidents.stats"],
            )
    except DomainError as exc:
        click.echo(f"Statistics release not published: {exc}", err=True)
        return
    for release in made:
        click.echo(f"Statistics published: {releases.label(release)}")


def _checkpoints() -> None:
    settings: Settings = current_app.extensions["incidents.settings"]
    if settings.signing_key_file is None:
        # Production with the signer apart (docs/deploy.md): the jobs run as the web app's
        # user, which cannot read the key; `incidents audit checkpoint` signs, as its own user.
        click.echo("Checkpoints: left to the signer (`incidents audit checkpoint`)")
        return
    signer = load_signer(settings)
    if isinstance(signer, KeyFileError):
        click.echo(f"Checkpoints not written: {signer}", err=True)
        return
    # A refusal (a log the signer will not sign: rewritten, truncated, a replaced key) is said
    # loudly, and the rest of the jobs (reminders, emails) still run.
    try:
        with service_session() as session:
            session.info["signer"] = signer
            lines, refused = scheduled_checkpoints(session, _all_schools(session))
            for line in lines:
                click.echo(f"Checkpoint {line}")
    except tlog.LogError as exc:
        click.echo(f"Checkpoints NOT written: {exc}", err=True)
        return
    for line in refused:
        click.echo(f"Checkpoint NOT signed: {line}", err=True)


def _all_schools(session: Session) -> list[School]:
    return list(session.scalars(select(School).order_by(School.urn)))


@cli.group("mail")
def mail_group() -> None:
    """Alert emails: each school's reply-to address."""


@mail_group.command("reply-to")
@click.option("--school", "urn", required=True, help="URN of the school.")
@click.argument("address")
@with_appcontext
def reply_to(urn: str, address: str) -> None:
    """Send replies to the school's alert emails to ADDRESS (the school office, say)."""
    try:
        with service_session() as session:
            commands.set_reply_to(session, school=get_school_by_urn(session, urn), address=address)
    except DomainError as exc:
        raise fail_with(exc) from None
    click.echo(f"{urn}: replies to alert emails go to {address.strip()}")
