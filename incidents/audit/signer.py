"""The checkpoint signing key: Ed25519, in its own key file (mode 0600), never in the database
and never in the web process (issue 19, item 8): only the signer commands load it, run as their
own OS user. `incidents audit keygen` makes it; the public half is what the local authority pins.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from incidents.audit import tlog
from incidents.crypto.keys import KeyFileError

if TYPE_CHECKING:
    from incidents.audit.signed_state import SignedState
    from incidents.config import Settings


@dataclass(frozen=True)
class Signer:
    name: str
    private: Ed25519PrivateKey
    # What this signer last signed, per log (kept beside its key file): with it, every head is
    # recomputed from the entries and must extend the last one signed. None only for signers
    # made in memory by tests that exercise the log rather than the signer.
    state: SignedState | None = None

    @property
    def public(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def verifier_key(self) -> str:
        return tlog.verifier_key(self.name, self.public)

    def sign(self, checkpoint: tlog.Checkpoint) -> str:
        return tlog.sign_checkpoint(checkpoint, self.name, self.private)

    def __repr__(self) -> str:
        return f"Signer(name={self.name!r}, <private key hidden>)"


def generate(path: Path) -> None:
    if path.exists():
        raise KeyFileError(f"the signing key file {path} already exists: refusing to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def from_settings(settings: Settings) -> Signer | KeyFileError:
    """The signer for the signer commands, or the error saying why there is none. Never called
    by the web app, which has no use for the key."""
    if settings.signing_key_file is None:
        return KeyFileError("INCIDENTS_SIGNING_KEY_FILE is not set")
    try:
        return load(settings.signing_key_file, settings.audit_key_name)
    except KeyFileError as exc:
        return exc


def load(path: Path, name: str) -> Signer:
    try:
        if path.stat().st_mode & 0o077:
            raise KeyFileError(
                f"the signing key file {path} is readable by others: chmod 600 {path}"
            )
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise KeyFileError(
            f"the audit signing key file {path} is missing: run `incidents audit keygen`"
        ) from None
    except ValueError:
        raise KeyFileError(f"the signing key file {path} is not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"the signing key file {path} does not hold an Ed25519 key")
    from incidents.audit.signed_state import SignedState, state_file_for

    return Signer(name=name, private=key, state=SignedState(state_file_for(path)))
