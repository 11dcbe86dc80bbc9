"""`record` writes its rows with Core statements (issue 21). These tests hold it to the ORM path
it replaced, kept here as `orm_record`: with the same clock, ids and salts, both store the same
bytes (entries, tree nodes, head at sizes 1, 2, 3, 4, 7 and 8, a checkpoint), and both leave
the session alike (the head object up to date and clean, the entry loaded, a rolled-back entry
transient with its values)."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest
from sqlalchemy import Table, bindparam, delete, exists, insert, inspect, select, update
from sqlalchemy.orm import Session

from incidents.audit import Action, log, record, tlog
from incidents.models import AuditCheckpoint, AuditEntry, AuditLog, Role, TreeNode

LOG = cast(Table, AuditLog.__table__)
ENTRY = cast(Table, AuditEntry.__table__)
NODE = cast(Table, TreeNode.__table__)
CHECKPOINT = cast(Table, AuditCheckpoint.__table__)
SIZES = (1, 2, 3, 4, 7, 8)
CASE_ID = uuid.UUID("01890000-0000-7000-8000-00000000c0de")

# --- the ORM path as it stood before the Core statements (log.py at 232e824) ------------------
_ORM_HEAD_AND_SLOT = (
    select(
        AuditLog,
        exists()
        .where(AuditEntry.school_id == AuditLog.school_id, AuditEntry.seq == AuditLog.size)
        .label("taken"),
    )
    .where(AuditLog.school_id == bindparam("school_id"))
    .with_for_update(of=AuditLog)
    .execution_options(populate_existing=True)
)


def orm_record(
    session: Session,
    *,
    school_id: uuid.UUID,
    action: Action,
    actor: Any,
    case_id: uuid.UUID | None = None,
    detail: dict[str, Any] | None = None,
    checkpoint: bool | None = None,
) -> AuditEntry:
    log.write_lock(session)
    found = session.execute(_ORM_HEAD_AND_SLOT, {"school_id": school_id}).first()
    assert found is not None
    head, taken = found[0], bool(found[1])
    now = log.datetime.now(UTC)
    seq = head.size
    if taken:
        raise log.LogTampered(seq)
    entry = AuditEntry(
        id=log.new_id(), school_id=school_id, seq=seq, at=now, action=action.value,
        actor_id=actor.id if actor else None, case_id=case_id, object_type=None, object_id=None,
    )  # fmt: skip
    detail_digest = None
    if detail is not None:
        text = unicodedata.normalize("NFC", json.dumps(detail, sort_keys=True, default=str))
        sealed = log.cipher_of(session).seal(
            session, log.place_of(entry, "detail"), school_id, case_id, text
        )
        entry.detail_ct = sealed
        detail_digest = log._digest(sealed)
    leaf = tlog.canonical(
        {
            "v": 1, "log": head.origin, "seq": seq, "ts": log._timestamp(now),
            "actor": str(actor.id) if actor else None,
            "role": ",".join(sorted(actor.roles)) if actor else None,
            "action": action.value, "case": str(case_id) if case_id else None,
            "obj": None, "oid": None, "fields": [], "ct": [], "detail": detail_digest,
            "salt": base64.b64encode(log.os.urandom(16)).decode(),
        }
    )  # fmt: skip
    entry.leaf = leaf
    entry.leaf_hash = tlog.leaf_hash(leaf)
    frontier, completed = tlog.frontier_append(tlog.unpack(head.frontier), seq, entry.leaf_hash)
    session.add(entry)
    if completed:
        session.execute(
            insert(NODE),
            [{"school_id": school_id, "level": lv, "node_index": ix, "hash": h}
             for lv, ix, h in completed],
        )  # fmt: skip
    head.size = seq + 1
    head.frontier = tlog.pack(frontier)
    head.root = tlog.frontier_root(frontier)
    session.flush()
    if checkpoint if checkpoint is not None else action in log.HIGH_STAKES:
        log.sign_head(session, head, reason=action.value)
    return entry


# --- the same clock, ids, salts and detail ciphertexts for both paths --------------------------
class _Cipher:
    """Seals deterministically (a real seal draws a fresh nonce): what matters here is that the
    entry stores, and its leaf commits to, exactly what sealing returned."""

    def seal(self, _session: Session, place: Any, _school: Any, _case: Any, text: str) -> bytes:
        return b"sealed|" + hashlib.sha256(f"{place}|{text}".encode()).digest()


@pytest.fixture
def same_inputs(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Install the fakes; calling the result starts their sequences again."""

    def restart() -> None:
        start = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)
        ticks = (start + timedelta(microseconds=i) for i in itertools.count())
        ids = (
            uuid.UUID(int=(0x0189 << 112) | (7 << 76) | (2 << 62) | i) for i in itertools.count()
        )
        salts = (bytes([i % 256]) * 16 for i in itertools.count())
        monkeypatch.setattr(log, "datetime", SimpleNamespace(now=lambda tz: next(ticks)))
        monkeypatch.setattr(log, "new_id", lambda: next(ids))
        monkeypatch.setattr(log, "os", SimpleNamespace(urandom=lambda n: next(salts)[:n]))
        monkeypatch.setattr(log, "cipher_of", lambda session: _Cipher())

    restart()
    return restart


def _empty_log(db: Session, school_id: uuid.UUID) -> None:
    """The school's log as `open_log` leaves it, so the appends cover sizes 1 to 8."""
    for table in (ENTRY, NODE, CHECKPOINT):
        db.execute(delete(table).where(table.c.school_id == school_id))
    db.execute(
        update(LOG)
        .where(LOG.c.school_id == school_id)
        .values(size=0, root=tlog.EMPTY_ROOT, frontier=b"")
    )


