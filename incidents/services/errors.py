"""Domain errors raised by services; the web layer maps each to one HTTP answer in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base class. Messages are plain English and never contain personal data."""


class NotFound(DomainError):
    """Missing, or not visible to this user (another school's record looks the same)."""


class Forbidden(DomainError):
    """The user's role does not allow this action."""


class InvalidInput(DomainError):
    """Bad input: `errors` maps a field name to a message for that field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def require(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise InvalidInput({field: message})
