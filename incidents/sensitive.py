"""Personal data: the `Sensitive` value type, and `SensitiveField`, the one way a model declares a
personal field.

A `Sensitive` value redacts itself in repr, str, logs, tracebacks and templates; reading it in
clear is the explicit call `.reveal()`. A `SensitiveField` named `x` is stored encrypted in the
bytes column `x_ct`: setting it keeps the clear value in memory only, and the session's
before-flush hook seals it once the row id and case id are known (the ciphertext's associated
data names them). Reading it opens the ciphertext through the session's field cipher (the
keyring in `incidents.crypto`). Nothing else touches ciphertexts.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, overload

from sqlalchemy import event
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import flag_modified

from incidents.db import Base, new_id

REDACTED = "[redacted]"
_PENDING = "_sensitive_pending"
_CLEAR = "_sensitive_clear"


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


@dataclass(frozen=True)
class Place:
    """Where a field lives; it becomes the associated data its ciphertext is bound to."""

    table: str
    column: str
    row_id: uuid.UUID
    scope: str  # "case:<uuid>" or "school:<uuid>"

    def describe(self) -> str:
        return f"{self.table}.{self.column} of row {self.row_id}"


class FieldCipher(Protocol):
    """What a session's "keyring" provides (implemented by incidents.crypto.keyring.Keyring)."""

    def seal(
        self,
        session: Session,
        place: Place,
        school_id: uuid.UUID,
        case_id: uuid.UUID | None,
        plaintext: str,
    ) -> bytes: ...

    def open(self, session: Session, place: Place, sealed: bytes) -> str: ...

    def blind_index(self, school_id: uuid.UUID, purpose: str, value: str) -> bytes: ...

    def case_pseudonym(
        self, session: Session, school_id: uuid.UUID, case_id: uuid.UUID, value: uuid.UUID
    ) -> uuid.UUID: ...


class MissingKeyringError(RuntimeError):
    """A personal field was read or written in a session that has no keyring."""


def cipher_of(session: Session | None) -> FieldCipher:
    cipher = session.info.get("keyring") if session is not None else None
    if cipher is None:
        raise MissingKeyringError("personal fields need a session opened with the keyring")
    return cipher  # type: ignore[no-any-return]


T = TypeVar("T", Sensitive, Sensitive | None)


class SensitiveField(Generic[T]):
    """A personal field stored encrypted in the column `<name>_ct`.

    Declare it as `name: SensitiveField[Sensitive] = SensitiveField()`, or with
    `SensitiveField[Sensitive | None]` for a field that may be empty.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.column = f"{name}_ct"
        if "__sensitive_fields__" not in owner.__dict__:
            owner.__sensitive_fields__ = []  # type: ignore[attr-defined]
        owner.__sensitive_fields__.append(name)  # type: ignore[attr-defined]

    @overload
    def __get__(self, obj: None, owner: type) -> SensitiveField[T]: ...
    @overload
    def __get__(self, obj: object, owner: type) -> T: ...
    def __get__(self, obj: object | None, owner: type) -> SensitiveField[T] | T:
        if obj is None:
            return self
        pending: dict[str, T] = obj.__dict__.get(_PENDING, {})
        if self.name in pending:
            return pending[self.name]
        # The clear value is cached against the ciphertext and place it came from, so a row
        # reloaded with other bytes or moved elsewhere is opened (and checked) again.
        clear: dict[str, tuple[object, T]] = obj.__dict__.setdefault(_CLEAR, {})
        sealed: bytes | None = getattr(obj, self.column)
        place = place_of(obj, self.name)
        cached = clear.get(self.name)
        if cached is None or cached[0] != (sealed, place):
            cached = ((sealed, place), self._open(obj, sealed, place))
            clear[self.name] = cached
        return cached[1]

    def _open(self, obj: object, sealed: bytes | None, place: Place) -> T:
        if sealed is None:
            return None  # type: ignore[return-value]  # only optional fields are ever empty
        session = object_session(obj)
        cipher = cipher_of(session)
        assert session is not None  # noqa: S101 - cipher_of has refused a missing session
        return Sensitive(cipher.open(session, place, bytes(sealed)))

    def __set__(self, obj: object, value: T) -> None:
        if value is not None and not isinstance(value, Sensitive):
            raise TypeError("a personal field must be given a Sensitive value")
        obj.__dict__.setdefault(_PENDING, {})[self.name] = value
        obj.__dict__.get(_CLEAR, {}).pop(self.name, None)
        # Touch the column so the row counts as changed and reaches the flush hook.
        setattr(obj, self.column, getattr(obj, self.column, None))
        flag_modified(obj, self.column)


def place_of(obj: Any, field_name: str) -> Place:
    school_id, case_id = obj.crypto_scope()
    scope = f"case:{case_id}" if case_id is not None else f"school:{school_id}"
    return Place(table=obj.__tablename__, column=field_name, row_id=obj.id, scope=scope)


def _seal_pending(session: Session, _context: Any, _instances: Any) -> None:
    objects = [o for o in (*session.new, *session.dirty) if o.__dict__.get(_PENDING)]
    # Ids first: a note's case id is its case's id, which may itself be new in this flush.
    for obj in objects:
        if getattr(obj, "id", None) is None:
            obj.id = new_id()
    for obj in objects:
        if getattr(obj, "case", None) is not None and getattr(obj.case, "id", None) is None:
            obj.case.id = new_id()
    if not objects:
        return
    cipher = cipher_of(session)
    for obj in objects:
        pending: dict[str, Sensitive | None] = obj.__dict__.pop(_PENDING)
        school_id, case_id = obj.crypto_scope()
        for name, value in pending.items():
            column = f"{name}_ct"
            place = place_of(obj, name)
            sealed = (
                None
                if value is None
                else cipher.seal(session, place, school_id, case_id, value.reveal())
            )
            setattr(obj, column, sealed)
            obj.__dict__.setdefault(_CLEAR, {})[name] = ((sealed, place), value)
        hook = getattr(obj, "after_seal", None)
        if hook is not None:
            hook(cipher, pending)


def _drop_clear(target: Any, *_args: Any) -> None:
    if target is not None:  # None when the object was already garbage-collected
        target.__dict__.pop(_CLEAR, None)


def _forget_pending_keys(session: Session, *_args: Any) -> None:
    # A rolled-back transaction takes its new data-key rows with it: never reuse them.
    session.info.pop("pending_keys", None)


def install(session_class: type[Session] = Session) -> None:
    """Register the hooks once for every session of this class."""
    if getattr(session_class, "_incidents_crypto_installed", False):
        return
    event.listen(session_class, "before_flush", _seal_pending)
    # Expiring or refreshing a row drops its clear values: the next read opens it again, with
    # whatever key still exists (a shredded case's content must not linger in memory).
    event.listen(Base, "expire", _drop_clear, propagate=True)
    event.listen(Base, "refresh", _drop_clear, propagate=True)
    event.listen(session_class, "after_commit", _forget_pending_keys)
    event.listen(session_class, "after_soft_rollback", _forget_pending_keys)
    session_class._incidents_crypto_installed = True  # type: ignore[attr-defined]
