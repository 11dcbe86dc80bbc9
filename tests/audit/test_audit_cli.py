"""`incidents audit`: key generation, checkpoints (files for the local authority), verification
with a non-zero exit naming the first bad entry, and evidence files that verify elsewhere."""

from __future__ import annotations

import dataclasses
import json
import stat
import subprocess
import sys

import pytest
from sqlalchemy import select, update

from incidents import create_app
from incidents.models import AuditEntry
from tests import REPO
from tests.conftest import run_cli as run


def test_keygen_makes_a_private_key_and_prints_the_verifier_key(
    settings, session_factory, tmp_path
):
    path = tmp_path / "k" / "audit.key"
    app = create_app(
        settings=dataclasses.replace(settings, signing_key_file=path),
        session_factory=session_factory,
        overrides={"TESTING": True},
    )
    result = run(app, "audit", "keygen")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    vkey = result.output.strip().split()[-1]
    assert vkey.startswith("incidents-audit+")
    assert "PRIVATE" not in result.output
    assert run(app, "audit", "public-key").output.strip() == vkey
    again = run(app, "audit", "keygen")
    assert again.exit_code != 0 and "refusing to overwrite" in again.output
    assert run(app, "audit", "keygen", "--if-missing").exit_code == 0


def test_commands_say_when_the_signing_key_is_missing(settings, session_factory, tmp_path):
    app = create_app(
        settings=dataclasses.replace(settings, signing_key_file=tmp_path / "none"),
        session_factory=session_factory,
        overrides={"TESTING": True},
    )
    result = run(app, "audit", "checkpoint")
    assert result.exit_code != 0 and "audit keygen" in result.output
    # Verifying needs no signing key (any user can check the log against the pinned key).
    assert run(app, "audit", "verify").exit_code == 0


def test_checkpoint_writes_files_and_verify_passes(signed_app, school_with_cases, tmp_path):
    school, _cases = school_with_cases
    result = run(signed_app, "audit", "checkpoint", "--school", school.urn)
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "checkpoints").rglob("*.checkpoint"))
    assert files and files[-1].read_text().startswith(f"incidents.invalid/audit/{school.urn}\n")
    ok = run(signed_app, "audit", "verify", "--school", school.urn, "--checkpoint", str(files[-1]))
    assert ok.exit_code == 0, ok.output
    assert "verified" in ok.output


def test_verify_fails_and_names_the_entry(signed_app, school_with_cases):
    school, _ = school_with_cases
    db = signed_app.extensions["incidents.sessions"]()
    victim = db.scalar(
        select(AuditEntry).where(AuditEntry.school_id == school.id, AuditEntry.seq == 2)
    )
    db.execute(
        update(AuditEntry)
        .where(AuditEntry.id == victim.id)
        .values(leaf=bytes(victim.leaf).replace(b'"v":1', b'"v":2'))
    )
    db.commit()
    result = run(signed_app, "audit", "verify", "--school", school.urn)
    assert result.exit_code == 1
    assert "entry 2: its bytes were altered" in result.output


def test_prove_writes_evidence_that_the_standalone_verifier_accepts(
    signed_app, school_with_cases, tmp_path
):
    school, cases = school_with_cases
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
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert {json.loads(e["leaf"])["case"] for e in data["entries"]} == {str(cases[1].id)}
    assert json.loads(data["entries"][-1]["leaf"])["action"] == "audit.export"
    vkey = run(signed_app, "audit", "public-key").output.strip()
    check = subprocess.run(
        [sys.executable, "-m", "incidents.audit.verifier", "evidence", "--key", vkey, str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert check.returncode == 0, check.stderr


def test_export_writes_every_leaf(signed_app, school_with_cases, tmp_path):
    school, _ = school_with_cases
    out = tmp_path / "log.jsonl"
    result = run(signed_app, "audit", "export", "--school", school.urn, "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert json.loads(lines[0])["origin"].endswith(school.urn)
    assert sum(1 for line in lines if '"leaf"' in line) >= 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["prove", "--school", "{urn}", "--case", "2099-9999", "--out", "x.json"], "No case"),
        (
            ["prove", "--school", "000000", "--case", "2026-0001", "--out", "x.json"],
            "No school has that URN",
        ),
        (["prove", "--school", "{urn}", "--case", "2026-0001"], "Missing option '--out'"),
        (["verify", "--school", "000000"], "No school has that URN"),
        (["verify", "--checkpoint", "/nonexistent.checkpoint"], "does not exist"),
        (["export", "--school", "{urn}"], "Missing option '--out'"),
    ],
)
def test_bad_options_are_explained(
    signed_app, school_with_cases, args, message, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    school, _ = school_with_cases
    result = run(signed_app, "audit", *[a.replace("{urn}", school.urn) for a in args])
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "x.json").exists()
