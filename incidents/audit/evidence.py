"""What leaves the school for an outsider to check: checkpoint files, the evidence file for one
case or one disciplinary process (its entries with inclusion proofs, and consistency proofs
between checkpoints), and a full export of a log. All of it verifies with
`incidents.audit.verifier` alone."""

from __future__ import annotations

import base64
import itertools
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, or_, select
from sqlalchemy.orm import Session

from incidents.audit import tlog
from incidents.audit.actions import Action
from incidents.models.audit import AuditCheckpoint, AuditEntry, AuditLog, TreeNode
from incidents.models.evidence import EvidenceFile

FORMAT = "incidents-audit-evidence/1"


class StoredTree:
    """Perfect-subtree hashes of a school's log as a node source for proofs: the stored leaf
    hashes (level 0) and tree nodes (level >= 1), cached, fetched in bulk by `prefetch`."""

    def __init__(self, session: Session, school_id: uuid.UUID) -> None:
        self.session = session
        self.school_id = school_id
        self.cache: dict[tuple[int, int], bytes] = {}

    def prefetch(self, wanted: set[tuple[int, int]]) -> None:
        leaves = [i for lv, i in wanted if lv == 0]
        inner = [(lv, i) for lv, i in wanted if lv > 0]
        if leaves:
            for seq, digest in self.session.execute(
                select(AuditEntry.seq, AuditEntry.leaf_hash).where(
                    AuditEntry.school_id == self.school_id, AuditEntry.seq.in_(leaves)
                )
            ):
                self.cache[(0, seq)] = bytes(digest)
        if inner:
            # One indexed query per level (school, level, node_index IN ...): SQLite scans for a
            # row-value IN or an OR across levels, and a proof touches at most ~40 levels.
            by_level: dict[int, list[int]] = {}
            for level, index in inner:
                by_level.setdefault(level, []).append(index)
            nodes = cast(Table, TreeNode.__table__).c
            connection = self.session.connection()  # Core: a proof is dozens of tiny queries
            for level, indexes in by_level.items():
                for index, digest in connection.execute(
                    select(nodes.node_index, nodes.hash).where(
                        nodes.school_id == self.school_id,
                        nodes.level == level,
                        nodes.node_index.in_(indexes),
                    )
                ):
                    self.cache[(level, index)] = bytes(digest)

    def __call__(self, level: int, index: int) -> bytes:
        if (level, index) not in self.cache:
            self.prefetch({(level, index)})
        if (level, index) not in self.cache:
            raise tlog.LogError(f"the stored tree has no node at level {level}, {index}")
        return self.cache[(level, index)]


def _planned(build: Callable[[tlog.NodeSource], list[bytes]]) -> set[tuple[int, int]]:
    """The nodes a proof will need: they depend only on the index and sizes, not on hashes."""
    wanted: set[tuple[int, int]] = set()

    def plan(level: int, index: int) -> bytes:
        wanted.add((level, index))
        return bytes(tlog.HASH_SIZE)

    build(plan)
    return wanted


def prove_inclusion(session: Session, school_id: uuid.UUID, index: int, size: int) -> list[bytes]:
    """An inclusion proof from the stored tree in at most two queries."""
    tree = StoredTree(session, school_id)
    tree.prefetch(_planned(lambda node: tlog.inclusion_proof(node, index, size)))
    return tlog.inclusion_proof(tree, index, size)


def prove_consistency(session: Session, school_id: uuid.UUID, old: int, new: int) -> list[bytes]:
    tree = StoredTree(session, school_id)
    tree.prefetch(_planned(lambda node: tlog.consistency_proof(node, old, new)))
    return tlog.consistency_proof(tree, old, new)


def _b64(values: list[bytes]) -> list[str]:
    return [base64.b64encode(v).decode() for v in values]


def checkpoints(session: Session, school_id: uuid.UUID) -> list[AuditCheckpoint]:
    return list(
        session.scalars(
            select(AuditCheckpoint)
            .where(AuditCheckpoint.school_id == school_id)
            .order_by(AuditCheckpoint.size)
        )
    )


