"""The audit trail as a school, an auditor and an attacker would meet it: what an entry holds,
signed checkpoints, verification that pinpoints tampering, atomicity with the change it
records, evidence that an outsider verifies, and shredding that leaves the log verifiable."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from incidents.audit import Action, record, tlog
from incidents.audit.evidence import case_evidence, export_log
from incidents.audit.verify import verify_school
from incidents.casework.cases.notes import add_note
from incidents.casework.erasure.commands import shred_case
from incidents.db import new_id
from incidents.models import AuditCheckpoint, AuditEntry, AuditLog, Case, Role, TreeNode
from incidents.sensitive import Sensitive
from tests import REPO, factories
from tests.conftest import count

MARKER = "Ottoline Brackenbury-Marker"


def entries(db: Session, school_id) -> list[AuditEntry]:
    return list(
        db.scalars(
            select(AuditEntry).where(AuditEntry.school_id == school_id).order_by(AuditEntry.seq)
        )
    )


def test_an_entry_holds_ids_and_digests_never_personal_data(db, school, users):
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head, narrative=f"{MARKER} was seen messaging a pupil")
    case.reporter_identity = Sensitive(MARKER)
    db.flush()
    entry = db.scalar(
        select(AuditEntry).where(AuditEntry.case_id == case.id, AuditEntry.action == "case.record")
    )
    leaf = tlog.parse_entry(bytes(entry.leaf))
    assert leaf["case"] == str(case.id) and leaf["actor"] == str(head.id)
    assert leaf["action"] == "case.record" and leaf["log"].endswith(f"/{school.urn}")
    assert leaf["fields"] == ["narrative"]
    assert leaf["ct"] == [base64.b64encode(hashlib.sha256(case.narrative_ct).digest()).decode()]
    assert len(base64.b64decode(leaf["salt"])) == 16
    raw = b"".join(bytes(e.leaf) for e in entries(db, school.id))
    assert MARKER.encode() not in raw and MARKER.split()[0].encode() not in raw


def test_details_are_encrypted_under_the_case_key(db, school, users):
    case = factories.make_case(db, users[Role.HEADTEACHER])
    entry = record(
        db,
        school_id=school.id,
        action=Action.NOTE_ADD,
        actor=users[Role.DSL],
        case_id=case.id,
        detail={"reason": MARKER},
    )
    db.flush()
    assert MARKER.encode() not in bytes(entry.detail_ct)
    assert json.loads(entry.detail.reveal()) == {"reason": MARKER}
    leaf = tlog.parse_entry(bytes(entry.leaf))
    assert leaf["detail"] == base64.b64encode(hashlib.sha256(entry.detail_ct).digest()).decode()


def test_sequence_numbers_are_gap_free_and_the_head_matches(db, school, users):
    for _ in range(5):
        factories.make_case(db, users[Role.HEADTEACHER])
    db.flush()
    rows = entries(db, school.id)
    assert [e.seq for e in rows] == list(range(len(rows)))
    head = db.get(AuditLog, school.id)
    assert head.size == len(rows)
    assert head.root == tlog.root_of([bytes(e.leaf_hash) for e in rows])
    times = [tlog.parse_entry(bytes(e.leaf))["ts"] for e in rows]
    assert times == sorted(times)


def test_high_stakes_events_are_checkpointed_at_once(db, school, users, signer):
    case = factories.make_case(db, users[Role.HEADTEACHER])
    db.flush()
    cps = db.scalars(select(AuditCheckpoint).where(AuditCheckpoint.school_id == school.id)).all()
    assert cps and cps[-1].reason == "case.record"
    cp = tlog.open_checkpoint(cps[-1].note, signer.verifier_key)
    recorded = db.scalar(
        select(AuditEntry).where(AuditEntry.case_id == case.id, AuditEntry.action == "case.record")
    )
    assert cp.size == recorded.seq + 1  # the checkpoint covers the entry that triggered it


def _log_with_checkpoint(db, school, users, signer, cases: int = 4) -> list[AuditEntry]:
    for _ in range(cases):
        factories.make_case(db, users[Role.HEADTEACHER])
    db.flush()
    report = verify_school(db, school.id, vkey=signer.verifier_key)
    assert report.ok, report.problems
    return entries(db, school.id)


def _problems(db, school, signer, external=None) -> str:
    db.expire_all()
    report = verify_school(db, school.id, vkey=signer.verifier_key, external=external)
    assert not report.ok
    return " ".join(report.problems)


def test_a_changed_byte_is_pinpointed(db, school, users, signer):
    rows = _log_with_checkpoint(db, school, users, signer)
    victim = rows[5]
    leaf = bytearray(victim.leaf)
    at = leaf.index(b'"salt":"') + len(b'"salt":"')
    leaf[at] = ord("A") if leaf[at] != ord("A") else ord("B")
    db.execute(update(AuditEntry).where(AuditEntry.id == victim.id).values(leaf=bytes(leaf)))
    assert "entry 5: its bytes were altered" in _problems(db, school, signer)


def test_a_deleted_entry_is_pinpointed(db, school, users, signer):
    rows = _log_with_checkpoint(db, school, users, signer)
    db.execute(delete(AuditEntry).where(AuditEntry.id == rows[3].id))
    assert "entry 3 is missing" in _problems(db, school, signer)


def test_an_inserted_entry_is_pinpointed(db, school, users, signer):
    rows = _log_with_checkpoint(db, school, users, signer)
    # Make room at 4 by renumbering the tail (highest first, for the unique constraint),
    # then slip in a forged copy of entry 2.
    for row in reversed(rows[4:]):
        db.execute(update(AuditEntry).where(AuditEntry.id == row.id).values(seq=row.seq + 1))
    forged = rows[2]
    db.execute(
        AuditEntry.__table__.insert().values(
            id=new_id(),
            school_id=school.id,
            seq=4,
            leaf=forged.leaf,
            leaf_hash=forged.leaf_hash,
            at=forged.at,
            action=forged.action,
        )
    )
    assert "entry 4: it says it is entry 2" in _problems(db, school, signer)


def test_swapped_entries_are_pinpointed(db, school, users, signer):
    rows = _log_with_checkpoint(db, school, users, signer)
    a, b = rows[2], rows[6]
    db.execute(update(AuditEntry).where(AuditEntry.id == a.id).values(seq=-1))
    db.execute(update(AuditEntry).where(AuditEntry.id == b.id).values(seq=2))
    db.execute(update(AuditEntry).where(AuditEntry.id == a.id).values(seq=6))
    assert "entry 2: it says it is entry 6" in _problems(db, school, signer)


def test_a_truncated_tail_is_caught_by_the_last_checkpoint(db, school, users, signer):
    rows = _log_with_checkpoint(db, school, users, signer)
    db.execute(
        delete(AuditEntry).where(AuditEntry.seq >= len(rows) - 2, AuditEntry.school_id == school.id)
    )
    assert "truncated" in _problems(db, school, signer)


def _rewrite_history(db: Session, school, rows: list[AuditEntry]) -> None:
    """What an administrator with database access could do: rewrite an entry and recompute
    every hash, the tree nodes and the head so that the log is self-consistent again."""
    leaf = json.loads(bytes(rows[1].leaf))
    leaf["action"] = "auth.sign_out"
    new = tlog.canonical(leaf)
    db.execute(
        update(AuditEntry)
        .where(AuditEntry.id == rows[1].id)
        .values(leaf=new, leaf_hash=tlog.leaf_hash(new), action="auth.sign_out")
    )
    db.execute(delete(TreeNode).where(TreeNode.school_id == school.id))
    frontier: list[bytes] = []
    for row in entries(db, school.id):
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


def test_a_recomputed_log_fails_against_a_checkpoint_signed_before(db, school, users, signer):
    rows = _log_with_checkpoint(db, school, users, signer)
    _rewrite_history(db, school, rows)
    assert "does not match" in _problems(db, school, signer)


def test_deleting_the_checkpoints_too_is_caught_by_one_held_outside(db, school, users, signer):
    rows = _log_with_checkpoint(db, school, users, signer)
    held = [db.scalars(select(AuditCheckpoint.note)).all()[-1]]
    _rewrite_history(db, school, rows)
    db.execute(delete(AuditCheckpoint).where(AuditCheckpoint.school_id == school.id))
    assert "external checkpoint" in _problems(db, school, signer, external=held)


def test_a_failed_service_call_leaves_neither_change_nor_entry(session_factory, school, users):
    db = session_factory()
    cases, logged = count(db, Case), count(db, AuditEntry)
    factories.make_case(db, users[Role.HEADTEACHER])
    db.flush()
    assert count(db, AuditEntry) > logged
    db.rollback()  # the caller's commit never happens: a crash mid-request
    assert (count(db, Case), count(db, AuditEntry)) == (cases, logged)
    assert db.get(AuditLog, school.id).size == logged


def test_an_entry_that_cannot_be_written_undoes_the_change(db, school, users, monkeypatch):
    cases = count(db, Case)
    logged = count(db, AuditEntry)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("incidents.audit.log.tlog.canonical", broken)
    with pytest.raises(RuntimeError), db.begin_nested():
        factories.make_case(db, users[Role.HEADTEACHER])
    assert (count(db, Case), count(db, AuditEntry)) == (cases, logged)


def test_shredding_keeps_the_log_verifiable_and_provable(db, school, users, signer, keyring):
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head, narrative="erase me")
    add_note(db, actor=head, case=case, body="a note")
    db.commit()
    shred_case(
        db, actor=None, case=case, rule="retention", keyring=keyring, override_reason="Test: early"
    )
    db.commit()
    assert verify_school(db, school.id, vkey=signer.verifier_key).ok
    evidence = case_evidence(db, school.id, case.id, signer.verifier_key)
    actions = [json.loads(e["leaf"])["action"] for e in evidence["entries"]]
    assert actions[0] == "case.record" and "case.shred" in actions
    from incidents.audit import verifier

    assert "are in the log signed at" in verifier.check_evidence(evidence, signer.verifier_key)


def test_case_evidence_verifies_with_the_standalone_tool(db, school, users, signer, tmp_path):
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head)
    for i in range(3):
        factories.make_case(db, head)
        add_note(db, actor=head, case=case, body=f"note {i}")
    record(
        db,
        school_id=school.id,
        action=Action.NOTE_ADD,
        actor=head,
        case_id=case.id,
        checkpoint=True,
    )
    db.flush()
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(case_evidence(db, school.id, case.id, signer.verifier_key)))
    ok = _verifier("evidence", "--key", signer.verifier_key, str(path))
    assert ok.returncode == 0, ok.stderr
    assert "entries of" in ok.stdout
    data = json.loads(path.read_text())
    forged = json.loads(data["entries"][1]["leaf"])
    forged["salt"] = base64.b64encode(bytes(16)).decode()  # still canonical, still well-formed
    data["entries"][1]["leaf"] = tlog.canonical(forged).decode()
    path.write_text(json.dumps(data))
    bad = _verifier("evidence", "--key", signer.verifier_key, str(path))
    assert bad.returncode == 1 and "NOT VERIFIED" in bad.stderr


def test_an_export_verifies_and_a_held_checkpoint_catches_a_rewrite(
    db, school, users, signer, tmp_path
):
    rows = _log_with_checkpoint(db, school, users, signer)
    held = tmp_path / "held.checkpoint"
    held.write_text(db.scalars(select(AuditCheckpoint.note)).all()[-1])
    out = tmp_path / "log.jsonl"
    export_log(db, school.id, signer.verifier_key, out)
    ok = _verifier("export", "--key", signer.verifier_key, str(out), "--checkpoint", str(held))
    assert ok.returncode == 0, ok.stderr
    _rewrite_history(db, school, rows)
    db.execute(delete(AuditCheckpoint).where(AuditCheckpoint.school_id == school.id))
    export_log(db, school.id, signer.verifier_key, out)
    bad = _verifier("export", "--key", signer.verifier_key, str(out), "--checkpoint", str(held))
    assert bad.returncode == 1 and "do not match the checkpoint" in bad.stderr


def _verifier(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "incidents.audit.verifier", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )


def test_every_entry_of_a_school_stays_in_its_own_log(db, school, users):
    other = factories.make_school(db, name="Other")
    factories.make_case(db, factories.make_user(db, other, Role.HEADTEACHER))
    factories.make_case(db, users[Role.HEADTEACHER])
    db.flush()
    mine = db.scalar(select(func.count()).where(AuditEntry.school_id == school.id))
    assert db.get(AuditLog, school.id).size == mine
    assert db.get(AuditLog, other.id).origin != db.get(AuditLog, school.id).origin
