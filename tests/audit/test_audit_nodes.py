"""Verification checks the stored tree nodes that inclusion and consistency proofs are built
from, not only the entries: a node whose hash was changed, a node that is missing, and a node
stored where the log has none are each reported by level and index (with the first entry a
node covers as the first bad entry), in one process and split over worker processes alike.

The logs are committed to a database of their own (SQLite in a file; PostgreSQL when
TEST_DATABASE_URL is set), since the workers read on their own connections."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.orm import Session

from incidents.audit import Action, parallel, record, tlog
from incidents.audit.evidence import prove_inclusion
from incidents.audit.signer import Signer
from incidents.audit.verify import MAX_NODE_PROBLEMS, Report, verify_school
from incidents.cli import alembic_config
from incidents.crypto.keyring import Keyring
from incidents.db import make_engine
from incidents.models import AuditLog, Role, TreeNode
from tests import factories
from tests.own_database import own_database

# 37 entries: levels 1..5 (the root's level is 5, one node over entries 0..31). Split over two
# workers the ranges are 0..15 and 16..36 with tree height 4, so levels 1..4 are compared by
# the workers and level 5 by the parent.
SIZE = 37


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory, keyring: Keyring) -> Iterator[Engine]:
    with own_database(tmp_path_factory.mktemp("nodes"), "nodes") as database:
        command.upgrade(alembic_config(database, keyring), "head")
        engine = make_engine(database)
        yield engine
        engine.dispose()


@pytest.fixture
def school_id(committed: Engine, keyring: Keyring, signer: Signer) -> uuid.UUID:
    """A committed log of SIZE entries: two cases (checkpointed), then sign-ins."""
    with Session(committed, info={"keyring": keyring, "signer": signer}) as session:
        school = factories.make_school(session)
        head = factories.make_user(session, school, Role.HEADTEACHER)
        for _ in range(2):
            factories.make_case(session, head)
        size = session.get(AuditLog, school.id).size
        assert size < SIZE
        for _ in range(SIZE - size):
            record(session, school_id=school.id, action=Action.SIGN_IN, actor=None)
        session.commit()
        return school.id


@pytest.fixture
def verify_both(
    committed: Engine, signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> Callable[[uuid.UUID], tuple[Report, Report, list[Any]]]:
    """Verify one log in one process and then split over two workers; the second also returns
    what the workers returned (None: a range failed its checks, the parent went entry by
    entry)."""
    real = parallel.verified_tree
    seen: list[Any] = []

    def spy(*args: Any) -> parallel.JoinedTree | None:
        result = real(*args)
        seen.append(result)
        return result

    monkeypatch.setattr(parallel, "verified_tree", spy)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)

    def run(school_id: uuid.UUID) -> tuple[Report, Report, list[Any]]:
        reports = []
        for min_entries in (10**9, 0):
            monkeypatch.setattr(parallel, "MIN_ENTRIES", min_entries)
            with Session(committed) as session:
                reports.append(verify_school(session, school_id, vkey=signer.verifier_key))
                session.rollback()
        return reports[0], reports[1], seen

    return run


def _change(committed: Engine, statement: Any) -> None:
    with Session(committed) as session:
        session.execute(statement)
        session.commit()


def _node(school_id: uuid.UUID, level: int, index: int) -> Any:
    return (TreeNode.school_id == school_id) & (TreeNode.level == level) & (TreeNode.index == index)


def _same(one: Report, split: Report) -> None:
    assert (split.problems, split.first_bad, split.entries) == (
        one.problems,
        one.first_bad,
        one.entries,
    )


def test_the_stored_tree_is_what_the_append_path_stores(committed, school_id):
    """Every level 1..5 node of a 37-entry log, and nothing else: what verification expects."""
    with Session(committed) as session:
        stored = {
            (level, index)
            for level, index in session.execute(
                select(TreeNode.level, TreeNode.index).where(TreeNode.school_id == school_id)
            )
        }
    assert stored == {(lv, ix) for lv in range(1, 6) for ix in range(SIZE >> lv)}


def test_an_untampered_log_verifies_in_both_paths(school_id, verify_both):
    one, split, seen = verify_both(school_id)
    assert one.ok and split.ok, (one.problems, split.problems)
    assert one.entries == split.entries == SIZE
    assert len(seen) == 1 and seen[0] is not None and seen[0].height == 4


@pytest.mark.parametrize(
    ("level", "index", "found_by_workers"),
    [(1, 3, True), (3, 2, True), (4, 1, True), (5, 0, False)],
)
def test_a_changed_node_is_named_with_the_first_entry_it_covers(
    committed, school_id, verify_both, level, index, found_by_workers
):
    _change(
        committed,
        update(TreeNode).where(_node(school_id, level, index)).values(hash=bytes(32)),
    )
    one, split, seen = verify_both(school_id)
    first, last = index << level, ((index + 1) << level) - 1
    assert not one.ok
    assert one.problems == [
        f"tree node level {level}, index {index} (entries {first} to {last}) does not match "
        "those entries: proofs built from it would not verify"
    ]
    assert one.first_bad == first and one.entries == SIZE
    _same(one, split)
    # A node of the workers' levels fails their range, and the parent goes again in one
    # process; a node above them the parent compares itself.
    assert (seen[0] is None) == found_by_workers


@pytest.mark.parametrize("digest", [b"\x01" * 31, b"\x01" * 33, b""])
def test_a_node_of_the_wrong_length_is_changed(committed, school_id, verify_both, digest):
    _change(committed, update(TreeNode).where(_node(school_id, 2, 4)).values(hash=digest))
    one, split, _ = verify_both(school_id)
    assert "tree node level 2, index 4 (entries 16 to 19) does not match" in one.problems[0]
    assert one.first_bad == 16
    _same(one, split)


def test_the_proof_a_changed_node_breaks_is_the_one_verification_warned_of(
    committed, school_id, verify_both
):
    """The point of the check: a changed node yields an inclusion proof that fails."""
    _change(committed, update(TreeNode).where(_node(school_id, 1, 0)).values(hash=bytes(32)))
    one, _, _ = verify_both(school_id)
    assert one.first_bad == 0
    with Session(committed) as session:
        head = session.get(AuditLog, school_id)
        leaf = tlog.canonical({"x": 1})  # any leaf: the proof, not the leaf, is what broke
        proof = prove_inclusion(session, school_id, 2, SIZE)
        assert proof[1] == bytes(32)
        with pytest.raises(tlog.LogError):
            tlog.verify_inclusion(leaf, 2, SIZE, proof, head.root)


def test_two_nodes_with_their_hashes_swapped_are_both_changed(committed, school_id, verify_both):
    """Every stored hash is right, but two are at each other's place: the comparison is by
    position, not a set of hashes."""
    with Session(committed) as session:
        a, b = (
            session.scalar(select(TreeNode.hash).where(_node(school_id, 1, index)))
            for index in (2, 12)
        )
    _change(committed, update(TreeNode).where(_node(school_id, 1, 2)).values(hash=b))
    _change(committed, update(TreeNode).where(_node(school_id, 1, 12)).values(hash=a))
    one, split, _ = verify_both(school_id)
    assert [p.split(" does not")[0] for p in one.problems] == [
        "tree node level 1, index 2 (entries 4 to 5)",
        "tree node level 1, index 12 (entries 24 to 25)",
    ]
    assert one.first_bad == 4
    _same(one, split)


@pytest.mark.parametrize(("level", "index"), [(1, 0), (2, 8), (4, 1), (5, 0)])
def test_a_missing_node_is_reported(committed, school_id, verify_both, level, index):
    _change(committed, delete(TreeNode).where(_node(school_id, level, index)))
    one, split, _ = verify_both(school_id)
    first, last = index << level, ((index + 1) << level) - 1
    assert one.problems == [
        f"tree node level {level}, index {index} (entries {first} to {last}) is missing: "
        "proofs that need it cannot be made"
    ]
    assert one.first_bad == first
    _same(one, split)


@pytest.mark.parametrize(
    ("level", "index"),
    [
        (1, SIZE >> 1),  # the next level-1 node, which entry 37 would complete
        (3, 100),
        (5, 1),  # the root's level has one node
        (6, 0),  # above the root
        (0, 2),  # leaf hashes are entries, never node rows
        (-1, 0),
        (2, -1),
    ],
)
def test_a_node_where_the_log_has_none_is_reported(committed, school_id, verify_both, level, index):
    _change(
        committed,
        insert(TreeNode).values(school_id=school_id, level=level, node_index=index, hash=bytes(32)),
    )
    one, split, _ = verify_both(school_id)
    assert one.problems == [
        f"tree node level {level}, index {index} is stored, but a log of {SIZE} entries has no "
        "such node"
    ]
    assert one.first_bad is None and not one.ok
    _same(one, split)


def test_several_node_problems_are_in_entry_order_and_capped(committed, school_id, verify_both):
    _change(
        committed,
        insert(TreeNode).values(school_id=school_id, level=1, node_index=99, hash=bytes(32)),
    )
    _change(committed, update(TreeNode).where(_node(school_id, 3, 3)).values(hash=bytes(32)))
    _change(committed, delete(TreeNode).where(_node(school_id, 2, 1)))
    one, split, _ = verify_both(school_id)
    assert [p.split(" (")[0].split(" is ")[0] for p in one.problems] == [
        "tree node level 2, index 1",
        "tree node level 3, index 3",
        "tree node level 1, index 99",
    ]
    assert one.first_bad == 4
    _same(one, split)

    _change(committed, delete(TreeNode).where(TreeNode.school_id == school_id))
    one, split, _ = verify_both(school_id)
    missing = sum(SIZE >> lv for lv in range(1, 6))
    assert len(one.problems) == MAX_NODE_PROBLEMS + 1
    assert one.problems[0].startswith("tree node level 1, index 0 (entries 0 to 1) is missing")
    assert one.problems[-1] == (
        f"and {missing - MAX_NODE_PROBLEMS} more tree nodes are changed, missing or stored "
        "where the log has none"
    )
    assert one.first_bad == 0
    _same(one, split)


def test_a_node_of_another_school_is_not_this_logs_concern(
    committed, keyring, signer, school_id, verify_both
):
    """Each log is checked against its own rows only: another school's nodes, however many,
    are neither strays here nor counted."""
    with Session(committed, info={"keyring": keyring, "signer": signer}) as session:
        other = factories.make_school(session)
        session.commit()
        other_id, other_size = other.id, session.get(AuditLog, other.id).size
    _change(
        committed,
        insert(TreeNode).values(school_id=other_id, level=1, node_index=500, hash=bytes(32)),
    )
    one, split, _ = verify_both(school_id)
    assert one.ok and split.ok, (one.problems, split.problems)
    one, _, _ = verify_both(other_id)
    # (The other school's log has no checkpoint yet: that is said too, issue 19, item 4.)
    assert [p for p in one.problems if "no signed checkpoint" not in p] == [
        f"tree node level 1, index 500 is stored, but a log of {other_size} entries has no "
        "such node"
    ]
