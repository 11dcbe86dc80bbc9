"""School: the tenant. Every other record belongs to exactly one school."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from incidents.db import Base
from incidents.models.base import created_column, id_column


class School(Base):
    __tablename__ = "school"

    id: Mapped[uuid.UUID] = id_column()
    name: Mapped[str] = mapped_column(String(200))
    # Unique Reference Number from Get Information about Schools (6 digits for schools in England).
    urn: Mapped[str] = mapped_column(String(8), unique=True)
    created_at: Mapped[datetime] = created_column()
    # KCSIE Part 4: who manages a case when the headteacher and the chair cannot (both are
    # subjects, or there is no chair): a named deputy, before the trust or LA officer.
    deputy_case_manager_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", use_alter=True, name="fk_school_deputy_case_manager_id"),
        nullable=True,
    )
