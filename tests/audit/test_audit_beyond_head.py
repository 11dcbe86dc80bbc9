"""A row stored at or beyond the log's head (issue 19, item 2): written outside the application,
it is reported as tampering by `audit verify`, `audit export` and every audited write, and
never surfaces as a database error."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from incidents.admin.audit.commands import verify_and_record
from incidents.audit import Action, record
from incidents.audit.log import LogTampered
from incidents.audit.verify import verify_school
from incidents.db import new_id
from incidents.models import AuditEntry, AuditLog, Role
from tests import factories
from tests.conftest import run_cli as run


def _plant_beyond(db, school_id, offset: int = 0) -> int:
    """Copy the last entry into the slot at the head's size (+ offset), as an insider would."""
    head = db.get(AuditLog, school_id)
    last = db.scalar(
        select(AuditEntry).where(AuditEntry.school_id == school_id, AuditEntry.seq == head.size - 1)
    )
    seq = head.size + offset
    db.execute(
        AuditEntry.__table__.insert().values(
            id=new_id(),
            school_id=school_id,
            seq=seq,
            leaf=last.leaf,
            leaf_hash=last.leaf_hash,
            at=last.at,
            action=last.action,
        )
    )
    return seq


@pytest.mark.parametrize("offset", [0, 3])
def test_verify_names_a_row_beyond_the_head(db, school, users, signer, offset):
    factories.make_case(db, users[Role.HEADTEACHER])
    db.flush()
    seq = _plant_beyond(db, school.id, offset)
    report = verify_school(db, school.id, vkey=signer.verifier_key)
    assert not report.ok
    assert report.first_bad == seq
    assert f"entry {seq} is stored beyond the log's last entry" in " ".join(report.problems)


def test_an_audited_write_refuses_plainly_and_the_result_is_still_reported(
    db, school, users, signer
):
    factories.make_case(db, users[Role.HEADTEACHER])
    db.flush()
    seq = _plant_beyond(db, school.id)
    with pytest.raises(LogTampered, match=f"entry {seq} is already stored"):
        record(db, school_id=school.id, action=Action.SIGN_IN, actor=users[Role.DSL])
    report = verify_and_record(db, school_id=school.id, actor=None, vkey=signer.verifier_key)
    assert not report.ok and report.first_bad == seq
    assert "could not be written to the log" in " ".join(report.problems)


def test_cli_verify_and_export_report_it_without_a_traceback(
    signed_app, school_with_cases, tmp_path
):
    school, _ = school_with_cases
    db = signed_app.extensions["incidents.sessions"]()
    seq = _plant_beyond(db, school.id)
    db.commit()
    result = run(signed_app, "audit", "verify", "--school", school.urn)
    assert result.exit_code == 1, result.output
    assert f"entry {seq} is stored beyond" in result.output
    assert "Traceback" not in result.output and "IntegrityError" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    exported = run(
        signed_app, "audit", "export", "--school", school.urn, "--out", str(tmp_path / "x")
    )
    assert exported.exit_code == 1
    assert "tampered with" in exported.output
    assert isinstance(exported.exception, SystemExit)


def test_the_admin_page_does_not_keep_showing_an_older_pass(db, school, users, signer):
    from incidents.admin.audit.queries import audit_status

    factories.make_case(db, users[Role.HEADTEACHER])
    db.flush()
    assert verify_and_record(db, school_id=school.id, actor=None, vkey=signer.verifier_key).ok
    db.flush()
    assert audit_status(db, school.id).last_verification.ok
    seq = _plant_beyond(db, school.id)
    shown = audit_status(db, school.id).last_verification
    assert not shown.ok and shown.first_bad == seq