PIN_FILE = "verifier-key"


def log_folder(folder: Path, origin: str) -> Path:
    """Where one log's checkpoint files (and its pinned verifier key) are kept."""
    return folder / origin.replace("/", "_")


def pinned_key(folder: Path, origin: str) -> str | None:
    """The verifier key pinned for this log the first time its checkpoints were written out,
    if it has been."""
    path = log_folder(folder, origin) / PIN_FILE
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


CHECKPOINT_SUFFIX = ".checkpoint"


def checkpoint_files(folder: Path, origin: str | None = None) -> list[Path]:
    """The checkpoint files under `folder`, in name (so size) order: one log's, or every log's
    (and any held loose in the folder itself). The one reader of the layout that
    `write_checkpoint_files` makes, for every command that checks against them; the pinned
    key beside them, and anything else, is no checkpoint."""
    if origin is not None:
        return sorted(log_folder(folder, origin).glob(f"*{CHECKPOINT_SUFFIX}"))
    return sorted(p for p in folder.rglob(f"*{CHECKPOINT_SUFFIX}") if p.is_file())


def checkpoint_notes(folder: Path, origin: str) -> list[tuple[str, str]]:
    """Every checkpoint file written for this log, as (label, note): they outlive the rows."""
    return [
        (f"checkpoint file {path.name}", path.read_text(encoding="utf-8"))
        for path in checkpoint_files(folder, origin)
    ]


def write_checkpoint_files(
    session: Session, school_id: uuid.UUID, folder: Path, vkey: str
) -> list[Path]:
    """One file per checkpoint, named by tree size: what the school sends its local authority.
    The first run pins the verifier key beside them; a signing key that is not the pinned one
    writes nothing (a replaced key would otherwise re-sign history, issue 19, item 3)."""
    head = session.get(AuditLog, school_id)
    if head is None:
        return []
    target = log_folder(folder, head.origin)
    target.mkdir(parents=True, exist_ok=True)
    pinned = pinned_key(folder, head.origin)
    if pinned is None:
        (target / PIN_FILE).write_text(vkey + "\n")
    elif pinned != vkey:
        raise tlog.LogError(
            f"the signing key is not the one pinned in {target / PIN_FILE}: it was replaced. "
            "Nothing was written; restore the original key, or rotate keys with your local "
            "authority"
        )
    written = []
    for cp in checkpoints(session, school_id):
        path = target / f"{cp.size:012d}{CHECKPOINT_SUFFIX}"
        if not path.exists():
            path.write_text(cp.note)
            written.append(path)
    return written


def case_evidence(
    session: Session, school_id: uuid.UUID, case_id: uuid.UUID, vkey: str
) -> dict[str, Any]:
    """Every entry about one case with its inclusion proof against the latest checkpoint, and
    the consistency proofs chaining all checkpoints: other cases stay hidden (their leaves are
    opaque hashes in the proofs). With the case's files (issue 14)."""
    data = _evidence(session, school_id, AuditEntry.case_id == case_id, vkey)
    data["files"] = evidence_files(session, case_id, data)
    return data


