"""Sign-in with the school's identity provider (Microsoft Entra ID or Google Workspace, issue 16
item 6): the school's OpenID Connect settings, and the link from a user to the one account at
that provider that may sign in as them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from incidents.db import Base
from incidents.models.base import UTCDateTime, created_column, id_column
from incidents.sensitive import Sensitive, SensitiveField

MAX_PROVIDER_NAME = 40
MAX_URL = 300
MAX_CLIENT_ID = 300
MAX_DOMAINS = 1000


class SignInSettings(Base):
    """One row per school that has set up its identity provider. No row: passwords only."""

    __tablename__ = "sign_in_settings"

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), unique=True
    )
    # Shown on the button: "Sign in with Microsoft".
    provider_name: Mapped[str] = mapped_column(String(MAX_PROVIDER_NAME))
    issuer: Mapped[str] = mapped_column(String(MAX_URL))
    client_id: Mapped[str] = mapped_column(String(MAX_CLIENT_ID))
    # The client secret opens the school's account at the provider: sealed with the school's
    # data key like a TOTP secret, and never shown back in full.
    client_secret: SensitiveField[Sensitive] = SensitiveField()
    client_secret_ct: Mapped[bytes] = mapped_column(LargeBinary)
    # Lower-case domain names, one per line ("oak.sch.uk"): not personal data.
    allowed_domains: Mapped[str] = mapped_column(String(MAX_DOMAINS))
    # Skip this service's own second factor when the provider says it did multi-factor
    # ("mfa" in the ID token's amr claim). Off unless the admin turns it on.
    trust_provider_mfa: Mapped[bool] = mapped_column(Boolean, default=False)
    # Password sign-in refused for the school's users (the provider only).
    passwords_off: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = created_column()

    @property
    def domains(self) -> list[str]:
        return [line for line in self.allowed_domains.split("\n") if line]

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.school_id, None


class ProviderLink(Base):
    """The provider account (issuer and subject) that signs in as a user, fixed at the first
    sign-in. Kept as a keyed blind index only: the subject identifies the person at the
    provider, and equality is all the sign-in needs."""

    __tablename__ = "provider_link"

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    subject_index: Mapped[bytes] = mapped_column(LargeBinary(16), unique=True)
    linked_at: Mapped[datetime] = created_column()
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
