"""Building the process's keyring from the settings, with a stand-in that explains what is
missing when there are no keys yet (so `incidents keys init` can still run)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from incidents.config import Settings
from incidents.crypto.keyring import Keyring
from incidents.crypto.keys import KeyFileError, KeyMaterial, load_file, parse
from incidents.sensitive import Place


def load_material(settings: Settings) -> KeyMaterial:
    if settings.keys_json:
        return parse(settings.keys_json, "INCIDENTS_KEYS")
    if settings.key_file is None:
        raise KeyFileError("INCIDENTS_KEY_FILE is not set")
    return load_file(settings.key_file)


class UnavailableKeyring:
    """Stands in for the keyring when the keys cannot be loaded; every use says why."""

    def __init__(self, error: KeyFileError) -> None:
        self.error = error

    def _fail(self) -> KeyFileError:
        return KeyFileError(str(self.error))

    def seal(
        self,
        session: Session,
        place: Place,
        school_id: uuid.UUID,
        case_id: uuid.UUID | None,
        plaintext: str,
    ) -> bytes:
        raise self._fail()

    def open(self, session: Session, place: Place, sealed: bytes) -> str:
        raise self._fail()

    def blind_index(self, school_id: uuid.UUID, purpose: str, value: str) -> bytes:
        raise self._fail()

    def case_pseudonym(
        self, session: Session, school_id: uuid.UUID, case_id: uuid.UUID, value: uuid.UUID
    ) -> uuid.UUID:
        raise self._fail()


def build_keyring(settings: Settings) -> Keyring | UnavailableKeyring:
    try:
        return Keyring(load_material(settings), loader=lambda: load_material(settings))
    except KeyFileError as exc:
        return UnavailableKeyring(exc)
