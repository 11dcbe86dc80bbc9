"""`incidents audit prove --disciplinary ID`: the evidence bundle for a hearing holds every entry
about the process and its case, verifies with the standalone verifier like `--case`, and a bad or
unknown id (or both options, or neither) is refused with a clear message and no file."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from flask import Flask

from incidents.casework.cases.commands import get_case
from incidents.casework.disciplinary import commands as disciplinary
from incidents.models import CaseKind, PersonKind, Role, School
from tests import REPO, factories
from tests.case_routes import TODAY, upheld
from tests.conftest import run_cli as run


@pytest.fixture
def process_and_noise(signed_app: Flask) -> tuple[School, disciplinary.DisciplinaryProcess]:
    db = signed_app.extensions["incidents.sessions"]()
    school = factories.make_school(db)
    head = factories.make_user(db, school, Role.HEADTEACHER)
    factories.make_case(db, head)  # another case: its entries must stay out of the bundle
    case = upheld(db, head, PersonKind.STAFF, CaseKind.POLICY_BREACH)
    get_case(db, actor=head, case_id=case.id)  # an opening of the case: not for the hearing
    process = disciplinary.start_disciplinary(db, actor=head, case=case, person_id=None)
    disciplinary.record_hearing(db, actor=head, case=case, process_id=process.id, hearing_on=TODAY)
    db.commit()
    return school, process


def test_prove_disciplinary_writes_a_bundle_the_standalone_verifier_accepts(
    signed_app: Flask,
    process_and_noise: tuple[School, disciplinary.DisciplinaryProcess],
    tmp_path: Path,
) -> None:
    school, process = process_and_noise
    out = tmp_path / "hearing.json"
    result = run(
        signed_app,
        "audit",
        "prove",
        "--school",
        school.urn,
        "--disciplinary",
        str(process.id),
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert f"disciplinary process {process.id}" in result.output
    data = json.loads(out.read_text())
    leaves = [json.loads(e["leaf"]) for e in data["entries"]]
    assert {leaf["case"] for leaf in leaves} == {str(process.case_id)}
    about_process = [leaf["action"] for leaf in leaves if leaf["oid"] == str(process.id)]
    # Every step of the process, then the export itself (recorded before the proofs).
    assert about_process == ["case.disciplinary", "disciplinary.hearing", "audit.export"]
    assert leaves[-1]["obj"] == "disciplinary"
    # The case's milestones come too, so the hearing sees when the school acted; who opened
    # the case (and any sealed reporter's own entry) does not: the person at the hearing
    # sees this file.
    actions = {leaf["action"] for leaf in leaves}
    assert {"case.record", "case.triage", "case.outcome"} <= actions
    assert not actions & {"case.view", "case.report", "reporter.reveal"}
    vkey = run(signed_app, "audit", "public-key").output.strip()
    check = subprocess.run(
        [sys.executable, "-m", "incidents.audit.verifier", "evidence", "--key", vkey, str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--disciplinary", "not-an-id"], "not a disciplinary process id"),
        (["--disciplinary", str(uuid.uuid4())], "No disciplinary process with that id"),
        (["--disciplinary", "{case_id}"], "No disciplinary process with that id"),
        (["--disciplinary", "{id}", "--case", "2026-0001"], "either --case or --disciplinary"),
        ([], "either --case or --disciplinary"),
    ],
)
def test_a_bad_disciplinary_id_is_explained(
    signed_app: Flask,
    process_and_noise: tuple[School, disciplinary.DisciplinaryProcess],
    args: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    school, process = process_and_noise
    filled = [a.format(id=process.id, case_id=process.case_id) for a in args]
    result = run(signed_app, "audit", "prove", "--school", school.urn, *filled, "--out", "x.json")
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "x.json").exists()


def test_another_schools_process_is_not_found(
    signed_app: Flask,
    process_and_noise: tuple[School, disciplinary.DisciplinaryProcess],
    tmp_path: Path,
) -> None:
    _, process = process_and_noise
    db = signed_app.extensions["incidents.sessions"]()
    other = factories.make_school(db, name="Other Primary")
    db.commit()
    out = tmp_path / "x.json"
    result = run(
        signed_app,
        "audit",
        "prove",
        "--school",
        other.urn,
        "--disciplinary",
        str(process.id),
        "--out",
        str(out),
    )
    assert result.exit_code != 0
    assert "No disciplinary process with that id at this school" in result.output
    assert not out.exists()
