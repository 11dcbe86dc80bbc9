"""The source of an entry (the issue's source:subject:action): new entries written from the
web or a command say so in an added "src" key, and leaves without it (every entry written
before, and any other caller's) still verify, in the app and in the standalone verifier."""

from __future__ import annotations

import json

from sqlalchemy import select

from incidents.audit import Action, record, tlog
from incidents.audit.evidence import export_log
from incidents.audit.verifier import main as verifier_main
from incidents.audit.verify import verify_school
from incidents.models import AuditEntry, Role
from tests import factories
from tests.conftest import run_cli as run


def _leaf(entry: AuditEntry) -> dict[str, object]:
    return json.loads(entry.leaf)


def test_a_case_opened_on_the_web_says_web(login_as, users, db):
    case = factories.make_case(db, users[Role.HEADTEACHER])
    db.commit()
    login_as(Role.HEADTEACHER).get(f"/cases/{case.id}")
    view = db.scalar(
        select(AuditEntry).where(AuditEntry.case_id == case.id, AuditEntry.action == "case.view")
    )
    assert _leaf(view)["src"] == "web"


def test_a_command_says_cli(signed_app, school_with_cases):
    school, _ = school_with_cases
    assert run(signed_app, "audit", "verify", "--school", school.urn).exit_code == 0
    db = signed_app.extensions["incidents.sessions"]()
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == Action.AUDIT_VERIFY.value))
    assert _leaf(entry)["src"] == "cli"


def test_leaves_without_a_source_and_with_one_verify_together(db, school, users, signer, tmp_path):
    head = users[Role.HEADTEACHER]
    old = record(db, school_id=school.id, action=Action.SIGN_IN, actor=head)  # no source: v1
    db.info["audit_source"] = "web"
    new = record(db, school_id=school.id, action=Action.SIGN_IN, actor=head, checkpoint=True)
    db.flush()
    assert "src" not in _leaf(old) and _leaf(new)["src"] == "web"
    assert tlog.parse_entry(bytes(old.leaf)) and tlog.parse_entry(bytes(new.leaf))
    report = verify_school(db, school.id, vkey=signer.verifier_key)
    assert report.ok, report.problems
    out = tmp_path / "log.jsonl"
    export_log(db, school.id, signer.verifier_key, out)
    assert verifier_main(["export", "--key", signer.verifier_key, str(out)]) == 0
