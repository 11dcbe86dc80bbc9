"""The admin's audit page and verification results kept in the log: the page shows figures
only (never a case), "Verify the log now" records a pass or a failure naming the first bad
entry, is limited and refuses bad requests, and `incidents audit verify` records its results."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from incidents.admin.audit import commands as verification
from incidents.admin.audit.queries import audit_status
from incidents.audit import Action
from incidents.audit.evidence import write_checkpoint_files
from incidents.errors import Refused
from incidents.models import AuditCheckpoint, AuditEntry, AuditLog, Role
from incidents.models.base import utcnow
from tests import factories
from tests.conftest import csrf_token, problem, success_banner
from tests.conftest import run_cli as run

PAGE = "/admin/audit"
SUBJECT = "Perpetua Statuspage-Marker"


def _results(db: Session, school_id) -> list[AuditEntry]:
    return list(
        db.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.school_id == school_id,
                AuditEntry.action.in_([a.value for a in verification.RESULTS]),
            )
            .order_by(AuditEntry.seq)
        )
    )


def _press(client):
    return client.post(f"{PAGE}/verify", data={"csrf_token": csrf_token(client, PAGE)})


@pytest.fixture
def a_case(db, users, app, signer):
    case = factories.make_case(
        db,
        users[Role.HEADTEACHER],
        narrative=f"{SUBJECT} posted pupils' photos",
        new_subject=factories.NewSubject(name=SUBJECT, kind=factories.PersonKind.STAFF),
    )
    db.commit()
    # What the signer's run does after signing: the checkpoint files, and the verifier key
    # pinned beside them, which is the key the web app checks against (it holds no signing key).
    write_checkpoint_files(
        db, case.school_id, Path(app.instance_path) / "checkpoints", signer.verifier_key
    )
    return case


def test_admin_sees_figures_and_never_a_case(login_as, users, db, school, a_case):
    page = login_as(Role.ADMIN).get(PAGE).get_data(as_text=True)
    head = db.get(AuditLog, school.id)
    assert "Audit trail" in page and f"{head.size:,}" in page
    assert head.root.hex()[:16] in page and head.root.hex() not in page
    assert "Latest checkpoints" in page and "Straight after an event" in page
    # Why a checkpoint was signed would say what happened in a case: admin sees only when.
    assert "Recorded the case" not in page
    assert "has not been verified yet" in page
    assert a_case.reference not in page and SUBJECT not in page and "Statuspage" not in page
    assert str(a_case.id) not in page


def test_verify_now_records_a_pass(login_as, users, db, school, a_case):
    admin = login_as(Role.ADMIN)
    response = _press(admin)
    assert response.status_code == 302 and response.location.endswith(PAGE)
    page = admin.get(PAGE).get_data(as_text=True)
    assert "The log was verified: no problems found." in page and "Passed" in page
    [entry] = _results(db, school.id)
    assert entry.action == Action.AUDIT_VERIFY and entry.actor_id == users[Role.ADMIN].id
    figures = json.loads(entry.detail.reveal())
    assert figures["entries"] == entry.seq and figures["first_bad"] is None
    assert json.loads(entry.leaf)["role"] == "admin"
    # Shown again, the banner is gone: it was for that press only.
    assert "no problems found" not in admin.get(PAGE).get_data(as_text=True)


def test_verify_now_records_a_failure_and_names_the_first_bad_entry(
    login_as, users, db, school, a_case
):
    victim = db.scalar(
        select(AuditEntry).where(AuditEntry.school_id == school.id, AuditEntry.seq == 3)
    )
    db.execute(
        update(AuditEntry)
        .where(AuditEntry.id == victim.id)
        .values(leaf=bytes(victim.leaf).replace(b'"v":1', b'"v":2'))
    )
    db.commit()
    admin = login_as(Role.ADMIN)
    _press(admin)
    page = admin.get(PAGE).get_data(as_text=True)
    assert "The log did not verify" in page and "Failed" in page
    assert "Entry 3" in page and "entry 3: its bytes were altered" in page
    [entry] = _results(db, school.id)
    assert entry.action == Action.AUDIT_VERIFY_FAILED
    assert json.loads(entry.detail.reveal())["first_bad"] == 3


def test_a_second_press_within_a_minute_is_refused(login_as, users, db, school, a_case):
    admin = login_as(Role.ADMIN)
    _press(admin)
    admin.get(PAGE)  # the first press's result, shown
    again = _press(admin)
    assert again.status_code == 302 and again.location.endswith(PAGE)
    page = admin.get(PAGE).get_data(as_text=True)
    assert "verified less than a minute ago" in problem(page)
    assert "less than a minute ago" not in success_banner(page) and success_banner(page) == ""
    assert len(_results(db, school.id)) == 1


def test_a_log_too_big_to_check_within_a_page_is_left_to_the_command(
    login_as, users, db, school, a_case, monkeypatch
):
    # Issue 21: a log of millions of entries would outlast the request; the page says where
    # it is checked instead, and records nothing.
    monkeypatch.setattr(verification, "WEB_VERIFY_LIMIT", 2)
    admin = login_as(Role.ADMIN)
    _press(admin)
    page = admin.get(PAGE).get_data(as_text=True)
    assert "takes longer than a page can wait" in problem(page)
    assert "incidents audit verify" in problem(page)
    assert _results(db, school.id) == []


def test_the_button_reads_a_snapshot_and_holds_no_append_up(
    login_as, users, db, school, a_case, monkeypatch
):
    """Issue 21: it reads as `incidents audit verify` reads, in a snapshot with no lock, in one
    process; the result goes in the next transaction. (That an append then goes on meanwhile
    is shown on a real database: tests/audit/test_audit_atomicity.py.)"""
    seen = []
    real = verification.verify_school

    def spy(session, school_id, **options):
        seen.append((options.get("lock"), options.get("workers")))
        return real(session, school_id, **options)

    monkeypatch.setattr(verification, "verify_school", spy)
    admin = login_as(Role.ADMIN)
    _press(admin)
    assert seen == [(False, 1)]
    [entry] = _results(db, school.id)
    assert entry.action == Action.AUDIT_VERIFY


def test_a_press_without_its_form_token_changes_nothing(login_as, users, db, school, a_case):
    admin = login_as(Role.ADMIN)
    response = admin.post(f"{PAGE}/verify", data={"csrf_token": "forged"})
    assert response.status_code in {302, 400}
    assert _results(db, school.id) == []


def test_without_the_signing_key_the_web_cannot_verify(users, db, school):
    # Not possible now, whatever the admin enters: a refusal, not bad input.
    with pytest.raises(Refused) as refused:
        verification.verify_now(db, actor=users[Role.ADMIN], vkey=None)
    assert "incidents audit verify" in str(refused.value)
    assert _results(db, school.id) == []


def test_unsigned_entries_older_than_an_hour_warn_that_the_schedule_stopped(
    login_as, users, db, school, a_case
):
    assert not audit_status(db, school.id).schedule_looks_stopped
    head = db.get(AuditLog, school.id)
    signed = db.scalar(
        select(func.max(AuditCheckpoint.size)).where(AuditCheckpoint.school_id == school.id)
    )
    assert head.size > signed  # the case view and notes after the recording are unsigned
    db.execute(
        update(AuditEntry)
        .where(AuditEntry.school_id == school.id, AuditEntry.seq == signed)
        .values(at=utcnow() - timedelta(hours=2))
    )
    db.commit()
    status = audit_status(db, school.id)
    assert status.schedule_looks_stopped and status.unsigned == head.size - signed
    page = login_as(Role.ADMIN).get(PAGE).get_data(as_text=True)
    assert "scheduled checkpoint looks not to be running" in page


def test_cli_verify_records_each_schools_result(signed_app, school_with_cases):
    school, _ = school_with_cases
    result = run(signed_app, "audit", "verify", "--school", school.urn)
    assert result.exit_code == 0, result.output
    db = signed_app.extensions["incidents.sessions"]()
    [entry] = _results(db, school.id)
    assert entry.action == Action.AUDIT_VERIFY and entry.actor_id is None
    assert json.loads(entry.detail.reveal())["entries"] == entry.seq
    # The recorded result is itself part of the log, which still verifies.
    assert run(signed_app, "audit", "verify", "--school", school.urn).exit_code == 0
    assert len(_results(db, school.id)) == 2


def test_cli_verify_records_a_failure_too(signed_app, school_with_cases):
    school, _ = school_with_cases
    db = signed_app.extensions["incidents.sessions"]()
    db.execute(
        update(AuditEntry)
        .where(AuditEntry.school_id == school.id, AuditEntry.seq == 1)
        .values(leaf_hash=b"\0" * 32)
    )
    db.commit()
    result = run(signed_app, "audit", "verify", "--school", school.urn)
    assert result.exit_code == 1 and "entry 1" in result.output
    [entry] = _results(db, school.id)
    assert entry.action == Action.AUDIT_VERIFY_FAILED
    assert json.loads(entry.detail.reveal())["first_bad"] == 1
