"""The TOTP second factor: enrolment, checking a code (each time step once only), single-use
recovery codes, and the administrator's reset. Every outcome writes its audit entry."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid

import pyotp
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from incidents import audit
from incidents.accounts import sessions as login_sessions
from incidents.errors import InvalidInput
from incidents.models import RecoveryCode, User
from incidents.models.base import utcnow
from incidents.permissions import SECOND_FACTOR_ROLES

# Who must use a second factor is an access rule: the core's, read here and by the sign-in gate.
from incidents.sensitive import Sensitive

# Who must use a second factor is an access rule, so the core's (permissions.py) keeps the list.
REQUIRED_FOR = SECOND_FACTOR_ROLES
ISSUER = "Incidents"
STEP_SECONDS = 30
# One step either side forgives a phone clock 30 seconds out, as RFC 6238 suggests.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# 12 characters of base32: 60 random bits, so a fast hash is enough (nothing to brute-force).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 12
CODE_ERROR = "Enter a correct security code"
# What a code box takes: a recovery code at most, or a TOTP code as people type it (spaces and
# dashes included) while setting up.
MAX_CODE = 40
MAX_ENROL_CODE = 12
ENROL_CODE_ERROR = "Enter the 6-digit code from your authenticator app"


def begin_enrolment(session: Session, *, user: User, secret: str | None = None) -> str:
    """A new secret waiting for its first code; returns it for the QR code. Calling it again
    replaces a secret that was never confirmed. `secret` is for tests and the demo only."""
    if user.has_second_factor:
        raise InvalidInput({"code": "Two-factor sign-in is already set up"})
    secret = secret or pyotp.random_base32()
    user.totp_secret = Sensitive(secret)
    user.totp_last_step = None
    return secret


def pending_secret(user: User) -> str | None:
    value = user.totp_secret
    return value.reveal() if value is not None and not user.has_second_factor else None


def provisioning_uri(user: User, secret: str) -> str:
    # The account label is the email the user signs in with; it goes only into the QR code.
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def confirm_enrolment(
    session: Session, *, user: User, code: str, now: float | None = None
) -> list[str]:
    """Trust the pending secret once the user proves their app has it; returns the recovery
    codes, in clear this once (only their hashes are kept)."""
    secret = pending_secret(user)
    if secret is None:
        raise InvalidInput({"code": "Start setting up two-factor sign-in again"})
    step = _matching_step(secret, _digits(code), last_step=None, now=now)
    if step is None:
        raise InvalidInput({"code": CODE_ERROR})
    user.totp_enrolled_at = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(session, user)
    audit.record(
        session,
        school_id=user.school_id,
        action=audit.Action.TWO_FACTOR_ENROL,
        actor=user,
        object_type="user",
        object_id=user.id,
    )
    return codes


def try_confirm_enrolment(
    session: Session, *, user: User, code: str, now: float | None = None
) -> list[str] | str:
    """`confirm_enrolment` for the page: the recovery codes, or (nothing changed) what to tell
    the user about the code."""
    try:
        return confirm_enrolment(session, user=user, code=code, now=now)
    except InvalidInput as exc:
        return exc.errors.get("code", CODE_ERROR)


def verify(session: Session, *, user: User, code: str, now: float | None = None) -> bool:
    """True if `code` is the current TOTP code (not used before) or an unused recovery code.
    A failure is audited; the caller shows one message whatever went wrong."""
    secret = user.totp_secret
    if not user.has_second_factor or secret is None:
        return False
    digits = _digits(code)
    if digits is not None:
        step = _matching_step(secret.reveal(), digits, last_step=user.totp_last_step, now=now)
        if step is not None and _claim_step(session, user, step):
            _record(session, user, audit.Action.SECOND_FACTOR_OK)
            return True
    elif _use_recovery_code(session, user, code):
        _record(session, user, audit.Action.RECOVERY_CODE_USED)
        return True
    _record(session, user, audit.Action.SECOND_FACTOR_FAILED)
    return False


def record_lockout(session: Session, *, user: User) -> None:
    """Too many second-factor attempts: the rate limit refused one; keep a record of it."""
    _record(session, user, audit.Action.SECOND_FACTOR_LOCKED)


def regenerate_recovery_codes(session: Session, *, user: User) -> list[str]:
    """Ten new codes, in clear this once; every earlier code stops working."""
    if not user.has_second_factor:
        raise InvalidInput({"password": "Set up two-factor sign-in first"})  # nosec B105 - a message
    codes = _new_recovery_codes(session, user)
    _record(session, user, audit.Action.RECOVERY_CODES_REGENERATE)
    return codes


def remaining_recovery_codes(session: Session, *, user: User) -> int:
    rows = session.scalars(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )
    return len(list(rows))


def reset(session: Session, *, actor: User | None, user: User) -> None:
    """Remove a user's second factor (lost phone): they enrol again at their next sign-in, and
    every session they have open ends now."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    login_sessions.end_all(session, user=user, reason="two_factor_reset")
    audit.record(
        session,
        school_id=user.school_id,
        action=audit.Action.TWO_FACTOR_RESET,
        actor=actor,
        object_type="user",
        object_id=user.id,
    )


def _record(session: Session, user: User, action: audit.Action) -> None:
    audit.record(session, school_id=user.school_id, action=action, actor=user)


def _digits(code: str) -> str | None:
    """Six digits, forgiving the spaces and dashes people type; None if it is not a TOTP code."""
    cleaned = "".join(ch for ch in code if ch not in " -")
    return cleaned if len(cleaned) == 6 and cleaned.isascii() and cleaned.isdigit() else None


def _matching_step(
    secret: str, digits: str | None, *, last_step: int | None, now: float | None
) -> int | None:
    if digits is None:
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # A step already used (or older) is refused: a code seen over a shoulder is worthless.
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def _claim_step(session: Session, user: User, step: int) -> bool:
    """Move the last-used step forward in one conditional UPDATE, so two requests racing with
    the same code cannot both succeed."""
    result = session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    session.expire(user, ["totp_last_step"])
    return True


def _hash_code(user_id: uuid.UUID, code: str) -> bytes:
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(user_id.bytes + normalised.encode()).digest()


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash_code(user.id, raw)))
    return codes


def _use_recovery_code(session: Session, user: User, code: str) -> bool:
    if len(code) > MAX_CODE:
        return False
    # One conditional UPDATE: a code can be spent once even by two racing requests.
    result = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_code(user.id, code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1
