"""The only module that encrypts or decrypts: AES-256-GCM for fields and for wrapping data keys.

A sealed field is  0x01 | key id (16) | key version (2) | nonce (12) | ciphertext+tag,
and its associated data names its place (table, column, row, case, key), so a ciphertext copied
to another row, column or case fails to open. Pure: no database, no Flask.
"""

from __future__ import annotations

import os
import struct
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hmac import HMAC
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from incidents.sensitive import Place

FORMAT_V1 = 1
NONCE_BYTES = 12
KEY_BYTES = 32
_HEADER = struct.Struct(">B16sH")  # format, key id, key version
BLIND_INDEX_BYTES = 16


class CryptoError(Exception):
    """Base class; messages name what is wrong and where, never any content."""


class TamperedError(CryptoError):
    """A ciphertext failed authentication: it was altered, or moved from its place."""


@dataclass(frozen=True)
class SealedHeader:
    key_id: uuid.UUID
    key_version: int


def _field_aad(place: Place, header: SealedHeader) -> bytes:
    return "|".join(
        (
            f"incidents-field/v{FORMAT_V1}",
            place.table,
            place.column,
            str(place.row_id),
            place.scope,
            str(header.key_id),
            str(header.key_version),
        )
    ).encode()


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def read_header(sealed: bytes) -> SealedHeader:
    if len(sealed) < _HEADER.size + NONCE_BYTES + 16:
        raise TamperedError("a stored ciphertext is truncated")
    fmt, key_id, version = _HEADER.unpack_from(sealed)
    if fmt != FORMAT_V1:
        raise TamperedError(f"a stored ciphertext has an unknown format ({fmt})")
    return SealedHeader(key_id=uuid.UUID(bytes=key_id), key_version=version)


def seal_field(key: bytes, header: SealedHeader, place: Place, plaintext: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    body = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), _field_aad(place, header))
    return _HEADER.pack(FORMAT_V1, header.key_id.bytes, header.key_version) + nonce + body


def open_field(key: bytes, place: Place, sealed: bytes) -> str:
    header = read_header(sealed)
    nonce = sealed[_HEADER.size : _HEADER.size + NONCE_BYTES]
    try:
        clear = AESGCM(key).decrypt(
            nonce, sealed[_HEADER.size + NONCE_BYTES :], _field_aad(place, header)
        )
    except InvalidTag:
        raise TamperedError(
            f"the ciphertext in {place.describe()} failed authentication: "
            "it was altered or copied from another place"
        ) from None
    return clear.decode("utf-8")


def _wrap_aad(school_id: uuid.UUID, key_id: uuid.UUID, scope: str, version: int) -> bytes:
    return f"incidents-dek/v1|{school_id}|{key_id}|{scope}|{version}".encode()


def wrap_key(
    kek: bytes, dek: bytes, *, school_id: uuid.UUID, key_id: uuid.UUID, scope: str, version: int
) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, dek, _wrap_aad(school_id, key_id, scope, version))


def unwrap_key(
    kek: bytes,
    wrapped: bytes,
    *,
    school_id: uuid.UUID,
    key_id: uuid.UUID,
    scope: str,
    version: int,
) -> bytes:
    try:
        return AESGCM(kek).decrypt(
            wrapped[:NONCE_BYTES],
            wrapped[NONCE_BYTES:],
            _wrap_aad(school_id, key_id, scope, version),
        )
    except InvalidTag:
        raise CryptoError(
            f"data key {key_id} cannot be unwrapped: the key file does not match this database, "
            "or the wrapped key was altered"
        ) from None


def derive_school_kek(master: bytes, school_id: uuid.UUID) -> bytes:
    """Each school gets its own KEK from the instance's master key, so one school's wrapped keys
    are useless under another's. (Data keys themselves are random, never derived: a derived key
    could not be shredded.)"""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=None,
        info=b"incidents-school-kek/v1|" + school_id.bytes,
    ).derive(master)


def pseudonym(key: bytes, purpose: str, case_id: uuid.UUID, value: uuid.UUID) -> uuid.UUID:
    """A per-case keyed pseudonym of an id, shaped as a UUID (version 8: custom) so that it
    fits where the id went."""
    mac = HMAC(key, hashes.SHA256())
    mac.update(f"{purpose}|".encode() + case_id.bytes + value.bytes)
    raw = bytearray(mac.finalize()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x80  # version 8
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 9562 variant
    return uuid.UUID(bytes=bytes(raw))


def blind_index(key: bytes, school_id: uuid.UUID, purpose: str, value: str) -> bytes:
    """Keyed, truncated HMAC for equality search on one field; per school so equal names in two
    schools do not match."""
    mac = HMAC(key, hashes.SHA256())
    mac.update(f"{purpose}|{school_id}|{value}".encode())
    return mac.finalize()[:BLIND_INDEX_BYTES]


# --- evidence chunks (issue 14) -------------------------------------------------------------
# A file's bytes are sealed chunk by chunk, so a large file never sits whole in memory. Each
# chunk's associated data names the file, the chunk's number, how many chunks the file has and
# the case: a chunk altered, moved to another place in the file, to another file or another
# case, or a file cut short, fails to open.


def _chunk_aad(
    header: SealedHeader, *, file_id: uuid.UUID, number: int, count: int, scope: str
) -> bytes:
    return (
        f"incidents-evidence-chunk/v{FORMAT_V1}|{file_id}|{number}|{count}|{scope}|"
        f"{header.key_id}|{header.key_version}"
    ).encode()


class ChunkCipher:
    """Seals and opens one file's chunks under one data key (the key object is made once)."""

    def __init__(
        self, key: bytes, header: SealedHeader, *, file_id: uuid.UUID, count: int, scope: str
    ) -> None:
        self._aead = AESGCM(key)
        self.header = header
        self.file_id = file_id
        self.count = count
        self.scope = scope

    def _aad(self, number: int) -> bytes:
        return _chunk_aad(
            self.header, file_id=self.file_id, number=number, count=self.count, scope=self.scope
        )

    def seal(self, number: int, clear: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        head = _HEADER.pack(FORMAT_V1, self.header.key_id.bytes, self.header.key_version)
        return head + nonce + self._aead.encrypt(nonce, clear, self._aad(number))

    def open(self, number: int, sealed: bytes) -> bytes:
        header = read_header(sealed)
        if header != self.header:
            raise TamperedError(f"chunk {number} names another key: it was copied from elsewhere")
        nonce = sealed[_HEADER.size : _HEADER.size + NONCE_BYTES]
        try:
            return self._aead.decrypt(
                nonce, sealed[_HEADER.size + NONCE_BYTES :], self._aad(number)
            )
        except InvalidTag:
            raise TamperedError(
                f"chunk {number} failed authentication: it was altered, or moved from another "
                "place, file or case"
            ) from None
