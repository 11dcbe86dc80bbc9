"""Verifying a school's stored log: recompute the tree from the stored leaf bytes and check it
against every stored checkpoint (and any checkpoint the local authority holds), naming the
first entry that is wrong where the evidence allows."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Uuid, bindparam, select, text
from sqlalchemy.orm import Session

from incidents.audit import tlog
from incidents.models.audit import AuditCheckpoint, AuditLog


@dataclass
class Report:
    origin: str
    entries: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _stream(session: Session, school_id: uuid.UUID) -> Iterator[tuple[int, bytes, bytes]]:
    # Plain text SQL, no result types: at a million rows SQLAlchemy's per-row processing would
    # cost more than the hashing. The school id is bound with its real type.
    rows = session.connection().execute(
        text(
            "SELECT seq, leaf, leaf_hash FROM audit_entry WHERE school_id = :school ORDER BY seq"
        ).bindparams(bindparam("school", type_=Uuid)),
        {"school": school_id},
        execution_options={"yield_per": 50_000},
    )
    for seq, leaf, stored_hash in rows:
        yield seq, bytes(leaf), bytes(stored_hash)


def verify_school(
    session: Session, school_id: uuid.UUID, *, vkey: str, external: list[str] | None = None
) -> Report:
    """Check the whole log of one school. `vkey` is the signer's verifier key; `external` are
    checkpoint notes held outside the database (by the local authority)."""
    head = session.get(AuditLog, school_id)
    if head is None:
        return Report(origin="?", problems=["this school has no audit log"])
    report = Report(origin=head.origin)
    wanted: dict[int, tuple[bytes, str]] = {}
    for cp in session.scalars(
        select(AuditCheckpoint).where(AuditCheckpoint.school_id == school_id)
    ):
        _accept(report, wanted, cp.note, vkey, head.origin, f"stored checkpoint at {cp.size}")
    for i, note in enumerate(external or []):
        _accept(report, wanted, note, vkey, head.origin, f"external checkpoint {i + 1}")
    report.checkpoints = len(wanted)

    hashes: list[bytes] = []
    log_marker = b'"log":' + tlog.canonical({"o": head.origin})[5:-1] + b","
    for seq, leaf, stored_hash in _stream(session, school_id):
        expected = len(hashes)
        if seq != expected:
            kind = "missing" if seq > expected else "duplicated"
            report.problems.append(f"entry {expected} is {kind} (next stored entry is {seq})")
            return report
        digest = tlog.leaf_hash(leaf)
        if digest != stored_hash:
            report.problems.append(f"entry {seq}: its bytes were altered after it was recorded")
            return report
        claimed = _claimed_seq(leaf)
        if claimed != seq:
            report.problems.append(
                f"entry {seq}: it says it is entry {claimed}: entries were moved or swapped"
            )
            return report
        if log_marker not in leaf:
            report.problems.append(f"entry {seq}: it belongs to another log")
            return report
        hashes.append(digest)
    report.entries = len(hashes)
    # The whole tree once, level by level; each checkpoint's root is then O(log n) lookups.
    node = tlog.levels_from_leaves(hashes)
    last_good = 0
    for size, (root, label) in sorted(wanted.items()):
        if size > len(hashes):
            report.problems.append(
                f"the log was truncated: the {label} covers {size} entries, "
                f"only {len(hashes)} remain"
            )
            return report
        if (tlog.range_hash(node, 0, size) if size else tlog.EMPTY_ROOT) != root:
            report.problems.append(
                f"the log does not match the {label}: an entry between {last_good} and "
                f"{size - 1} was changed, removed or inserted"
            )
            return report
        last_good = size
    if head.size != len(hashes) or head.root != tlog.root_of_levels(node, len(hashes)):
        report.problems.append("the log head does not match its entries")
    return report


def _claimed_seq(leaf: bytes) -> int | None:
    """The sequence number written inside a canonical leaf, read without parsing the JSON:
    keys are unique and quotes inside strings are escaped, so '"seq":' occurs once."""
    at = leaf.find(b'"seq":')
    if at < 0:
        return None
    end = leaf.find(b",", at)
    try:
        return int(leaf[at + 6 : end if end > 0 else None])
    except ValueError:
        return None


def _accept(
    report: Report,
    wanted: dict[int, tuple[bytes, str]],
    note: str,
    vkey: str,
    origin: str,
    label: str,
) -> None:
    try:
        cp = tlog.open_checkpoint(note, vkey)
    except tlog.LogError as exc:
        report.problems.append(f"{label}: {exc}")
        return
    if cp.origin != origin:
        report.problems.append(f"{label} is for another log ({cp.origin})")
        return
    if cp.size in wanted and wanted[cp.size][0] != cp.root:
        report.problems.append(f"two signed checkpoints of size {cp.size} disagree: a fork")
        return
    wanted[cp.size] = (cp.root, label)
