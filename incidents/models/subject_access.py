"""Subject access requests (UK GDPR Art 15): the register a school keeps to answer within one
calendar month (extendable by two), and the exemptions it relied on (DOMAIN.md section 3)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidents.db import Base
from incidents.models.base import checked_enum, created_column, id_column
from incidents.sensitive import Sensitive, SensitiveField


class Requester(enum.StrEnum):
    DATA_SUBJECT = "data_subject"
    PARENT_FOR_CHILD = "parent_for_child"
    REPRESENTATIVE = "representative"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            Requester.DATA_SUBJECT: "The person the information is about",
            Requester.PARENT_FOR_CHILD: "A parent or carer, for their child",
            Requester.REPRESENTATIVE: "Someone acting for them (a solicitor or union)",
            Requester.OTHER: "Someone else",
        }[self]


class RequestState(enum.StrEnum):
    OPEN = "open"
    RESPONDED = "responded"
    WITHDRAWN = "withdrawn"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return {
            RequestState.OPEN: "Open",
            RequestState.RESPONDED: "Answered",
            RequestState.WITHDRAWN: "Withdrawn",
            RequestState.REFUSED: "Refused",
        }[self]


class Exemption(enum.StrEnum):
    """What may be withheld or redacted, with the provision that allows it (DOMAIN.md §3)."""

    THIRD_PARTY = "third_party"
    SOURCE_IDENTITY = "source_identity"
    CHILD_ABUSE_DATA = "child_abuse_data"
    SERIOUS_HARM = "serious_harm"
    CRIME = "crime"
    LEGAL_PRIVILEGE = "legal_privilege"

    @property
    def label(self) -> str:
        return {
            Exemption.THIRD_PARTY: "Other people's information (DPA 2018 Sch 2 para 16)",
            Exemption.SOURCE_IDENTITY: (
                "The identity of the person who gave the information (DPA 2018 Sch 2 para 16)"
            ),
            Exemption.CHILD_ABUSE_DATA: (
                "Child abuse data, not in the child's best interests (DPA 2018 Sch 3 Part 5)"
            ),
            Exemption.SERIOUS_HARM: "Likely to cause serious harm (DPA 2018 Sch 3)",
            Exemption.CRIME: "Would prejudice a police investigation (DPA 2018 Sch 2 para 2)",
            Exemption.LEGAL_PRIVILEGE: "Legal professional privilege (DPA 2018 Sch 2 para 19)",
        }[self]


class SarExemption(Base):
    """One exemption relied on in answering a request (the register must show each one used)."""

    __tablename__ = "sar_exemption"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subject_access_request.id", ondelete="CASCADE"), primary_key=True
    )
    exemption: Mapped[Exemption] = mapped_column(
        checked_enum(Exemption, "exemption"), primary_key=True
    )


class SubjectAccessRequest(Base):
    __tablename__ = "subject_access_request"
    __table_args__ = (
        UniqueConstraint("school_id", "year", "number"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint("due_on >= received_on", name="due_after_received"),
        # An extension always carries its (encrypted) reason; an answer always has its date.
        CheckConstraint(
            "extended = (extension_reason_ct IS NOT NULL)", name="extension_has_reason"
        ),
        CheckConstraint(
            "(state = 'responded') = (responded_on IS NOT NULL)", name="responded_has_date"
        ),
        CheckConstraint(
            "state IN ('open', 'responded') OR closing_reason_ct IS NOT NULL",
            name="closed_has_reason",
        ),
    )

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    requester_kind: Mapped[Requester] = mapped_column(checked_enum(Requester, "requester_kind"))
    # Who asked, and what about: personal data, sealed with the school's key.
    requester: SensitiveField[Sensitive] = SensitiveField()
    requester_ct: Mapped[bytes] = mapped_column(LargeBinary)
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_reason: SensitiveField[Sensitive | None] = SensitiveField()
    extension_reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    state: Mapped[RequestState] = mapped_column(
        checked_enum(RequestState, "sar_state"), default=RequestState.OPEN
    )
    responded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # What was disclosed, withheld and why; or why the request was refused or withdrawn.
    response_note: SensitiveField[Sensitive | None] = SensitiveField()
    response_note_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    closing_reason: SensitiveField[Sensitive | None] = SensitiveField()
    closing_reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = created_column()
    exemption_rows: Mapped[list[SarExemption]] = relationship(
        cascade="all, delete-orphan", order_by=SarExemption.exemption
    )

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        # A request can touch several cases (or none): it belongs to the school.
        return self.school_id, None

    @property
    def exemptions(self) -> list[Exemption]:
        return [row.exemption for row in self.exemption_rows]

    @property
    def is_open(self) -> bool:
        return self.state is RequestState.OPEN

    @property
    def reference(self) -> str:
        return f"SAR-{self.year}-{self.number:03d}"
