"""A school's identity-provider settings: reading them, changing them (an admin, re-authenticated,
with a reason; audited) and the break-glass switch that puts password sign-in back on."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.accounts.oidc.client import ProviderError, is_allowed_issuer
from incidents.errors import Forbidden, InvalidInput, Refused
from incidents.models import (
    Elevation,
    ElevationPurpose,
    ProviderLink,
    Role,
    School,
    SignInSettings,
    User,
    UserRole,
)
from incidents.models.base import utcnow
from incidents.models.sign_in import MAX_CLIENT_ID, MAX_DOMAINS, MAX_PROVIDER_NAME, MAX_URL
from incidents.permissions import Permission, has_permission
from incidents.sensitive import Sensitive

MAX_SECRET = 500
# A domain name: labels of letters, digits and hyphens, at least one dot, no trailing dot.
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
NEEDS_GRANT = "Re-enter your password and give a reason to change how the school signs in"
NO_ADMIN_CAN_SIGN_IN = (
    "Password sign-in cannot be switched off until at least one active administrator has "
    "signed in with the identity provider"
)


@dataclass(frozen=True)
class Answers:
    provider_name: str
    issuer: str
    client_id: str
    client_secret: str  # empty: keep the one stored
    allowed_domains: str
    trust_provider_mfa: bool
    passwords_off: bool


def settings_of(session: Session, school_id: uuid.UUID) -> SignInSettings | None:
    return session.scalar(select(SignInSettings).where(SignInSettings.school_id == school_id))


def offered(session: Session) -> list[tuple[uuid.UUID, str, str]]:
    """(school id, provider name, school name) for every school that signs in with a provider:
    the buttons on the sign-in page."""
    rows = session.execute(
        select(SignInSettings.school_id, SignInSettings.provider_name, School.name)
        .join(School, School.id == SignInSettings.school_id)
        .order_by(School.name)
    )
    return [(row[0], row[1], row[2]) for row in rows]


def passwords_off(session: Session, school_id: uuid.UUID) -> bool:
    return bool(
        session.scalar(
            select(SignInSettings.passwords_off).where(SignInSettings.school_id == school_id)
        )
    )


def secret_hint(settings: SignInSettings | None) -> str:
    """Enough of the stored secret for an admin to recognise it: its last four characters."""
    if settings is None:
        return ""
    secret = settings.client_secret.reveal()
    return f"ending {secret[-4:]}" if len(secret) >= 12 else "set"


def admins_with_provider(session: Session, school_id: uuid.UUID) -> int:
    """Active administrators who have signed in with the provider at least once."""
    return (
        session.scalar(
            select(func.count(User.id))
            .join(UserRole, UserRole.user_id == User.id)
            .join(ProviderLink, ProviderLink.user_id == User.id)
            .where(
                User.school_id == school_id,
                User.is_active.is_(True),
                UserRole.role == Role.ADMIN,
            )
        )
        or 0
    )


def _domains(raw: str) -> tuple[str, str | None]:
    names: list[str] = []
    for part in re.split(r"[\s,;]+", raw.strip().lower()):
        name = part.removeprefix("@")
        if not name:
            continue
        if not DOMAIN.match(name):
            return "", "Enter each email domain like oakprimary.sch.uk, one on each line"
        if name not in names:
            names.append(name)
    if not names:
        return "", "Enter at least one email domain your staff sign in with"
    joined = "\n".join(names)
    if len(joined) > MAX_DOMAINS:
        return "", f"The email domains must be {MAX_DOMAINS} characters or fewer in all"
    return joined, None


def _validate(
    answers: Answers, current: SignInSettings | None, *, allow_http: bool
) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = answers.provider_name.strip()
    if not name:
        errors["provider_name"] = "Enter the provider's name, like Microsoft or Google"
    elif len(name) > MAX_PROVIDER_NAME:
        errors["provider_name"] = f"The name must be {MAX_PROVIDER_NAME} characters or fewer"
    issuer = answers.issuer.strip()
    if not issuer:
        errors["issuer"] = "Enter the issuer address your provider gives you"
    elif len(issuer) > MAX_URL:
        errors["issuer"] = f"The issuer address must be {MAX_URL} characters or fewer"
    elif not is_allowed_issuer(issuer, allow_http=True):
        errors["issuer"] = "Enter the issuer as a web address, like https://accounts.google.com"
    elif not is_allowed_issuer(issuer, allow_http=allow_http):
        errors["issuer"] = "The issuer address must start with https://"
    client_id = answers.client_id.strip()
    if not client_id:
        errors["client_id"] = "Enter the client ID (Microsoft calls it the application ID)"
    elif len(client_id) > MAX_CLIENT_ID or not client_id.isprintable() or " " in client_id:
        errors["client_id"] = "Enter the client ID exactly as your provider shows it"
    secret = answers.client_secret.strip()
    if not secret and current is None:
        errors["client_secret"] = "Enter the client secret"  # noqa: S105  # nosec B105
    elif len(secret) > MAX_SECRET or not secret.isprintable():
        errors["client_secret"] = (  # nosec B105 - a message
            "Enter the client secret exactly as your provider shows it"  # noqa: S105
        )
    _joined, problem = _domains(answers.allowed_domains)
    if problem:
        errors["allowed_domains"] = problem
    return errors


def save(
    session: Session,
    *,
    actor: User,
    elevation: Elevation | None,
    answers: Answers,
    allow_http: bool,
    discover: Callable[[str], object],
) -> SignInSettings:
    """Set the school's provider. Needs the admin's re-authentication grant; refuses to switch
    passwords off while no administrator could then sign in; checks the issuer publishes its
    OpenID settings (`discover`) so a typing mistake is found now, not by a locked-out user."""
    if not has_permission(actor, Permission.USER_MANAGE):
        raise Forbidden("user:manage")
    if (
        elevation is None
        or elevation.user_id != actor.id
        or elevation.purpose is not ElevationPurpose.SIGN_IN_SETTINGS
    ):
        raise Refused(NEEDS_GRANT)
    current = settings_of(session, actor.school_id)
    errors = _validate(answers, current, allow_http=allow_http)
    if not errors and answers.passwords_off and admins_with_provider(session, actor.school_id) == 0:
        errors["passwords_off"] = NO_ADMIN_CAN_SIGN_IN
    issuer = answers.issuer.strip()
    if not errors:
        try:
            discover(issuer)
        except ProviderError:
            errors["issuer"] = (
                "The sign-in settings published at this address could not be read. Check the "
                "issuer address is exactly as your provider gives it"
            )
    if errors:
        raise InvalidInput(errors)
    domains, _ = _domains(answers.allowed_domains)
    secret = answers.client_secret.strip()
    row = current or SignInSettings(school_id=actor.school_id)
    changed = {
        "provider_name": row.provider_name != answers.provider_name.strip(),
        "issuer": row.issuer != issuer,
        "client_id": row.client_id != answers.client_id.strip(),
        "client_secret": bool(secret),
        "allowed_domains": row.allowed_domains != domains,
        "trust_provider_mfa": row.trust_provider_mfa != answers.trust_provider_mfa,
        "passwords_off": row.passwords_off != answers.passwords_off,
    }
    row.provider_name = answers.provider_name.strip()
    row.issuer = issuer
    row.client_id = answers.client_id.strip()
    if secret:
        row.client_secret = Sensitive(secret)
    row.allowed_domains = domains
    row.trust_provider_mfa = answers.trust_provider_mfa
    row.passwords_off = answers.passwords_off
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    audit.record(
        session,
        school_id=actor.school_id,
        action=audit.Action.SIGN_IN_SETTINGS_CHANGE,
        actor=actor,
        object_type="sign_in_settings",
        object_id=row.id,
        # Which settings changed and the switches' new values; never the secret itself.
        detail={
            "elevation": str(elevation.id),
            "changed": sorted(k for k, v in changed.items() if v),
            "trust_provider_mfa": row.trust_provider_mfa,
            "passwords_off": row.passwords_off,
        },
    )
    return row


def passwords_back_on(session: Session, *, school: School) -> bool:
    """The break-glass path (`incidents sign-in passwords-on`): password sign-in allowed again,
    for when the provider is down or misconfigured and nobody can sign in. False when it was
    already on."""
    row = settings_of(session, school.id)
    if row is None or not row.passwords_off:
        return False
    row.passwords_off = False
    row.updated_at = utcnow()
    audit.record(
        session,
        school_id=school.id,
        action=audit.Action.PASSWORDS_BACK_ON,
        actor=None,
        object_type="sign_in_settings",
        object_id=row.id,
    )
    return True
