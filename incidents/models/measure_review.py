"""Reviews of a sanction or measure (a parent's photography or phone rights withdrawn, premises
restricted; a governor's or volunteer's equivalent): on its review date the case manager decides
to continue it, end it or change it, with reasons. A measure can be reviewed many times."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidents.db import Base
from incidents.models.base import checked_enum, created_column, id_column
from incidents.sensitive import Sensitive, SensitiveField

if TYPE_CHECKING:
    from incidents.models.disciplinary import DisciplinaryMeasure


class ReviewDecision(enum.StrEnum):
    CONTINUE = "continue"
    END = "end"
    VARY = "vary"

    @property
    def label(self) -> str:
        return {
            "continue": "Continue it unchanged",
            "end": "End it",
            "vary": "Change it",
        }[self.value]


class MeasureReview(Base):
    """One review: the decision, its reasons (sealed), what changes (sealed, when changed), the
    end date (when ended), the next review date (optional, not when ended) and who reviewed."""

    __tablename__ = "measure_review"
    __table_args__ = (
        CheckConstraint("(decision = 'end') = (ends_on IS NOT NULL)", name="end_has_date"),
        CheckConstraint(
            "(decision = 'vary') = (changes_ct IS NOT NULL)", name="change_has_description"
        ),
        CheckConstraint("decision <> 'end' OR next_review_on IS NULL", name="ended_not_reviewed"),
        CheckConstraint(
            "next_review_on IS NULL OR next_review_on > reviewed_on", name="next_after_review"
        ),
        CheckConstraint("ends_on IS NULL OR ends_on >= reviewed_on", name="end_not_before_review"),
    )

    id: Mapped[uuid.UUID] = id_column()
    measure_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("disciplinary_measure.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[ReviewDecision] = mapped_column(checked_enum(ReviewDecision, "decision"))
    reviewed_on: Mapped[date] = mapped_column(Date)
    reasons: SensitiveField[Sensitive] = SensitiveField()
    reasons_ct: Mapped[bytes] = mapped_column(LargeBinary)
    # What the variation changes: it may name events, places or children.
    changes: SensitiveField[Sensitive | None] = SensitiveField()
    changes_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    next_review_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    reviewed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = created_column()

    measure: Mapped[DisciplinaryMeasure] = relationship(back_populates="reviews")

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.measure.crypto_scope()
