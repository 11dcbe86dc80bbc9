"""PolicyClause: one rule of a school's policy, seeded from the catalogue, admin-editable; its
text is versioned (PolicyClauseVersion), so a case keeps citing the words in force when it was
recorded, whatever an administrator writes later."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    # The text in force: always its latest version's (`revise` keeps the two together).
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_column()
    # Retired clauses are hidden from new cases but stay cited on old ones.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    versions: Mapped[list[PolicyClauseVersion]] = relationship(
        back_populates="clause", order_by="PolicyClauseVersion.number"
    )

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def current_version(self) -> PolicyClauseVersion:
        return self.versions[-1]

    def revise(self, text: str) -> PolicyClauseVersion:
        """Put `text` in force as the next version (the first, for a new clause). Earlier
        versions are never changed: the cases that cite them go on showing their words."""
        version = PolicyClauseVersion(number=len(self.versions) + 1, text=text)
        self.versions.append(version)
        self.text = text
        return version


class PolicyClauseVersion(Base):
    """One wording of a clause, from when it was put in force. Clauses hold no personal data,
    so the text is plain, like the clause's own."""

    __tablename__ = "policy_clause_version"
    __table_args__ = (UniqueConstraint("clause_id", "number"),)

    id: Mapped[uuid.UUID] = id_column()
    clause_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policy_clause.id"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_column()

    clause: Mapped[PolicyClause] = relationship(back_populates="versions")
