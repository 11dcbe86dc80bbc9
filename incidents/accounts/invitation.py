"""Accepting an invitation: with the emailed single-use link, the new user chooses a password
and (for a role that needs one) sets up the second factor, all in one step. The first
enrolment therefore needs the link itself, not just a password someone else may have known
(issue 19, item 18)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from incidents import audit
from incidents.accounts import tokens, two_factor, users
from incidents.accounts.passwords import password_problem
from incidents.errors import InvalidInput, Refused
from incidents.models import AccountToken, TokenPurpose, User
from incidents.models.base import utcnow
from incidents.permissions import needs_second_factor

LINK_USED = "This link has already been used or has expired. Ask your administrator for a new one"
DIFFERENT = "The passwords do not match"


def invited_user(session: Session, token: str | None) -> tuple[AccountToken, User] | None:
    """The link's row and its user, while the link is good and the user still invited."""
    row = tokens.find(session, token=token, purpose=TokenPurpose.INVITATION)
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active or user.password_hash:
        return None
    return row, user


def check_new_password(password: str, confirm: str, field: str = "password") -> None:
    problem = password_problem(password)
    if problem:
        raise InvalidInput({field: problem})
    if password != confirm:
        raise InvalidInput({"confirm": DIFFERENT})


def accept(
    session: Session, *, row: AccountToken, user: User, password: str, confirm: str, code: str
) -> list[str] | None:
    """Set the password (and enrol the second factor where the role needs it); the link is
    spent. Returns the recovery codes, in clear this once, or None."""
    check_new_password(password, confirm)
    codes = None
    if needs_second_factor(user):
        codes = two_factor.confirm_enrolment(session, user=user, code=code)
    if not tokens.spend(session, row):
        raise Refused(LINK_USED)
    user.password_hash = users.new_password_hash(password)
    user.last_sign_in_at = utcnow()
    audit.record(
        session,
        school_id=user.school_id,
        action=audit.Action.USER_INVITATION_ACCEPT,
        actor=user,
        object_type="user",
        object_id=user.id,
    )
    audit.record(session, school_id=user.school_id, action=audit.Action.SIGN_IN, actor=user)
    return codes


def try_accept(
    session: Session, *, row: AccountToken, user: User, password: str, confirm: str, code: str
) -> list[str] | dict[str, str] | None:
    """`accept` for the page, which shows the recovery codes in its own response: the codes
    (or None), or (nothing changed: the answers are checked before anything is written) the
    field errors to show on the form. A spent link is still Refused, for the pipeline."""
    try:
        return accept(session, row=row, user=user, password=password, confirm=confirm, code=code)
    except InvalidInput as exc:
        return exc.errors
