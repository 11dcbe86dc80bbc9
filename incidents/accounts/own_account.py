"""A user's own account: change their password (the current one required; every other session
ends), see and end their sessions, make new recovery codes, see their recent sign-ins."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.accounts import sessions as login_sessions
from incidents.accounts import two_factor, users
from incidents.accounts.invitation import check_new_password
from incidents.accounts.passwords import MAX_PASSWORD_LENGTH, verify_password
from incidents.errors import InvalidInput, Refused
from incidents.models import AuditEntry, LoginSession, User
from incidents.models.base import utcnow

WRONG_CURRENT = "Enter your correct current password"
SAME = "Choose a password different from your current one"
RECENT = 10
SIGN_IN_ACTIONS = {
    audit.Action.SIGN_IN.value: "Signed in",
    audit.Action.SIGN_IN_FAILED.value: "Wrong password",
    audit.Action.SECOND_FACTOR_FAILED.value: "Wrong security code",
    audit.Action.SECOND_FACTOR_LOCKED.value: "Locked out after wrong security codes",
}


def _password_right(user: User, password: str) -> bool:
    return len(password) <= MAX_PASSWORD_LENGTH and verify_password(user.password_hash, password)


def change_password(
    session: Session,
    *,
    actor: User,
    login_token: str | None,
    current: str,
    password: str,
    confirm: str,
) -> None:
    if not _password_right(actor, current):
        raise InvalidInput({"current": WRONG_CURRENT})
    check_new_password(password, confirm)
    if password == current:
        raise InvalidInput({"password": SAME})
    actor.password_hash = users.new_password_hash(password)
    login_sessions.end_others(session, user=actor, keep=login_token, reason="password_changed")
    audit.record(
        session,
        school_id=actor.school_id,
        action=audit.Action.PASSWORD_CHANGE,
        actor=actor,
        object_type="user",
        object_id=actor.id,
    )


def end_session(
    session: Session, *, actor: User, session_id: uuid.UUID, login_token: str | None
) -> None:
    """Sign out one of the actor's other sessions (another's, or an ended one, is not found)."""
    row = session.get(LoginSession, session_id)
    if row is None or row.user_id != actor.id or row.ended_at is not None:
        # Someone else's session looks the same as one already ended.
        raise Refused("That session has already ended")
    if login_sessions.is_this(row, login_token):
        raise InvalidInput({"session": "Use Sign out to end this session"})
    row.ended_at = utcnow()
    row.end_reason = "signed_out_elsewhere"
    audit.record(
        session,
        school_id=actor.school_id,
        action=audit.Action.SESSION_END,
        actor=actor,
        object_type="user",
        object_id=actor.id,
    )


def end_other_sessions(session: Session, *, actor: User, login_token: str | None) -> None:
    login_sessions.end_others(session, user=actor, keep=login_token, reason="signed_out_elsewhere")
    audit.record(
        session,
        school_id=actor.school_id,
        action=audit.Action.SESSION_END,
        actor=actor,
        object_type="user",
        object_id=actor.id,
    )


def new_recovery_codes(session: Session, *, actor: User, password: str) -> list[str]:
    if not _password_right(actor, password):
        raise InvalidInput({"password": "Enter your correct password"})  # nosec B105 - a message
    return two_factor.regenerate_recovery_codes(session, user=actor)


def try_new_recovery_codes(
    session: Session, *, actor: User, password: str
) -> list[str] | dict[str, str]:
    """`new_recovery_codes` for the page, which shows them in its own response: the codes, or
    (nothing changed) the field errors to show on the form."""
    try:
        return new_recovery_codes(session, actor=actor, password=password)
    except InvalidInput as exc:
        return exc.errors


@dataclass(frozen=True)
class SignIn:
    at: datetime
    what: str


def recent_sign_ins(session: Session, user: User) -> list[SignIn]:
    rows = session.execute(
        select(AuditEntry.at, AuditEntry.action)
        .where(
            AuditEntry.school_id == user.school_id,
            AuditEntry.actor_id == user.id,
            AuditEntry.action.in_(list(SIGN_IN_ACTIONS)),
        )
        .order_by(AuditEntry.seq.desc())
        .limit(RECENT)
    ).all()
    return [SignIn(at, SIGN_IN_ACTIONS[action]) for at, action in rows]
