"""The checkpoint parser follows C2SP signed-note and tlog-checkpoint exactly (issue 19,
item 6): every malformed variant of a valid note is refused, as Go's note.Open refuses it
(and a bad signature after a good one from the same key, as the spec says to)."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from incidents.audit import tlog

NAME = "example.invalid/audit/100001"
KEY = Ed25519PrivateKey.generate()
PUBLIC = KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
VKEY = tlog.verifier_key(NAME, PUBLIC)
ROOT = base64.b64encode(bytes(range(32))).decode()


def _sign(text: str, key: Ed25519PrivateKey = KEY, name: str = NAME) -> str:
    sig = base64.b64encode(tlog.key_id(name, PUBLIC) + key.sign(text.encode())).decode()
    return f"\u2014 {name} {sig}\n"


TEXT = f"{NAME}\n5\n{ROOT}\n"
GOOD = TEXT + "\n" + _sign(TEXT)
OTHER = Ed25519PrivateKey.generate()


def test_a_valid_note_opens():
    cp = tlog.open_checkpoint(GOOD, VKEY)
    assert (cp.origin, cp.size, base64.b64encode(cp.root).decode()) == (NAME, 5, ROOT)
    # Another key's signature line, before or after ours, is ignored by design.
    foreign = "\u2014 witness.example " + base64.b64encode(b"\x01\x02\x03\x04" + bytes(64)).decode()
    assert tlog.open_checkpoint(TEXT + "\n" + foreign + "\n" + _sign(TEXT), VKEY).size == 5
    assert tlog.open_checkpoint(GOOD + foreign + "\n", VKEY).size == 5
    # Extension lines are allowed, and signed.
    ext = f"{NAME}\n5\n{ROOT}\nextension\n"
    assert tlog.open_checkpoint(ext + "\n" + _sign(ext), VKEY).size == 5


def _with_text(text: str) -> str:
    return text + "\n" + _sign(text)


MALFORMED = {
    "blank line before the signatures": TEXT + "\n\n" + _sign(TEXT),
    "blank line after the signatures": GOOD + "\n",
    "blank line between signatures": GOOD + "\n" + _sign(TEXT),
    "trailing garbage": GOOD + "garbage\n",
    "trailing garbage without newline": GOOD + "x",
    "missing final newline": GOOD[:-1],
    "CRLF line ends": GOOD.replace("\n", "\r\n"),
    "CR in the signature block": GOOD[:-1] + "\r\n",
    "no signature block": TEXT,
    "empty origin": _with_text(f"\n5\n{ROOT}\n"),
    "control character in origin": _with_text(f"{NAME}\x07\n5\n{ROOT}\n"),
    "DEL in origin": _with_text(f"{NAME}\x7f\n5\n{ROOT}\n"),
    "tab in origin": _with_text(f"{NAME}\t\n5\n{ROOT}\n"),
    "leading zero in size": _with_text(f"{NAME}\n05\n{ROOT}\n"),
    "plus sign in size": _with_text(f"{NAME}\n+5\n{ROOT}\n"),
    "non-ASCII digit in size": _with_text(f"{NAME}\n\uff15\n{ROOT}\n"),
    "space in size": _with_text(f"{NAME}\n 5\n{ROOT}\n"),
    "short root": _with_text(f"{NAME}\n5\n{base64.b64encode(bytes(31)).decode()}\n"),
    "empty extension line": TEXT + "\n\n" + "\n" + _sign(TEXT + "\n"),
    "two lines only": _with_text(f"{NAME}\n5\n"),
    "empty log with a non-empty root": _with_text(f"{NAME}\n0\n{ROOT}\n"),
    "valid then invalid signature by the same key": GOOD + _sign(TEXT, key=OTHER),
    "invalid then valid signature by the same key": TEXT + "\n" + _sign(TEXT, OTHER) + _sign(TEXT),
    "signature line without the em dash": TEXT + "\n" + _sign(TEXT)[2:],
    "signature that is not base64": TEXT + "\n" + f"\u2014 {NAME} not*base64\n",
    "signature too short": TEXT + "\n" + f"\u2014 {NAME} AAAA\n",
    "key name with a plus": GOOD + "\u2014 a+b " + base64.b64encode(bytes(68)).decode() + "\n",
    "signed only by another key": TEXT + "\n" + _sign(TEXT, OTHER, "other.example"),
    "too many signatures": GOOD + "".join(_sign(TEXT, OTHER, f"w{i}") for i in range(100)),
}


@pytest.mark.parametrize("note", MALFORMED.values(), ids=list(MALFORMED))
def test_a_malformed_note_is_refused(note):
    with pytest.raises(tlog.LogError):
        tlog.open_checkpoint(note, VKEY)
