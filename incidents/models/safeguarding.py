"""Safeguarding records on a case: triage decisions (with the four KCSIE limbs), police holds
on the school's own investigation."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidents.db import Base
from incidents.models.base import UTCDateTime, checked_enum, created_column, id_column
from incidents.models.case import Case, CaseKind
from incidents.models.outcome import ThresholdAnswer
from incidents.sensitive import Sensitive, SensitiveField


def _answer(name: str) -> Mapped[ThresholdAnswer]:
    return mapped_column(checked_enum(ThresholdAnswer, name))


class TriageDecision(Base):
    """One harm-threshold assessment: the first triage, or a later change of track. Kept as a
    history; the case's `kind` is the latest decision's."""

    __tablename__ = "triage_decision"

    id: Mapped[uuid.UUID] = id_column()
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    decided_at: Mapped[datetime] = created_column()
    decided_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    # KCSIE Part 4 section 1, limbs (a) to (d).
    harmed_child: Mapped[ThresholdAnswer] = _answer("harmed_child")
    criminal_offence: Mapped[ThresholdAnswer] = _answer("criminal_offence")
    risk_of_harm: Mapped[ThresholdAnswer] = _answer("risk_of_harm")
    unsuitable: Mapped[ThresholdAnswer] = _answer("unsuitable")
    kind: Mapped[CaseKind] = mapped_column(checked_enum(CaseKind, "kind"))
    previous_kind: Mapped[CaseKind | None] = mapped_column(
        checked_enum(CaseKind, "previous_kind"), nullable=True
    )
    reasons: SensitiveField[Sensitive] = SensitiveField()
    reasons_ct: Mapped[bytes] = mapped_column(LargeBinary)

    case: Mapped[Case] = relationship(back_populates="triage_decisions")

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.case.school_id, self.case.id

    @property
    def limbs(self) -> tuple[ThresholdAnswer, ...]:
        return (self.harmed_child, self.criminal_offence, self.risk_of_harm, self.unsuitable)


class PoliceHold(Base):
    """While the police investigate, the school's own investigation waits. A hold is lifted only
    by recording that the police investigation has finished, and its result."""

    __tablename__ = "police_hold"
    __table_args__ = (
        CheckConstraint(
            "(lifted_at IS NULL) = (result_ct IS NULL) AND (lifted_at IS NULL) = "
            "(lifted_by_id IS NULL)",
            name="lifted_with_result",
        ),
    )

    id: Mapped[uuid.UUID] = id_column()
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    placed_at: Mapped[datetime] = created_column()
    placed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), nullable=True
    )
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), nullable=True
    )
    result: SensitiveField[Sensitive | None] = SensitiveField()
    result_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    case: Mapped[Case] = relationship(back_populates="police_holds")

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.case.school_id, self.case.id

    @property
    def is_open(self) -> bool:
        return self.lifted_at is None
