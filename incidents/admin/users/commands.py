"""Changing accounts: every command checks the admin may, guards the school's last headteacher
and last admin, changes the account and writes its audit entry (the user by id only), and never
commits. A role that opens cases is given only with a re-authentication grant (a password
re-entered and a reason), and the school's headteacher and DSL are emailed."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.accounts import elevation as elevated_access
from incidents.accounts import mail, tokens, two_factor
from incidents.accounts import sessions as login_sessions
from incidents.accounts.users import create_user
from incidents.errors import Forbidden, InvalidInput, Refused
from incidents.models import (
    Elevation,
    ElevationPurpose,
    Role,
    TokenPurpose,
    User,
    UserRole,
)
from incidents.permissions import Permission, has_permission

# The roles that open cases (DESIGN.md "Who uses it"): giving one needs re-authentication.
CASE_ACCESS_ROLES = frozenset(
    {
        Role.HEADTEACHER,
        Role.DSL,
        Role.DEPUTY_DSL,
        Role.CHAIR_OF_GOVERNORS,
        Role.TRUST_OFFICER,
    }
)
# The roles a school can never be left without.
KEPT_ROLES = {
    Role.HEADTEACHER: "The school must keep at least one active headteacher",
    Role.ADMIN: "The school must keep at least one active administrator",
}
NOT_YOURSELF = "You cannot do this to your own account: ask another administrator"
NEEDS_GRANT = "Re-enter your password and give a reason to give access to cases"


def _check(actor: User, user: User | None = None) -> None:
    if not has_permission(actor, Permission.USER_MANAGE):
        raise Forbidden("user:manage")
    if user is not None and user.school_id != actor.school_id:
        raise Forbidden("another school's user")


def grants_case_access(before: Iterable[Role], after: Iterable[Role]) -> bool:
    """True when `after` adds a role that opens cases."""
    return bool((frozenset(after) - frozenset(before)) & CASE_ACCESS_ROLES)


def case_access_grant(
    session: Session,
    *,
    actor: User,
    login_token: str | None,
    before: Iterable[Role],
    after: Iterable[str],
    password: str,
    reason: str,
    record_id: uuid.UUID | None = None,
) -> Elevation | dict[str, str] | None:
    """The re-authentication grant a change to roles `after` needs: None when they open no
    cases (or are not roles at all: the form or the command refuses those), the grant, or the
    password and reason errors for the form. A wrong password's audit entry is written either
    way, for the caller to commit even though nothing else is saved."""
    try:
        wanted = [Role(v) for v in after]
    except ValueError:
        return None
    if not grants_case_access(before, wanted):
        return None
    return elevated_access.attempt(
        session,
        actor=actor,
        login_token=login_token,
        purpose=ElevationPurpose.GRANT_CASE_ACCESS,
        password=password,
        reason=reason,
        record_id=record_id,
    )


def _valid_grant(actor: User, elevation: Elevation | None) -> Elevation:
    if (
        elevation is None
        or elevation.user_id != actor.id
        or elevation.purpose is not ElevationPurpose.GRANT_CASE_ACCESS
    ):
        raise Refused(NEEDS_GRANT)
    return elevation


def _parse_roles(values: Iterable[str]) -> frozenset[Role]:
    try:
        roles = frozenset(Role(v) for v in values)
    except ValueError:
        raise InvalidInput({"roles": "Choose roles from the list"}) from None
    if not roles:
        raise InvalidInput({"roles": "Choose at least one role"})
    return roles


def _others_with(session: Session, user: User, role: Role) -> int:
    return (
        session.scalar(
            select(func.count(User.id))
            .join(UserRole)
            .where(
                User.school_id == user.school_id,
                User.is_active.is_(True),
                User.id != user.id,
                UserRole.role == role,
            )
        )
        or 0
    )


def _keep_last(session: Session, user: User, losing: Iterable[Role]) -> None:
    """Refuse to leave the school without an active headteacher or administrator."""
    for role in losing:
        if role in KEPT_ROLES and user.is_active and _others_with(session, user, role) == 0:
            raise Refused(KEPT_ROLES[role])


def _record(
    session: Session, actor: User, user: User, action: audit.Action, **detail: object
) -> None:
    audit.record(
        session,
        school_id=user.school_id,
        action=action,
        actor=actor,
        object_type="user",
        object_id=user.id,
        detail=dict(detail) or None,
    )


def invite(
    session: Session,
    *,
    actor: User,
    email: str,
    display_name: str,
    roles: Iterable[str],
    elevation: Elevation | None = None,
) -> User:
    """A new account with no password, and an email with its single-use link (72 hours)."""
    _check(actor)
    role_set = _parse_roles(roles)
    grant = _valid_grant(actor, elevation) if role_set & CASE_ACCESS_ROLES else None
    user = create_user(
        session,
        actor=actor,
        school=actor.school,
        email=email,
        display_name=display_name,
        roles=role_set,
        password=None,
    )
    token = tokens.issue(session, user=user, purpose=TokenPurpose.INVITATION)
    mail.send_invitation(session, user=user, token=token)
    _record(
        session,
        actor,
        user,
        audit.Action.USER_INVITE,
        roles=sorted(role_set),
        elevation=str(grant.id) if grant else None,
    )
    if grant is not None:
        mail.tell_head_and_dsl(session, school_id=user.school_id, exclude=user)
    return user


def resend_invitation(session: Session, *, actor: User, user: User) -> None:
    """A new link for someone who has not accepted yet; the old link stops working."""
    _check(actor, user)
    if not is_invited(user) or not user.is_active:
        raise Refused("This user has already accepted their invitation")
    token = tokens.issue(session, user=user, purpose=TokenPurpose.INVITATION)
    mail.send_invitation(session, user=user, token=token)
    _record(session, actor, user, audit.Action.USER_INVITATION_RESEND)


def is_invited(user: User) -> bool:
    """Invited and not yet accepted: no password has been set."""
    return not user.password_hash


def change_roles(
    session: Session,
    *,
    actor: User,
    user: User,
    roles: Iterable[str],
    elevation: Elevation | None = None,
) -> None:
    _check(actor, user)
    new = _parse_roles(roles)
    old = user.roles
    if new == old:
        raise InvalidInput({"roles": "Choose a different set of roles, or go back"})
    if actor.id == user.id and Role.ADMIN in old - new:
        raise Refused(NOT_YOURSELF)
    granting = grants_case_access(old, new)
    grant = _valid_grant(actor, elevation) if granting else None
    if grant is not None and grant.record_id != user.id:
        raise Refused(NEEDS_GRANT)
    _keep_last(session, user, old - new)
    for row in list(user.role_rows):
        if row.role not in new:
            user.role_rows.remove(row)
    for role in sorted(new - old):
        user.role_rows.append(UserRole(role=role))
    session.flush()
    _record(
        session,
        actor,
        user,
        audit.Action.USER_ROLES_CHANGE,
        added=sorted(new - old),
        removed=sorted(old - new),
        elevation=str(grant.id) if grant else None,
    )
    if granting:
        mail.tell_head_and_dsl(session, school_id=user.school_id, exclude=user)


def deactivate(session: Session, *, actor: User, user: User) -> None:
    """A leaver: every session ends now, every link stops working, and the account can never
    sign in. Nothing is deleted: their name stays on what they did."""
    _check(actor, user)
    if actor.id == user.id:
        raise Refused(NOT_YOURSELF)
    if not user.is_active:
        raise Refused("This account is already deactivated")
    _keep_last(session, user, user.roles)
    user.is_active = False
    login_sessions.end_all(session, user=user, reason="deactivated")
    tokens.revoke(session, user=user)
    _record(session, actor, user, audit.Action.USER_DEACTIVATE)


def reactivate(session: Session, *, actor: User, user: User) -> None:
    _check(actor, user)
    if user.is_active:
        raise Refused("This account is already active")
    user.is_active = True
    _record(session, actor, user, audit.Action.USER_REACTIVATE)


def reset_two_factor(session: Session, *, actor: User, user: User) -> None:
    """A lost phone: the user sets up two-factor again at their next sign-in."""
    _check(actor, user)
    if actor.id == user.id:
        raise Refused(NOT_YOURSELF)
    if not user.has_second_factor:
        raise Refused("This user has not set up two-factor sign-in")
    two_factor.reset(session, actor=actor, user=user)
