"""DataKey: a random per-case (or per-school) data key, stored only wrapped by the school's KEK.

Destroying a key (crypto-shredding) clears `wrapped` and sets `destroyed_at`; the row stays as the
record that the key existed and when it was destroyed.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from incidents.db import Base
from incidents.models.base import UTCDateTime, checked_enum, created_column, id_column


class KeyScope(enum.StrEnum):
    CASE = "case"
    SCHOOL = "school"


class DataKey(Base):
    __tablename__ = "data_key"
    __table_args__ = (
        UniqueConstraint("school_id", "scope", "case_id", "version"),
        CheckConstraint(
            "(scope = 'case' AND case_id IS NOT NULL) OR (scope = 'school' AND case_id IS NULL)",
            name="scope_matches_case",
        ),
        CheckConstraint(
            "(wrapped IS NULL) = (destroyed_at IS NOT NULL)", name="destroyed_has_no_key"
        ),
    )

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), index=True)
    scope: Mapped[KeyScope] = mapped_column(checked_enum(KeyScope, "scope"))
    # No foreign key: the key row is written in the same flush as its case, and it must outlive
    # nothing but itself.
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    kek_version: Mapped[int] = mapped_column(Integer, index=True)
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = created_column()
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def scope_label(self) -> str:
        return f"case:{self.case_id}" if self.scope == KeyScope.CASE else f"school:{self.school_id}"
