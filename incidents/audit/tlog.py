"""A transparency log in the shape of RFC 9162 (Certificate Transparency v2): leaf and node
hashing, the compact frontier used to append, inclusion and consistency proofs and their
verification, canonical entry bytes, and C2SP signed-note checkpoints with Ed25519.

Standard library and `cryptography` only: the standalone verifier a local authority runs
imports this module and nothing else from the application.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class LogError(Exception):
    """A proof, checkpoint or entry does not verify; the message says which and why."""


# --- hashing -----------------------------------------------------------------------------------
def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over the given leaf hashes, bottom-up in one pass per level (no recursion)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    frontier: list[bytes] = []
    for size, h in enumerate(leaf_hashes):
        frontier = frontier_append(frontier, size, h)[0]
    return frontier_root(frontier)


# --- the frontier (compact range) --------------------------------------------------------------
def frontier_append(
    frontier: list[bytes], size: int, leaf: bytes
) -> tuple[list[bytes], list[tuple[int, int, bytes]]]:
    """Append one leaf hash to a tree of `size` leaves whose frontier (the roots of its perfect
    subtrees, largest first) is given. Returns the new frontier and the perfect subtrees
    completed by this append as (level, index, hash), level >= 1, for storage."""
    frontier = list(frontier)
    completed: list[tuple[int, int, bytes]] = []
    h, s, level = leaf, size, 0
    while s & 1:
        h = node_hash(frontier.pop(), h)
        s >>= 1
        level += 1
        completed.append((level, size >> level, h))
    frontier.append(h)
    return frontier, completed


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    if not frontier:
        return EMPTY_ROOT
    root = frontier[-1]
    for h in reversed(frontier[:-1]):
        root = node_hash(h, root)
    return root


def pack(frontier: Sequence[bytes]) -> bytes:
    return b"".join(frontier)


def unpack(packed: bytes) -> list[bytes]:
    return [packed[i : i + HASH_SIZE] for i in range(0, len(packed), HASH_SIZE)]


# --- proofs from perfect-subtree nodes ---------------------------------------------------------
# `node(level, index)` returns the hash of the perfect subtree covering leaves
# [index * 2**level, (index + 1) * 2**level); level 0 is a leaf hash. In an RFC 9162 tree every
# left child is such a subtree, so any range hash needs only O(log n) of them.
NodeSource = Callable[[int, int], bytes]


def range_hash(node: NodeSource, lo: int, hi: int) -> bytes:
    n = hi - lo
    if n & (n - 1) == 0:
        level = n.bit_length() - 1
        return node(level, lo >> level)
    k = _split(n)
    return node_hash(range_hash(node, lo, lo + k), range_hash(node, lo + k, hi))


def inclusion_proof(node: NodeSource, index: int, size: int) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(index, D[0:size])."""
    if not 0 <= index < size:
        raise LogError(f"entry {index} is not in a log of {size} entries")
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(range_hash(node, lo + k, hi))
            hi = lo + k
        else:
            path.append(range_hash(node, lo, lo + k))
            lo = lo + k
    path.reverse()
    return path


