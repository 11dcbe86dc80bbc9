"""Argon2id password hashing, and a dummy verification so an unknown email costs the same time."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so response time does not reveal which
    emails exist. Made on first use, not at import: every command and worker start would
    otherwise pay for a hash (issue 21); the first unknown email pays once."""
    return _hasher.hash(secrets.token_urlsafe(32))


MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        # An invited user has no password yet (an empty hash): the dummy is verified instead, so
        # they cost the same time, and nothing matches.
        checked = _hasher.verify(password_hash or _dummy_hash(), password)
        return checked and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """Four random words' worth of entropy in a form people can type: ~128 bits."""
    return secrets.token_urlsafe(16)


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer"
    return None
