"""Verifying a school's whole audit log and writing the result into that log: pass or fail is
the entry's action, and the figures (entries checked, first bad entry, what was wrong) are its
detail, encrypted under the school's key. No personal data: ids, counts and fixed wording."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.alerts import system as alerts
from incidents.audit.evidence import checkpoint_notes, pinned_key
from incidents.audit.log import LogTampered
from incidents.audit.verify import Report, verify_school
from incidents.db import begin_snapshot
from incidents.errors import Refused
from incidents.models import User
from incidents.models.audit import AuditEntry, AuditLog
from incidents.models.base import utcnow

RESULTS = (audit.Action.AUDIT_VERIFY, audit.Action.AUDIT_VERIFY_FAILED)
# The admin page's button: a whole-log verification is a few seconds' work for the web process,
# so once a minute per school is plenty (the limiter adds a per-process hourly cap).
COOLDOWN = timedelta(minutes=1)
# Entries the button checks within a page's time (20,000 to 60,000 a second were measured on a
# busy 2-core machine, and gunicorn stops a request at 30 s): a bigger log is checked by
# `incidents audit verify`, in the background.
WEB_VERIFY_LIMIT = 200_000
MAX_PROBLEMS = 5


def verify_and_record(
    session: Session,
    *,
    school_id: uuid.UUID,
    actor: User | None,
    vkey: str,
    external: Sequence[str | tuple[str, str]] | None = None,
    unanchored: bool = False,
    key_replaced: bool = False,
) -> Report:
    """Verify the log, then append the result to it in the same transaction (the caller
    commits, even when verification failed: a failure is exactly what must be kept).
    `key_replaced`: the signing key loaded is not the pinned `vkey`, a finding in itself."""
    report = verify_school(session, school_id, vkey=vkey, external=external, unanchored=unanchored)
    return record_verification(
        session, school_id=school_id, actor=actor, report=report, key_replaced=key_replaced
    )


def record_verification(
    session: Session,
    *,
    school_id: uuid.UUID,
    actor: User | None,
    report: Report,
    key_replaced: bool = False,
) -> Report:
    """Append a verification's result to the log (and tell the admins). For a caller that
    verified in a snapshot transaction of its own (`incidents audit verify`, issue 21) and
    records the result in the next one, so the log's appends were never held up."""
    if key_replaced:
        report.fail(
            "the signing key file holds another key than the pinned one: it was replaced, and "
            "anything it signed proves nothing"
        )
    try:
        _record_result(session, school_id, actor, report)
    except LogTampered as exc:
        # The result's own slot is taken (a row beyond the head, which `report` names): it is
        # said, not lost in a database error (issue 19, item 2).
        report.fail(
            f"this result could not be written to the log: entry {exc.seq} already holds a row",
            exc.seq,
        )
    alerts.log_verified(session, school_id, report.ok, actor)  # issue 15: tell the admins
    return report


def _record_result(
    session: Session, school_id: uuid.UUID, actor: User | None, report: Report
) -> None:
    audit.record(
        session,
        school_id=school_id,
        action=audit.Action.AUDIT_VERIFY if report.ok else audit.Action.AUDIT_VERIFY_FAILED,
        actor=actor,
        object_type="log",
        detail={
            "entries": report.entries,
            "checkpoints": report.checkpoints,
            "first_bad": report.first_bad,
            "problems": report.problems[:MAX_PROBLEMS],
        },
        checkpoint=False,
    )


def last_run_at(session: Session, school_id: uuid.UUID) -> datetime | None:
    return session.scalar(
        select(AuditEntry.at)
        .where(AuditEntry.school_id == school_id, AuditEntry.action.in_(RESULTS))
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    )


def verify_now(
    session: Session,
    *,
    actor: User,
    vkey: str | None = None,
    now: datetime | None = None,
    folder: Path | None = None,
) -> Report:
    """The admin page's "Verify the log now", for the actor's own school; Refused, with the
    reason, when it cannot run now. `folder`: AUDIT_CHECKPOINT_DIR, whose pinned key and
    checkpoint files are checked as `incidents audit verify` checks them (items 3, 4). The web
    app holds no signing key (item 8): it checks against the key the signer pinned beside its
    checkpoint files; `vkey`, when given, is a key the caller expects, and one that differs
    from the pinned key is reported as a replaced key."""
    head = session.get(AuditLog, actor.school_id)
    pinned = pinned_key(folder, head.origin) if folder is not None and head else None
    key = pinned or vkey
    if key is None:
        raise Refused(
            "No verifier key has been pinned for this log yet, so its checkpoints cannot be "
            "checked here: the signer pins it with its first checkpoint. Run `incidents audit "
            "verify` on the server instead"
        )
    last = last_run_at(session, actor.school_id)
    if last is not None and (now or utcnow()) - last < COOLDOWN:
        raise Refused("The log was verified less than a minute ago: wait a minute and try again")
    if head is not None and head.size > WEB_VERIFY_LIMIT:
        raise Refused(
            f"This log holds {head.size:,} entries: checking them all takes longer than a page "
            "can wait. Ask whoever runs the server to run `incidents audit verify`, which checks "
            "it in the background without holding anyone up"
        )
    files = checkpoint_notes(folder, head.origin) if folder is not None and head else []
    # Read in a snapshot of its own, as `incidents audit verify` reads (issue 21): the log's
    # appends, and so every audited page of the school, go on meanwhile; the result is
    # appended in the next transaction.
    session.commit()
    begin_snapshot(session)
    # One process: a web worker starts no others (they would compete with the pages it serves).
    report = verify_school(
        session, actor.school_id, vkey=key, external=files, lock=False, workers=1
    )
    session.commit()  # the read only ends
    return record_verification(
        session,
        school_id=actor.school_id,
        actor=actor,
        report=report,
        key_replaced=pinned is not None and vkey is not None and pinned != vkey,
    )