def consistency_proof(node: NodeSource, old: int, new: int) -> list[bytes]:
    """RFC 9162 §2.1.4.1 PROOF(old, D[0:new])."""
    if not 0 < old <= new:
        raise LogError(f"no consistency proof from size {old} to size {new}")
    proof: list[bytes] = []
    lo, hi, m, complete = 0, new, old, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            proof.append(range_hash(node, lo + k, hi))
            hi = lo + k
        else:
            proof.append(range_hash(node, lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        proof.append(range_hash(node, lo, hi))
    proof.reverse()
    return proof


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 §2.1.3.2, on the raw leaf bytes."""
    if not 0 <= index < size:
        raise LogError(f"entry {index} cannot be in a log of {size} entries")
    fn, sn, r = index, size - 1, leaf_hash(leaf)
    for p in proof:
        if sn == 0:
            raise LogError("the inclusion proof is longer than the tree allows")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise LogError("the inclusion proof is shorter than the tree needs")
    if r != root:
        raise LogError(f"entry {index} is not included in the tree with this root")


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 §2.1.4.2: the tree of size `new` extends the tree of size `old`."""
    # An empty tree has exactly one root, the hash of nothing: two "empty" checkpoints that
    # agree with each other on any other root prove nothing (issue 19, item 7).
    for size, root in ((old, old_root), (new, new_root)):
        if size == 0 and root != EMPTY_ROOT:
            raise LogError("a checkpoint of an empty log must have the empty tree's root")
    if old == 0 and new >= 0:
        if proof:
            raise LogError("a consistency proof from an empty log must be empty")
        return
    if old == new:
        if proof or old_root != new_root:
            raise LogError("two checkpoints of the same size disagree")
        return
    if not 0 < old < new:
        raise LogError(f"a log cannot shrink from {old} to {new} entries")
    if not proof:
        raise LogError("the consistency proof is empty")
    path = list(proof)
    if old & (old - 1) == 0:  # old is a power of two: its root is the first node
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise LogError("the consistency proof is longer than the trees allow")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise LogError("the consistency proof is shorter than the trees need")
    if fr != old_root or sr != new_root:
        raise LogError(f"the log of {new} entries does not extend the checkpoint of {old}")


# --- canonical entries -------------------------------------------------------------------------
Json = None | bool | int | str | list["Json"] | dict[str, "Json"]


def _check(value: object, where: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        if isinstance(value, str) and unicodedata.normalize("NFC", value) != value:
            raise LogError(f"{where}: strings in an entry must be NFC-normalised")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise LogError(f"{where}: keys must be strings")
            _check(item, f"{where}.{key}")
        return
    raise LogError(f"{where}: {type(value).__name__} is not allowed in an entry")


def canonical(entry: dict[str, Json]) -> bytes:
    """The one byte form of an entry: sorted keys, no spaces, UTF-8, only str/int/bool/null/
    list/dict (no floats: 1.0 and 1 must not both exist), NFC strings."""
    _check(entry, "entry")
    return json.dumps(
        entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def parse_entry(leaf: bytes) -> dict[str, Json]:
    try:
        entry = json.loads(leaf.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise LogError("an entry is not valid JSON") from None
    if not isinstance(entry, dict):
        raise LogError("an entry is not a JSON object")
    if canonical(entry) != leaf:
        raise LogError("an entry's bytes are not in canonical form")
    return entry


# --- signed-note checkpoints (C2SP tlog-checkpoint and signed-note) -----------------------------
ED25519 = 0x01


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> bytes:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n".encode()


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public).digest()[:4]


def verifier_key(name: str, public: bytes) -> str:
    """The note verifier key string a local authority pins: name+keyid+base64(type||key)."""
    encoded = base64.b64encode(bytes([ED25519]) + public).decode()
    return f"{name}+{key_id(name, public).hex()}+{encoded}"


def parse_verifier_key(vkey: str) -> tuple[str, bytes]:
    try:
        # base64 may itself contain "+": split on the first two only (names never contain it)
        name, hex_id, b64 = vkey.strip().split("+", 2)
        raw = base64.b64decode(b64, validate=True)
    except ValueError:
        raise LogError("the verifier key is not in name+keyid+key form") from None
    if len(raw) != 33 or raw[0] != ED25519:
        raise LogError("the verifier key is not an Ed25519 key")
    if key_id(name, raw[1:]).hex() != hex_id:
        raise LogError("the verifier key's id does not match its name and key")
    return name, raw[1:]


def sign_checkpoint(cp: Checkpoint, name: str, private: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives import serialization

    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    body = cp.body()
    sig = base64.b64encode(key_id(name, public) + private.sign(body)).decode()
    return body.decode() + f"\n\u2014 {name} {sig}\n"


MAX_SIGNATURES = 100  # as Go's golang.org/x/mod/sumdb/note: a note is not parsed forever
_SIG_PREFIX = "\u2014 "


def _valid_key_name(name: str) -> bool:
    """signed-note: non-empty, no Unicode space, no plus."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def open_note(note: str, name: str, public: bytes) -> str:
    """C2SP signed-note, exactly (golang.org/x/mod/sumdb/note's Open is the reference): the
    note text, once a signature by this key (name and key id) verifies. Refused: a control
    character other than newline anywhere (so CRLF too), no blank line before the signatures,
    anything but signature lines after it (a blank line, trailing text, a missing final
    newline), a malformed signature line, more than MAX_SIGNATURES, and any signature by this
    key that does not verify, even after one that does (the spec's "clients SHOULD reject the
    whole note"; Go skips a repeated signer instead). Signatures by other keys are ignored."""
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise LogError("the checkpoint holds a control character (only newlines are allowed)")
    split = note.rfind("\n\n")
    if split < 0:
        raise LogError("the checkpoint has no signature block")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise LogError("the checkpoint's signature block must end with a newline")
    wanted = key_id(name, public)
    verified = False
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise LogError(f"the checkpoint has more than {MAX_SIGNATURES} signatures")
    for line in lines:
        if not line.startswith(_SIG_PREFIX):
            raise LogError("the checkpoint has a line after its text that is not a signature")
        signer, _, b64 = line[len(_SIG_PREFIX) :].partition(" ")
        try:
            raw = base64.b64decode(b64, validate=True)
        except ValueError:
            raise LogError("a checkpoint signature is not valid base64") from None
        if not _valid_key_name(signer) or not b64 or len(raw) < 5:
            raise LogError("a checkpoint signature line is malformed")
        if signer != name or raw[:4] != wanted:
            continue  # another key's line: unknown signatures are ignored by design
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(raw[4:], text.encode("utf-8"))
        except InvalidSignature:
            raise LogError(f"the checkpoint's signature by {name} is not valid") from None
        verified = True
    if not verified:
        raise LogError(f"the checkpoint is not signed by {name}")
    return text


def parse_checkpoint_text(text: str) -> Checkpoint:
    """C2SP tlog-checkpoint note text: origin, size, root hash, then optional non-empty
    extension lines, each line ending in a newline."""
    if not text.endswith("\n"):
        raise LogError("the checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise LogError("the checkpoint body needs an origin, a size and a root")
    origin, size_line, root_line = lines[:3]
    if not origin or any(unicodedata.category(c) == "Cc" for c in origin):
        raise LogError("the checkpoint's origin is empty or holds a control character")
    if any(not line for line in lines[3:]):
        raise LogError("the checkpoint has an empty extension line")
    # ASCII decimal, no sign, no leading zero (unless 0), no other digits Python would accept.
    if not (size_line.isascii() and size_line.isdigit()) or str(int(size_line)) != size_line:
        raise LogError("the checkpoint's size or root is malformed")
    try:
        root = base64.b64decode(root_line, validate=True)
    except ValueError:
        raise LogError("the checkpoint's size or root is malformed") from None
    if len(root) != HASH_SIZE or base64.b64encode(root).decode() != root_line:
        raise LogError("the checkpoint's size or root is malformed")
    size = int(size_line)
    if size == 0 and root != EMPTY_ROOT:
        raise LogError("a checkpoint of an empty log must have the empty tree's root")
    return Checkpoint(origin=origin, size=size, root=root)


def open_checkpoint(note: str, vkey: str) -> Checkpoint:
    """Check a signed checkpoint against the pinned verifier key and return what it says."""
    name, public = parse_verifier_key(vkey)
    return parse_checkpoint_text(open_note(note, name, public))


def tree_levels(leaf_hashes: Iterable[bytes]) -> list[list[bytes]]:
    """Every perfect subtree's hash, level by level: level 0 the leaf hashes, level k the
    size >> k complete subtrees of 2**k leaves (an odd last node is not paired: range_hash
    carries it up). Level k >= 1 is exactly what `frontier_append` has stored for the log."""
    levels: list[list[bytes]] = [list(leaf_hashes)]
    sha256 = hashlib.sha256
    while len(levels[-1]) > 1:
        below = levels[-1]
        # node_hash, inlined over paired slices (zip drops an odd last node, which is carried
        # up by range_hash): at a million leaves the call per node cost a fifth of the time.
        levels.append(
            [
                sha256(b"\x01" + left + right).digest()
                for left, right in zip(below[::2], below[1::2], strict=False)
            ]
        )
    return levels


def levels_from_leaves(leaf_hashes: Iterable[bytes]) -> NodeSource:
    """A node source over an in-memory list of leaf hashes (verifier, exports, tests): every
    perfect subtree is computed once, level by level."""
    levels = tree_levels(leaf_hashes)

    def node(level: int, index: int) -> bytes:
        return levels[level][index]

    return node


def root_of_levels(node: NodeSource, size: int) -> bytes:
    return range_hash(node, 0, size) if size else EMPTY_ROOT


def proof_size(size: int) -> int:
    return math.ceil(math.log2(size)) if size > 1 else 0


# --- evidence files (issue 14) -----------------------------------------------------------------
def evidence_commitment(sha256_hex: str, salt_hex: str) -> str:
    """What an evidence entry's leaf carries as "ev": a salted digest of the file's SHA-256.
    Salted (the salt is kept under the case key and handed out in bundles), so that after a
    case is shredded nobody holding a copy of a file can confirm it was in the log."""
    digest = hashlib.sha256(
        b"incidents-evidence/v1|" + bytes.fromhex(salt_hex) + bytes.fromhex(sha256_hex)
    ).digest()
    return base64.b64encode(digest).decode()
