"""Data keys: find or create a scope's key, unwrap it (with a short in-process cache), re-wrap it
under a new KEK version, and destroy it. The cipher work itself is in `envelope`."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.crypto import envelope
from incidents.crypto.envelope import CryptoError, SealedHeader, TamperedError
from incidents.crypto.keys import KeyMaterial
from incidents.db import new_id
from incidents.models.keys import DataKey, KeyScope
from incidents.sensitive import Place

# Unwrapped keys are kept this long per process. A shred in another process takes effect here
# within this time; a shred in this process takes effect at once.
CACHE_SECONDS = 60.0


class ErasedError(CryptoError):
    """The data key was destroyed (crypto-shredded): the content can never be read again."""

    def __init__(self, scope: str, destroyed_at: datetime | None) -> None:
        when = f" on {destroyed_at:%d %B %Y}" if destroyed_at else ""
        super().__init__(f"the content of {scope} was erased{when}: its key was destroyed")
        self.destroyed_at = destroyed_at


class MissingKeyError(CryptoError):
    """A ciphertext names a data key that does not exist."""


class WrappedKey(Protocol):
    """A data_key row as the ORM or a plain SELECT returns it."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def school_id(self) -> uuid.UUID: ...
    @property
    def case_id(self) -> uuid.UUID | None: ...
    @property
    def version(self) -> int: ...
    @property
    def kek_version(self) -> int: ...
    @property
    def wrapped(self) -> bytes | None: ...
    @property
    def destroyed_at(self) -> datetime | None: ...


def scope_of(school_id: uuid.UUID, case_id: uuid.UUID | None) -> str:
    return f"case:{case_id}" if case_id is not None else f"school:{school_id}"


@dataclass
class Keyring:
    material: KeyMaterial
    # Re-reads the key file: another process may have rotated the KEK since this one started.
    loader: Callable[[], KeyMaterial] | None = None
    _deks: dict[uuid.UUID, tuple[bytes, float]] = field(default_factory=dict, repr=False)
    _keks: dict[tuple[uuid.UUID, int], bytes] = field(default_factory=dict, repr=False)

    # --- KEKs -------------------------------------------------------------------------------
    def school_kek(self, school_id: uuid.UUID, version: int) -> bytes:
        cached = self._keks.get((school_id, version))
        if cached is None:
            if version not in self.material.keks and self.loader is not None:
                self.material = self.loader()
            cached = envelope.derive_school_kek(self.material.kek(version), school_id)
            self._keks[(school_id, version)] = cached
        return cached

    def _wrapped_now(self, row: WrappedKey, dek: bytes) -> bytes:
        """`dek` wrapped under the current KEK version, bound to the key row's identity."""
        return envelope.wrap_key(
            self.school_kek(row.school_id, self.material.current),
            dek,
            school_id=row.school_id,
            key_id=row.id,
            scope=scope_of(row.school_id, row.case_id),
            version=row.version,
        )

    def _unwrap(self, row: WrappedKey) -> bytes:
        scope = scope_of(row.school_id, row.case_id)
        if row.wrapped is None:
            raise ErasedError(scope, row.destroyed_at)
        return envelope.unwrap_key(
            self.school_kek(row.school_id, row.kek_version),
            bytes(row.wrapped),
            school_id=row.school_id,
            key_id=row.id,
            scope=scope,
            version=row.version,
        )

    # --- data keys --------------------------------------------------------------------------
    def current_key(
        self, session: Session, school_id: uuid.UUID, case_id: uuid.UUID | None
    ) -> tuple[DataKey, bytes]:
        """The scope's newest data key, created (and added to the session) on first use."""
        pending: dict[str, tuple[DataKey, bytes]] = session.info.setdefault("pending_keys", {})
        scope = scope_of(school_id, case_id)
        if scope in pending:
            return pending[scope]
        with session.no_autoflush:
            row = session.scalars(
                select(DataKey)
                .where(
                    DataKey.school_id == school_id,
                    DataKey.case_id == case_id if case_id else DataKey.case_id.is_(None),
                    DataKey.scope == (KeyScope.CASE if case_id else KeyScope.SCHOOL),
                )
                .order_by(DataKey.version.desc())
                .limit(1)
            ).first()
        if row is not None:
            found = (row, self._dek(row))
        else:
            dek = envelope.new_key()
            row = DataKey(
                id=new_id(),
                school_id=school_id,
                case_id=case_id,
                version=1,
                scope=KeyScope.CASE if case_id else KeyScope.SCHOOL,
            )
            row.kek_version = self.material.current
            row.wrapped = self._wrapped_now(row, dek)
            session.add(row)
            found = (row, dek)
        pending[scope] = found
        return found

    def _dek(self, row: DataKey) -> bytes:
        cached = self._deks.get(row.id)
        now = time.monotonic()
        if cached is not None and cached[1] > now and row.wrapped is not None:
            return cached[0]
        dek = self._unwrap(row)
        self._deks[row.id] = (dek, now + CACHE_SECONDS)
        return dek

    def key_by_id(self, session: Session, key_id: uuid.UUID) -> bytes:
        cached = self._deks.get(key_id)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        row = session.get(DataKey, key_id)
        if row is None:
            raise MissingKeyError(f"data key {key_id} is not in the database")
        return self._dek(row)

    # --- fields -----------------------------------------------------------------------------
    def seal(
        self,
        session: Session,
        place: Place,
        school_id: uuid.UUID,
        case_id: uuid.UUID | None,
        plaintext: str,
    ) -> bytes:
        row, dek = self.current_key(session, school_id, case_id)
        return envelope.seal_field(dek, SealedHeader(row.id, row.version), place, plaintext)

    def open(self, session: Session, place: Place, sealed: bytes) -> str:
        try:
            header = envelope.read_header(sealed)
            key = self.key_by_id(session, header.key_id)
        except (MissingKeyError, TamperedError) as exc:
            raise TamperedError(
                f"the ciphertext in {place.describe()} cannot be opened ({exc}): it was altered "
                "or copied from elsewhere"
            ) from None
        return envelope.open_field(key, place, sealed)

    def blind_index(self, school_id: uuid.UUID, purpose: str, value: str) -> bytes:
        return envelope.blind_index(self.material.blind_index_key, school_id, purpose, value)

    def case_pseudonym(
        self, session: Session, school_id: uuid.UUID, case_id: uuid.UUID, value: uuid.UUID
    ) -> uuid.UUID:
        """A keyed, per-case stand-in for `value` (a user's id): HMAC under the case's first
        data key, so only someone who can open the case can tell whose it is, and nobody can
        once the case is shredded (issue 19, item 9). The first key, not the newest: a key
        rotation must not change what earlier entries hold."""
        with session.no_autoflush:
            row = session.scalars(
                select(DataKey)
                .where(DataKey.school_id == school_id, DataKey.case_id == case_id)
                .order_by(DataKey.version)
                .limit(1)
            ).first()
        if row is not None:
            dek = self._dek(row)
        else:  # the case's key is still to be flushed: its first
            dek = self.current_key(session, school_id, case_id)[1]
        return envelope.pseudonym(dek, "audit-actor", case_id, value)

    # --- rotation and shredding ---------------------------------------------------------------
    def rewrapped(self, row: WrappedKey) -> bytes:
        """The data key re-wrapped under the current KEK version (the caller stores it, with
        `kek_version = material.current`); the data it protects is untouched."""
        return self._wrapped_now(row, self._unwrap(row))

    def forget(self, key_ids: list[uuid.UUID]) -> None:
        for key_id in key_ids:
            self._deks.pop(key_id, None)
