"""Person: someone a case is about or involves. The name is personal data (Sensitive)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from incidents.db import Base
from incidents.models.base import checked_enum, created_column, id_column
from incidents.sensitive import Sensitive, SensitiveText


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
    __table_args__ = (UniqueConstraint("school_id", "user_id"),)

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), index=True)
    kind: Mapped[PersonKind] = mapped_column(checked_enum(PersonKind, "person_kind"))
    name: Mapped[Sensitive] = mapped_column(SensitiveText)
    # Links a person to their login so "a case about me" can be refused to them.
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = created_column()
