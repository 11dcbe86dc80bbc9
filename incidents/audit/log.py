"""Appending to a school's log: `record(...)`, called by services inside the transaction of the
change it records. The head row is locked first (SQLite: the transaction's BEGIN IMMEDIATE),
then the sequence number and time are taken, the canonical leaf is built and hashed, the
frontier advances, and completed subtrees are stored for proofs; all before the caller commits,
so the change and its entry land together or not at all.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import unicodedata
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.audit import rows, signed_state, signer_client, tlog
from incidents.audit.actions import HIGH_STAKES, Action
from incidents.db import new_id, write_lock
from incidents.errors import Refused
from incidents.models import School, User
from incidents.models.audit import AuditCheckpoint, AuditEntry, AuditLog
from incidents.sensitive import cipher_of, place_of

log = logging.getLogger(__name__)

ORIGIN_BASE = "incidents.invalid/audit"  # overridden by AUDIT_ORIGIN_BASE in the app config
# Which channel a session serves ("web", "cli"), set where sessions are opened: the `source`
# of the source:subject:action. Written as "src" only when known, so a leaf from any
# other caller has exactly the v1 shape; verifiers ignore keys they do not check.
SOURCE_KEY = "audit_source"


class LogTampered(Refused):
    """The log cannot take an entry: a row already sits where the next one must go, which only
    a change made outside the application can do. Said plainly, never as a database error."""

    def __init__(self, seq: int) -> None:
        super().__init__(
            f"The audit log has been tampered with: entry {seq} is already stored, beyond the "
            "log's last entry. Nothing can be recorded until it is investigated: run "
            "`incidents audit verify` and tell your local authority"
        )
        self.seq = seq


def actor_pseudonym(
    session: Session, school_id: uuid.UUID, case_id: uuid.UUID, user_id: uuid.UUID
) -> uuid.UUID:
    """What a sealed source's entries on this case hold instead of `user_id`."""
    return cipher_of(session).case_pseudonym(session, school_id, case_id, user_id)


def origin_for(school: School, base: str = ORIGIN_BASE) -> str:
    return f"{base}/{school.urn}"


def open_log(session: Session, *, school: School) -> AuditLog:
    """Create the school's (empty) log head: done once, when the school is created."""
    base = str(session.info.get("audit_origin_base", ORIGIN_BASE))
    head = AuditLog(
        school_id=school.id,
        origin=origin_for(school, base),
        size=0,
        root=tlog.EMPTY_ROOT,
        frontier=b"",
    )
    session.add(head)
    session.flush()
    return head


def lock(session: Session, school_id: uuid.UUID) -> None:
    """Take the school's log lock now, for a command that needs to serialise with others in
    the school before it appends (case numbering). The one lock order everywhere is: the log
    head first, then any other row; a command that locked another row first and then appended
    would deadlock against an append that holds the head and touches that row (issue 19,
    item 5: the school row, which every entry's foreign key share-locks)."""
    _head(session, school_id)


def _head_and_slot(session: Session, school_id: uuid.UUID) -> tuple[str, int, bytes, bool]:
    """The locked head's origin, size and frontier, and whether the next entry's slot already
    holds a row, in one round trip (issue 21: every audited page pays for this). The slot
    check is the tamper check of `record`; the unique (school, seq) key still backs it."""
    write_lock(session)
    if session.autoflush:
        # What the ORM query this replaced did first: the caller's pending changes are written
        # before the head is read, in the same order and with the same errors as before.
        session.flush()
    found = rows.head_and_slot(session, school_id)
    if found is None:
        head = _head(session, school_id)  # no log yet: made through the ORM, once per school
        return head.origin, head.size, head.frontier, False
    return found


def _head(session: Session, school_id: uuid.UUID) -> AuditLog:
    write_lock(session)
    # FOR UPDATE on a row that always exists: the PostgreSQL write lock (a lock on "the last
    # entry" would lock nothing while the log is empty). SQLite ignores it; BEGIN IMMEDIATE
    # has already made this transaction the only writer.
    head = session.get(AuditLog, school_id, with_for_update=True, populate_existing=True)
    if head is None:
        school = session.get(School, school_id)
        if school is None:
            raise ValueError(f"no school {school_id} to keep a log for")
        head = open_log(session, school=school)
    return head


def _timestamp(now: datetime) -> str:
    # Fixed microsecond precision, UTC, "Z": the stored bytes are exactly what was hashed.
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _digest(value: bytes) -> str:
    return base64.b64encode(hashlib.sha256(value).digest()).decode()


def _ciphertext_digests(target: Any) -> tuple[list[str], list[str]]:
    """Names and SHA-256 digests of the target's sealed personal fields: the entry commits to
    what was stored without holding (or hashing) any clear text."""
    names: list[str] = []
    digests: list[str] = []
    for name in getattr(type(target), "__sensitive_fields__", []):
        sealed = getattr(target, f"{name}_ct", None)
        if sealed is not None:
            names.append(name)
            digests.append(_digest(bytes(sealed)))
    return names, digests


def _loaded(session: Session, object_id: uuid.UUID) -> Any:
    """The object the entry is about, if this session holds it: services name it by id."""
    for obj in (*session.new, *session.identity_map.values()):
        if getattr(obj, "id", None) == object_id:
            return obj
    return None


