"""User accounts: creation (with the Person that lets the system spot "a case about me") and
sign-in checks."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.accounts.passwords import hash_password, password_problem, verify_password
from incidents.errors import InvalidInput
from incidents.models import Person, PersonKind, Role, School, User, UserRole
from incidents.models.base import utcnow
from incidents.sensitive import Sensitive
from incidents.validation import plain_name

log = logging.getLogger(__name__)

MAX_NAME = 120
MAX_EMAIL = 254

# The kind of Person created for a new user, by their most telling role.
_PERSON_KIND_BY_ROLE = (
    (Role.CHAIR_OF_GOVERNORS, PersonKind.GOVERNOR),
    (Role.GOVERNOR, PersonKind.GOVERNOR),
    (Role.HEADTEACHER, PersonKind.STAFF),
    (Role.DSL, PersonKind.STAFF),
    (Role.DEPUTY_DSL, PersonKind.STAFF),
    (Role.STAFF, PersonKind.STAFF),
)


def normalise_email(raw: str) -> str:
    """Validated, lower-cased email; raises InvalidInput with a field message."""
    raw = raw.strip()
    if not raw:
        raise InvalidInput({"email": "Enter an email address"})
    if len(raw) > MAX_EMAIL:
        raise InvalidInput({"email": f"Email address must be {MAX_EMAIL} characters or fewer"})
    import email_validator  # on first use: its import is start-up time for every command

    try:
        result = email_validator.validate_email(raw, check_deliverability=False)
    except email_validator.EmailNotValidError:
        raise InvalidInput(
            {"email": "Enter an email address in the correct format, like name@example.org"}
        ) from None
    return result.normalized.lower()


def create_user(
    session: Session,
    *,
    actor: User | None,
    school: School,
    email: str,
    display_name: str,
    roles: Iterable[Role],
    password: str | None,
) -> User:
    """A new account, with the Person that makes "a case about me" detectable. `password`
    None: an invited user, who has no password until they accept (and cannot sign in)."""
    errors: dict[str, str] = {}
    try:
        email = normalise_email(email)
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            errors["email"] = "A user with this email address already exists"
    except InvalidInput as exc:
        errors.update(exc.errors)
    display_name = plain_name(display_name)
    if not display_name:
        errors["display_name"] = "Enter the user's name"
    elif len(display_name) > MAX_NAME:
        errors["display_name"] = f"Name must be {MAX_NAME} characters or fewer"
    role_set = frozenset(roles)
    if not role_set:
        errors["roles"] = "Choose at least one role"
    problem = password_problem(password) if password is not None else None
    if problem:
        errors["password"] = problem
    if errors:
        raise InvalidInput(errors)

    user = User(
        school_id=school.id,
        email=email,
        display_name=display_name,
        password_hash=hash_password(password) if password is not None else "",
        role_rows=[UserRole(role=role) for role in sorted(role_set)],
    )
    session.add(user)
    session.flush()
    kind = next((k for r, k in _PERSON_KIND_BY_ROLE if r in role_set), None)
    if kind is not None:
        person = Person(school_id=school.id, kind=kind, name=Sensitive(display_name))
        person.link_user(user.id)
        session.add(person)
    audit.record(
        session,
        school_id=school.id,
        action=audit.Action.USER_CREATE,
        actor=actor,
        object_type="user",
        object_id=user.id,
    )
    return user


def new_password_hash(password: str) -> str:
    """The hash to store for a password someone has just chosen (every command that sets one
    comes here, so there is one hashing policy)."""
    return hash_password(password)


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    passwords_refused: Callable[[User], bool] | None = None,
) -> User | None:
    """The user if the email and password match an active account, else None.

    Always runs one Argon2 verification so timing does not reveal whether the email exists.
    `passwords_refused(user)`: the user's school signs in with its identity provider only
    (issue 16, item 6); asked only after a correct password, so it says nothing about who has
    an account, and the attempt is recorded as refused.
    """
    try:
        email = normalise_email(email)
    except InvalidInput:
        email = ""
    user = session.scalar(select(User).where(User.email == email)) if email else None
    ok = verify_password(user.password_hash if user else None, password)
    if user is None:
        log.info("sign-in refused for an unknown account")
        return None
    if not ok or not user.is_active:
        audit.record(
            session, school_id=user.school_id, action=audit.Action.SIGN_IN_FAILED, actor=user
        )
        return None
    if passwords_refused is not None and passwords_refused(user):
        record_sign_in_refused(session, user=user, reason="passwords_off")
        return None
    record_sign_in(session, user=user)
    return user


def record_sign_in(
    session: Session, *, user: User, detail: dict[str, object] | None = None
) -> None:
    """A first factor passed, by password or through the school's identity provider: one
    audit entry and last-sign-in time for both, so the account pages read them alike."""
    user.last_sign_in_at = utcnow()
    audit.record(
        session, school_id=user.school_id, action=audit.Action.SIGN_IN, actor=user, detail=detail
    )


def record_sign_in_refused(session: Session, *, user: User, reason: str) -> None:
    """A correct password refused all the same (the school signs in with its provider)."""
    audit.record(
        session,
        school_id=user.school_id,
        action=audit.Action.SIGN_IN_FAILED,
        actor=user,
        detail={"reason": reason},
    )


def record_sign_out(session: Session, *, user: User) -> None:
    audit.record(session, school_id=user.school_id, action=audit.Action.SIGN_OUT, actor=user)


def load_user(session: Session, user_id: str) -> User | None:
    try:
        key = uuid.UUID(user_id)
    except ValueError:
        return None
    user = session.get(User, key)
    return user if user is not None and user.is_active else None
