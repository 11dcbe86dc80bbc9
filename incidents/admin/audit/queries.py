"""The admin's view of the school's audit trail: its size and root, the latest checkpoints, how
far the log runs beyond the newest one, and the last verification. Figures only: no case
references, no names, nothing about what any entry concerns. The one exception is the
account changes (issue 16): who changed which account, by the accounts' names only."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.admin.audit.commands import RESULTS
from incidents.audit import Action, parallel, tlog
from incidents.audit.actions import ACCOUNT_CHANGES, label
from incidents.models import User
from incidents.models.audit import AuditCheckpoint, AuditEntry, AuditLog
from incidents.models.base import utcnow

# `incidents audit checkpoint` should run every 15 minutes; an entry left unsigned for an hour
# means it probably is not running.
STALE_AFTER = timedelta(hours=1)
SHOWN_CHECKPOINTS = 10
RECENT_CHANGES = 50
BEYOND = (
    "Entry {seq} is stored beyond the log's last entry: it was added outside the application, "
    "and nothing can be recorded until it is investigated"
)
TAMPERED = (
    "The record of this verification was changed after it was written: run "
    "`incidents audit verify` on the server"
)


@dataclass(frozen=True)
class CheckpointRow:
    size: int
    at: datetime
    reason: str


@dataclass(frozen=True)
class LastVerification:
    at: datetime
    ok: bool
    entries: int | None
    first_bad: int | None
    problems: list[str]


@dataclass(frozen=True)
class AuditStatus:
    size: int
    root_hex: str
    checkpoints: list[CheckpointRow]
    unsigned: int  # entries after the newest checkpoint
    oldest_unsigned_at: datetime | None
    last_verification: LastVerification | None
    now: datetime

    @property
    def newest(self) -> CheckpointRow | None:
        return self.checkpoints[0] if self.checkpoints else None

    @property
    def schedule_looks_stopped(self) -> bool:
        return (
            self.oldest_unsigned_at is not None and self.now - self.oldest_unsigned_at > STALE_AFTER
        )


def _last_verification(session: Session, school_id: uuid.UUID) -> LastVerification | None:
    """The newest verification result, read from its leaf: pass or fail is the leaf's action,
    shown as passed only when the leaf is intact and every column agrees with it (a changed
    column must never turn a failure into a pass, issue 19, item 1)."""
    head = session.get(AuditLog, school_id)
    entry = session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.school_id == school_id,
            AuditEntry.action.in_(RESULTS),
            AuditEntry.seq < (head.size if head else 0),
        )
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    )
    beyond = session.scalar(
        select(AuditEntry.seq)
        .where(AuditEntry.school_id == school_id, AuditEntry.seq >= (head.size if head else 0))
        .order_by(AuditEntry.seq)
        .limit(1)
    )
    if beyond is not None:
        # A row where the next entry must go: no later result can even be recorded (item 2),
        # so an older pass must not stand.
        return LastVerification(
            at=entry.at if entry is not None else utcnow(),
            ok=False,
            entries=None,
            first_bad=beyond,
            problems=[BEYOND.format(seq=beyond)],
        )
    if entry is None:
        return None
    leaf = bytes(entry.leaf)
    row = (entry.seq, leaf, entry.leaf_hash, *(getattr(entry, c) for c in parallel.BOUND))
    intact = tlog.leaf_hash(leaf) == bytes(entry.leaf_hash) and parallel.unbound_column(row) is None
    if not intact:
        return LastVerification(
            at=entry.at,
            ok=False,
            entries=None,
            first_bad=entry.seq,
            problems=[TAMPERED],
        )
    figures: dict[str, object] = {}
    if entry.detail is not None:
        figures = json.loads(entry.detail.reveal())
    entries, first_bad, problems = (
        figures.get("entries"),
        figures.get("first_bad"),
        figures.get("problems"),
    )
    return LastVerification(
        at=entry.at,
        ok=json.loads(leaf).get("action") == Action.AUDIT_VERIFY.value,
        entries=entries if isinstance(entries, int) else None,
        first_bad=first_bad if isinstance(first_bad, int) else None,
        problems=[str(p) for p in problems] if isinstance(problems, list) else [],
    )


def audit_status(
    session: Session, school_id: uuid.UUID, now: datetime | None = None
) -> AuditStatus:
    head = session.get(AuditLog, school_id)
    size = head.size if head else 0
    checkpoints = [
        CheckpointRow(size=cp.size, at=cp.created_at, reason=cp.reason)
        for cp in session.scalars(
            select(AuditCheckpoint)
            .where(AuditCheckpoint.school_id == school_id)
            .order_by(AuditCheckpoint.size.desc())
            .limit(SHOWN_CHECKPOINTS)
        )
    ]
    signed = checkpoints[0].size if checkpoints else 0
    oldest_unsigned = (
        session.scalar(
            select(AuditEntry.at).where(AuditEntry.school_id == school_id, AuditEntry.seq == signed)
        )
        if size > signed
        else None
    )
    return AuditStatus(
        size=size,
        root_hex=head.root.hex() if head else "",
        checkpoints=checkpoints,
        unsigned=size - signed,
        oldest_unsigned_at=oldest_unsigned,
        last_verification=_last_verification(session, school_id),
        now=now or utcnow(),
    )


@dataclass(frozen=True)
class AccountChange:
    at: datetime
    what: str
    by: str
    to: str


def recent_changes(session: Session, school_id: uuid.UUID) -> list[AccountChange]:
    """The school's latest account changes: who did what to whom, by name from the accounts
    table only (never a case, never the entry's encrypted detail)."""
    entries = session.execute(
        select(AuditEntry.at, AuditEntry.action, AuditEntry.actor_id, AuditEntry.object_id)
        .where(
            AuditEntry.school_id == school_id,
            AuditEntry.action.in_([a.value for a in ACCOUNT_CHANGES]),
        )
        .order_by(AuditEntry.seq.desc())
        .limit(RECENT_CHANGES)
    ).all()
    ids = {i for row in entries for i in (row.actor_id, row.object_id) if i is not None}
    names = {
        user_id: display_name
        for user_id, display_name in session.execute(
            select(User.id, User.display_name).where(User.id.in_(ids), User.school_id == school_id)
        )
    }

    def name(user_id: uuid.UUID | None) -> str:
        if user_id is None:
            return "The system"
        return names.get(user_id, "Someone not in this school")

    return [
        AccountChange(row.at, label(row.action), name(row.actor_id), name(row.object_id))
        for row in entries
    ]
