"""The audit trail's tables: one log per school (its head row), its entries (the exact leaf bytes
that were hashed), the interior nodes of its Merkle tree, and its signed checkpoints.

Written only by `incidents.audit`. An entry's leaf holds opaque ids, the action, digests of
ciphertexts and a salt; its detail (reasons, old and new values) is encrypted under the case key.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from incidents.db import Base
from incidents.models.base import UTCDateTime, created_column, id_column
from incidents.sensitive import Sensitive, SensitiveField


class AuditLog(Base):
    """The head of a school's log: always present once the school exists, and the row every
    append locks first, so two writers can never take the same sequence number."""

    __tablename__ = "audit_log"

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), primary_key=True)
    origin: Mapped[str] = mapped_column(String(200), unique=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    # The roots of the perfect subtrees making up the tree, largest first, 32 bytes each.
    frontier: Mapped[bytes] = mapped_column(LargeBinary, default=b"")


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (UniqueConstraint("school_id", "seq"),)

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"))
    seq: Mapped[int] = mapped_column(Integer)
    # The canonical JSON bytes, exactly as hashed: never re-serialised to verify.
    leaf: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    # Copies of leaf fields for queries; the leaf is the record.
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(64), index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    object_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    object_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    detail: SensitiveField[Sensitive | None] = SensitiveField()
    detail_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.school_id, self.case_id


class TreeNode(Base):
    """A completed perfect subtree (level >= 1) of a school's log: proofs need O(log n) of these
    instead of rehashing the whole log."""

    __tablename__ = "audit_tree_node"
    __table_args__ = (PrimaryKeyConstraint("school_id", "level", "node_index"),)

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"))
    level: Mapped[int] = mapped_column(Integer)
    # Which subtree of that level, counted from the left ("index" is a keyword in SQL).
    index: Mapped[int] = mapped_column("node_index", Integer)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditCheckpoint(Base):
    """A signed tree head in C2SP signed-note form, as given to the local authority."""

    __tablename__ = "audit_checkpoint"
    __table_args__ = (UniqueConstraint("school_id", "size"),)

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), index=True)
    size: Mapped[int] = mapped_column(Integer)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_column()
