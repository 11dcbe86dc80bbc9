"""Every column the application reads beside the leaf (actor_id, case_id, object_type,
object_id, action, at, detail_ct) is bound to the verified leaf (issue 19, item 1): a changed,
nulled or swapped column is named as that entry; the admin page never shows a failed
verification as passed; a case bundle is never made from a log whose columns disagree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from incidents.admin.audit.commands import verify_and_record
from incidents.admin.audit.queries import TAMPERED, audit_status
from incidents.audit import Action, record
from incidents.audit.verify import verify_school
from incidents.models import AuditEntry, Role
from tests import factories
from tests.conftest import run_cli as run


def _entries(db, school_id) -> list[AuditEntry]:
    return list(
        db.scalars(
            select(AuditEntry).where(AuditEntry.school_id == school_id).order_by(AuditEntry.seq)
        )
    )


@pytest.fixture
def log(db, school, users):
    """Two cases, and a noted entry with an encrypted detail on each."""
    cases = [factories.make_case(db, users[Role.HEADTEACHER]) for _ in range(2)]
    for case in cases:
        record(
            db,
            school_id=school.id,
            action=Action.NOTE_ADD,
            actor=users[Role.DSL],
            case_id=case.id,
            object_type="case",
            object_id=case.id,
            detail={"reason": "a reason"},
        )
    db.flush()
    return cases, _entries(db, school.id)


def _noted(rows) -> list[AuditEntry]:
    return [r for r in rows if r.detail_ct is not None]


CHANGES = {
    "actor_id changed": lambda rows, users, cases: (
        _noted(rows)[0],
        {"actor_id": users[Role.STAFF].id},
        "actor_id",
    ),
    "actor_id nulled": lambda rows, users, cases: (_noted(rows)[0], {"actor_id": None}, "actor_id"),
    "case_id moved to another case": lambda rows, users, cases: (
        _noted(rows)[0],
        {"case_id": cases[1].id},
        "case_id",
    ),
    "case_id nulled": lambda rows, users, cases: (_noted(rows)[1], {"case_id": None}, "case_id"),
    "object_type changed": lambda rows, users, cases: (
        _noted(rows)[0],
        {"object_type": "log"},
        "object_type",
    ),
    "object_id changed": lambda rows, users, cases: (
        _noted(rows)[0],
        {"object_id": cases[1].id},
        "object_id",
    ),
    "action changed": lambda rows, users, cases: (
        _noted(rows)[0],
        {"action": "case.view"},
        "action",
    ),
    "at forged": lambda rows, users, cases: (
        _noted(rows)[0],
        {"at": _noted(rows)[0].at - timedelta(days=3)},
        "at",
    ),
    "detail altered": lambda rows, users, cases: (
        _noted(rows)[0],
        {"detail_ct": bytes(_noted(rows)[0].detail_ct)[:-1] + b"\x00"},
        "detail_ct",
    ),
    "detail nulled": lambda rows, users, cases: (_noted(rows)[1], {"detail_ct": None}, "detail_ct"),
    "detail swapped in from another entry": lambda rows, users, cases: (
        _noted(rows)[0],
        {"detail_ct": bytes(_noted(rows)[1].detail_ct)},
        "detail_ct",
    ),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_changed_column_is_named_as_its_entry(db, school, users, signer, log, change):
    cases, rows = log
    victim, values, column = CHANGES[change](rows, users, cases)
    db.execute(update(AuditEntry).where(AuditEntry.id == victim.id).values(**values))
    db.expire_all()
    report = verify_school(db, school.id, vkey=signer.verifier_key)
    assert not report.ok
    assert report.first_bad == victim.seq
    assert f"entry {victim.seq}: its {column} column was changed" in report.problems[0]


def test_a_sound_log_still_verifies(db, school, signer, log):
    assert verify_school(db, school.id, vkey=signer.verifier_key).ok


def test_a_failed_verification_is_never_shown_as_passed(db, school, users, signer, log):
    _cases, rows = log
    db.execute(update(AuditEntry).where(AuditEntry.id == rows[2].id).values(action="case.view"))
    report = verify_and_record(db, school_id=school.id, actor=None, vkey=signer.verifier_key)
    assert not report.ok
    db.flush()
    result = db.scalar(
        select(AuditEntry)
        .where(AuditEntry.school_id == school.id)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    )
    assert result.action == Action.AUDIT_VERIFY_FAILED.value
    # The insider turns the failure into a pass in the column the page used to read.
    db.execute(
        update(AuditEntry)
        .where(AuditEntry.id == result.id)
        .values(action=Action.AUDIT_VERIFY.value)
    )
    db.expire_all()
    shown = audit_status(db, school.id).last_verification
    assert shown is not None and not shown.ok
    assert shown.problems == [TAMPERED] and shown.first_bad == result.seq


def test_a_case_bundle_is_not_made_from_a_log_that_lost_entries(
    signed_app, school_with_cases, tmp_path
):
    school, cases = school_with_cases
    db = signed_app.extensions["incidents.sessions"]()
    # Two of the case's entries moved to another case by their column: the bundle, selected
    # by that column, would silently lose them.
    moved = db.scalars(
        select(AuditEntry).where(AuditEntry.case_id == cases[1].id).order_by(AuditEntry.seq)
    ).all()[:2]
    db.execute(
        update(AuditEntry)
        .where(AuditEntry.id.in_([e.id for e in moved]))
        .values(case_id=cases[0].id)
    )
    db.commit()
    out = tmp_path / "evidence.json"
    result = run(
        signed_app,
        "audit",
        "prove",
        "--school",
        school.urn,
        "--case",
        cases[1].reference,
        "--out",
        str(out),
    )
    assert result.exit_code == 1, result.output
    assert f"entry {moved[0].seq}: its case_id column was changed" in result.output
    assert not out.exists()
