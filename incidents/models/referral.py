"""Referral: the case's referral to (or decision not to refer to) an outside agency, with its
lifecycle, how it was made, their reference, the advice received and its statutory clock."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidents.db import Base
from incidents.models.base import UTCDateTime, checked_enum, created_column, id_column
from incidents.sensitive import Sensitive, SensitiveField

if TYPE_CHECKING:
    from incidents.models.case import Case


class Agency(enum.StrEnum):
    LADO = "lado"
    POLICE = "police"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    ICO = "ico"
    DBS = "dbs"
    TRA = "tra"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "lado": "Local authority designated officer (LADO)",
            "police": "Police",
            "childrens_social_care": "Children's social care",
            "ico": "Information Commissioner's Office (ICO)",
            "dbs": "Disclosure and Barring Service (DBS)",
            "tra": "Teaching Regulation Agency (TRA)",
            "other": "Another agency",
        }[self.value]


class ReferralStatus(enum.StrEnum):
    DRAFT = "draft"
    MADE = "made"
    ACKNOWLEDGED = "acknowledged"
    ADVICE_RECEIVED = "advice_received"
    CLOSED = "closed"
    # A decision not to refer, recorded with its reasons like a referral (KCSIE Part 4).
    NOT_MADE = "not_made"

    @property
    def label(self) -> str:
        return {
            "draft": "To do",
            "made": "Made",
            "acknowledged": "Acknowledged",
            "advice_received": "Advice received",
            "closed": "Closed",
            "not_made": "Decided not to refer",
        }[self.value]


# Statuses in which the referral has been made (the DBS duty is met by any of them).
MADE_STATUSES = frozenset(
    {
        ReferralStatus.MADE,
        ReferralStatus.ACKNOWLEDGED,
        ReferralStatus.ADVICE_RECEIVED,
        ReferralStatus.CLOSED,
    }
)
# Finished: nothing more to do before the case closes.
SETTLED_STATUSES = frozenset({ReferralStatus.CLOSED, ReferralStatus.NOT_MADE})


class ReferralMethod(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    PORTAL = "portal"

    @property
    def label(self) -> str:
        return {"phone": "Phone", "email": "Email", "portal": "Online portal or form"}[self.value]


class Investigation(enum.StrEnum):
    """Who the LADO agreed investigates (KCSIE Part 4: the school does not investigate or
    interview until the LADO, and the police where an offence may have been committed, agree
    how and by whom)."""

    SCHOOL = "school"
    AGENCIES = "agencies"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            "school": "The school may investigate, as the LADO advised",
            "agencies": "The police or children's social care investigate first: the school waits",
            "none": "No investigation is needed: the school may decide the outcome",
        }[self.value]


class Referral(Base):
    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'not_made') OR (made_at IS NOT NULL AND method IS NOT NULL)",
            name="made_has_date_and_method",
        ),
        CheckConstraint("status <> 'not_made' OR reasons_ct IS NOT NULL", name="not_made_reasons"),
        CheckConstraint(
            "status <> 'advice_received' OR advice_ct IS NOT NULL", name="advice_recorded"
        ),
        # The statistics count referrals made in a range of dates, and whether in time.
        Index("ix_referral_stats_made", "made_at", "status", "due_at", "case_id"),
    )

    id: Mapped[uuid.UUID] = id_column()
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    agency: Mapped[Agency] = mapped_column(checked_enum(Agency, "agency"))
    status: Mapped[ReferralStatus] = mapped_column(checked_enum(ReferralStatus, "referral_status"))
    method: Mapped[ReferralMethod | None] = mapped_column(
        checked_enum(ReferralMethod, "referral_method"), nullable=True
    )
    # The statutory clock, where one applies (LADO, ICO); shown on the case manager's home page.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    made_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = created_column()
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), nullable=True
    )
    their_reference: SensitiveField[Sensitive | None] = SensitiveField()
    their_reference_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    advice: SensitiveField[Sensitive | None] = SensitiveField()
    advice_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # The LADO's side of a referral (issue 13, items 1 and 2): who at the LADO spoke to the
    # school and when, their threshold decision, and who they agreed investigates.
    officer: SensitiveField[Sensitive | None] = SensitiveField()
    officer_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    spoke_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    threshold_met: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    investigation: Mapped[Investigation | None] = mapped_column(
        checked_enum(Investigation, "investigation"), nullable=True
    )
    # Why not referred, why late, or why closed without advice.
    reasons: SensitiveField[Sensitive | None] = SensitiveField()
    reasons_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    case: Mapped[Case] = relationship(back_populates="referrals")

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.case.school_id, self.case.id

    @property
    def is_open(self) -> bool:
        return self.status not in SETTLED_STATUSES
