"""A school's own procedures where the seed policies or local arrangements differ (issue 13):
whether a person is told before their internet use is monitored (seed 000 yes, seed 002 no),
the local LADO referral period, and the retention periods for breach records. No row, or an
empty field: the shipped default applies."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, object_session

from incidents.db import Base


class SchoolSettings(Base):
    __tablename__ = "school_settings"
    __table_args__ = (
        CheckConstraint("lado_working_days BETWEEN 1 AND 5", name="lado_days_in_range"),
        CheckConstraint(
            "data_breach_years IS NULL OR data_breach_years BETWEEN 1 AND 50",
            name="data_breach_years_in_range",
        ),
        CheckConstraint(
            "policy_breach_years IS NULL OR policy_breach_years BETWEEN 1 AND 50",
            name="policy_breach_years_in_range",
        ),
    )

    school_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), primary_key=True
    )
    # None: the school has not said (the case page then asks the case manager to check).
    tell_before_monitoring: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    lado_working_days: Mapped[int] = mapped_column(Integer, default=1)
    data_breach_years: Mapped[int | None] = mapped_column(Integer, nullable=True)
    policy_breach_years: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The letterhead's postal address (issue 17, item 8): the school's, never a person's.
    letter_address: Mapped[str | None] = mapped_column(Text, nullable=True)


def settings_of(record: object, school_id: uuid.UUID) -> SchoolSettings | None:
    """The school's settings, read through the session `record` is in (None: the defaults)."""
    session = object_session(record)
    return session.get(SchoolSettings, school_id) if session is not None else None
