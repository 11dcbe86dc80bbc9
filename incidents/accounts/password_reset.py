"""A forgotten password: the request (the same answer whether or not the address has an
account) and the reset with the emailed single-use link (30 minutes). Resetting ends every
session of the account; the second factor is still asked for at the next sign-in."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.accounts import mail, tokens, users
from incidents.accounts import sessions as login_sessions
from incidents.accounts.invitation import check_new_password
from incidents.errors import InvalidInput, Refused
from incidents.models import AccountToken, TokenPurpose, User

log = logging.getLogger(__name__)

LINK_USED = "This link has already been used or has expired. Ask for a new one"


def request_reset(session: Session, *, email: str) -> None:
    """Email a reset link if the address belongs to an active account with a password; do
    nothing otherwise. The caller answers the same either way."""
    try:
        address = users.normalise_email(email)
    except InvalidInput:
        return
    user = session.scalar(select(User).where(User.email == address))
    if user is None or not user.is_active or not user.password_hash:
        log.info("password reset asked for an address with no usable account")
        return
    token = tokens.issue(session, user=user, purpose=TokenPurpose.PASSWORD_RESET)
    mail.send_password_reset(session, user=user, token=token)
    audit.record(
        session,
        school_id=user.school_id,
        action=audit.Action.PASSWORD_RESET_REQUEST,
        actor=None,
        object_type="user",
        object_id=user.id,
    )


def reset_link(session: Session, token: str | None) -> tuple[AccountToken, User] | None:
    row = tokens.find(session, token=token, purpose=TokenPurpose.PASSWORD_RESET)
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return row, user


def reset_password(
    session: Session, *, row: AccountToken, user: User, password: str, confirm: str
) -> None:
    check_new_password(password, confirm)
    if not tokens.spend(session, row):
        raise Refused(LINK_USED)
    user.password_hash = users.new_password_hash(password)
    login_sessions.end_all(session, user=user, reason="password_reset")
    audit.record(
        session,
        school_id=user.school_id,
        action=audit.Action.PASSWORD_RESET,
        actor=user,
        object_type="user",
        object_id=user.id,
    )
