"""Evidence in the case bundle (`incidents audit prove --case`): each file's hash and the salt
of its leaf's commitment, proved by inclusion; the standalone verifier checks a file someone
was given against the bundle, and rejects it with one byte changed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flask import Flask

from incidents.casework.evidence import commands as evidence
from incidents.models import Role
from tests import REPO, factories
from tests.casework.evidence import samples
from tests.casework.evidence.conftest import LIMITS, upload
from tests.conftest import run_cli as run


def _verify(vkey: str, bundle: Path, file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "incidents.audit.verifier",
            "file",
            "--key",
            vkey,
            str(bundle),
            str(file),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )


def test_a_file_is_checked_against_the_case_bundle(signed_app: Flask, tmp_path: Path) -> None:
    db = signed_app.extensions["incidents.sessions"]()
    school = factories.make_school(db)
    head = factories.make_user(db, school, Role.HEADTEACHER)
    case = factories.make_case(db, head)
    photo = samples.image("PNG", (64, 48))
    [item] = evidence.add_evidence(
        db, actor=head, case=case, uploads=[upload("shot.png", photo)], limits=LIMITS
    )
    db.commit()

    out = tmp_path / "case.json"
    result = run(
        signed_app,
        "audit",
        "prove",
        "--school",
        school.urn,
        "--case",
        case.reference,
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    [listed] = data["files"]
    assert listed["sha256"] == item.sha256 and listed["size"] == len(photo)
    assert listed["seq"] in {e["seq"] for e in data["entries"]}
    assert "shot.png" not in out.read_text()  # names never leave in the bundle

    vkey = run(signed_app, "audit", "public-key").output.strip()
    given = tmp_path / "given.png"
    given.write_bytes(photo)
    ok = _verify(vkey, out, given)
    assert ok.returncode == 0, ok.stderr
    assert f"entry {listed['seq']}" in ok.stdout

    changed = bytearray(photo)
    changed[-10] ^= 1
    given.write_bytes(bytes(changed))
    bad = _verify(vkey, out, given)
    assert bad.returncode == 1
    assert "is not any file this evidence proves" in bad.stderr

    # A bundle whose listed hash was edited to match the changed file fails too: the leaf
    # commits to the original.
    import hashlib

    listed["sha256"] = hashlib.sha256(bytes(changed)).hexdigest()
    out.write_text(json.dumps(data))
    assert _verify(vkey, out, given).returncode == 1


def test_evidence_verify_names_the_file_that_was_altered(signed_app: Flask) -> None:
    from sqlalchemy import select, update

    from incidents.models import EvidenceChunk

    db = signed_app.extensions["incidents.sessions"]()
    school = factories.make_school(db)
    head = factories.make_user(db, school, Role.HEADTEACHER)
    case = factories.make_case(db, head)
    [good, bad] = evidence.add_evidence(
        db,
        actor=head,
        case=case,
        uploads=[upload("a.txt", samples.TEXT), upload("b.pdf", samples.PDF)],
        limits=LIMITS,
    )
    db.commit()
    ok = run(signed_app, "evidence", "verify", "--school", school.urn)
    assert ok.exit_code == 0 and "2 files verified" in ok.output
    stored = db.scalar(select(EvidenceChunk.data).where(EvidenceChunk.file_id == bad.id))
    db.execute(
        update(EvidenceChunk)
        .where(EvidenceChunk.file_id == bad.id)
        .values(data=bytes(stored)[:-1] + bytes([stored[-1] ^ 1]))
    )
    db.commit()
    failed = run(signed_app, "evidence", "verify", "--school", school.urn, "--case", case.reference)
    assert failed.exit_code == 1
    assert f"file {bad.id}" in failed.output and f"hash {bad.sha256[:12]}" in failed.output
    assert f"file {good.id}" not in failed.output
    assert "1 of 2 files do not match" in failed.output
