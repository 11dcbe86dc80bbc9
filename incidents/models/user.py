"""User accounts, their roles and their second factor. Names of staff in cases live on Person,
not here."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidents.db import Base
from incidents.models.base import UTCDateTime, checked_enum, created_column, id_column
from incidents.models.school import School
from incidents.sensitive import Sensitive, SensitiveField


class Role(enum.StrEnum):
    STAFF = "staff"
    HEADTEACHER = "headteacher"
    CHAIR_OF_GOVERNORS = "chair_of_governors"
    DSL = "dsl"
    DEPUTY_DSL = "deputy_dsl"
    GOVERNOR = "governor"
    TRUST_OFFICER = "trust_officer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.STAFF: "Member of staff",
    Role.HEADTEACHER: "Headteacher",
    Role.CHAIR_OF_GOVERNORS: "Chair of governors",
    Role.DSL: "Designated safeguarding lead",
    Role.DEPUTY_DSL: "Deputy designated safeguarding lead",
    Role.GOVERNOR: "Governor",
    Role.TRUST_OFFICER: "Trust or local authority officer",
    Role.ADMIN: "Administrator",
}


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), index=True)
    # Stored lower-cased; it is the sign-in identifier, so it must be searchable.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = created_column()
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # TOTP second factor. The secret is a secret: sealed with the school's data key. It is set
    # (but not yet trusted) while enrolment waits for the first code; enrolled_at says it counts.
    totp_secret: SensitiveField[Sensitive | None] = SensitiveField()
    totp_secret_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The last accepted 30-second step: a code from that step or an earlier one is refused.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    school: Mapped[School] = relationship(lazy="joined", foreign_keys=[school_id])
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="user"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enrolled_at is not None

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        # A user's secrets belong to their school, not to a case: the school's data key.
        return self.school_id, None

    # Flask-Login protocol, written out so the model does not depend on Flask.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(checked_enum(Role, "role"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")
