"""The personal data breach record (issue 5, item 11; UK GDPR Art 33(5)): the facts, effects
and remedial action of every breach, reported or not, the decision on reporting to the ICO with
its reasons, and whether the people affected were told (Art 34). The ICO referral itself, with
its 72-hour clock and reference, stays a Referral: this record links to it."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidents.db import Base
from incidents.models.base import UTCDateTime, id_column
from incidents.models.case import Case
from incidents.models.referral import Referral
from incidents.sensitive import Sensitive, SensitiveField


class DataSubjects(enum.StrEnum):
    """Whose data it was: the categories of data subject Art 33(3)(a) asks for."""

    PUPILS = "pupils"
    PARENTS = "parents"
    STAFF = "staff"
    GOVERNORS = "governors"
    OTHERS = "others"

    @property
    def label(self) -> str:
        return {
            "pupils": "Pupils",
            "parents": "Parents or carers",
            "staff": "Staff",
            "governors": "Governors",
            "others": "Other people",
        }[self.value]


class BreachRecord(Base):
    __tablename__ = "breach_record"
    __table_args__ = (
        CheckConstraint("people_affected IS NULL OR people_affected > 0", name="people_positive"),
        CheckConstraint(
            "(facts_at IS NULL) = (what_happened_ct IS NULL) AND (facts_at IS NULL) = "
            "(people_affected IS NULL)",
            name="facts_recorded_together",
        ),
        CheckConstraint(
            "(report_to_ico IS NULL) = (report_reasons_ct IS NULL) AND (report_to_ico IS NULL) "
            "= (report_decided_at IS NULL)",
            name="ico_decision_has_reasons",
        ),
        CheckConstraint(
            "people_told IS NULL OR (people_told AND told_on IS NOT NULL AND "
            "not_told_reasons_ct IS NULL) OR (NOT people_told AND told_on IS NULL AND "
            "not_told_reasons_ct IS NOT NULL)",
            name="told_has_date_or_reasons",
        ),
    )

    id: Mapped[uuid.UUID] = id_column()
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), unique=True
    )
    # The ICO referral the triage opened, whose clock, status and reference this record reads.
    ico_referral_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("referral.id"), nullable=True
    )
    # The facts (Art 33(5)): what happened, what data, how many people, whose.
    facts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    what_happened: SensitiveField[Sensitive | None] = SensitiveField()
    what_happened_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    data_involved: SensitiveField[Sensitive | None] = SensitiveField()
    data_involved_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # A count, not personal data; approximate where the true number is unknown.
    people_affected: Mapped[int | None] = mapped_column(Integer, nullable=True)
    affects_pupils: Mapped[bool] = mapped_column(Boolean, default=False)
    affects_parents: Mapped[bool] = mapped_column(Boolean, default=False)
    affects_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    affects_governors: Mapped[bool] = mapped_column(Boolean, default=False)
    affects_others: Mapped[bool] = mapped_column(Boolean, default=False)
    likely_effects: SensitiveField[Sensitive | None] = SensitiveField()
    likely_effects_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    remedial_action: SensitiveField[Sensitive | None] = SensitiveField()
    remedial_action_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # The decision on reporting (Art 33(1)) with its reasons, either way.
    report_to_ico: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    report_reasons: SensitiveField[Sensitive | None] = SensitiveField()
    report_reasons_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    report_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Art 34: the people affected told, when; or why not.
    people_told: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    told_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    not_told_reasons: SensitiveField[Sensitive | None] = SensitiveField()
    not_told_reasons_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    case: Mapped[Case] = relationship(back_populates="breach_record")
    ico_referral: Mapped[Referral | None] = relationship(lazy="joined")

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.case.school_id, self.case.id

    @property
    def subjects(self) -> list[DataSubjects]:
        return [s for s in DataSubjects if getattr(self, f"affects_{s.value}")]

    @property
    def facts_recorded(self) -> bool:
        return self.facts_at is not None

    @property
    def is_complete(self) -> bool:
        return (
            self.facts_recorded
            and self.report_to_ico is not None
            and (self.people_told is not None)
        )
