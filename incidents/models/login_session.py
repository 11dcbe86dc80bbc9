"""LoginSession: the server's record of one signed-in browser. The cookie holds only a random
token; its hash is here, so signing out, idling out or a password change ends the session for
good, even for a copy of the cookie."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from incidents.db import Base
from incidents.models.base import UTCDateTime, created_column, id_column


class LoginSession(Base):
    __tablename__ = "login_session"

    id: Mapped[uuid.UUID] = id_column()
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime] = created_column()
    last_seen_at: Mapped[datetime] = created_column()
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # signed_out, idle, too_long, password_changed, deactivated
    end_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
