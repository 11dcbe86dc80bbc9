"""The instance's master keys, kept outside the database: a key file (mode 0600) or the
INCIDENTS_KEYS environment variable holding the same JSON. Never the database, never the repo.

{"format": "incidents-keys/1", "current": 2, "kek": {"1": "<base64>", "2": "<base64>"},
 "blind_index": "<base64>"}
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from incidents.crypto.envelope import KEY_BYTES, CryptoError, new_key

FORMAT = "incidents-keys/1"


class KeyFileError(CryptoError):
    """The keys are missing, unreadable or malformed; the message names the file or setting."""


@dataclass(frozen=True)
class KeyMaterial:
    current: int
    keks: dict[int, bytes]
    blind_index_key: bytes
    source: str  # where the keys came from, for messages (a path or the variable's name)

    def kek(self, version: int) -> bytes:
        try:
            return self.keks[version]
        except KeyError:
            raise KeyFileError(
                f"key version {version} is needed but {self.source} does not have it: "
                "restore the key file that was in use"
            ) from None

    def __repr__(self) -> str:
        return f"KeyMaterial(source={self.source!r}, versions={sorted(self.keks)}, <keys hidden>)"


def _b64(value: object, what: str, source: str) -> bytes:
    try:
        raw = base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFileError(f"{source}: {what} is not valid base64") from None
    if len(raw) != KEY_BYTES:
        raise KeyFileError(f"{source}: {what} must be {KEY_BYTES} bytes")
    return raw


def parse(text: str, source: str) -> KeyMaterial:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise KeyFileError(f"{source} is not a valid key file (not JSON)") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise KeyFileError(f"{source} is not an incidents key file (format {FORMAT} expected)")
    raw_keks = data.get("kek")
    if not isinstance(raw_keks, dict) or not raw_keks:
        raise KeyFileError(f"{source} has no key-encryption keys")
    try:
        keks = {int(v): _b64(k, f"key version {v}", source) for v, k in raw_keks.items()}
        current = int(data["current"])
    except (KeyError, TypeError, ValueError):
        raise KeyFileError(f"{source}: key versions must be whole numbers") from None
    if current not in keks:
        raise KeyFileError(f"{source}: the current version {current} has no key")
    return KeyMaterial(
        current=current,
        keks=keks,
        blind_index_key=_b64(data.get("blind_index"), "the blind-index key", source),
        source=source,
    )


def _dump(material: KeyMaterial) -> str:
    return json.dumps(
        {
            "format": FORMAT,
            "current": material.current,
            "kek": {str(v): base64.b64encode(k).decode() for v, k in sorted(material.keks.items())},
            "blind_index": base64.b64encode(material.blind_index_key).decode(),
        },
        indent=2,
    )


def generate(source: str = "new keys") -> KeyMaterial:
    return KeyMaterial(current=1, keks={1: new_key()}, blind_index_key=new_key(), source=source)


def load_file(path: Path) -> KeyMaterial:
    try:
        mode = path.stat().st_mode
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise KeyFileError(
            f"the key file {path} is missing: restore it from your key backup, or run "
            "`incidents keys init` for a new installation"
        ) from None
    except OSError as exc:
        raise KeyFileError(f"the key file {path} cannot be read: {exc.strerror}") from None
    if stat.S_IMODE(mode) & 0o077:
        raise KeyFileError(f"the key file {path} is readable by others: chmod 600 {path}")
    return parse(text, str(path))


def write_file(path: Path, material: KeyMaterial, *, new: bool) -> None:
    """Write atomically with mode 0600: a crash leaves the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if new and path.exists():
        raise KeyFileError(f"the key file {path} already exists: refusing to overwrite keys")
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(_dump(material))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def with_new_version(material: KeyMaterial) -> KeyMaterial:
    version = max(material.keks) + 1
    return KeyMaterial(
        current=version,
        keks={**material.keks, version: new_key()},
        blind_index_key=material.blind_index_key,
        source=material.source,
    )
