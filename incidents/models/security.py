"""Second-factor recovery codes and elevated-access grants: the rows behind two-factor sign-in
and "re-enter your password before you see this"."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from incidents.db import Base
from incidents.models.base import UTCDateTime, checked_enum, created_column, id_column
from incidents.sensitive import Sensitive, SensitiveField


class RecoveryCode(Base):
    """One single-use recovery code, stored only as a hash (the codes are random, 60 bits)."""

    __tablename__ = "recovery_code"

    id: Mapped[uuid.UUID] = id_column()
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime] = created_column()
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ElevationPurpose(enum.StrEnum):
    REVEAL_REPORTER = "reveal_reporter"
    OPEN_CLOSED_CASE = "open_closed_case"
    EXPORT = "export"
    # An admin giving someone a role that opens cases (issue 16).
    GRANT_CASE_ACCESS = "grant_case_access"
    # An admin changing how the school signs in (issue 16, item 6).
    SIGN_IN_SETTINGS = "sign_in_settings"

    @property
    def label(self) -> str:
        return ELEVATION_LABELS[self]


ELEVATION_LABELS = {
    ElevationPurpose.REVEAL_REPORTER: "see who reported a concern",
    ElevationPurpose.OPEN_CLOSED_CASE: "open a closed case",
    ElevationPurpose.EXPORT: "export records",
    ElevationPurpose.GRANT_CASE_ACCESS: "give someone access to cases",
    ElevationPurpose.SIGN_IN_SETTINGS: "change how the school signs in",
}


class Elevation(Base):
    """A password re-entered for one purpose, with the reason given, inside one sign-in session.
    It counts for a few minutes; the row stays as the record of why access was taken."""

    __tablename__ = "elevation"

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    login_session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("login_session.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[ElevationPurpose] = mapped_column(
        checked_enum(ElevationPurpose, "elevation_purpose")
    )
    # The one record it opens (the case whose reporter is revealed); None for a purpose that
    # concerns no single record. Not a foreign key: which table depends on the purpose.
    record_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    # Free text may name people: sealed like any personal field.
    reason: SensitiveField[Sensitive] = SensitiveField()
    reason_ct: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = created_column()

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.school_id, None
