"""Domain errors raised by the core and the commands; the web layer maps each to one answer in one
place (`web/__init__.py` for NotFound and Forbidden, `web/pipeline.py` for the rest)."""

from __future__ import annotations


class DomainError(Exception):
    """Base class. Messages are plain English and never contain personal data."""


class NotFound(DomainError):
    """Missing, or not visible to this user (another school's record looks the same)."""


class Forbidden(DomainError):
    """The user's role does not allow this action."""


class Refused(DomainError):
    """Not possible now (the record's state, a guard, the workflow): the message says why, in
    words the user can act on. The page goes back with it shown as an error."""


class TransitionNotAllowedError(Refused):
    """A state machine's move (the case's in `workflow.py`, the others' in `lifecycle.py`) is
    not available from the record's current state, or not to this user."""


class InvalidInput(DomainError):
    """Bad input: `errors` maps a field name to a message for that field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def require(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise InvalidInput({field: message})
