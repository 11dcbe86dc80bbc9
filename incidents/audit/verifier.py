"""Standalone verifier for a school's audit evidence, for a local authority or an auditor.

Needs only Python's standard library and `cryptography`; no Flask, no database, no trust in the
school's server. Exit status: 0 verified, 1 did not verify (the reason is printed), 2 bad input.

    python -m incidents.audit.verifier checkpoint  --key VKEY cp.checkpoint
    python -m incidents.audit.verifier consistency --key VKEY old.cp new.cp proof.json
    python -m incidents.audit.verifier evidence    --key VKEY case.json [--checkpoint held.cp]
    python -m incidents.audit.verifier export      --key VKEY log.jsonl [--checkpoint held.cp]
                                                   [--unanchored]
    python -m incidents.audit.verifier file        --key VKEY case.json FILE
                                                   [--checkpoint held.cp]

`file` checks a file you were given (a screenshot, a letter) against a case's evidence: the
bundle verifies as `evidence` does, and the file's SHA-256 is one the log recorded at upload.

Give `--checkpoint` for every checkpoint you already hold from the school: without it, a
history rewritten and re-signed by someone inside the school verifies too. An export with no
signed checkpoint fails unless `--unanchored` is given (and then says what it did not prove).

VKEY is the school's verifier key (name+keyid+key), or @FILE to read it from a file. Pin it
out of band (for example, on paper at the first meeting): a key read from the evidence itself
proves nothing.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import itertools
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from incidents.audit import tlog


class InputError(Exception):
    """The files given are unreadable or not what they claim to be."""


def _key(value: str) -> str:
    if value.startswith("@"):
        try:
            return Path(value[1:]).read_text().strip()
        except OSError as exc:
            raise InputError(f"cannot read the key file {value[1:]}: {exc.strerror}") from None
    return value


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None


def _json(path: str) -> Any:
    try:
        return json.loads(_read(path))
    except json.JSONDecodeError:
        raise InputError(f"{path} is not JSON") from None


def _hashes(values: Any, what: str) -> list[bytes]:
    if not isinstance(values, list):
        raise InputError(f"{what} must be a list of base64 hashes")
    try:
        out = [base64.b64decode(v, validate=True) for v in values]
    except (ValueError, TypeError):
        raise InputError(f"{what} holds something that is not base64") from None
    if any(len(h) != tlog.HASH_SIZE for h in out):
        raise InputError(f"{what} holds a hash of the wrong length")
    return out


def check_checkpoint(note: str, vkey: str) -> tlog.Checkpoint:
    return tlog.open_checkpoint(note, vkey)


def check_consistency(old_note: str, new_note: str, proof: list[bytes], vkey: str) -> str:
    old, new = tlog.open_checkpoint(old_note, vkey), tlog.open_checkpoint(new_note, vkey)
    if old.origin != new.origin:
        raise tlog.LogError("the two checkpoints are for different logs")
    tlog.verify_consistency(old.size, new.size, old.root, new.root, proof)
    return f"the log grew from {old.size} to {new.size} entries without changing history"


def _by_size(cps: Sequence[tlog.Checkpoint], what: str) -> dict[int, tlog.Checkpoint]:
    """Checkpoints by tree size; two of one size with different roots are a fork, whatever
    order they come in (issue 19, item 3)."""
    by_size: dict[int, tlog.Checkpoint] = {}
    for cp in cps:
        seen = by_size.setdefault(cp.size, cp)
        if seen.root != cp.root:
            raise tlog.LogError(
                f"two signed checkpoints of {cp.size} entries have different roots ({what}): "
                "the log was forked, and at most one of them is the school's real history"
            )
    return by_size


def _timestamps_in_order(entries: Sequence[tuple[int, dict[str, tlog.Json]]]) -> None:
    last_ts, last_seq = "", -1
    for seq, entry in entries:
        ts = str(entry.get("ts"))
        if ts < last_ts:
            raise tlog.LogError(f"entry {seq} is dated before entry {last_seq}, recorded before it")
        last_ts, last_seq = ts, seq


def check_evidence(data: Any, vkey: str, held: Sequence[str] = ()) -> str:
    if not isinstance(data, dict) or data.get("format") != "incidents-audit-evidence/1":
        raise InputError("not an incidents evidence file")
    notes = data.get("checkpoints")
    if not isinstance(notes, list) or not notes:
        raise InputError("the evidence holds no checkpoints")
    cps = [tlog.open_checkpoint(n, vkey) for n in notes]
    origin = cps[0].origin
    if any(cp.origin != origin for cp in cps):
        raise tlog.LogError("the checkpoints are for different logs")
    by_size = _by_size(cps, "in the evidence")
    for link in data.get("consistency", []):
        old, new = by_size.get(link.get("from")), by_size.get(link.get("to"))
        if old is None or new is None:
            raise InputError("a consistency proof refers to a checkpoint not in the evidence")
        proof = _hashes(link.get("proof"), "proof")
        tlog.verify_consistency(old.size, new.size, old.root, new.root, proof)
    sizes = sorted(by_size)
    chained = {(link["from"], link["to"]) for link in data.get("consistency", [])}
    for smaller, larger in itertools.pairwise(sizes):
        if (smaller, larger) not in chained:
            raise tlog.LogError(f"no consistency proof links checkpoints {smaller} and {larger}")
    latest = by_size[sizes[-1]]
    anchored = _anchor(held, vkey, origin, by_size, latest.size)
    checked: list[tuple[int, dict[str, tlog.Json]]] = []
    for item in data.get("entries", []):
        leaf = str(item.get("leaf", "")).encode("utf-8")
        entry = tlog.parse_entry(leaf)
        if entry.get("log") != origin or entry.get("seq") != item.get("seq"):
            raise tlog.LogError(f"entry {item.get('seq')} does not belong where it claims")
        if item.get("tree_size") != latest.size:
            raise tlog.LogError(f"entry {item.get('seq')} is proved against another tree")
        tlog.verify_inclusion(
            leaf, int(item["seq"]), latest.size, _hashes(item.get("proof"), "proof"), latest.root
        )
        checked.append((int(item["seq"]), entry))
    checked.sort(key=lambda pair: pair[0])
    _timestamps_in_order(checked)
    return (
        f"{len(checked)} entries of {origin} are in the log signed at {latest.size} entries; "
        f"{len(cps)} checkpoints are consistent. {anchored}"
    )


def check_file(data: Any, vkey: str, path: str, held: Sequence[str] = ()) -> str:
    """The bundle verifies, and the file at `path` is byte for byte one whose upload entry it
    proves (issue 14): the leaf commits to the file's SHA-256 with a salt the bundle gives."""
    proved = check_evidence(data, vkey, held)
    sha = hashlib.sha256()
    try:
        with Path(path).open("rb") as handle:
            while block := handle.read(1024 * 1024):
                sha.update(block)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    digest = sha.hexdigest()
    leaves = {
        int(item["seq"]): tlog.parse_entry(str(item["leaf"]).encode("utf-8"))
        for item in data.get("entries", [])
    }
    for listed in data.get("files", []):
        if listed.get("sha256") != digest:
            continue
        entry = leaves.get(int(listed.get("seq", -1)))
        if (
            entry is not None
            and entry.get("action") == "evidence.add"
            and entry.get("oid") == listed.get("file")
            and entry.get("ev") == tlog.evidence_commitment(digest, str(listed.get("salt")))
        ):
            return (
                f"{path} (SHA-256 {digest}) is the file added to the log at entry "
                f"{listed['seq']} on {entry.get('ts')}. {proved}"
            )
    raise tlog.LogError(
        f"{path} (SHA-256 {digest}) is not any file this evidence proves: it is not the file "
        "that was uploaded, or it was changed since"
    )


