"""The account emails, put in the alerts outbox in the caller's transaction: an invitation and
a password reset (each with its single-use link, sealed in the row), and the notice to the
school's headteacher and DSL that someone was given access to cases. Fixed wording, no names."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.alerts.system import new_message
from incidents.models import AlertKind, OutboxMessage, Role, User, UserRole
from incidents.sensitive import Sensitive

INVITATION_PATH = "/invitation/"
RESET_PATH = "/reset-password/"


def _with_link(
    session: Session, user: User, kind: AlertKind, path: str, token: str
) -> OutboxMessage:
    message = new_message(
        session,
        school_id=user.school_id,
        recipient_id=user.id,
        kind=kind,
        case_id=None,
        link_path=path,
    )
    message.link_secret = Sensitive(token)
    session.flush()
    return message


def send_invitation(session: Session, *, user: User, token: str) -> OutboxMessage:
    return _with_link(session, user, AlertKind.ACCOUNT_INVITATION, INVITATION_PATH, token)


def send_password_reset(session: Session, *, user: User, token: str) -> OutboxMessage:
    return _with_link(session, user, AlertKind.PASSWORD_RESET, RESET_PATH, token)


def tell_head_and_dsl(session: Session, *, school_id: object, exclude: User | None) -> int:
    """The notice that someone was given a case-access role, to every active headteacher and
    DSL of the school; returns how many were told."""
    leads = session.scalars(
        select(User)
        .join(UserRole)
        .where(
            User.school_id == school_id,
            User.is_active.is_(True),
            UserRole.role.in_((Role.HEADTEACHER, Role.DSL)),
        )
        .distinct()
    ).all()
    told = 0
    for lead in leads:
        if exclude is not None and lead.id == exclude.id:
            continue
        new_message(
            session,
            school_id=lead.school_id,
            recipient_id=lead.id,
            kind=AlertKind.CASE_ACCESS_GRANTED,
            case_id=None,
            link_path="/",
        )
        told += 1
    return told
