"""Evidence in a real browser (issue 14): a member of staff reports a concern with a
screenshot; the headteacher sees it on the case, "Verified", opens the preview (a copy the
server drew again), downloads the original byte for byte, and adds a replacement with a
reason. Every page passes axe."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select

from incidents.clock import local_today
from incidents.models import Case, EvidenceFile, Role
from tests.browser.conftest import Live, Visit


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(out, "PNG")
    return out.getvalue()


SCREENSHOT = _png((30, 120, 200))
_WATCH_PROGRESS = """() => {
  const panel = document.querySelector("[data-upload-progress]");
  const bar = panel.querySelector("progress");
  new MutationObserver(() => {
    if (!panel.hidden) sessionStorage.setItem("progress-shown", "yes");
    sessionStorage.setItem("progress-value", bar.getAttribute("value"));
  }).observe(panel, { attributes: true, subtree: true, childList: true, characterData: true });
}"""
CLEARER = _png((30, 160, 90))


def test_staff_screenshot_head_previews_downloads_and_replaces(
    live: Live, visit: Visit, page: Page, tmp_path: Path
) -> None:
    visit.sign_in(live, Role.STAFF)
    page.get_by_role("link", name="Report a concern").click()
    page.get_by_label("Name of someone not listed (optional)").fill("Evi Dence")
    page.get_by_role("group", name="Their role (if you entered a name)").get_by_label(
        "Member of staff", exact=True
    ).check()
    page.get_by_label("What happened?").fill("A post about a pupil on a personal account.")
    group = page.get_by_role("group", name="When did you become aware of it?")
    aware = local_today() - timedelta(days=1)
    group.get_by_label("Day").fill(str(aware.day))
    group.get_by_label("Month").fill(str(aware.month))
    group.get_by_label("Year").fill(str(aware.year))
    page.get_by_label("Attach files (optional)").set_input_files(
        {"name": "post-screenshot.png", "mimeType": "image/png", "buffer": SCREENSHOT}
    )
    page.get_by_label("What do the files show? (optional)").fill("The post, as I saw it")
    visit.check("report with a screenshot")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Report sent")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    with live.db() as db:
        item = db.scalars(select(EvidenceFile).order_by(EvidenceFile.created_at.desc())).first()
        assert item is not None
        case = db.get(Case, item.case_id)
        assert case is not None
        case_id, file_id, short_hash = case.id, item.id, item.sha256[:12]

    visit.sign_in(live, Role.HEADTEACHER)
    page.goto(f"/cases/{case_id}")
    section = page.locator(f"#file-{file_id}")
    expect(section.get_by_text("Verified")).to_be_visible()
    expect(section.get_by_text("identity sealed")).to_be_visible()
    visit.check("case page with evidence")

    page.get_by_role("link", name="post-screenshot.png", exact=True).click()
    expect(page.get_by_role("heading", name="post-screenshot.png")).to_be_visible()
    preview = page.get_by_role("img", name=re.compile("Preview of"))
    expect(preview).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", preview.element_handle()) == 320
    visit.check("preview")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the original").click()
    saved = tmp_path / "download.png"
    download.value.save_as(saved)
    assert saved.read_bytes() == SCREENSHOT
    assert download.value.suggested_filename == "post-screenshot.png"

    expect(page.get_by_role("link", name="Back to the case")).to_be_visible()
    page.goto(f"/cases/{case_id}")
    page.get_by_role("link", name=re.compile(r"Replace\s+post-screenshot.png")).click()
    expect(page.get_by_role("heading", name="Replace a file of evidence")).to_be_visible()
    visit.check("replace form")
    page.get_by_role("button", name="Add the replacement").click()  # empty: errors first
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("replace form with errors")
    page.get_by_label("Upload a file").set_input_files(
        {"name": "post-clearer.png", "mimeType": "image/png", "buffer": CLEARER}
    )
    page.get_by_label("What does it show?").fill("A clearer copy from the parent")
    page.get_by_role("group", name="Where did it come from?").get_by_label(
        "Given by a parent or carer"
    ).check()
    page.get_by_label("Why does this file replace the earlier one?").fill(
        "The first screenshot was cropped"
    )
    # The page shows how much has been sent (static/upload-progress.js): what the panel showed
    # is noted in the tab's session storage, which outlives the move to the case page.
    page.evaluate(_WATCH_PROGRESS)
    page.get_by_role("button", name="Add the replacement").click()
    expect(page.get_by_text("Replacement file added")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('progress-shown')") == "yes"
    assert page.evaluate("sessionStorage.getItem('progress-value')") == "100"
    expect(page.get_by_text(f"Replaces the file with hash {short_hash}")).to_be_visible()
    visit.check("case page after replacing")