def _anchor(
    held: Sequence[str],
    vkey: str,
    origin: str,
    by_size: dict[int, tlog.Checkpoint],
    latest: int,
) -> str:
    """Each checkpoint the local authority already holds must be in the evidence, with the
    same root: a history rewritten and re-signed since would otherwise verify. Returns what
    was (or was not) proved about it, in words."""
    if not held:
        return (
            "No checkpoint you already hold was given (--checkpoint): this proves the entries "
            "are in the log as the school signed it now, not that the school has not "
            "rewritten its history since sending you an earlier checkpoint."
        )
    for note in held:
        cp = tlog.open_checkpoint(note, vkey)
        if cp.origin != origin:
            raise tlog.LogError(f"the checkpoint you hold is for another log ({cp.origin})")
        if cp.size > latest:
            raise tlog.LogError(
                f"you hold a checkpoint of {cp.size} entries but the evidence stops at "
                f"{latest}: the log was rolled back or truncated"
            )
        mine = by_size.get(cp.size)
        if mine is None:
            raise tlog.LogError(
                f"the evidence does not include the checkpoint of {cp.size} entries you hold, "
                "so it cannot be proved to extend it: ask the school for evidence made now"
            )
        if mine.root != cp.root:
            raise tlog.LogError(
                f"the checkpoint of {cp.size} entries you hold has a different root from the "
                "evidence's: the school's history was rewritten and re-signed (a fork)"
            )
    return f"The log extends the {len(held)} checkpoint(s) you already hold."


