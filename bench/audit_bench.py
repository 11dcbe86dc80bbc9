"""Audit-log costs, printed as figures (issue: tamper-evident audit trail).

1. append throughput through the service layer (a new Session, audit.record, commit: one
   entry per transaction) on SQLite in WAL mode, next to two bare-driver floors with the
   same durability settings: the issue's loop (lock, read head, insert, update head, commit
   on two toy tables: not the same work, its rows have no index but their key and no tree
   nodes) and the fair floor (the very statements `record` sends, on the app's own schema);
   on PostgreSQL too when BENCH_DATABASE_URL names an empty database (audit_appends.py);
2. full verification of 1,000,000 entries (target under 3 s, within 4x of a plain hashlib loop
   over the same bytes): the verification core over the bytes, and `verify_school` reading
   them from SQLite, in one process and split over worker processes (CPU includes theirs);
   `verify_school` also compares the log's ~1M stored tree-node rows with the recomputed tree;
3. inclusion-proof generation for one entry of the 1,000,000-entry log from the stored tree
   (target under 5 ms);
4. the same append / prove / verify with pymerkle, in the same run.

Run:  .venv/bin/python bench/audit_bench.py  [--entries 1000000] [--parts 1234] [--rounds 5]
(needs `pip install pymerkle` for part 4). `--parts 2` runs only the verification figures
(section 3 needs the log that section 2 stores, so `--parts 3` stores it too).
Run it from the checkout it measures: the verification workers (`python -m`) import
`incidents` from the current directory before PYTHONPATH, so comparing two checkouts from
one directory times the same workers twice.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alembic import command
from audit_appends import appends  # bench/ is the script's own folder: on sys.path
from sqlalchemy import MetaData, insert
from sqlalchemy.orm import Session

from incidents.audit import parallel, tlog
from incidents.audit.evidence import prove_inclusion
from incidents.audit.verify import verify_school
from incidents.cli import alembic_config
from incidents.crypto.keyring import Keyring
from incidents.crypto.keys import generate
from incidents.db import make_engine
from incidents.models import AuditEntry, AuditLog, TreeNode
from tests import factories


def fresh(url: str | None, folder: Path, name: str, keyring: Keyring) -> str:
    if url:
        engine = make_engine(url)
        meta = MetaData()
        meta.reflect(bind=engine)
        meta.drop_all(bind=engine)
        engine.dispose()
    else:
        url = f"sqlite:///{folder / name}"
    command.upgrade(alembic_config(url, keyring), "head")
    return url


START = datetime(2026, 11, 22, 10, tzinfo=UTC)


def make_leaves(n: int, origin: str) -> list[bytes]:
    salt = base64.b64encode(os.urandom(16)).decode()
    case = str(uuid.uuid4())
    actor = str(uuid.uuid4())
    return [
        tlog.canonical(
            {
                "v": 1,
                "log": origin,
                "seq": i,
                # In order, as verify checks (a microsecond apart).
                "ts": (START + timedelta(microseconds=i)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "actor": actor,
                "role": "dsl",
                "action": "case.view",
                "case": case,
                "obj": "case",
                "oid": case,
                "fields": [],
                "ct": [],
                "detail": None,
                "salt": salt,
            }
        )
        for i in range(n)
    ]


def load_log(url: str, keyring: Keyring, leaves: list[bytes]) -> uuid.UUID:
    """Store a log of these leaves as `record` would have: entries, tree nodes and head."""
    engine = make_engine(url)
    with Session(engine, info={"keyring": keyring}) as session:
        school = factories.make_school(session, urn="900001")
        session.commit()
        school_id = school.id
        origin = session.get(AuditLog, school_id).origin
        assert origin == "incidents.invalid/audit/900001"
        session.execute(AuditEntry.__table__.delete())
        session.execute(TreeNode.__table__.delete())
        frontier: list[bytes] = []
        rows, nodes = [], []
        for seq, leaf in enumerate(leaves):
            digest = tlog.leaf_hash(leaf)
            entry = json.loads(leaf)  # the columns are what the leaf records (verify checks)
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "school_id": school_id,
                    "seq": seq,
                    "leaf": leaf,
                    "leaf_hash": digest,
                    "at": datetime.fromisoformat(entry["ts"].replace("Z", "+00:00")),
                    "action": entry["action"],
                    "actor_id": uuid.UUID(entry["actor"]),
                    "case_id": uuid.UUID(entry["case"]),
                    "object_type": entry["obj"],
                    "object_id": uuid.UUID(entry["oid"]),
                }
            )
            frontier, done = tlog.frontier_append(frontier, seq, digest)
            nodes += [
                {"school_id": school_id, "level": lv, "index": ix, "hash": h} for lv, ix, h in done
            ]
            if len(rows) == 50_000:
                session.execute(insert(AuditEntry), rows)
                rows = []
        if rows:
            session.execute(insert(AuditEntry), rows)
        for i in range(0, len(nodes), 50_000):
            session.execute(insert(TreeNode), nodes[i : i + 50_000])
        head = session.get(AuditLog, school_id)
        head.size, head.frontier = len(leaves), tlog.pack(frontier)
        head.root = tlog.frontier_root(frontier)
        session.commit()
    engine.dispose()
    return school_id


def verification(leaves: list[bytes]) -> tuple[float, float, float, float]:
    """(floor, ours) in wall-clock seconds, then the same in this process's CPU seconds: on a
    machine shared with other work the CPU figures say what the code itself costs."""
    start, cpu = time.perf_counter(), time.process_time()
    for leaf in leaves:
        hashlib.sha256(b"\x00" + leaf).digest()
    floor, floor_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    hashes = [tlog.leaf_hash(leaf) for leaf in leaves]
    node = tlog.levels_from_leaves(hashes)
    tlog.root_of_levels(node, len(hashes))
    return floor, time.perf_counter() - start, floor_cpu, time.process_time() - cpu


def verify_from_sqlite(
    session: Session, school_id: uuid.UUID, entries: int, min_entries: int
) -> tuple[float, float]:
    """`verify_school` (what `audit verify` runs) on the stored log, split over worker processes
    from `min_entries` up: (wall, CPU) seconds, the CPU counting the workers' too."""
    saved, parallel.MIN_ENTRIES = parallel.MIN_ENTRIES, min_entries
    try:
        session.rollback()  # each run takes the log's lock afresh, as a command would
        before, start = os.times(), time.perf_counter()
        # No checkpoints in the bench: the check of the entries alone.
        report = verify_school(
            session, school_id, vkey=tlog.verifier_key("b", bytes(32)), unanchored=True
        )
        wall, after = time.perf_counter() - start, os.times()
    finally:
        parallel.MIN_ENTRIES = saved
    assert report.ok and report.entries == entries, report.problems
    cpu = sum(after[:4]) - sum(before[:4])  # user + system, self + reaped workers
    return wall, cpu


