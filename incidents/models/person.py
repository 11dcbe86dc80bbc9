"""Person: someone a case is about or involves. The name is personal data (Sensitive)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, LargeBinary, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from incidents.db import Base
from incidents.models.base import checked_enum, created_column, id_column
from incidents.sensitive import FieldCipher, Sensitive, SensitiveField, cipher_of

# The blind index's purpose for the link between a person and their login (issue 19, item 10).
ACCOUNT = "account"
# ... and for matching an imported staff list to the people already here, by work email.
EMAIL = "email"


class PersonKind(enum.StrEnum):
    STAFF = "staff"
    GOVERNOR = "governor"
    VOLUNTEER = "volunteer"
    CONTRACTOR = "contractor"
    PARENT_CARER = "parent_carer"
    PUPIL = "pupil"
    OTHER = "other"

    @property
    def label(self) -> str:
        return PERSON_KIND_LABELS[self]


PERSON_KIND_LABELS = {
    PersonKind.STAFF: "Member of staff",
    PersonKind.GOVERNOR: "Governor",
    PersonKind.VOLUNTEER: "Volunteer or trainee",
    PersonKind.CONTRACTOR: "Contractor",
    PersonKind.PARENT_CARER: "Parent or carer",
    PersonKind.PUPIL: "Pupil",
    PersonKind.OTHER: "Someone else",
}

# The adults a case can be about; pupils and parents appear in cases in other ways.
ADULT_KINDS = (
    PersonKind.STAFF,
    PersonKind.GOVERNOR,
    PersonKind.VOLUNTEER,
    PersonKind.CONTRACTOR,
    PersonKind.PARENT_CARER,
    PersonKind.OTHER,
)


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("school_id", "account_index"),)

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), index=True)
    kind: Mapped[PersonKind] = mapped_column(checked_enum(PersonKind, "person_kind"))
    name: SensitiveField[Sensitive] = SensitiveField()
    name_ct: Mapped[bytes] = mapped_column(LargeBinary)
    # Keyed blind index of the surname, the one searchable personal field (never the reporter).
    surname_index: Mapped[bytes | None] = mapped_column(LargeBinary(16), index=True)
    # Links a person to their login so "a case about me" can be refused to them. Opaque to a
    # database reader (issue 19, item 10): the user's id sealed under the school's key, and a
    # keyed blind index of it to find "the person of this user" without decrypting every row.
    account: SensitiveField[Sensitive | None] = SensitiveField()
    account_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    account_index: Mapped[bytes | None] = mapped_column(LargeBinary(16), nullable=True)
    created_at: Mapped[datetime] = created_column()
    # The staff list (issue 16): work email (sealed; its blind index matches an imported row to
    # the person already here), job title (sealed), and the dates they started and left.
    email: SensitiveField[Sensitive | None] = SensitiveField()
    email_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    email_index: Mapped[bytes | None] = mapped_column(LargeBinary(16), index=True, nullable=True)
    job_title: SensitiveField[Sensitive | None] = SensitiveField()
    job_title_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    started_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    left_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    @property
    def user_id(self) -> uuid.UUID | None:
        """The login this person is, read from the sealed link (None: no account)."""
        value = self.account
        return uuid.UUID(value.reveal()) if value is not None else None

    def link_user(self, user_id: uuid.UUID) -> None:
        self.account = Sensitive(str(user_id))

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        # People belong to the school, not to one case: their names use the school's data key.
        return self.school_id, None

    def after_seal(self, cipher: FieldCipher, changed: dict[str, Any]) -> None:
        if "account" in changed:
            link: Sensitive | None = changed["account"]
            self.account_index = (
                cipher.blind_index(self.school_id, ACCOUNT, link.reveal()) if link else None
            )
        if "email" in changed:
            email: Sensitive | None = changed["email"]
            self.email_index = (
                cipher.blind_index(self.school_id, EMAIL, email.reveal().casefold())
                if email
                else None
            )
        if "name" not in changed:
            return
        value: Sensitive | None = changed["name"]
        surname = surname_of(value.reveal()) if value is not None else ""
        self.surname_index = (
            cipher.blind_index(self.school_id, "surname", surname) if surname else None
        )


def surname_of(name: str) -> str:
    """The last word of a name, case-folded: what the surname search matches on."""
    parts = name.replace(",", " ").split()
    return parts[-1].casefold() if parts else ""


def account_index_of(session: Session, school_id: uuid.UUID, user_id: uuid.UUID) -> bytes:
    """The blind index a user's person carries: computed, never stored against the user."""
    return cipher_of(session).blind_index(school_id, ACCOUNT, str(user_id))


def email_index_of(session: Session, school_id: uuid.UUID, email: str) -> bytes:
    """The blind index a person with this work email carries."""
    return cipher_of(session).blind_index(school_id, EMAIL, email.casefold())
