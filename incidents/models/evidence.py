"""Evidence: a file kept with a case (issue 14). The file row holds what is known about it (type,
size, how it was cut into chunks, what it supersedes); its name, description and fingerprint are
personal fields sealed under the case's key; its bytes are chunks of AES-256-GCM ciphertext under
the same key, in `evidence_chunk` (the database store; `casework.evidence.storage` is the one way
to them). A file is never changed: a replacement is a new row that names the one it supersedes,
and a deletion drops the chunks and keeps the row as a tombstone."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidents.db import Base
from incidents.models.base import UTCDateTime, checked_enum, created_column, id_column
from incidents.sensitive import Sensitive, SensitiveField

if TYPE_CHECKING:
    from incidents.models.case import Case


class EvidenceSource(enum.StrEnum):
    """Where a file came from: it weighs differently with a panel or the LADO."""

    SCHOOL = "school"
    PARENT = "parent"
    MONITORING = "monitoring"
    AGENCY = "agency"
    STAFF = "staff"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            EvidenceSource.SCHOOL: "Taken by the school",
            EvidenceSource.PARENT: "Given by a parent or carer",
            EvidenceSource.MONITORING: "From the school's monitoring",
            EvidenceSource.AGENCY: "From an agency (LADO, police, social care)",
            EvidenceSource.STAFF: "Given by a member of staff",
            EvidenceSource.OTHER: "Somewhere else",
        }[self]


class EvidenceFile(Base):
    __tablename__ = "evidence_file"
    __table_args__ = (
        CheckConstraint("size > 0", name="not_empty"),
        CheckConstraint("chunk_count >= 1 AND chunk_size > 0", name="chunked"),
        CheckConstraint(
            "(deleted_at IS NULL) OR (name_ct IS NULL AND description_ct IS NULL)",
            name="tombstone_forgets_name",
        ),
        CheckConstraint("supersedes_id IS NULL OR reason_ct IS NOT NULL", name="supersede_reason"),
    )

    id: Mapped[uuid.UUID] = id_column()
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    # Null for a sealed reporter's upload: their identity is not revealed by their evidence.
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), nullable=True
    )
    by_sealed_reporter: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at: Mapped[datetime] = created_column()
    source: Mapped[EvidenceSource] = mapped_column(checked_enum(EvidenceSource, "source"))
    shows_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    chunk_size: Mapped[int] = mapped_column(Integer)
    chunk_count: Mapped[int] = mapped_column(Integer)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("evidence_file.id"), nullable=True
    )
    # The upload's audit entry: its leaf commits to the fingerprint (see `commitment`).
    upload_entry_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("audit_entry.id"), nullable=True
    )
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    name: SensitiveField[Sensitive | None] = SensitiveField()
    name_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    description: SensitiveField[Sensitive | None] = SensitiveField()
    description_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # "<sha-256 hex> <salt hex>": the original bytes' digest and the salt of the leaf's
    # commitment to it, kept under the case key so that shredding the case unlinks the log.
    fingerprint: SensitiveField[Sensitive] = SensitiveField()
    fingerprint_ct: Mapped[bytes] = mapped_column(LargeBinary)
    reason: SensitiveField[Sensitive | None] = SensitiveField()
    reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    case: Mapped[Case] = relationship()

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.case.school_id, self.case.id

    @property
    def sha256(self) -> str:
        return self.fingerprint.reveal().split(" ", 1)[0]

    @property
    def salt(self) -> str:
        return self.fingerprint.reveal().split(" ", 1)[1]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class EvidenceChunk(Base):
    """One chunk's ciphertext: header | nonce | AES-256-GCM(bytes), bound to its file, number,
    the file's chunk count and the case (`crypto.envelope.seal_chunk`)."""

    __tablename__ = "evidence_chunk"

    file_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evidence_file.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
