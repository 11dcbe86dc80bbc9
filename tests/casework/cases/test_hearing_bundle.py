"""The hearing bundle from the case page (issue 17, item 7): the case manager downloads, after
the password again and a reason, a zip of the JSON proofs the standalone verifier accepts and a
readable PDF of the same entries; the export is an audit entry; nobody else gets it."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from incidents.casework.disciplinary import commands as disciplinary
from incidents.models import AuditEntry, CaseKind, PersonKind, Role
from tests import REPO, factories
from tests.case_routes import TODAY, upheld
from tests.conftest import confirm_it_is_you, run_cli, sign_in


def test_the_case_manager_downloads_a_bundle_that_verifies(
    signed_app: Flask, tmp_path: Path
) -> None:
    db = signed_app.extensions["incidents.sessions"]()
    school = factories.make_school(db)
    head = factories.make_user(db, school, Role.HEADTEACHER)
    dsl = factories.make_user(db, school, Role.DSL)
    for user in (head, dsl):
        factories.enrol_two_factor(db, user)
    case = upheld(db, head, PersonKind.STAFF, CaseKind.POLICY_BREACH)
    process = disciplinary.start_disciplinary(db, actor=head, case=case, person_id=None)
    disciplinary.record_hearing(db, actor=head, case=case, process_id=process.id, hearing_on=TODAY)
    db.commit()
    url = f"/cases/{case.id}/disciplinary/{process.id}/hearing-bundle.zip"

    other = signed_app.test_client()
    sign_in(other, dsl.email)
    assert other.get(url).status_code == 403  # a DSL progresses cases; decisions are the manager's

    client = signed_app.test_client()
    sign_in(client, head.email)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert url in page
    first = client.get(url)
    assert urlsplit(first.location).path == "/reauthenticate/export"
    confirm_it_is_you(client, "export", case.id, reason="For the hearing on Monday")
    # The web app holds no signing key (issue 19, item 8): until the signer has pinned its
    # verifier key beside the checkpoint files, nothing can be checked, so nothing is exported.
    refused = client.get(url)
    assert refused.status_code == 302
    banner = client.get(refused.location).get_data(as_text=True)
    assert "No verifier key has been pinned" in banner
    exports = select(AuditEntry).where(AuditEntry.action == "audit.export")
    assert db.scalars(exports).first() is None
    assert run_cli(signed_app, "audit", "checkpoint").exit_code == 0  # the signer's timer
    response = client.get(url)

    assert response.status_code == 200 and response.mimetype == "application/zip"
    files = zipfile.ZipFile(io.BytesIO(response.data))
    assert set(files.namelist()) == {"evidence.json", "bundle.pdf", "README.txt"}
    data = json.loads(files.read("evidence.json"))
    leaves = [json.loads(e["leaf"]) for e in data["entries"]]
    assert leaves[-1]["action"] == "audit.export" and leaves[-1]["oid"] == str(process.id)
    assert "case.view" not in {leaf["action"] for leaf in leaves}
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(files.read("bundle.pdf"))).pages
    )
    assert "OFFICIAL-SENSITIVE" in text and "Exported audit evidence" in text
    assert "Recorded the case" in text
    out = tmp_path / "evidence.json"
    out.write_bytes(files.read("evidence.json"))
    vkey = run_cli(signed_app, "audit", "public-key").output.strip()
    check = subprocess.run(
        [sys.executable, "-m", "incidents.audit.verifier", "evidence", "--key", vkey, str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert check.returncode == 0, check.stderr