def _stored(db: Session, school_id: uuid.UUID) -> dict[str, list[tuple[Any, ...]]]:
    def rows(*columns: Any, order: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        table = columns[0].table
        query = select(*columns).where(table.c.school_id == school_id).order_by(*order)
        return [tuple(row) for row in db.execute(query)]

    return {
        "entries": rows(*ENTRY.c, order=(ENTRY.c.seq,)),
        "nodes": rows(*NODE.c, order=(NODE.c.level, NODE.c.node_index)),
        # A checkpoint's own id and creation time are not the log's: left out.
        "checkpoints": rows(
            CHECKPOINT.c.size,
            CHECKPOINT.c.root,
            CHECKPOINT.c.note,
            CHECKPOINT.c.reason,
            order=(CHECKPOINT.c.size,),
        ),
    }


def _eight_appends(db: Session, school_id: uuid.UUID, actor: Any, append: Any) -> dict[str, Any]:
    savepoint = db.begin_nested()
    _empty_log(db, school_id)
    heads = {}
    for i in range(8):
        append(
            db,
            school_id=school_id,
            action=Action.NOTE_ADD if i % 2 else Action.SIGN_IN,
            actor=actor if i % 3 else None,
            case_id=CASE_ID if i % 2 else None,
            detail={"n": i, "why": "Zoë"} if i % 2 else None,
            checkpoint=i == 4,
        )
        if i + 1 in SIZES:
            heads[i + 1] = tuple(
                db.execute(select(*LOG.c).where(LOG.c.school_id == school_id)).one()
            )
    stored = {"heads": heads, **_stored(db, school_id)}
    savepoint.rollback()
    return stored


def test_the_core_path_stores_exactly_what_the_orm_path_stored(db, school, users, same_inputs):
    actor = users[Role.DSL]
    by_orm = _eight_appends(db, school.id, actor, orm_record)
    same_inputs()
    by_core = _eight_appends(db, school.id, actor, record)
    assert by_core == by_orm
    assert [size for size, *_ in by_orm["checkpoints"]] == [5]
    assert len(by_orm["entries"]) == 8 and len(by_orm["nodes"]) == 7  # 4 + 2 + 1
    assert sorted(by_orm["heads"]) == list(SIZES)
    assert [row[2] for row in by_orm["heads"].values()] == list(SIZES)  # size column


@pytest.fixture(params=["orm", "core"])
def append(request: pytest.FixtureRequest) -> Any:
    return orm_record if request.param == "orm" else record


def _sign_in(db: Session, school_id: uuid.UUID, append: Any) -> AuditEntry:
    entry: AuditEntry = append(db, school_id=school_id, action=Action.SIGN_IN, actor=None)
    return entry


def test_the_head_the_session_holds_is_up_to_date_and_clean(db, school, append):
    head = db.get(AuditLog, school.id)
    size = head.size
    entry = _sign_in(db, school.id, append)
    assert head.size == size + 1 == entry.seq + 1
    assert head.root == db.execute(select(LOG.c.root).where(LOG.c.school_id == school.id)).scalar()
    assert (
        head.frontier
        == db.execute(select(LOG.c.frontier).where(LOG.c.school_id == school.id)).scalar()
    )
    assert not db.dirty and not db.new
    assert db.get(AuditEntry, entry.id) is entry
    assert db.scalar(select(AuditEntry).where(AuditEntry.id == entry.id)) is entry
    assert inspect(entry).persistent and not inspect(entry).expired_attributes


def test_a_rolled_back_entry_leaves_the_session_with_its_values(db, school, append):
    kept = _sign_in(db, school.id, append)
    outer = db.begin_nested()
    inner = db.begin_nested()
    released = _sign_in(db, school.id, append)
    inner.commit()
    undone = db.begin_nested()
    rolled_back = _sign_in(db, school.id, append)
    undone.rollback()
    assert inspect(rolled_back).transient and rolled_back.seq == released.seq + 1
    assert inspect(released).persistent
    outer.rollback()
    assert inspect(released).transient and released.seq == kept.seq + 1
    assert inspect(kept).persistent and kept.leaf_hash == tlog.leaf_hash(bytes(kept.leaf))
    db.rollback()  # the test's own transaction: the school's creation is undone too
    assert inspect(kept).transient and kept.seq >= 0


def written(db: Session) -> Iterator[Any]:
    yield from db.info.get("audit_entries_written", [])


def test_nothing_is_remembered_past_the_transaction(db, school):
    _sign_in(db, school.id, record)
    assert list(written(db))
    db.commit()
    assert not list(written(db))


def test_a_checkpointed_append_signs_the_head_it_holds(db, school, append):
    db.expunge(db.get(AuditLog, school.id))  # a session that has not read the head
    entry = append(db, school_id=school.id, action=Action.SIGN_IN, actor=None, checkpoint=True)
    head = db.get(AuditLog, school.id)
    assert inspect(head).persistent and not db.dirty
    stored = db.execute(select(*LOG.c).where(LOG.c.school_id == school.id)).one()
    assert (head.origin, head.size, head.root, head.frontier) == tuple(stored)[1:]
    signed = db.execute(
        select(CHECKPOINT.c.size, CHECKPOINT.c.root).where(CHECKPOINT.c.school_id == school.id)
    ).all()
    assert signed[-1] == (entry.seq + 1, head.root)