def pymerkle_comparison(leaves: list[bytes]) -> None:
    try:
        from pymerkle import InmemoryTree
        from pymerkle import verify_inclusion as pm_verify
    except ImportError:
        print("  pymerkle is not installed: pip install pymerkle")
        return
    n = len(leaves)
    tree = InmemoryTree(algorithm="sha256")
    start = time.perf_counter()
    for leaf in leaves:
        tree.append_entry(leaf)
    pm_append = (time.perf_counter() - start) / n * 1e6
    frontier: list[bytes] = []
    start = time.perf_counter()
    for size, leaf in enumerate(leaves):
        frontier, _ = tlog.frontier_append(frontier, size, tlog.leaf_hash(leaf))
    our_append = (time.perf_counter() - start) / n * 1e6
    assert tree.get_root() == tlog.frontier_root(frontier)

    indexes = [(i * 7919) % n for i in range(200)]
    start = time.perf_counter()
    pm_proofs = [tree.prove_inclusion(i + 1) for i in indexes]
    pm_prove = (time.perf_counter() - start) / len(indexes) * 1e6
    node = tlog.levels_from_leaves([tlog.leaf_hash(x) for x in leaves])
    start = time.perf_counter()
    our_proofs = [tlog.inclusion_proof(node, i, n) for i in indexes]
    our_prove = (time.perf_counter() - start) / len(indexes) * 1e6
    root = tree.get_root()
    start = time.perf_counter()
    for i, proof in zip(indexes, pm_proofs, strict=True):
        pm_verify(tree.get_leaf(i + 1), root, proof)
    pm_check = (time.perf_counter() - start) / len(indexes) * 1e6
    start = time.perf_counter()
    for i, proof in zip(indexes, our_proofs, strict=True):
        tlog.verify_inclusion(leaves[i], i, n, proof, root)
    our_check = (time.perf_counter() - start) / len(indexes) * 1e6
    print(f"  append (in memory)   ours {our_append:7.2f} µs   pymerkle {pm_append:7.2f} µs")
    print(f"  prove inclusion      ours {our_prove:7.2f} µs   pymerkle {pm_prove:7.2f} µs")
    print(f"  verify inclusion     ours {our_check:7.2f} µs   pymerkle {pm_check:7.2f} µs")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=5, help="section 1: turns each way takes")
    parser.add_argument(
        "--parts", default="1234", help="which numbered sections to run, e.g. 2 or 23"
    )
    args = parser.parse_args()
    pg = os.environ.get("BENCH_DATABASE_URL")
    keyring = Keyring(generate())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if "1" in args.parts:
            appends(args.appends, args.rounds, folder, keyring, pg, fresh)
        if "2" in args.parts or "3" in args.parts:
            stored(args.entries, folder, keyring, "2" in args.parts, "3" in args.parts)
        if "4" in args.parts:
            count = min(args.entries, 100_000)
            print(f"4. Against pymerkle ({count:,} entries, in memory):")
            pymerkle_comparison(make_leaves(count, "incidents.invalid/audit/900001"))


