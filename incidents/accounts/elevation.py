"""Elevated access: before revealing a sealed reporter, opening a closed case or exporting, the
user re-enters their password and gives a reason. The grant lasts a few minutes, belongs to one
sign-in session, one purpose and one record, and its reason is kept (sealed) with an audit
entry."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.accounts import sessions as login_sessions
from incidents.accounts.passwords import MAX_PASSWORD_LENGTH, verify_password
from incidents.errors import InvalidInput
from incidents.models import Elevation, ElevationPurpose, LoginSession, User
from incidents.models.base import utcnow
from incidents.sensitive import Sensitive

WINDOW = timedelta(minutes=5)
MAX_REASON = 500
# The form field the password errors belong to, and their messages.
CHECKED_FIELD = "password"
WRONG_ENTRY = "Enter your correct password"
MISSING_ENTRY = "Enter your password"
NO_SESSION = "Sign in again to continue"


def _live_session(session: Session, user: User, login_token: str | None) -> LoginSession | None:
    if not login_token:
        return None
    # The same hash as incidents.accounts.sessions uses for the cookie's token.
    token_hash = hashlib.sha256(login_token.encode()).digest()
    row = session.info.get(login_sessions.LIVE)  # the row this request signed in with
    if not isinstance(row, LoginSession) or row.token_hash != token_hash:
        row = session.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash))
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return None
    return row


def attempt(
    session: Session,
    *,
    actor: User,
    login_token: str | None,
    purpose: ElevationPurpose,
    password: str,
    reason: str,
    record_id: uuid.UUID | None = None,
) -> Elevation | dict[str, str]:
    """Check the password and record why: the grant, for `purpose` on `record_id` only (the
    case whose reporter is revealed), or the field errors. A wrong password's audit entry is
    written either way, for the caller to commit."""
    reason = reason.strip()
    errors: dict[str, str] = {}
    if not password:
        errors[CHECKED_FIELD] = MISSING_ENTRY
    elif len(password) > MAX_PASSWORD_LENGTH or not verify_password(actor.password_hash, password):
        errors[CHECKED_FIELD] = WRONG_ENTRY
    if not reason:
        errors["reason"] = "Enter why you need access"
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"The reason must be {MAX_REASON} characters or fewer"
    login = _live_session(session, actor, login_token)
    if login is None:
        errors[CHECKED_FIELD] = NO_SESSION
    if errors or login is None:
        if CHECKED_FIELD in errors and password:
            audit.record(
                session,
                school_id=actor.school_id,
                action=audit.Action.REAUTHENTICATE_FAILED,
                actor=actor,
            )
        return errors
    elevation = Elevation(
        school_id=actor.school_id,
        user_id=actor.id,
        login_session_id=login.id,
        purpose=purpose,
        record_id=record_id,
        reason=Sensitive(reason),
    )
    session.add(elevation)
    session.flush()
    audit.record(
        session,
        school_id=actor.school_id,
        action=audit.Action.REAUTHENTICATE,
        actor=actor,
        object_type="elevation",
        object_id=elevation.id,
    )
    return elevation


def grant(session: Session, **answers: Any) -> Elevation:
    """`attempt`, raising InvalidInput (field -> message) instead of returning the errors."""
    result = attempt(session, **answers)
    if isinstance(result, dict):
        raise InvalidInput(result)
    return result


def current(
    session: Session,
    *,
    actor: User,
    login_token: str | None,
    purpose: ElevationPurpose,
    record_id: uuid.UUID | None = None,
    now: datetime | None = None,
    window: timedelta = WINDOW,
) -> Elevation | None:
    """The grant that still counts for `purpose` on `record_id` in this sign-in session, or
    None: a grant given for one case never opens another."""
    login = _live_session(session, actor, login_token)
    if login is None:
        return None
    since = (now or utcnow()) - window
    on_record = (
        Elevation.record_id.is_(None) if record_id is None else Elevation.record_id == record_id
    )
    return session.scalar(
        select(Elevation)
        .where(
            Elevation.user_id == actor.id,
            Elevation.login_session_id == login.id,
            Elevation.purpose == purpose,
            on_record,
            Elevation.created_at >= since,
        )
        .order_by(Elevation.created_at.desc())
        .limit(1)
    )
