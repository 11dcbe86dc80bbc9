"""The tampering matrix (issue 19), as data: every column of every audit table changed, rows
inserted, deleted, swapped and truncated, checkpoints forged, re-signed with a replaced key.
Each row of TAMPERING is one attack, what `audit verify` must say, and the first bad entry it
must name (None where no entry is wrong: the head, a checkpoint). None may crash the verifier.

A row's own random key (`audit_entry.id`, `audit_checkpoint.id`) is no evidence: nothing reads
it as such, so changing it is not a finding (NOT_EVIDENCE, checked to stay that way)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from incidents.audit import Action, record, tlog
from incidents.audit.log import sign_head
from incidents.audit.signer import Signer
from incidents.audit.verify import verify_school
from incidents.db import new_id
from incidents.models import AuditCheckpoint, AuditEntry, AuditLog, Role, TreeNode
from tests import factories

E = AuditEntry.__table__
N = TreeNode.__table__
C = AuditCheckpoint.__table__
H = AuditLog.__table__


@dataclass
class Log:
    db: Session
    school_id: Any
    other_id: Any  # a second school, for rows moved between logs
    rows: list[AuditEntry]
    noted: AuditEntry  # an entry with an actor, a case, an object and an encrypted detail
    cases: list[Any]
    users: dict[Role, Any]
    signer: Signer
    checkpoints: list[AuditCheckpoint]

    def entry(self, seq: int) -> AuditEntry:
        return self.rows[seq]

    n: int = 0  # the noted entry's seq, as recorded (the row may be changed)
    size: int = 0


def _set(log: Log, at_seq: int, **values: Any) -> None:
    log.db.execute(update(E).where(E.c.id == log.entry(at_seq).id).values(**values))


def _rewrite_leaf(log: Log, seq: int) -> None:
    """The leaf and its hash rewritten together, the tree nodes left alone."""
    leaf = bytes(log.entry(seq).leaf).replace(b'"salt":"', b'"salt":"AAAA', 1)
    _set(log, seq, leaf=leaf, leaf_hash=tlog.leaf_hash(leaf))


def _renumber(log: Log, moves: dict[int, int]) -> None:
    # Through a free number first, for the unique (school, seq) key.
    for seq in moves:
        _set(log, seq, seq=-1000 - seq)
    for seq, new in moves.items():
        log.db.execute(update(E).where(E.c.id == log.entry(seq).id).values(seq=new))


def _insert_copy(log: Log, copy: int, seq: int) -> None:
    row = log.entry(copy)
    log.db.execute(
        insert(E).values(
            id=new_id(),
            school_id=log.school_id,
            seq=seq,
            leaf=row.leaf,
            leaf_hash=row.leaf_hash,
            at=row.at,
            action=row.action,
        )
    )


def _insert_at(log: Log, seq: int) -> None:
    _renumber(log, {s: s + 1 for s in reversed(range(seq, log.size))})
    _insert_copy(log, 2, seq)


def _checkpoint(log: Log) -> AuditCheckpoint:
    return log.checkpoints[-1]


def _set_cp(log: Log, **values: Any) -> None:
    log.db.execute(update(C).where(C.c.id == _checkpoint(log).id).values(**values))


def _resign_all(log: Log) -> None:
    """The key file replaced and every stored checkpoint re-signed with the new key."""
    new = Signer(log.signer.name, Ed25519PrivateKey.generate())
    origin = log.db.get(AuditLog, log.school_id).origin
    for cp in log.checkpoints:
        note = new.sign(tlog.Checkpoint(origin, cp.size, bytes(cp.root)))
        log.db.execute(update(C).where(C.c.id == cp.id).values(note=note))


def _fork(log: Log) -> None:
    """An insider with the signing key signs a second checkpoint of an existing size with
    another root, and deletes the real one (a rewritten history)."""
    cp = log.checkpoints[0]
    origin = log.db.get(AuditLog, log.school_id).origin
    forged = log.signer.sign(tlog.Checkpoint(origin, cp.size, bytes(32)))
    log.db.execute(update(C).where(C.c.id == cp.id).values(note=forged, root=bytes(32)))


def _node(log: Log, level: int = 1) -> tuple[int, int]:
    """A stored node of `level` covering the noted entry."""
    return level, log.n >> level


def _set_node(log: Log, **values: Any) -> None:
    level, index = _node(log)
    log.db.execute(
        update(N)
        .where(N.c.school_id == log.school_id, N.c.level == level, N.c.node_index == index)
        .values(**values)
    )


def _head(log: Log, **values: Any) -> None:
    log.db.execute(update(H).where(H.c.school_id == log.school_id).values(**values))


@dataclass(frozen=True)
class Tamper:
    change: Callable[[Log], None]
    message: str | None  # None: not a finding (NOT_EVIDENCE)
    first_bad: Callable[[Log], int | None] = lambda log: None
    verify_other: bool = False  # the finding is in the other school's log


NOT_EVIDENCE = None
N_ = lambda log: log.n  # noqa: E731 - the noted entry, named
PAIR = lambda log: log.n & ~1  # noqa: E731 - a level-1 node names the first of its two entries

TAMPERING: dict[str, Tamper] = {
    # --- audit_entry: every column ------------------------------------------------------
    "entry.id changed": Tamper(lambda log: _set(log, log.n, id=new_id()), NOT_EVIDENCE),
    "entry.school_id moved to another school": Tamper(
        lambda log: _set(log, log.n, school_id=log.other_id), "is missing", N_
    ),
    "entry.seq moved past the end": Tamper(
        lambda log: _set(log, log.n, seq=log.size + 5), "is missing", N_
    ),
    "entry.leaf byte changed": Tamper(
        lambda log: _set(log, log.n, leaf=bytes(log.noted.leaf).replace(b'"v":1', b'"v":2')),
        "its bytes were altered",
        N_,
    ),
    "entry.leaf and leaf_hash rewritten": Tamper(
        lambda log: _rewrite_leaf(log, log.n), "does not match", PAIR
    ),
    "entry.leaf emptied": Tamper(
        lambda log: _set(log, log.n, leaf=b"", leaf_hash=tlog.leaf_hash(b"")),
        "it says it is entry None",
        N_,
    ),
    "entry.leaf_hash changed": Tamper(
        lambda log: _set(log, log.n, leaf_hash=bytes(32)), "its bytes were altered", N_
    ),
    "entry.at forged": Tamper(
        lambda log: _set(log, log.n, at=log.noted.at - timedelta(hours=5)),
        "its at column was changed",
        N_,
    ),
    "entry.action changed": Tamper(
        lambda log: _set(log, log.n, action="case.view"), "its action column was changed", N_
    ),
    "entry.actor_id changed": Tamper(
        lambda log: _set(log, log.n, actor_id=log.users[Role.STAFF].id),
        "its actor_id column was changed",
        N_,
    ),
    "entry.actor_id nulled": Tamper(
        lambda log: _set(log, log.n, actor_id=None), "its actor_id column was changed", N_
    ),
    "entry.case_id changed": Tamper(
        lambda log: _set(log, log.n, case_id=log.cases[0].id),
        "its case_id column was changed",
        N_,
    ),
    "entry.case_id nulled": Tamper(
        lambda log: _set(log, log.n, case_id=None), "its case_id column was changed", N_
    ),
    "entry.object_type changed": Tamper(
        lambda log: _set(log, log.n, object_type="log"), "its object_type column was changed", N_
    ),
    "entry.object_id changed": Tamper(
        lambda log: _set(log, log.n, object_id=log.cases[0].id),
        "its object_id column was changed",
        N_,
    ),
    "entry.detail_ct altered": Tamper(
        lambda log: _set(log, log.n, detail_ct=bytes(log.noted.detail_ct)[:-1] + b"\x00"),
        "its detail_ct column was changed",
        N_,
    ),
    "entry.detail_ct nulled": Tamper(
        lambda log: _set(log, log.n, detail_ct=None), "its detail_ct column was changed", N_
    ),
    "entry.detail_ct swapped in from another entry": Tamper(
        lambda log: _set(
            log,
            log.n,
            detail_ct=log.db.scalar(
                select(E.c.detail_ct).where(E.c.school_id == log.school_id, E.c.seq == log.size - 1)
            ),
        ),
        "its detail_ct column was changed",
        N_,
    ),
    # --- audit_entry: rows --------------------------------------------------------------
    "row deleted": Tamper(
        lambda log: log.db.execute(delete(E).where(E.c.id == log.entry(3).id)),
        "entry 3 is missing",
        lambda log: 3,
    ),
    "row inserted": Tamper(
        lambda log: _insert_at(log, 4), "entry 4: it says it is entry 2", lambda log: 4
    ),
    "rows swapped": Tamper(
        lambda log: _renumber(log, {2: 6, 6: 2}), "entry 2: it says it is entry 6", lambda log: 2
    ),
    "row inserted beyond the head": Tamper(
        lambda log: _insert_copy(log, 2, log.size),
        "stored beyond the log's last entry",
        lambda log: log.size,
    ),
    "tail truncated below a checkpoint": Tamper(
        lambda log: log.db.execute(
            delete(E).where(E.c.school_id == log.school_id, E.c.seq >= log.size - 2)
        ),
        "the log was truncated",
        lambda log: log.size - 2,
    ),
    "tail truncated with the head rolled back": Tamper(
        lambda log: (
            log.db.execute(
                delete(E).where(E.c.school_id == log.school_id, E.c.seq >= log.size - 2)
            ),
            _head(log, size=log.size - 2),
        ),
        "the log was truncated",
        lambda log: log.size - 2,
    ),
    "negative seq inserted": Tamper(
        lambda log: _insert_copy(log, 0, -5), "entry 0 is duplicated", lambda log: 0
    ),
    # --- audit_log (the head) -----------------------------------------------------------
    "head.origin changed": Tamper(
        lambda log: _head(log, origin="evil.invalid/audit/1"),
        "belongs to another log",
        lambda log: 0,
    ),
    "head.size lowered": Tamper(
        lambda log: _head(log, size=log.size - 3), "stored beyond", lambda log: log.size - 3
    ),
    "head.size raised": Tamper(
        lambda log: _head(log, size=log.size + 3), "is missing", lambda log: log.size
    ),
    "head.root changed": Tamper(lambda log: _head(log, root=bytes(32)), "root does not match"),
    "head.frontier changed": Tamper(
        lambda log: _head(log, frontier=bytes(32) * 3), "frontier does not match"
    ),
    "head row deleted": Tamper(
        lambda log: log.db.execute(delete(H).where(H.c.school_id == log.school_id)),
        "has no audit log",
    ),
    # --- audit_tree_node: every column, and rows ----------------------------------------
    "node.hash changed": Tamper(
        lambda log: _set_node(log, hash=bytes(32)), "does not match those entries", PAIR
    ),
    "node.level changed": Tamper(lambda log: _set_node(log, level=40), "is missing", PAIR),
    "node.node_index changed": Tamper(
        lambda log: _set_node(log, node_index=10_000), "is missing", PAIR
    ),
    "node.school_id moved to another school": Tamper(
        lambda log: _set_node(log, school_id=log.other_id), "is missing", PAIR
    ),
    "node row deleted": Tamper(
        lambda log: log.db.execute(
            delete(N).where(
                N.c.school_id == log.school_id,
                N.c.level == _node(log)[0],
                N.c.node_index == _node(log)[1],
            )
        ),
        "is missing",
        PAIR,
    ),
    "stray node inserted": Tamper(
        lambda log: log.db.execute(
            insert(N).values(school_id=log.school_id, level=1, node_index=9999, hash=bytes(32))
        ),
        "has no such node",
    ),
    # --- audit_checkpoint: every column, and rows ---------------------------------------
    "checkpoint.id changed": Tamper(lambda log: _set_cp(log, id=new_id()), NOT_EVIDENCE),
    "checkpoint.note body forged": Tamper(
        lambda log: _set_cp(
            log,
            note=_checkpoint(log).note.replace(f"\n{_checkpoint(log).size}\n", "\n1\n", 1),
        ),
        "is not valid",
    ),
    "checkpoint.note truncated": Tamper(lambda log: _set_cp(log, note="garbage"), "signature"),
    "checkpoint.size changed": Tamper(
        lambda log: _set_cp(log, size=_checkpoint(log).size + 100), "size or root column"
    ),
    "checkpoint.root changed": Tamper(
        lambda log: _set_cp(log, root=bytes(32)), "size or root column"
    ),
    "checkpoint.reason changed": Tamper(
        lambda log: _set_cp(log, reason="case.shred"), "its reason or time was changed"
    ),
    "checkpoint.created_at backdated": Tamper(
        lambda log: _set_cp(log, created_at=log.rows[0].at - timedelta(days=1)),
        "its reason or time was changed",
    ),
    "checkpoint.school_id moved to another school": Tamper(
        lambda log: _set_cp(log, school_id=log.other_id),
        "is for another log",
        verify_other=True,
    ),
    "every checkpoint deleted": Tamper(
        lambda log: log.db.execute(delete(C).where(C.c.school_id == log.school_id)),
        "no signed checkpoint to anchor",
    ),
    "checkpoint forged by an insider with the key (fork)": Tamper(
        _fork, "does not match the stored checkpoint", lambda log: 0
    ),
    "every checkpoint re-signed with a replaced key": Tamper(_resign_all, "is not signed by"),
}


@pytest.fixture
def log(db, school, users, signer) -> Log:
    other = factories.make_school(db)
    cases = [factories.make_case(db, users[Role.HEADTEACHER]) for _ in range(3)]
    noted = record(
        db,
        school_id=school.id,
        action=Action.NOTE_ADD,
        actor=users[Role.DSL],
        case_id=cases[1].id,
        object_type="case",
        object_id=cases[1].id,
        detail={"reason": "a reason"},
    )
    factories.make_case(db, users[Role.HEADTEACHER])
    # The last entry carries a detail too, to swap in.
    record(
        db,
        school_id=school.id,
        action=Action.NOTE_ADD,
        actor=users[Role.DSL],
        case_id=cases[2].id,
        object_type="case",
        object_id=cases[2].id,
        detail={"reason": "another reason"},
    )
    sign_head(db, db.get(AuditLog, school.id), reason="scheduled")
    db.flush()
    rows = list(
        db.scalars(
            select(AuditEntry).where(AuditEntry.school_id == school.id).order_by(AuditEntry.seq)
        )
    )
    checkpoints = list(
        db.scalars(
            select(AuditCheckpoint)
            .where(AuditCheckpoint.school_id == school.id)
            .order_by(AuditCheckpoint.size)
        )
    )
    built = Log(
        db,
        school.id,
        other.id,
        rows,
        noted,
        cases,
        users,
        signer,
        checkpoints,
        noted.seq,
        len(rows),
    )
    assert noted.seq >= 4 and len(checkpoints) >= 2 and checkpoints[-1].size == len(rows)
    report = verify_school(db, school.id, vkey=signer.verifier_key)
    assert report.ok, report.problems
    return built


@pytest.mark.parametrize("attack", TAMPERING, ids=list(TAMPERING))
def test_every_tampering_is_detected_and_named(log: Log, attack: str) -> None:
    tamper = TAMPERING[attack]
    tamper.change(log)
    log.db.expire_all()
    target = log.other_id if tamper.verify_other else log.school_id
    # Never a crash: whatever was done, the verifier answers with a report.
    report = verify_school(
        log.db, target, vkey=log.signer.verifier_key, unanchored=tamper.verify_other
    )
    if tamper.message is NOT_EVIDENCE:
        assert report.ok, report.problems
        return
    assert not report.ok, f"{attack} went undetected"
    assert tamper.message in " ".join(report.problems), report.problems
    assert report.first_bad == tamper.first_bad(log), (report.first_bad, report.problems)
