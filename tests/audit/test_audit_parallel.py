"""Verification split over worker processes (`incidents.audit.parallel`), forced on small logs:
it reaches the same result as one process, and every kind of tampering is still caught and
pinned to the same first bad entry. The workers read on their own connections, so these logs
are committed to a database of their own (SQLite in a file; PostgreSQL when
TEST_DATABASE_URL is set) rather than living in the rolled-back test transaction."""

from __future__ import annotations

import hashlib
import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from incidents.audit import parallel, tlog
from incidents.audit.signer import Signer
from incidents.audit.verify import Report, verify_school
from incidents.cli import alembic_config
from incidents.crypto.keyring import Keyring
from incidents.db import make_engine, new_id
from incidents.models import AuditEntry, Role
from tests import factories
from tests.conftest import run_cli as run
from tests.own_database import own_database


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory, keyring: Keyring) -> Iterator[Engine]:
    with own_database(tmp_path_factory.mktemp("parallel"), "parallel") as database:
        command.upgrade(alembic_config(database, keyring), "head")
        engine = make_engine(database)
        yield engine
        engine.dispose()


@pytest.fixture
def log(committed: Engine, keyring: Keyring, signer: Signer) -> tuple[uuid.UUID, list[Any]]:
    """A committed school log of a few cases, checkpointed (cases are high-stakes)."""
    with Session(committed, info={"keyring": keyring, "signer": signer}) as session:
        school = factories.make_school(session)
        head = factories.make_user(session, school, Role.HEADTEACHER)
        for _ in range(4):
            factories.make_case(session, head)
        session.commit()
        rows = list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.school_id == school.id).order_by(AuditEntry.seq)
            )
        )
        assert len(rows) > 8
        return school.id, rows


