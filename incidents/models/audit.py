"""AuditEvent: one row per recorded action, written only by `incidents.audit.record`."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from incidents.db import Base
from incidents.models.base import created_column, id_column


class AuditEvent(Base):
    __tablename__ = "audit_event"
    # Gap-free per school; the unique pair is the guard against two writers taking one number.
    __table_args__ = (UniqueConstraint("school_id", "seq"),)

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = created_column()
    # Opaque ids only: no names, no free text (the log must hold no personal data).
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    actor_role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    object_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    object_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