def evidence_files(
    session: Session, case_id: uuid.UUID, data: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each file of the case whose upload entry the bundle proves: its SHA-256 and the salt of
    the leaf's commitment to it, so whoever is given the file can check it against the log
    with `python -m incidents.audit.verifier file` (the salt is kept under the case's key:
    shredding the case unlinks the log from every copy of its files)."""
    proved = {item["seq"] for item in data["entries"]}
    rows = session.execute(
        select(EvidenceFile, AuditEntry.seq)
        .join(AuditEntry, AuditEntry.id == EvidenceFile.upload_entry_id)
        .where(EvidenceFile.case_id == case_id)
        .order_by(AuditEntry.seq)
    ).all()
    return [
        {
            "file": str(item.id),
            "seq": seq,
            "sha256": item.sha256,
            "salt": item.salt,
            "size": item.size,
            "type": item.media_type,
            "supersedes": str(item.supersedes_id) if item.supersedes_id else None,
            "deleted": item.is_deleted,
        }
        for item, seq in rows
        if seq in proved
    ]


# The case's milestones a hearing needs beside the process itself: when the school recorded,
# assessed, referred and decided. Not who reported it (a sealed reporter's own entry), who
# opened the case, or other people's processes: the person at the hearing sees this file.
HEARING_MILESTONES = tuple(
    a.value
    for a in (
        Action.CASE_RECORD,
        Action.CASE_ACCEPT,
        Action.CASE_TRIAGE,
        Action.CASE_CHANGE_TRACK,
        Action.CASE_INVESTIGATE,
        Action.CASE_OUTCOME,
        Action.CASE_CLOSE,
        Action.REFERRAL_CREATE,
        Action.REFERRAL_UPDATE,
        Action.REFERRAL_NOT_MADE,
        Action.POLICE_HOLD_PLACE,
        Action.POLICE_HOLD_LIFT,
        # The case's files (issue 14): a panel checks the copies it is given against these.
        Action.EVIDENCE_ADD,
    )
)


def disciplinary_evidence(
    session: Session,
    school_id: uuid.UUID,
    process_id: uuid.UUID,
    case_id: uuid.UUID,
    vkey: str,
) -> dict[str, Any]:
    """The bundle for a disciplinary hearing: every entry whose object is the process, and the
    case's milestones, proved exactly as for a case. Every other leaf stays an opaque hash
    inside the proofs, which verify all the same."""
    about_process = and_(
        AuditEntry.object_type == "disciplinary", AuditEntry.object_id == process_id
    )
    milestones = and_(AuditEntry.case_id == case_id, AuditEntry.action.in_(HEARING_MILESTONES))
    data = _evidence(session, school_id, or_(about_process, milestones), vkey)
    data["files"] = evidence_files(session, case_id, data)
    return data


def _evidence(
    session: Session, school_id: uuid.UUID, wanted: ColumnElement[bool], vkey: str
) -> dict[str, Any]:
    """The entries `wanted` selects, each with its inclusion proof against the latest
    checkpoint, and the consistency proofs chaining all checkpoints."""
    cps = checkpoints(session, school_id)
    if not cps:
        raise tlog.LogError("there is no signed checkpoint yet: run `incidents audit checkpoint`")
    latest = cps[-1]
    entries = session.execute(
        select(AuditEntry.seq, AuditEntry.leaf)
        .where(AuditEntry.school_id == school_id, wanted, AuditEntry.seq < latest.size)
        .order_by(AuditEntry.seq)
    ).all()
    return {
        "format": FORMAT,
        "verifier_key": vkey,
        "checkpoints": [cp.note for cp in cps],
        "consistency": [
            {
                "from": a.size,
                "to": b.size,
                "proof": _b64(prove_consistency(session, school_id, a.size, b.size)),
            }
            for a, b in itertools.pairwise(cps)
            if a.size != b.size
        ],
        "entries": [
            {
                "seq": seq,
                "leaf": bytes(leaf).decode("utf-8"),
                "tree_size": latest.size,
                "proof": _b64(prove_inclusion(session, school_id, seq, latest.size)),
            }
            for seq, leaf in entries
        ],
    }


def export_log(session: Session, school_id: uuid.UUID, vkey: str, path: Path) -> int:
    """The whole log as JSON lines: a header, every leaf as stored, every checkpoint."""
    head = session.get(AuditLog, school_id)
    if head is None:
        raise tlog.LogError("this school has no audit log")
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(
            json.dumps({"format": FORMAT, "origin": head.origin, "verifier_key": vkey}) + "\n"
        )
        for (leaf,) in session.execute(
            select(AuditEntry.leaf)
            .where(AuditEntry.school_id == school_id)
            .order_by(AuditEntry.seq)
            .execution_options(yield_per=10_000)
        ):
            out.write(json.dumps({"leaf": bytes(leaf).decode("utf-8")}, ensure_ascii=False) + "\n")
            count += 1
        for cp in checkpoints(session, school_id):
            out.write(json.dumps({"checkpoint": cp.note}) + "\n")
    return count
