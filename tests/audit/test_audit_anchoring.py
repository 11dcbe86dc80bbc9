"""What a verification proves, and against what (issue 19, items 3, 4 and 7): forks found in
any order, a bundle checked against a checkpoint the local authority holds, a pinned key, the
checkpoint files the school wrote, no "verified" with nothing signed to anchor to, empty trees,
the entry named after a checkpoint mismatch, the checkpoint's root column, time order."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, select, update

from incidents.audit import signer as signing
from incidents.audit import tlog, verifier
from incidents.audit.signer import Signer
from incidents.audit.verify import verify_school
from incidents.models import AuditCheckpoint, AuditEntry, AuditLog, Role, TreeNode
from tests import factories
from tests.conftest import run_cli as run

ORIGIN = "example.invalid/audit/100001"


def _signed(name: str, key: Ed25519PrivateKey, size: int, root: bytes) -> str:
    return tlog.sign_checkpoint(tlog.Checkpoint(ORIGIN, size, root), name, key)


def _evidence(leaves: list[bytes], key: Ed25519PrivateKey, extra: list[str] = ()) -> dict:
    hashes = [tlog.leaf_hash(leaf) for leaf in leaves]
    node = tlog.levels_from_leaves(hashes)
    size = len(hashes)
    note = _signed("school", key, size, tlog.range_hash(node, 0, size))
    return {
        "format": "incidents-audit-evidence/1",
        "checkpoints": [note, *extra],
        "consistency": [],
        "entries": [],
    }


def _leaves(n: int, tag: str = "") -> list[bytes]:
    return [
        tlog.canonical(
            {"log": ORIGIN, "seq": i, "ts": f"2026-01-01T00:00:{i:02d}.000000Z", "t": tag}
        )
        for i in range(n)
    ]


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def vkey(key) -> str:
    return tlog.verifier_key("school", signing.Signer("school", key).public)


@pytest.mark.parametrize("order", ["real first", "fork first"])
def test_evidence_with_a_fork_fails_in_either_order(key, vkey, order):
    fork = _signed("school", key, 4, tlog.root_of([tlog.leaf_hash(x) for x in _leaves(4, "x")]))
    data = _evidence(_leaves(4), key)
    if order == "fork first":
        data["checkpoints"].insert(0, fork)
    else:
        data["checkpoints"].append(fork)
    with pytest.raises(tlog.LogError, match="forked"):
        verifier.check_evidence(data, vkey)


def test_evidence_is_checked_against_the_checkpoint_the_authority_holds(key, vkey):
    real = _leaves(6)
    held = _signed("school", key, 6, tlog.root_of([tlog.leaf_hash(x) for x in real]))
    # The same size, history rewritten and re-signed by the school's own key.
    rewritten = _evidence(_leaves(6, "rewritten"), key)
    assert "you already hold" in verifier.check_evidence(rewritten, vkey)  # alone: passes...
    with pytest.raises(tlog.LogError, match="rewritten and re-signed"):
        verifier.check_evidence(rewritten, vkey, [held])  # ...but not against what is held
    assert "extends the 1 checkpoint" in verifier.check_evidence(_evidence(real, key), vkey, [held])
    later = _signed("school", key, 9, bytes(32))
    with pytest.raises(tlog.LogError, match="rolled back or truncated"):
        verifier.check_evidence(_evidence(real, key), vkey, [later])
    other_size = _signed("school", key, 3, tlog.root_of([tlog.leaf_hash(x) for x in real[:3]]))
    with pytest.raises(tlog.LogError, match="does not include the checkpoint of 3"):
        verifier.check_evidence(_evidence(real, key), vkey, [other_size])


def test_an_export_with_no_checkpoint_is_not_verified_unless_asked(tmp_path, vkey, capsys):
    export = tmp_path / "log.jsonl"
    lines = [json.dumps({"format": "incidents-audit-evidence/1", "origin": ORIGIN})]
    lines += [json.dumps({"leaf": leaf.decode()}) for leaf in _leaves(3)]
    export.write_text("\n".join(lines) + "\n")
    assert verifier.main(["export", "--key", vkey, str(export)]) == 1
    err = capsys.readouterr().err
    assert "no signed checkpoint" in err and "VERIFIED" not in err.replace("NOT VERIFIED", "")
    assert verifier.main(["export", "--key", vkey, "--unanchored", str(export)]) == 0
    out = capsys.readouterr().out
    assert "UNANCHORED" in out and "nothing proves" in out and "against 0" not in out


def test_consistency_between_empty_trees_needs_the_empty_root():
    tlog.verify_consistency(0, 0, tlog.EMPTY_ROOT, tlog.EMPTY_ROOT, [])
    with pytest.raises(tlog.LogError, match="empty tree's root"):
        tlog.verify_consistency(0, 0, b"x" * 32, b"x" * 32, [])
    with pytest.raises(tlog.LogError, match="empty tree's root"):
        tlog.verify_consistency(0, 3, b"x" * 32, b"y" * 32, [])


# --- `incidents audit verify` ------------------------------------------------------------


def _checkpointed(signed_app, school_with_cases):
    school, cases = school_with_cases
    result = run(signed_app, "audit", "checkpoint", "--school", school.urn)
    assert result.exit_code == 0, result.output
    return school, cases


def test_a_replaced_key_and_re_signed_log_fails(signed_app, school_with_cases):
    school, _ = _checkpointed(signed_app, school_with_cases)
    settings = signed_app.extensions["incidents.settings"]
    # The insider replaces the key file and re-signs every stored checkpoint with it.
    os.remove(settings.signing_key_file)
    signing.generate(settings.signing_key_file)
    new = signing.load(settings.signing_key_file, settings.audit_key_name)
    db = signed_app.extensions["incidents.sessions"]()
    for cp in db.scalars(select(AuditCheckpoint).where(AuditCheckpoint.school_id == school.id)):
        head = db.get(AuditLog, school.id)
        cp.note = new.sign(tlog.Checkpoint(head.origin, cp.size, bytes(cp.root)))
    db.commit()
    result = run(signed_app, "audit", "verify", "--school", school.urn)
    assert result.exit_code == 1, result.output
    assert "another key than the pinned one" in result.output
    assert "is not signed by" in result.output
    again = run(signed_app, "audit", "checkpoint", "--school", school.urn)
    assert again.exit_code != 0 and "it was replaced" in again.output


def test_deleting_every_stored_checkpoint_leaves_the_files_to_anchor(
    signed_app, school_with_cases, tmp_path
):
    school, _ = _checkpointed(signed_app, school_with_cases)
    db = signed_app.extensions["incidents.sessions"]()
    db.execute(delete(AuditCheckpoint).where(AuditCheckpoint.school_id == school.id))
    db.commit()
    result = run(signed_app, "audit", "verify", "--school", school.urn)
    assert result.exit_code == 0, result.output
    assert "files written for the local authority" in result.output
    assert "key pinned in" in result.output
    # ...and with the files gone too, nothing anchors the log: no pass without --unanchored.
    for path in (tmp_path / "checkpoints").rglob("*.checkpoint"):
        path.unlink()
    result = run(signed_app, "audit", "verify", "--school", school.urn)
    assert result.exit_code == 1 and "no signed checkpoint to anchor" in result.output
    result = run(signed_app, "audit", "verify", "--school", school.urn, "--unanchored")
    assert result.exit_code == 0, result.output
    assert "UNANCHORED" in result.output and "nothing proves" in result.output


def test_a_file_checkpoint_catches_a_rewrite_the_database_hides(signed_app, school_with_cases):
    school, _ = _checkpointed(signed_app, school_with_cases)
    db = signed_app.extensions["incidents.sessions"]()
    # Truncate the log and every trace of it in the database (rows, checkpoints, head).
    head = db.get(AuditLog, school.id)
    db.execute(delete(AuditEntry).where(AuditEntry.school_id == school.id, AuditEntry.seq >= 2))
    db.execute(delete(AuditCheckpoint).where(AuditCheckpoint.school_id == school.id))
    db.execute(delete(TreeNode).where(TreeNode.school_id == school.id))
    rows = db.scalars(
        select(AuditEntry).where(AuditEntry.school_id == school.id).order_by(AuditEntry.seq)
    ).all()
    frontier: list[bytes] = []
    for row in rows:
        frontier, done = tlog.frontier_append(frontier, row.seq, bytes(row.leaf_hash))
        for level, index, h in done:
            db.add(TreeNode(school_id=school.id, level=level, index=index, hash=h))
    head.size, head.root, head.frontier = 2, tlog.frontier_root(frontier), tlog.pack(frontier)
    db.commit()
    result = run(signed_app, "audit", "verify", "--school", school.urn)
    assert result.exit_code == 1
    assert "the log was truncated: the checkpoint file" in result.output


# --- verify_school ---------------------------------------------------------------------------


def _log(db, users, signer, school):
    for _ in range(4):
        factories.make_case(db, users[Role.HEADTEACHER])
    db.flush()
    assert verify_school(db, school.id, vkey=signer.verifier_key).ok
    return db.scalars(
        select(AuditEntry).where(AuditEntry.school_id == school.id).order_by(AuditEntry.seq)
    ).all()


def test_after_a_checkpoint_mismatch_the_nodes_name_the_entry(db, school, users, signer):
    rows = _log(db, users, signer, school)
    victim = rows[4]
    leaf = json.loads(bytes(victim.leaf))
    leaf["salt"] = "AAAAAAAAAAAAAAAAAAAAAA=="
    new = tlog.canonical(leaf)
    # Leaf and its hash rewritten together; the tree nodes left as they were.
    db.execute(
        update(AuditEntry)
        .where(AuditEntry.id == victim.id)
        .values(leaf=new, leaf_hash=tlog.leaf_hash(new))
    )
    db.expire_all()
    report = verify_school(db, school.id, vkey=signer.verifier_key)
    assert report.first_bad == 4, (report.first_bad, report.problems)
    assert "tree node level 1, index 2 (entries 4 to 5) does not match" in " ".join(report.problems)


def test_the_checkpoint_root_column_is_checked(db, school, users, signer):
    _log(db, users, signer, school)
    cp = db.scalars(select(AuditCheckpoint).where(AuditCheckpoint.school_id == school.id)).first()
    db.execute(update(AuditCheckpoint).where(AuditCheckpoint.id == cp.id).values(root=bytes(32)))
    db.expire_all()
    report = verify_school(db, school.id, vkey=signer.verifier_key)
    assert f"stored checkpoint at {cp.size}: its size or root column" in " ".join(report.problems)


def test_times_out_of_order_are_found(db, school, users, signer):
    rows = _log(db, users, signer, school)
    # A full rewrite of the tail beyond every checkpoint: entry 2's time moved before entry 1's,
    # leaf, hash, column, nodes and head all made to agree.
    db.execute(delete(AuditCheckpoint).where(AuditCheckpoint.school_id == school.id))
    victim = rows[2]
    at = rows[1].at - timedelta(seconds=1)
    leaf = json.loads(bytes(victim.leaf))
    leaf["ts"] = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    new = tlog.canonical(leaf)
    db.execute(
        update(AuditEntry)
        .where(AuditEntry.id == victim.id)
        .values(leaf=new, leaf_hash=tlog.leaf_hash(new), at=at)
    )
    db.execute(delete(TreeNode).where(TreeNode.school_id == school.id))
    frontier: list[bytes] = []
    for row in rows:
        db.refresh(row)
        frontier, done = tlog.frontier_append(frontier, row.seq, bytes(row.leaf_hash))
        for level, index, h in done:
            db.add(TreeNode(school_id=school.id, level=level, index=index, hash=h))
    db.execute(
        update(AuditLog)
        .where(AuditLog.school_id == school.id)
        .values(root=tlog.frontier_root(frontier), frontier=tlog.pack(frontier))
    )
    db.flush()
    db.expire_all()
    report = verify_school(db, school.id, vkey=signer.verifier_key, unanchored=True)
    assert report.first_bad == 2
    assert "entry 2 is dated before the entry before it" in report.problems[0]


def test_the_admin_button_checks_the_pinned_key_and_files(db, school, users, signer, tmp_path):
    from incidents.admin.audit.commands import verify_now
    from incidents.audit.evidence import write_checkpoint_files

    _log(db, users, signer, school)
    write_checkpoint_files(db, school.id, tmp_path, signer.verifier_key)
    db.execute(delete(AuditCheckpoint).where(AuditCheckpoint.school_id == school.id))
    admin = users[Role.ADMIN]
    report = verify_now(db, actor=admin, vkey=signer.verifier_key, folder=tmp_path)
    assert report.ok and report.checkpoints > 0, report.problems  # anchored by the files
    replaced = Signer("test-audit", Ed25519PrivateKey.generate())
    later = db.scalar(select(AuditEntry.at).order_by(AuditEntry.at.desc()).limit(1))
    report = verify_now(
        db, actor=admin, vkey=replaced.verifier_key, folder=tmp_path, now=later + timedelta(hours=1)
    )
    assert not report.ok
    assert "another key than the pinned one" in " ".join(report.problems)


def test_verifier_evidence_takes_the_held_checkpoint_on_its_command_line(
    key, vkey, tmp_path, capsys
):
    real = _leaves(6)
    held = tmp_path / "held.checkpoint"
    held.write_text(_signed("school", key, 6, tlog.root_of([tlog.leaf_hash(x) for x in real])))
    bundle = tmp_path / "case.json"
    bundle.write_text(json.dumps(_evidence(_leaves(6, "rewritten"), key)))
    assert verifier.main(["evidence", "--key", vkey, "--checkpoint", str(held), str(bundle)]) == 1
    assert "rewritten and re-signed" in capsys.readouterr().err
    bundle.write_text(json.dumps(_evidence(real, key)))
    assert verifier.main(["evidence", "--key", vkey, "--checkpoint", str(held), str(bundle)]) == 0
    assert "extends the 1 checkpoint" in capsys.readouterr().out