@pytest.fixture
def verify_both(
    committed: Engine, signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> Callable[[uuid.UUID], tuple[Report, Report, list[Any]]]:
    """Verify one log in one process and then split over workers; the second also returns what
    the workers returned (None: some range failed its checks)."""
    real = parallel.verified_tree
    seen: list[Any] = []

    def spy(*args: Any) -> parallel.NodeSource | None:
        result = real(*args)
        seen.append(result)
        return result

    monkeypatch.setattr(parallel, "verified_tree", spy)

    def run(school_id: uuid.UUID) -> tuple[Report, Report, list[Any]]:
        reports = []
        for min_entries in (10**9, 0):
            monkeypatch.setattr(parallel, "MIN_ENTRIES", min_entries)
            with Session(committed) as session:
                reports.append(verify_school(session, school_id, vkey=signer.verifier_key))
                session.rollback()
        return reports[0], reports[1], seen

    return run


def test_a_clean_log_verifies_the_same_split_over_workers(log, verify_both):
    school_id, rows = log
    one, split, seen = verify_both(school_id)
    assert one.ok and split.ok, (one.problems, split.problems)
    assert (split.entries, split.checkpoints) == (one.entries, one.checkpoints) == (len(rows), 4)
    assert len(seen) == 1 and seen[0] is not None
    assert [seen[0](0, i) for i in range(len(rows))] == [bytes(row.leaf_hash) for row in rows]


def _tamper(committed: Engine, change: Callable[[Session], None]) -> None:
    with Session(committed) as session:
        change(session)
        session.commit()


def _forge(rows: list[Any], school_id: uuid.UUID, copy: int, seq: int) -> Any:
    forged = rows[copy]
    return AuditEntry.__table__.insert().values(
        id=new_id(),
        school_id=school_id,
        seq=seq,
        leaf=forged.leaf,
        leaf_hash=forged.leaf_hash,
        at=forged.at,
        action=forged.action,
    )


def _changed_byte(rows, school_id):
    leaf = bytearray(rows[5].leaf)
    at = leaf.index(b'"salt":"') + len(b'"salt":"')
    leaf[at] = ord("A") if leaf[at] != ord("A") else ord("B")
    return lambda s: s.execute(
        update(AuditEntry).where(AuditEntry.id == rows[5].id).values(leaf=bytes(leaf))
    )


def _deleted(rows, school_id):
    return lambda s: s.execute(delete(AuditEntry).where(AuditEntry.id == rows[3].id))


def _inserted(rows, school_id):
    def change(s: Session) -> None:
        for row in reversed(rows[4:]):  # highest first, for the unique constraint
            s.execute(update(AuditEntry).where(AuditEntry.id == row.id).values(seq=row.seq + 1))
        s.execute(_forge(rows, school_id, copy=2, seq=4))

    return change


def _swapped(rows, school_id):
    def change(s: Session) -> None:
        a, b = rows[2], rows[6]
        s.execute(update(AuditEntry).where(AuditEntry.id == a.id).values(seq=-1))
        s.execute(update(AuditEntry).where(AuditEntry.id == b.id).values(seq=2))
        s.execute(update(AuditEntry).where(AuditEntry.id == a.id).values(seq=6))

    return change


def _truncated(rows, school_id):
    return lambda s: s.execute(
        delete(AuditEntry).where(AuditEntry.school_id == school_id, AuditEntry.seq >= len(rows) - 2)
    )


def _appended_beyond_the_head(rows, school_id):
    # A well-formed entry past the head, which the workers do not read: it must still be seen,
    # as it is in one process.
    last = len(rows) - 1
    leaf = bytes(rows[last].leaf).replace(f'"seq":{last},'.encode(), f'"seq":{last + 1},'.encode())

    def change(s: Session) -> None:
        s.execute(
            _forge(rows, school_id, copy=last, seq=last + 1).values(
                leaf=leaf, leaf_hash=tlog.leaf_hash(leaf)
            )
        )

    return change


def _negative_seq(rows, school_id):
    # Below 0 is read by the first worker, so a stray row there fails its range.
    return lambda s: s.execute(_forge(rows, school_id, copy=0, seq=-5))


@pytest.mark.parametrize(
    ("tamper", "message", "first_bad"),
    [
        (_changed_byte, "entry 5: its bytes were altered", 5),
        (_deleted, "entry 3 is missing", 3),
        (_inserted, "entry 4: it says it is entry 2", 4),
        (_swapped, "entry 2: it says it is entry 6", 2),
        (_truncated, "truncated", None),
        # Named as the entry it is (issue 19, item 2), not as a head that does not match.
        (_appended_beyond_the_head, "is stored beyond the log's last entry", "last+1"),
        (_negative_seq, "entry 0 is duplicated", 0),
    ],
)
def test_tampering_is_pinpointed_the_same_split_over_workers(
    committed, log, verify_both, tamper, message, first_bad
):
    school_id, rows = log
    _tamper(committed, tamper(rows, school_id))
    one, split, seen = verify_both(school_id)
    assert not one.ok
    assert message in " ".join(one.problems)
    if first_bad == "last+1":
        first_bad = len(rows)
    if first_bad is not None:
        assert one.first_bad == first_bad
    assert (split.problems, split.first_bad, split.entries) == (
        one.problems,
        one.first_bad,
        one.entries,
    )
    # The workers found it (and the entry-by-entry pass named it), or, with a row beyond the
    # head (an insertion pushes the last entry there), the split was not attempted and one
    # process saw the whole log.
    assert seen == ([] if tamper in (_inserted, _appended_beyond_the_head) else [None])


def test_a_log_the_workers_cannot_see_falls_back_to_one_process(
    db, school, users, signer, monkeypatch
):
    """In the rolled-back test transaction the log is uncommitted: the workers find nothing,
    and the entry-by-entry pass (authoritative) decides, here catching a changed byte."""
    monkeypatch.setattr(parallel, "MIN_ENTRIES", 0)
    for _ in range(3):
        factories.make_case(db, users[Role.HEADTEACHER])
    db.flush()
    assert verify_school(db, school.id, vkey=signer.verifier_key).ok
    victim = db.scalar(
        select(AuditEntry).where(AuditEntry.school_id == school.id, AuditEntry.seq == 4)
    )
    leaf = bytes(victim.leaf).replace(b'"v":1', b'"v":2')
    db.execute(update(AuditEntry).where(AuditEntry.id == victim.id).values(leaf=leaf))
    db.expire_all()
    report = verify_school(db, school.id, vkey=signer.verifier_key)
    assert report.first_bad == 4 and "entry 4: its bytes were altered" in report.problems[0]


def test_a_worker_that_cannot_read_fails_clearly(tmp_path):
    source = parallel.Source("sqlite", (str(tmp_path / "no" / "such.db"),), {}, "x")
    with pytest.raises(parallel.ParallelVerifyError, match="worker failed"):
        parallel.verified_tree(source, 10, 2, b'"log":"x",')


@pytest.mark.parametrize("workers", [2, 3, 4])
def test_the_tree_from_the_workers_levels_is_the_whole_logs_tree(workers, monkeypatch):
    """Ranges aligned to 2**height, their levels end to end, the top hashed by the parent:
    every node is the one tlog.levels_from_leaves gives, at every size (odd tails included)."""
    monkeypatch.setattr(parallel, "HEIGHT", 3)
    for size in [*range(workers, 70), 255, 256, 257, 1000]:
        leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(size)]
        bounds, height = parallel.split(size, workers)
        assert bounds[0] == 0 and bounds[-1] == size and bounds == sorted(bounds)
        assert all(bound % 2**height == 0 for bound in bounds[:-1])
        blobs = [
            b"".join(itertools.chain.from_iterable(parallel.range_levels(leaves[lo:hi], height)))
            for lo, hi in itertools.pairwise(bounds)
        ]
        ours, want = parallel.join_levels(bounds, height, blobs), tlog.levels_from_leaves(leaves)
        for lo in range(0, size, 7):
            for hi in range(lo + 1, size + 1, 5):
                assert tlog.range_hash(ours, lo, hi) == tlog.range_hash(want, lo, hi)
        assert tlog.root_of_levels(ours, size) == tlog.root_of(leaves)


def test_small_logs_and_single_cores_stay_in_one_process(monkeypatch):
    assert parallel.worker_count(parallel.MIN_ENTRIES - 1) == 0
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert parallel.worker_count(10**7) == 0
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert parallel.worker_count(10**7) == parallel.MAX_WORKERS


def test_the_command_reports_a_worker_failure(signed_app, school_with_cases, monkeypatch):
    school, _ = school_with_cases

    def broken(*args: Any) -> None:
        raise parallel.ParallelVerifyError("a verification worker failed (exit status 1): boom")

    monkeypatch.setattr(parallel, "MIN_ENTRIES", 0)
    monkeypatch.setattr(parallel, "verified_tree", broken)
    result = run(signed_app, "audit", "verify", "--school", school.urn)
    assert result.exit_code == 1
    assert f"{school.urn}: could not verify: a verification worker failed" in result.output
