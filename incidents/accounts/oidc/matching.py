"""Who a checked ID token signs in as: an existing, active user of the school whose provider it
is (never a new account), found by the provider account linked to them, or by email the first
time. Every refusal and every success writes the same audit entries as the password sign-in."""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.accounts.users import normalise_email, record_sign_in
from incidents.errors import InvalidInput
from incidents.models import ProviderLink, SignInSettings, User
from incidents.models.base import utcnow
from incidents.sensitive import cipher_of

log = logging.getLogger(__name__)


class Refusal(enum.StrEnum):
    """Why a sign-in through the provider was refused: the audit entry's reason (sealed), and
    which message the person sees."""

    STATE = "state"  # no request of ours, one already answered, or another browser's
    PROVIDER = "provider"  # the provider said no, could not be reached, or sent no code
    TOKEN = "token"  # noqa: S105  # nosec B105 - the ID token failed a check (signature, issuer, audience, time, nonce)
    EMAIL_NOT_VERIFIED = "email_not_verified"
    DOMAIN = "domain"
    UNKNOWN_USER = "unknown_user"
    DEACTIVATED = "deactivated"
    LINKED_ELSEWHERE = "linked_elsewhere"


@dataclass(frozen=True)
class Matched:
    user: User
    # The provider said the person used more than one factor (amr includes "mfa").
    provider_mfa: bool


class SignInRefused(Exception):
    def __init__(self, refusal: Refusal, user: User | None = None) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.user = user  # the audit entry's actor, when the token named one of our users


def record_refusal(
    session: Session,
    *,
    school_id: uuid.UUID,
    refusal: Refusal,
    user: User | None = None,
    detail: str = "",
) -> None:
    """The audit entry of a refused sign-in through the provider (the user, by id, when known).
    `detail` is a short code from the token checks; never the token, the code or an email."""
    audit.record(
        session,
        school_id=school_id,
        action=audit.Action.SIGN_IN_FAILED,
        actor=user,
        detail={
            "via": "provider",
            "reason": refusal.value,
            **({"check": detail} if detail else {}),
        },
    )
    log.info("sign-in through the provider refused: %s", refusal.value)


def _subject_index(session: Session, school_id: uuid.UUID, issuer: str, subject: str) -> bytes:
    return cipher_of(session).blind_index(school_id, "provider-subject", f"{issuer}\n{subject}")


def _verified(claims: Mapping[str, Any]) -> bool:
    """Google sends email_verified (OpenID Connect's claim). Entra ID does not: it sends the
    optional claim xms_edov ("the email's domain owner is verified", the tenant's own domain),
    which the app registration must ask for (docs/sign-in.md). Either, true, will do; a string
    "true" too, as some providers send it; anything else is not verified."""
    return any(claims.get(name) in (True, "true") for name in ("email_verified", "xms_edov"))


def _email(claims: Mapping[str, Any], settings: SignInSettings) -> str:
    raw = claims.get("email")
    if not isinstance(raw, str) or not raw:
        raise SignInRefused(Refusal.EMAIL_NOT_VERIFIED)
    if not _verified(claims):
        raise SignInRefused(Refusal.EMAIL_NOT_VERIFIED)
    try:
        email = normalise_email(raw)
    except InvalidInput:
        raise SignInRefused(Refusal.EMAIL_NOT_VERIFIED) from None
    if email.rpartition("@")[2] not in settings.domains:
        raise SignInRefused(Refusal.DOMAIN)
    return email


def match(session: Session, *, settings: SignInSettings, claims: Mapping[str, Any]) -> Matched:
    """The user a verified ID token signs in as, or SignInRefused with nothing written. Writes
    the success entry (and the link at a first sign-in); the caller writes the refusal's with
    `record_refusal`."""
    email = _email(claims, settings)
    index = _subject_index(session, settings.school_id, settings.issuer, str(claims["sub"]))
    link = session.scalar(select(ProviderLink).where(ProviderLink.subject_index == index))
    if link is not None:
        # After the first sign-in only the provider's subject counts, never the email: an
        # address can be renamed or given to someone else (a leaver's address reused for a new
        # starter), while the subject of one account never changes and is never reused. So a
        # reassigned address cannot sign in as the person who had it.
        user = session.get(User, link.user_id)
    else:
        # First sign-in: the email is all that ties the provider's account to the user the
        # admin invited. Trusted only because the provider verified it and its domain is one
        # the school allows. A user already linked to another provider account is refused,
        # so a second account given the same address later cannot take it over.
        user = session.scalar(
            select(User).where(User.email == email, User.school_id == settings.school_id)
        )
        if user is not None and session.scalar(
            select(ProviderLink.id).where(ProviderLink.user_id == user.id)
        ):
            raise SignInRefused(Refusal.LINKED_ELSEWHERE, user)
    if user is None or user.school_id != settings.school_id:
        raise SignInRefused(Refusal.UNKNOWN_USER)
    if not user.is_active:
        raise SignInRefused(Refusal.DEACTIVATED, user)
    if link is None:
        link = ProviderLink(school_id=user.school_id, user_id=user.id, subject_index=index)
        session.add(link)
        session.flush()
        audit.record(
            session,
            school_id=user.school_id,
            action=audit.Action.PROVIDER_LINK,
            actor=user,
            object_type="user",
            object_id=user.id,
        )
    link.last_used_at = utcnow()
    amr = claims.get("amr")
    provider_mfa = isinstance(amr, list) and "mfa" in amr
    record_sign_in(session, user=user, detail={"via": "provider", "provider_mfa": provider_mfa})
    return Matched(user=user, provider_mfa=provider_mfa)
