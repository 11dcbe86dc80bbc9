"""The audit trail in a real browser: the case manager reads a case's history on the case page;
the administrator reads the audit status page and verifies the log. Every page passes axe."""

from __future__ import annotations

import re
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Page, expect
from sqlalchemy import select

from incidents.audit.evidence import write_checkpoint_files
from incidents.audit.log import sign_head
from incidents.audit.signer import Signer
from incidents.clock import local_today
from incidents.models import AuditLog, Role, User
from tests.browser.conftest import Live, Visit


def test_the_case_manager_sees_the_case_history(live: Live, visit: Visit, page: Page) -> None:
    visit.sign_in(live, Role.HEADTEACHER)
    page.get_by_role("link", name="Cases", exact=True).first.click()
    page.get_by_role("button", name=re.compile("Record a")).first.click()
    page.get_by_role("group", name="Who told you?").get_by_label(
        "A parent or carer", exact=True
    ).check()
    page.get_by_label("Name of someone not listed (optional)").fill("Harper Historycase")
    page.get_by_role("group", name="Their role (if you entered a name)").get_by_label(
        "Member of staff", exact=True
    ).check()
    page.get_by_label("What happened?").fill("A parent said a teacher messaged her son.")
    group = page.get_by_role("group", name="When did you become aware of it?")
    today = local_today()
    group.get_by_label("Day").fill(str(today.day))
    group.get_by_label("Month").fill(str(today.month))
    group.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Record", exact=True).click()
    page.get_by_role("button", name="Record the disclosure").click()  # check your answers
    # The history is on the one timeline with the chronology (issue 17, item 2).
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    history = page.locator("ol.app-chronology")
    expect(history.get_by_text(re.compile("Recorded the case"))).to_be_visible()
    expect(history.get_by_text(re.compile("Opened the case")).first).to_be_visible()
    expect(history.get_by_text(re.compile("Headteacher")).first).to_be_visible()
    visit.check("case with its history")


def test_admin_sees_the_audit_status_and_verifies_the_log(
    live: Live, visit: Visit, page: Page
) -> None:
    visit.sign_in(live, Role.ADMIN)
    # A checkpoint signed, and written out with its key pinned, as the signer's run does (the
    # web app holds no key): a log with nothing signed to anchor it to does not pass (issue
    # 19, item 4), and the web app checks against the pinned key (item 8).
    signer = Signer(name="browser-audit", private=Ed25519PrivateKey.generate())
    settings = live.app.extensions["incidents.settings"]
    folder = settings.checkpoint_dir or Path(live.app.instance_path) / "checkpoints"
    with live.db() as db:
        db.info["signer"] = signer
        admin = db.scalar(select(User).where(User.email == live.emails[Role.ADMIN]))
        assert admin is not None
        head = db.get(AuditLog, admin.school_id)
        assert head is not None
        sign_head(db, head, reason="scheduled")
        db.commit()
        write_checkpoint_files(db, admin.school_id, folder, signer.verifier_key)
    page.get_by_role("link", name="Audit trail: checkpoints and verification").click()
    expect(page.get_by_role("heading", name="Audit trail", exact=True)).to_be_visible()
    visit.check("audit status")
    page.get_by_role("button", name="Verify the log now").click()
    expect(page.get_by_text("The log was verified: no problems found.")).to_be_visible()
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    visit.check("audit status after verification")
