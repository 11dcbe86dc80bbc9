"""The transparency-log primitives against hand-written RFC 9162 definitions and known vectors,
and the standalone verifier's refusals."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from incidents.audit import tlog, verifier
from tests import REPO

# The leaves of the Certificate Transparency test vectors, and their roots for sizes 1 to 8.
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


# --- a literal transcription of RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1, used as the oracle ---
def mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = 1 << ((n - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + mth(d[:k]) + mth(d[k:])).digest()


def path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


def leaves(n: int) -> list[bytes]:
    return [f"leaf {i}".encode() for i in range(n)]


def test_known_vectors():
    hashes = [tlog.leaf_hash(x) for x in CT_LEAVES]
    for n in range(1, 9):
        assert tlog.root_of(hashes[:n]).hex() == CT_ROOTS[n - 1]
    assert tlog.root_of([]) == hashlib.sha256(b"").digest()


def test_frontier_roots_match_the_definition_for_every_size():
    data = leaves(70)
    frontier: list[bytes] = []
    for size, leaf in enumerate(data):
        frontier, _ = tlog.frontier_append(frontier, size, tlog.leaf_hash(leaf))
        assert tlog.frontier_root(frontier) == mth(data[: size + 1])
        assert len(frontier) == bin(size + 1).count("1")


def test_completed_subtrees_are_the_stored_nodes_proofs_need():
    data = leaves(37)
    stored: dict[tuple[int, int], bytes] = {(0, i): tlog.leaf_hash(x) for i, x in enumerate(data)}
    frontier: list[bytes] = []
    for size, leaf in enumerate(data):
        frontier, done = tlog.frontier_append(frontier, size, tlog.leaf_hash(leaf))
        stored.update({(lv, ix): h for lv, ix, h in done})
    for (level, index), value in stored.items():
        assert value == mth(data[index << level : (index + 1) << level])

    def node(level: int, index: int) -> bytes:
        return stored[(level, index)]

    for n in range(1, 38):
        for m in range(n):
            assert tlog.inclusion_proof(node, m, n) == path(m, data[:n])
        for old in range(1, n + 1):
            assert tlog.consistency_proof(node, old, n) == subproof(old, data[:n], True)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 31, 32, 33])
def test_inclusion_proofs_verify_and_tampering_fails(n):
    data = leaves(n)
    node = tlog.levels_from_leaves([tlog.leaf_hash(x) for x in data])
    root = mth(data)
    for m in range(n):
        proof = tlog.inclusion_proof(node, m, n)
        tlog.verify_inclusion(data[m], m, n, proof, root)
        with pytest.raises(tlog.LogError):
            tlog.verify_inclusion(data[m] + b"!", m, n, proof, root)
        if proof:
            bad = [bytes(32), *proof[1:]]
            with pytest.raises(tlog.LogError):
                tlog.verify_inclusion(data[m], m, n, bad, root)
            with pytest.raises(tlog.LogError):
                tlog.verify_inclusion(data[m], m, n, proof[:-1], root)
        if n > 1:
            with pytest.raises(tlog.LogError):
                tlog.verify_inclusion(data[m], (m + 1) % n, n, proof, root)


@pytest.mark.parametrize("n", [2, 3, 7, 8, 9, 20])
def test_consistency_proofs_verify_and_rewritten_history_fails(n):
    data = leaves(n)
    node = tlog.levels_from_leaves([tlog.leaf_hash(x) for x in data])
    for old in range(1, n + 1):
        proof = tlog.consistency_proof(node, old, n)
        tlog.verify_consistency(old, n, mth(data[:old]), mth(data), proof)
        forged = [*data[: old - 1], b"rewritten", *data[old:]]
        with pytest.raises(tlog.LogError):
            tlog.verify_consistency(old, n, mth(data[:old]), mth(forged), proof)
        if old < n:
            with pytest.raises(tlog.LogError):
                tlog.verify_consistency(old, n, mth(data[:old]), mth(data), [])
    with pytest.raises(tlog.LogError, match="shrink"):
        tlog.verify_consistency(n, n - 1, mth(data), mth(data[:-1]), [b"x" * 32])


def test_canonical_bytes_refuse_what_json_would_blur():
    assert tlog.canonical({"b": 1, "a": "Zoë"}) == '{"a":"Zoë","b":1}'.encode()
    for bad in ({"x": 1.0}, {"x": float("nan")}, {1: "x"}, {"x": "Zoe\u0308"}, {"x": b"bytes"}):
        with pytest.raises(tlog.LogError):
            tlog.canonical(bad)  # type: ignore[arg-type]
    with pytest.raises(tlog.LogError, match="canonical"):
        tlog.parse_entry(b'{"b":1, "a":2}')


def _signed(size: int = 3, origin: str = "test.invalid/audit/100001") -> tuple[str, str, list]:
    key = Ed25519PrivateKey.generate()
    data = leaves(size)
    note = tlog.sign_checkpoint(tlog.Checkpoint(origin, size, mth(data)), "test-audit", key)
    from cryptography.hazmat.primitives import serialization

    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return note, tlog.verifier_key("test-audit", public), data


def test_checkpoints_are_c2sp_signed_notes():
    note, vkey, data = _signed()
    body, signature = note.split("\n\n")
    assert body.split("\n") == [
        "test.invalid/audit/100001",
        "3",
        base64.b64encode(mth(data)).decode(),
    ]
    assert signature.startswith("\u2014 test-audit ")
    cp = tlog.open_checkpoint(note, vkey)
    assert (cp.size, cp.root) == (3, mth(data))
    # An extra, unknown signature line is ignored (signed-note rule); a forged one is not.
    # (At least a key id and one byte: Go's note.Open refuses a shorter one as malformed.)
    assert tlog.open_checkpoint(note + "\u2014 someone-else AAAAAAAA\n", vkey) == cp
    tampered = note.replace("\n3\n", "\n4\n")
    with pytest.raises(tlog.LogError, match="not valid"):
        tlog.open_checkpoint(tampered, vkey)
    _other_note, other_key, _ = _signed()
    with pytest.raises(tlog.LogError, match="not signed by"):
        tlog.open_checkpoint(note, other_key)  # same name, another key
    with pytest.raises(tlog.LogError, match="id does not match"):
        tlog.open_checkpoint(note, other_key.replace(other_key.split("+")[1], "00000000"))


def run_verifier(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "incidents.audit.verifier", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )


def test_the_verifier_needs_neither_flask_nor_a_database():
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, incidents.audit.verifier; "
            "print(sorted(m for m in ('flask', 'sqlalchemy', 'psycopg') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    assert probe.stdout.strip() == "[]"


def test_verifier_checkpoint_and_consistency_commands(tmp_path):
    key = Ed25519PrivateKey.generate()
    from cryptography.hazmat.primitives import serialization

    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    vkey = tlog.verifier_key("test-audit", public)
    data = leaves(11)
    node = tlog.levels_from_leaves([tlog.leaf_hash(x) for x in data])
    origin = "test.invalid/audit/100001"
    old = tlog.sign_checkpoint(tlog.Checkpoint(origin, 6, mth(data[:6])), "test-audit", key)
    new = tlog.sign_checkpoint(tlog.Checkpoint(origin, 11, mth(data)), "test-audit", key)
    (tmp_path / "old.cp").write_text(old)
    (tmp_path / "new.cp").write_text(new)
    (tmp_path / "key").write_text(vkey)
    proof = [base64.b64encode(h).decode() for h in tlog.consistency_proof(node, 6, 11)]
    (tmp_path / "proof.json").write_text(json.dumps({"proof": proof}))

    ok = run_verifier("checkpoint", "--key", f"@{tmp_path / 'key'}", str(tmp_path / "new.cp"))
    assert ok.returncode == 0 and "11 entries" in ok.stdout
    ok = run_verifier(
        "consistency",
        "--key",
        vkey,
        str(tmp_path / "old.cp"),
        str(tmp_path / "new.cp"),
        str(tmp_path / "proof.json"),
    )
    assert ok.returncode == 0, ok.stderr
    (tmp_path / "proof.json").write_text(json.dumps({"proof": list(reversed(proof))}))
    bad = run_verifier(
        "consistency",
        "--key",
        vkey,
        str(tmp_path / "old.cp"),
        str(tmp_path / "new.cp"),
        str(tmp_path / "proof.json"),
    )
    assert bad.returncode == 1 and "NOT VERIFIED" in bad.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["checkpoint", "--key", "nonsense", "x"], "name+keyid+key"),
        (["checkpoint", "--key", "@/nonexistent/key"], None),
        (["evidence", "--key", "a+00000000+AAAA", "/nonexistent.json"], "key"),
    ],
)
def test_verifier_bad_input_exits_2(args, message):
    result = run_verifier(*args)
    assert result.returncode == 2
    if message:
        assert message in result.stderr


def test_verifier_functions_reject_a_missing_link(tmp_path):
    key = Ed25519PrivateKey.generate()
    from cryptography.hazmat.primitives import serialization

    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    vkey = tlog.verifier_key("k", public)
    data = leaves(4)
    a = tlog.sign_checkpoint(tlog.Checkpoint("o", 2, mth(data[:2])), "k", key)
    b = tlog.sign_checkpoint(tlog.Checkpoint("o", 4, mth(data)), "k", key)
    evidence = {
        "format": "incidents-audit-evidence/1",
        "checkpoints": [a, b],
        "consistency": [],
        "entries": [],
    }
    with pytest.raises(tlog.LogError, match="no consistency proof links"):
        verifier.check_evidence(evidence, vkey)


def test_roots_and_proofs_agree_with_pymerkle():
    """An independent implementation as a second oracle (pymerkle counts leaves from 1)."""
    from pymerkle import InmemoryTree, verify_inclusion

    tree = InmemoryTree(algorithm="sha256")
    data = leaves(40)
    hashes: list[bytes] = []
    for n, leaf in enumerate(data, start=1):
        tree.append_entry(leaf)
        hashes.append(tlog.leaf_hash(leaf))
        assert tree.get_root() == tlog.root_of(hashes), n
    node = tlog.levels_from_leaves(hashes)
    for m in (0, 7, 20, 39):
        ours = tlog.inclusion_proof(node, m, 40)
        theirs = tree.prove_inclusion(m + 1)
        verify_inclusion(tree.get_leaf(m + 1), tree.get_root(), theirs)
        assert [bytes.fromhex(h) if isinstance(h, str) else h for h in theirs.path][1:] == ours
