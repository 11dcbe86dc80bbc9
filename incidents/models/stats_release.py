"""Statistics releases (issue 18): the figures for a closed period, protected once with every
page of the period and the releases before it, and stored as published. Only what the pages
show is kept (the text of each cell: a number, `c` or `x`), never the counts behind a hidden
cell; a release is never recomputed, only replaced by a numbered revision."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from incidents.db import Base
from incidents.models.base import UTCDateTime, id_column


class StatsRelease(Base):
    __tablename__ = "stats_release"
    __table_args__ = (
        UniqueConstraint("academic_year", "period", "revision"),
        CheckConstraint("period IN ('autumn', 'spring', 'summer')", name="period"),
        CheckConstraint("revision >= 1", name="revision"),
    )

    id: Mapped[uuid.UUID] = id_column()
    academic_year: Mapped[int] = mapped_column(Integer)
    # The term the release closes; the summer term's release is also the whole year's.
    period: Mapped[str] = mapped_column(String(10))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Cases recorded up to this instant are in it; one recorded later waits for a revision.
    cutoff: Mapped[datetime] = mapped_column(UTCDateTime)
    # JSON: {term: cut-off} the term columns were counted at (earlier releases' for the
    # terms they published), and the rules applied (threshold, minimum base).
    basis: Mapped[str] = mapped_column(Text)
    rules: Mapped[str] = mapped_column(Text)
    # Fixed wording and protected counts only (cases recorded late for earlier terms).
    note: Mapped[str] = mapped_column(Text, default="")


class StatsReleasePage(Base):
    """One page of a release: the trust's (school_id NULL) or one school's."""

    __tablename__ = "stats_release_page"
    __table_args__ = (UniqueConstraint("release_id", "scope"),)

    id: Mapped[uuid.UUID] = id_column()
    release_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("stats_release.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[str] = mapped_column(String(36))  # "trust" or the school's id
    school_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), nullable=True
    )
    content: Mapped[str] = mapped_column(Text)  # JSON: see stats/published.py