def record(
    session: Session,
    *,
    school_id: uuid.UUID,
    action: Action,
    actor: User | None,
    case_id: uuid.UUID | None = None,
    object_type: str | None = None,
    object_id: uuid.UUID | None = None,
    target: Any = None,
    detail: dict[str, Any] | None = None,
    checkpoint: bool | None = None,
    sealed_actor: bool = False,
    commitment: str | None = None,
) -> AuditEntry:
    """Append one entry to the school's log, in the caller's transaction.

    `target`: the changed object, whose ciphertexts the entry commits to by digest.
    `detail`: reasons, old and new values: stored encrypted under the case's key (or the
    school's), committed to by the digest of its ciphertext.
    `checkpoint`: sign a checkpoint after this entry (default: for high-stakes actions).
    `sealed_actor`: the actor is a sealed source of the case (a staff report): the entry and
    its actor_id hold a keyed per-case pseudonym instead of the user's id, and no role, so a
    database reader cannot join it to the user; whoever can open the case can (item 9).
    `commitment`: a salted digest the leaf carries in clear as "ev" (an evidence file's, issue
    14), so an outsider holding the file and its salt can check it against a proof.
    """
    if target is None and object_id is not None:
        target = _loaded(session, object_id)
    if target is not None and getattr(type(target), "__sensitive_fields__", None):
        session.flush()  # seal the target's personal fields so their ciphertexts exist
    actor_id = actor.id if actor else None
    role = ",".join(sorted(actor.roles)) if actor else None
    if sealed_actor and actor is not None and case_id is not None:
        actor_id, role = actor_pseudonym(session, school_id, case_id, actor.id), None
    origin, seq, packed, taken = _head_and_slot(session, school_id)
    now = datetime.now(UTC)  # taken under the lock, so time order is commit order
    # The unique (school, seq) key would refuse the insert with a database error that aborts
    # the transaction; one indexed lookup says it as tampering instead (issue 19, item 2).
    if taken:
        raise LogTampered(seq)
    entry = AuditEntry(
        id=new_id(),
        school_id=school_id,
        seq=seq,
        at=now,
        action=action.value,
        actor_id=actor_id,
        case_id=case_id,
        object_type=object_type,
        object_id=object_id,
        detail_ct=None,  # every column given: a column left unset would load again when read
    )
    detail_digest = None
    if detail is not None:
        text = unicodedata.normalize("NFC", json.dumps(detail, sort_keys=True, default=str))
        sealed = cipher_of(session).seal(
            session, place_of(entry, "detail"), school_id, case_id, text
        )
        entry.detail_ct = sealed
        detail_digest = _digest(sealed)
    fields, digests = _ciphertext_digests(target) if target is not None else ([], [])
    source = session.info.get(SOURCE_KEY)
    leaf = tlog.canonical(
        {
            **({"src": source} if isinstance(source, str) else {}),
            "v": 1,
            "log": origin,
            "seq": seq,
            "ts": _timestamp(now),
            "actor": str(actor_id) if actor_id else None,
            "role": role,
            "action": action.value,
            "case": str(case_id) if case_id else None,
            "obj": object_type,
            "oid": str(object_id) if object_id else None,
            "fields": list(fields),
            "ct": list(digests),
            "detail": detail_digest,
            # 128 random bits: a kept leaf hash cannot be brute-forced back to its contents.
            "salt": base64.b64encode(os.urandom(16)).decode(),
            **({"ev": commitment} if commitment is not None else {}),
        }
    )
    entry.leaf = leaf
    entry.leaf_hash = tlog.leaf_hash(leaf)
    frontier, completed = tlog.frontier_append(tlog.unpack(packed), seq, entry.leaf_hash)
    rows.insert_entry(session, entry)
    if completed:
        rows.insert_nodes(session, school_id, completed)
    checkpointed = checkpoint if checkpoint is not None else action in HIGH_STAKES
    head = rows.advance_head(
        session,
        school_id,
        (origin, seq + 1, tlog.pack(frontier), tlog.frontier_root(frontier)),
        hold=checkpointed,
    )
    # Whatever else is pending (a data key that sealing the detail made; under no_autoflush,
    # the caller's own changes) is written now, as the ORM's flush of the entry wrote it.
    session.flush()
    if checkpointed and head is not None:
        sign_head(session, head, reason=action.value)
    return entry


def sign_head(
    session: Session, head: AuditLog, *, reason: str, strict: bool = False
) -> AuditCheckpoint | None:
    """Sign the current head as a checkpoint, if this process is the signer (the web app never
    is: it asks the signer after commit, and the signer's timer signs within a minute anyway).
    A signer that keeps state signs only a head it recomputes from the entries and that extends
    the last head it signed (signed_state.py); when it refuses, `strict` raises SignerRefused
    (the scheduled checkpoint, which must fail loudly), otherwise the refusal is logged and the
    change that asked for the checkpoint goes ahead unsigned, to be reported by the schedule."""
    signer = session.info.get("signer")
    if signer is None:
        # The web app: the signer is asked after commit, if it listens on a socket, and its
        # timer signs anyway (signer_client.py).
        signer_client.want_checkpoint(session, head.school_id)
        log.info("checkpoint for %s left to the signer", reason)
        return None
    existing = session.scalar(
        select(AuditCheckpoint).where(
            AuditCheckpoint.school_id == head.school_id, AuditCheckpoint.size == head.size
        )
    )
    if existing is not None:
        return existing
    root = head.root
    if signer.state is not None:
        try:
            signed = signed_state.vouch(session, head, signer.state.last(head.origin))
        except signed_state.SignerRefused as exc:
            if strict:
                raise
            log.error("checkpoint for %s refused by the signer: %s", reason, exc)
            return None
        root = signed.root
        signed_state.remember_on_commit(session, signer.state, head.origin, signed)
    note = signer.sign(tlog.Checkpoint(origin=head.origin, size=head.size, root=root))
    checkpoint = AuditCheckpoint(
        school_id=head.school_id, size=head.size, root=root, note=note, reason=reason
    )
    session.add(checkpoint)
    session.flush()
    return checkpoint
