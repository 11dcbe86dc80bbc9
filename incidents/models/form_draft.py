"""FormDraft: what a user typed into a form they sent after their session had ended, kept
sealed under the school's key for a short time so that signing in again can fill the form back
in (issue 17, item 9). Bound to the user whose session ended; used once, then deleted."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from incidents.db import Base
from incidents.models.base import UTCDateTime, created_column, id_column
from incidents.sensitive import Sensitive, SensitiveField


class FormDraft(Base):
    __tablename__ = "form_draft"
    __table_args__ = (Index("ix_form_draft_user_expires", "user_id", "expires_at"),)

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"))
    # Deleting the account deletes what it left behind.
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # JSON: the page to go back to, the fields as sent, and whether files were dropped. Even the
    # page is sealed: what a user was doing, and when, is nobody else's business.
    content: SensitiveField[Sensitive] = SensitiveField()
    content_ct: Mapped[bytes] = mapped_column(LargeBinary)

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.school_id, None
