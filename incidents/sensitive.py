"""The one type every personal field is declared with.

A `Sensitive` value redacts itself in repr, str, logs, tracebacks and templates; reading it in clear
is the explicit call `.reveal()`. `SensitiveText` is the column type: today it stores the text as
it is, and the encryption work replaces only this module's storage, not the models or views.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

REDACTED = "[redacted]"


class Sensitive:
    """Personal data in memory. Equality compares the values; nothing else shows them."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Sensitive wraps text only")
        # NFC so the same name typed on two keyboards is the same value everywhere.
        self._value = unicodedata.normalize("NFC", value)

    def reveal(self) -> str:
        """The clear text. Call this only where the reader is entitled to see it."""
        return self._value

    def __repr__(self) -> str:
        return f"Sensitive({REDACTED})"

    def __str__(self) -> str:
        return REDACTED

    def __html__(self) -> str:
        # Jinja's autoescape calls __html__: a template that forgets .reveal() shows nothing.
        return REDACTED

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sensitive) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Sensitive", self._value))

    def __reduce__(self) -> Any:
        raise TypeError("Sensitive values are not pickled")


class SensitiveText(TypeDecorator[Sensitive]):
    """Column type for personal fields: accepts only `Sensitive`, so a raw str cannot slip in."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Sensitive | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Sensitive):
            raise TypeError("a personal field must be given a Sensitive value")
        return value.reveal()

    def process_result_value(self, value: str | None, dialect: Dialect) -> Sensitive | None:
        return None if value is None else Sensitive(value)
