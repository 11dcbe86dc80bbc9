"""Server-side sessions: start one at sign-in, resume it on each request (ending it after too
long idle or too long in all), end it at sign-out or for every session of a user."""

from __future__ import annotations

import enum
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from incidents.alerts.queries import UNREAD, unread_of
from incidents.models import User
from incidents.models.base import utcnow
from incidents.models.login_session import LoginSession

# Writing last-seen on every request would turn each page view into a write; a minute's
# precision is plenty for a 20-minute idle limit.
TOUCH_EVERY = timedelta(seconds=60)
# Where `resume_user` keeps the request's login session row, in the database session's info.
LIVE = "incidents.login_session"


class Resume(enum.Enum):
    OK = "ok"
    EXPIRED = "expired"  # ended now for idling or lasting too long: tell the user why
    INVALID = "invalid"  # unknown, ended before, or someone else's


@dataclass(frozen=True)
class Limits:
    idle: timedelta
    absolute: timedelta


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def start(session: Session, *, user: User) -> str:
    """A new session for `user`; returns the token for the cookie (never stored in clear)."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, token_hash=_hash(token)))
    return token


def resume(
    session: Session,
    *,
    user_id: uuid.UUID,
    token: str | None,
    limits: Limits,
    now: datetime | None = None,
) -> Resume:
    if not token:
        return Resume.INVALID
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == _hash(token)))
    if row is None or row.user_id != user_id:
        return Resume.INVALID
    return _still_alive(row, limits, now or utcnow())


def resume_user(
    session: Session,
    *,
    user_id: uuid.UUID,
    token: str | None,
    limits: Limits,
    now: datetime | None = None,
) -> tuple[Resume, User | None, timedelta]:
    """`resume`, and the signed-in user with their school and roles, in one query: every page
    pays for this, so it is one round trip, not three (issue 21). The user is None when the
    session is not this user's; an inactive user is returned for the caller to refuse. Last,
    the time the session has left (zero unless OK), for the page's timeout warning."""
    if not token:
        return Resume.INVALID, None, timedelta(0)
    found = (
        session.execute(
            # The header's unread alerts ride along: every page shows them (issue 21).
            select(LoginSession, User, unread_of(User.id))
            .join(User, User.id == LoginSession.user_id)
            .where(LoginSession.token_hash == _hash(token), User.id == user_id)
            .options(joinedload(User.role_rows))
        )
        .unique()
        .first()
    )
    if found is None:
        return Resume.INVALID, None, timedelta(0)
    row, user, unread = found
    # Kept for the rest of the request: the elevation checks ask for it again (issue 21).
    session.info[LIVE] = row
    session.info[UNREAD] = (user.id, unread)
    now = now or utcnow()
    outcome = _still_alive(row, limits, now)
    left = _left(row, limits, now) if outcome is Resume.OK else timedelta(0)
    return outcome, user, left


def _left(row: LoginSession, limits: Limits, now: datetime) -> timedelta:
    left = min(row.last_seen_at + limits.idle, row.created_at + limits.absolute) - now
    return max(left, timedelta(0))


def time_left(
    session: Session, *, token: str | None, limits: Limits, now: datetime | None = None
) -> timedelta:
    """How long this session has before it ends, by idling or by lasting too long: what
    "Stay signed in" answers, for the timeout warning to count down from (issue 17, item 9)."""
    row = (
        session.scalar(select(LoginSession).where(LoginSession.token_hash == _hash(token)))
        if token
        else None
    )
    if row is None or row.ended_at is not None:
        return timedelta(0)
    return _left(row, limits, now or utcnow())


def extend(session: Session, *, token: str | None, now: datetime | None = None) -> None:
    """ "Stay signed in": the idle clock starts again now. Called only for a session the
    request has just resumed, so it is alive; the absolute limit is never extended."""
    if token:
        session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None))
            .values(last_seen_at=now or utcnow())
        )


def _still_alive(row: LoginSession, limits: Limits, now: datetime) -> Resume:
    if row.ended_at is not None:
        return Resume.INVALID
    if now - row.last_seen_at > limits.idle:
        _end(row, "idle", now)
        return Resume.EXPIRED
    if now - row.created_at > limits.absolute:
        _end(row, "too_long", now)
        return Resume.EXPIRED
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
    return Resume.OK


def end(session: Session, *, token: str | None, reason: str = "signed_out") -> None:
    if token:
        row = session.scalar(select(LoginSession).where(LoginSession.token_hash == _hash(token)))
        if row is not None and row.ended_at is None:
            _end(row, reason, utcnow())


def end_all(session: Session, *, user: User, reason: str) -> None:
    """Sign a user out everywhere (password change, account deactivated, admin action)."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


def end_others(session: Session, *, user: User, keep: str | None, reason: str) -> None:
    """Sign a user out everywhere but this browser (their own password change)."""
    conditions = [LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)]
    if keep:
        conditions.append(LoginSession.token_hash != _hash(keep))
    session.execute(
        update(LoginSession).where(*conditions).values(ended_at=utcnow(), end_reason=reason)
    )


def live(session: Session, *, user: User) -> list[LoginSession]:
    """The user's sessions still open, newest first."""
    return list(
        session.scalars(
            select(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
            .order_by(LoginSession.last_seen_at.desc())
        )
    )


def is_this(row: LoginSession, token: str | None) -> bool:
    return bool(token) and row.token_hash == _hash(token or "")


def _end(row: LoginSession, reason: str, now: datetime) -> None:
    row.ended_at = now
    row.end_reason = reason
