"""Legal holds: an inquiry, litigation or a police investigation that needs a case kept. While a
hold is open the case cannot be erased, whatever its retention date (issue 13, item 13)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidents.db import Base
from incidents.models.base import UTCDateTime, checked_enum, created_column, id_column
from incidents.models.case import Case
from incidents.sensitive import Sensitive, SensitiveField


class LegalHoldKind(enum.StrEnum):
    INQUIRY = "inquiry"
    LITIGATION = "litigation"
    POLICE = "police"

    @property
    def label(self) -> str:
        return {
            LegalHoldKind.INQUIRY: "A public or statutory inquiry",
            LegalHoldKind.LITIGATION: "Litigation, or a claim expected",
            LegalHoldKind.POLICE: "A police investigation or prosecution",
        }[self]


class LegalHold(Base):
    __tablename__ = "legal_hold"
    __table_args__ = (
        CheckConstraint(
            "(lifted_at IS NULL) = (lift_reason_ct IS NULL) AND (lifted_at IS NULL) = "
            "(lifted_by_id IS NULL)",
            name="lifted_with_reason",
        ),
    )

    id: Mapped[uuid.UUID] = id_column()
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[LegalHoldKind] = mapped_column(checked_enum(LegalHoldKind, "kind"))
    placed_at: Mapped[datetime] = created_column()
    placed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    reason: SensitiveField[Sensitive] = SensitiveField()
    reason_ct: Mapped[bytes] = mapped_column(LargeBinary)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), nullable=True
    )
    lift_reason: SensitiveField[Sensitive | None] = SensitiveField()
    lift_reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    case: Mapped[Case] = relationship(back_populates="legal_holds")

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.case.school_id, self.case.id

    @property
    def is_open(self) -> bool:
        return self.lifted_at is None
