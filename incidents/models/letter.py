"""Letters (issue 17, item 8): the school's own wording for each kind of letter, and the record
of each letter sent from a case, with what it said sealed under the case's key."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, LargeBinary, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidents.db import Base
from incidents.models.base import UTCDateTime, checked_enum, created_column, id_column
from incidents.models.case import Case
from incidents.sensitive import Sensitive, SensitiveField


class LetterKind(enum.StrEnum):
    PARENT = "parent"
    SUSPENSION = "suspension"
    OUTCOME = "outcome"
    SANCTION = "sanction"
    LADO_SUMMARY = "lado_summary"

    @property
    def label(self) -> str:
        return {
            LetterKind.PARENT: "Letter to the parent or carer who raised the concern",
            LetterKind.SUSPENSION: "Written confirmation of a suspension",
            LetterKind.OUTCOME: "Outcome letter to the person the allegation is about",
            LetterKind.SANCTION: "Letter to a parent about a sanction",
            LetterKind.LADO_SUMMARY: "LADO referral summary",
        }[self]


class LetterMethod(enum.StrEnum):
    POST = "post"
    EMAIL = "email"
    BY_HAND = "by_hand"

    @property
    def label(self) -> str:
        return {"post": "By post", "email": "By email", "by_hand": "By hand"}[self.value]


class LetterTemplate(Base):
    """A school's wording for one kind of letter. Not personal data: placeholders only (the
    allow-list refuses anything else at save), so it is stored in clear and every edit's old
    and new text go into the audit entry. No row: the shipped default is used."""

    __tablename__ = "letter_template"
    __table_args__ = (UniqueConstraint("school_id", "kind"),)

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    kind: Mapped[LetterKind] = mapped_column(checked_enum(LetterKind, "kind"))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))


class SentLetter(Base):
    """A letter produced from a case and recorded as sent: who, which kind, when, how. The
    letter as sent (address, names, outcome, the free-text paragraph) is one sealed text, so the
    PDF is made again from it on demand and is always the letter that was sent, whatever
    changes on the case later."""

    __tablename__ = "sent_letter"

    id: Mapped[uuid.UUID] = id_column()
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[LetterKind] = mapped_column(checked_enum(LetterKind, "kind"))
    method: Mapped[LetterMethod] = mapped_column(checked_enum(LetterMethod, "method"))
    sent_on: Mapped[date] = mapped_column(Date)
    sent_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = created_column()
    # The letterhead, recipient block and body, as rendered: personal data.
    content: SensitiveField[Sensitive] = SensitiveField()
    content_ct: Mapped[bytes] = mapped_column(LargeBinary)

    case: Mapped[Case] = relationship()

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.case.school_id, self.case.id