def check_export(
    lines: Sequence[str], vkey: str, held: Sequence[str], unanchored: bool = False
) -> str:
    if not lines:
        raise InputError("the export is empty")
    header = json.loads(lines[0])
    origin = header.get("origin")
    leaves: list[bytes] = []
    notes: list[str] = list(held)
    for number, line in enumerate(lines[1:], start=2):
        item = json.loads(line)
        if "leaf" in item:
            leaves.append(str(item["leaf"]).encode("utf-8"))
        elif "checkpoint" in item:
            notes.append(str(item["checkpoint"]))
        else:
            raise InputError(f"line {number} of the export is neither a leaf nor a checkpoint")
    hashes: list[bytes] = []
    last_ts = ""
    for seq, leaf in enumerate(leaves):
        entry = tlog.parse_entry(leaf)
        if entry.get("seq") != seq:
            raise tlog.LogError(f"entry {seq} says it is entry {entry.get('seq')}")
        if entry.get("log") != origin:
            raise tlog.LogError(f"entry {seq} belongs to another log")
        ts = str(entry.get("ts"))
        if ts < last_ts:
            raise tlog.LogError(f"entry {seq} is dated before the entry before it")
        last_ts = ts
        hashes.append(tlog.leaf_hash(leaf))
    node = tlog.levels_from_leaves(hashes)
    cps = [tlog.open_checkpoint(note, vkey) for note in notes]
    for cp in _by_size(cps, "in the export and the ones you hold").values():
        if cp.origin != origin:
            raise tlog.LogError("a checkpoint is for another log")
        if cp.size > len(hashes):
            raise tlog.LogError(
                f"the export has {len(hashes)} entries but a checkpoint covers {cp.size}: "
                "the log was truncated"
            )
        root = tlog.range_hash(node, 0, cp.size) if cp.size else tlog.EMPTY_ROOT
        if root != cp.root:
            raise tlog.LogError(f"the entries do not match the checkpoint at {cp.size}")
    signed = max((cp.size for cp in cps), default=0)
    if not cps:
        # Nothing signed: the entries agree with each other, which anyone could arrange.
        if not unanchored:
            raise tlog.LogError(
                f"the export holds {len(hashes)} entries but no signed checkpoint, so nothing "
                "proves they are the school's log: give a checkpoint you hold with "
                "--checkpoint, or pass --unanchored to check only that the entries are "
                "well formed and in order"
            )
        return (
            f"UNANCHORED: {len(hashes)} entries of {origin} are well formed and in order; "
            "no signed checkpoint was checked, so nothing proves they are the school's log"
        )
    tail = (
        f"; the last {len(hashes) - signed} entries are not covered by any signed checkpoint"
        if signed < len(hashes)
        else ""
    )
    return (
        f"{len(hashes)} entries of {origin}: the first {signed} match {len(cps)} signed "
        f"checkpoint(s), {len(held)} of them held outside the school{tail}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m incidents.audit.verifier",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("checkpoint", "consistency", "evidence", "export", "file"):
        command = sub.add_parser(name)
        command.add_argument("--key", required=True, help="verifier key, or @FILE")
        if name == "consistency":
            command.add_argument("old")
            command.add_argument("new")
            command.add_argument("proof", help='JSON file: {"proof": [base64 hashes]}')
        else:
            command.add_argument("file")
        if name == "file":
            command.add_argument("evidence_file", help="the file to check against the evidence")
        if name in ("evidence", "export", "file"):
            command.add_argument(
                "--checkpoint",
                action="append",
                default=[],
                help="a checkpoint you already hold, outside the school (repeatable)",
            )
        if name == "export":
            command.add_argument(
                "--unanchored",
                action="store_true",
                help="accept an export with no signed checkpoint (proves far less: see output)",
            )
    args = parser.parse_args(argv)
    try:
        vkey = _key(args.key)
        try:
            tlog.parse_verifier_key(vkey)
        except tlog.LogError as exc:
            raise InputError(str(exc)) from None
        if args.command == "checkpoint":
            cp = check_checkpoint(_read(args.file), vkey)
            message = f"valid checkpoint: {cp.origin}, {cp.size} entries"
        elif args.command == "consistency":
            proof = _hashes(_json(args.proof).get("proof"), "proof")
            message = check_consistency(_read(args.old), _read(args.new), proof, vkey)
        elif args.command == "evidence":
            held = [_read(p) for p in args.checkpoint]
            message = check_evidence(_json(args.file), vkey, held)
        elif args.command == "file":
            held = [_read(p) for p in args.checkpoint]
            message = check_file(_json(args.file), vkey, args.evidence_file, held)
        else:
            held = [_read(p) for p in args.checkpoint]
            message = check_export(
                _read(args.file).splitlines(), vkey, held, unanchored=args.unanchored
            )
    except tlog.LogError as exc:
        print(f"NOT VERIFIED: {exc}", file=sys.stderr)
        return 1
    except (InputError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        print(f"cannot check: {exc}", file=sys.stderr)
        return 2
    print(f"VERIFIED: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
