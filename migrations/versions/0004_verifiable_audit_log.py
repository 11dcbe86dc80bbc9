"""Verifiable audit log: a Merkle tree per school (RFC 9162 shape), signed checkpoints.

Replaces the plain audit_event table. Existing events become the first leaves of each school's
log, in their original order and with their original times, so nothing recorded is lost.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 14:20:00
"""

from __future__ import annotations

import base64
import os
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ORIGIN_BASE = "incidents.invalid/audit"


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_audit_checkpoint_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
        sa.UniqueConstraint("school_id", "size", name=op.f("uq_audit_checkpoint_school_id_size")),
    )
    with op.batch_alter_table("audit_checkpoint", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_checkpoint_school_id"), ["school_id"], unique=False
        )

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("leaf", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("object_type", sa.String(length=32), nullable=True),
        sa.Column("object_id", sa.Uuid(), nullable=True),
        sa.Column("detail_ct", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_audit_entry_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
        sa.UniqueConstraint("school_id", "seq", name=op.f("uq_audit_entry_school_id_seq")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_object_id"), ["object_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_audit_log_school_id_school")
        ),
        sa.PrimaryKeyConstraint("school_id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("origin", name=op.f("uq_audit_log_origin")),
    )
    op.create_table(
        "audit_tree_node",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("node_index", sa.Integer(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_audit_tree_node_school_id_school")
        ),
        sa.PrimaryKeyConstraint(
            "school_id", "level", "node_index", name=op.f("pk_audit_tree_node")
        ),
    )

    _convert_events(op.get_bind())
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_case_id"))
    op.drop_table("audit_event")


def _uuid(value: Any) -> uuid.UUID | None:
    if value is None:
        return None
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _as_utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _convert_events(bind: sa.Connection) -> None:
    """Each school's old events, in sequence order, become leaves of its new log."""
    from incidents.audit import tlog

    meta = sa.MetaData()
    meta.reflect(
        bind=bind, only=["school", "audit_event", "audit_log", "audit_entry", "audit_tree_node"]
    )
    school, event = meta.tables["school"], meta.tables["audit_event"]
    log, entry, node = (meta.tables[t] for t in ("audit_log", "audit_entry", "audit_tree_node"))
    for school_row in bind.execute(sa.select(school.c.id, school.c.urn)).all():
        school_id = _uuid(school_row.id)
        origin = f"{ORIGIN_BASE}/{school_row.urn}"
        frontier: list[bytes] = []
        size = 0
        rows = bind.execute(
            sa.select(event).where(event.c.school_id == school_row.id).order_by(event.c.seq)
        ).all()
        for old in rows:
            at = _as_utc(old.at)
            leaf = tlog.canonical(
                {
                    "v": 1,
                    "log": origin,
                    "seq": size,
                    "ts": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    "actor": str(_uuid(old.actor_id)) if old.actor_id else None,
                    "role": old.actor_role,
                    "action": old.action,
                    "case": str(_uuid(old.case_id)) if old.case_id else None,
                    "obj": old.object_type,
                    "oid": str(_uuid(old.object_id)) if old.object_id else None,
                    "fields": [],
                    "ct": [],
                    "detail": None,
                    "salt": base64.b64encode(os.urandom(16)).decode(),
                }
            )
            digest = tlog.leaf_hash(leaf)
            bind.execute(
                entry.insert().values(
                    id=_uuid(old.id),
                    school_id=school_id,
                    seq=size,
                    leaf=leaf,
                    leaf_hash=digest,
                    at=at,
                    action=old.action,
                    actor_id=_uuid(old.actor_id),
                    case_id=_uuid(old.case_id),
                    object_type=old.object_type,
                    object_id=_uuid(old.object_id),
                )
            )
            frontier, completed = tlog.frontier_append(frontier, size, digest)
            for level, index, h in completed:
                bind.execute(
                    node.insert().values(school_id=school_id, level=level, node_index=index, hash=h)
                )
            size += 1
        bind.execute(
            log.insert().values(
                school_id=school_id,
                origin=origin,
                size=size,
                root=tlog.frontier_root(frontier),
                frontier=tlog.pack(frontier),
            )
        )


def downgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_role", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("object_type", sa.String(length=32), nullable=True),
        sa.Column("object_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_audit_event_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("school_id", "seq", name=op.f("uq_audit_event_school_id_seq")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_case_id"), ["case_id"], unique=False)
    # The leaves keep who, what and when; signatures, digests and details have no old home.
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "INSERT INTO audit_event (id, school_id, seq, at, actor_id, actor_role, action, case_id, "
            "object_type, object_id) SELECT id, school_id, seq, at, actor_id, NULL, action, case_id, "
            "object_type, object_id FROM audit_entry"
        )
    )
    for table in ("audit_tree_node", "audit_log", "audit_checkpoint", "audit_entry"):
        op.drop_table(table)
