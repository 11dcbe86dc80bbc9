"""The rows an append writes (the head read under its lock, the entry, completed tree nodes, the
head moved on), written with prepared Core statements instead of the ORM's unit of work, which
cost more per append than the database did (issue 21). The rows are exactly those the ORM wrote;
the session is kept as the ORM would have left it: the entry is held as a loaded row and the
head object, if held, carries the stored values; a rollback undoes the entry as it undid a new
object. Only `log.record` calls these, in its lock order.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import cast

from sqlalchemy import Table, bindparam, event, exists, insert, inspect, select, update
from sqlalchemy.orm import Session, SessionTransaction, make_transient, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from incidents.models.audit import AuditEntry, AuditLog, TreeNode

# Built once, not per append: building an expression cost more than the hashing (issue 21).
_LOG = cast(Table, AuditLog.__table__)
_ENTRY = cast(Table, AuditEntry.__table__)
_NODE = cast(Table, TreeNode.__table__)
_HEAD_AND_SLOT = (
    select(
        _LOG.c.origin,
        _LOG.c.size,
        _LOG.c.frontier,
        exists()
        .where(_ENTRY.c.school_id == _LOG.c.school_id, _ENTRY.c.seq == _LOG.c.size)
        .label("taken"),
    )
    .where(_LOG.c.school_id == bindparam("school_id"))
    # FOR UPDATE on a row that always exists: the PostgreSQL write lock. SQLite has none; its
    # BEGIN IMMEDIATE has already made this transaction the only writer.
    .with_for_update(of=_LOG)
)
_INSERT_ENTRY = insert(_ENTRY)
_INSERT_NODES = insert(_NODE)
_ADVANCE_HEAD = (
    update(_LOG)
    .where(_LOG.c.school_id == bindparam("log_school_id"))
    .values(size=bindparam("size"), frontier=bindparam("frontier"), root=bindparam("root"))
)
_LOG_KEY = inspect(AuditLog).identity_key_from_primary_key
# Entries written in the session's transaction under way, each with the innermost transaction
# (savepoint) it was written in: what a rollback must undo.
_WRITTEN = "audit_entries_written"


def head_and_slot(session: Session, school_id: uuid.UUID) -> tuple[str, int, bytes, bool] | None:
    """Lock the school's head row and read its origin, size and frontier, with whether the next
    entry's slot already holds a row, in one round trip; None if the school has no log yet."""
    found = session.connection().execute(_HEAD_AND_SLOT, {"school_id": school_id}).first()
    if found is None:
        return None
    return found[0], found[1], bytes(found[2]), bool(found[3])


def insert_entry(session: Session, entry: AuditEntry) -> None:
    """Store the entry (every column set on the object), and give the session the object as
    that loaded row, not a new one to insert: callers that read it back, or query for it, meet
    this very object, with nothing left to load or to write again."""
    session.connection().execute(
        _INSERT_ENTRY,
        {
            "id": entry.id,
            "school_id": entry.school_id,
            "seq": entry.seq,
            "leaf": entry.leaf,
            "leaf_hash": entry.leaf_hash,
            "at": entry.at,
            "action": entry.action,
            "actor_id": entry.actor_id,
            "case_id": entry.case_id,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "detail_ct": entry.detail_ct,
        },
    )
    make_transient_to_detached(entry)
    session.add(entry)
    written = session.info.setdefault(_WRITTEN, [])
    written.append((entry, session.get_nested_transaction() or session.get_transaction()))


def insert_nodes(
    session: Session, school_id: uuid.UUID, completed: list[tuple[int, int, bytes]]
) -> None:
    """Store the perfect subtrees an append completed, (level, index, hash), in one executemany."""
    session.connection().execute(
        _INSERT_NODES,
        [
            {"school_id": school_id, "level": lv, "node_index": ix, "hash": h}
            for lv, ix, h in completed
        ],
    )


def advance_head(
    session: Session,
    school_id: uuid.UUID,
    values: tuple[str, int, bytes, bytes],
    *,
    hold: bool = False,
) -> AuditLog | None:
    """Move the head on with one UPDATE to `values` (origin, size, frontier, root), and give a
    head object this session holds those values, as the ORM's refresh-then-flush did: a caller
    reading it afterwards sees the new size and root, and nothing is left dirty to be written
    again. `hold`: return the head object, held as a loaded row if the session had none (as the
    ORM's read of the head left it), for `sign_head`, without reading it again."""
    origin, size, frontier, root = values
    session.connection().execute(
        _ADVANCE_HEAD,
        {"log_school_id": school_id, "size": size, "frontier": frontier, "root": root},
    )
    head = session.identity_map.get(_LOG_KEY((school_id,)))
    if head is not None:
        for name, value in (
            ("origin", origin),
            ("size", size),
            ("frontier", frontier),
            ("root", root),
        ):
            set_committed_value(head, name, value)
    elif hold:
        head = AuditLog(school_id=school_id, origin=origin, size=size, frontier=frontier, root=root)
        make_transient_to_detached(head)
        session.add(head)
    return head


def _rolled_back(session: Session) -> None:
    """A rollback undoes the entries written in the transaction (or savepoint) it ends. The ORM
    turned an inserted-then-rolled-back object back into a transient one that keeps its values
    and leaves the session; do the same here, before the rollback expires what the session
    holds (this event comes first), so an entry read after a rollback reads as it did."""
    written = session.info.get(_WRITTEN)
    if not written:
        return
    ending = session.get_nested_transaction() or session.get_transaction()
    kept = []
    for entry, written_in in written:
        if any(t is ending for t in _self_and_parents(written_in)):
            make_transient(entry)
        else:
            kept.append((entry, written_in))
    session.info[_WRITTEN] = kept


def _self_and_parents(transaction: SessionTransaction | None) -> Iterator[SessionTransaction]:
    while transaction is not None:
        yield transaction
        transaction = transaction.parent


def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the whole transaction: committed, rolled back or closed
        session.info.pop(_WRITTEN, None)


# On the Session class, so every session (the app's, the CLI's, the tests') keeps the promise.
event.listen(Session, "after_rollback", _rolled_back)
event.listen(Session, "after_transaction_end", _ended)
