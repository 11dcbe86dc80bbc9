"""PolicyClause: one rule of a school's policy, seeded from the catalogue, admin-editable."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from incidents.db import Base
from incidents.models.base import UTCDateTime, created_column, id_column


class PolicyClause(Base):
    __tablename__ = "policy_clause"
    __table_args__ = (
        UniqueConstraint("school_id", "code"),
        # The statistics look each cited clause's category up: this answers from the index.
        Index("ix_policy_clause_category", "id", "category"),
    )

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    # Where the clause came from, e.g. "001 Code of Conduct 5" or "Local: staff handbook 4.2".
    source: Mapped[str] = mapped_column(String(120))
    # Category codes come from the catalogue; statistics group by them.
    category: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_column()
    # Retired clauses are hidden from new cases but stay cited on old ones.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None
