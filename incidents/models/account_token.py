"""AccountToken: a single-use link sent by email, to accept an invitation (72 hours) or to reset
a forgotten password (30 minutes). Only the token's SHA-256 is kept: a reader of the database
cannot use a link that is still waiting in someone's inbox."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from incidents.db import Base
from incidents.models.base import UTCDateTime, checked_enum, created_column, id_column


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105  # nosec B105 - a name


class AccountToken(Base):
    __tablename__ = "account_token"

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[TokenPurpose] = mapped_column(checked_enum(TokenPurpose, "token_purpose"))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime] = created_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set once, by one conditional UPDATE: used, or replaced by a newer link.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
