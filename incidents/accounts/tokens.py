"""Single-use account links: an invitation (72 hours) and a password reset (30 minutes). The
token goes out once, sealed in its email's outbox row; here only its SHA-256 is kept. Using a
link is one conditional UPDATE, so two requests racing with one link cannot both succeed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from incidents.models import AccountToken, TokenPurpose, User
from incidents.models.base import utcnow

LIFETIME = {
    TokenPurpose.INVITATION: timedelta(hours=72),
    TokenPurpose.PASSWORD_RESET: timedelta(minutes=30),
}
# 256 bits, URL-safe: a link cannot be guessed, so a fast hash is enough to store it.
TOKEN_BYTES = 32
MAX_TOKEN = 100


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def issue(session: Session, *, user: User, purpose: TokenPurpose) -> str:
    """A new link for `user`; any earlier unused link of the same purpose stops working, so
    only the newest email's link opens anything. Returns the token, for the email only."""
    revoke(session, user=user, purpose=purpose)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    session.add(
        AccountToken(
            school_id=user.school_id,
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash(token),
            created_at=now,
            expires_at=now + LIFETIME[purpose],
        )
    )
    session.flush()
    return token


def revoke(session: Session, *, user: User, purpose: TokenPurpose | None = None) -> None:
    """Every unused link of `user` (of one purpose, or all) stops working now."""
    conditions = [AccountToken.user_id == user.id, AccountToken.used_at.is_(None)]
    if purpose is not None:
        conditions.append(AccountToken.purpose == purpose)
    session.execute(
        update(AccountToken)
        .where(*conditions)
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def find(
    session: Session, *, token: str | None, purpose: TokenPurpose, now: datetime | None = None
) -> AccountToken | None:
    """The unused, unexpired link with this token, or None (unknown, used, replaced, expired
    or for the other purpose all look the same)."""
    if not token or len(token) > MAX_TOKEN:
        return None
    row = session.scalar(select(AccountToken).where(AccountToken.token_hash == _hash(token)))
    if row is None or row.purpose is not purpose or row.used_at is not None:
        return None
    if (now or utcnow()) >= row.expires_at:
        return None
    return row


def spend(session: Session, row: AccountToken) -> bool:
    """Mark the link used; False if another request used it first."""
    result = session.execute(
        update(AccountToken)
        .where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1


def pending_invitation(session: Session, user: User) -> AccountToken | None:
    """The newest unused invitation link of `user`, expired or not (for the admin's list)."""
    return session.scalar(
        select(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == TokenPurpose.INVITATION,
            AccountToken.used_at.is_(None),
        )
        .order_by(AccountToken.created_at.desc())
        .limit(1)
    )
