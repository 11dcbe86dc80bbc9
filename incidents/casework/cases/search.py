"""Searching the case list by surname without the surname in a URL, a log or browser history
(issue 17, item 6). The search form is POSTed; the surname comes back in the list's links only
inside a short-lived token, encrypted and authenticated (Fernet: AES-CBC with HMAC-SHA256)
under a key derived from the app's secret key, bound to the user who searched. Someone who sees
the URL (an access log, a proxy, a shoulder) learns nothing; after TTL the token is refused.

What the stored index reveals: only the keyed blind index of each whole surname
(`Person.surname_index`), which tells a database reader which people share a surname, nothing
else. Prefix search ("fenw" finds Fenwick) adds nothing to it: the names of the people on the
school's cases are decrypted in memory for the search, compared and dropped (`queries`)."""

from __future__ import annotations

import base64
import json
import uuid

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TTL_SECONDS = 15 * 60  # long enough to page through the results, short enough to go stale
EXPIRED = "The search has expired: search again"


def _fernet(secret: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"incidents case search v1"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, user_id: uuid.UUID, surname: str) -> str:
    """The token that stands for `surname` in the list's links, for this user only."""
    plain = json.dumps({"u": str(user_id), "s": surname}).encode()
    return _fernet(secret).encrypt(plain).decode("ascii")


def open_token(secret: str, user_id: uuid.UUID, token: str) -> str | None:
    """The surname the token stands for; None when it is stale, altered or another user's."""
    try:
        plain = _fernet(secret).decrypt(token.encode("ascii"), ttl=TTL_SECONDS)
        data = json.loads(plain)
    except (InvalidToken, UnicodeEncodeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("u") != str(user_id):
        return None
    surname = data.get("s")
    return surname if isinstance(surname, str) else None