def stored(entries: int, folder: Path, keyring: Keyring, verify: bool, prove: bool) -> None:
    """Sections 2 and 3: both need the stored log of `entries` entries."""
    leaves = make_leaves(entries, "incidents.invalid/audit/900001")
    if verify:
        print(f"2. Full verification of {entries:,} entries:")
        floor, core, floor_cpu, core_cpu = verification(leaves)
        print(f"  floor: hashlib over the leaf bytes  {floor:6.2f} s   (CPU {floor_cpu:.2f} s)")
        print(
            f"  ours: leaves + whole tree, in memory {core:6.2f} s ({core / floor:.1f}x floor)"
            f"   (CPU {core_cpu:.2f} s, {core_cpu / floor_cpu:.1f}x)"
        )
    url = fresh(None, folder, "million.db", keyring)
    school_id = load_log(url, keyring, leaves)
    engine = make_engine(url)
    with Session(engine, info={"keyring": keyring}) as session:
        if verify:
            for label, min_entries in (
                ("one process", entries + 1),
                (f"{parallel.worker_count(entries) or 1} processes", parallel.MIN_ENTRIES),
            ):
                full, full_cpu = verify_from_sqlite(session, school_id, entries, min_entries)
                print(
                    f"  ours: `audit verify` from SQLite, {label:11} {full:6.2f} s "
                    f"({full / floor:.1f}x floor; reading 1M entries and ~1M nodes included)   "
                    f"(CPU {full_cpu:.2f} s, {full_cpu / floor_cpu:.1f}x)"
                )
        if prove:
            print("3. Inclusion proof from the stored tree, one entry of the full log:")
            times = []
            for i in range(100):
                index = (i * 104_729) % entries
                start = time.perf_counter()
                proof = prove_inclusion(session, school_id, index, entries)
                times.append(time.perf_counter() - start)
                if i == 0:
                    head = session.get(AuditLog, school_id)
                    tlog.verify_inclusion(leaves[index], index, entries, proof, head.root)
            print(
                f"  median {statistics.median(times) * 1000:.2f} ms, "
                f"max {max(times) * 1000:.2f} ms ({len(proof)} hashes)"
            )
    engine.dispose()


if __name__ == "__main__":
    main()
