"""Issue 13, items 3 and 13, in a real browser: the case manager changed with a reason, and a
legal hold placed and lifted on the case page (errors first, every page axe-checked)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from incidents.models import Role
from tests.browser.conftest import Live, Visit
from tests.browser.test_journeys import _record


def test_head_places_and_lifts_a_legal_hold_and_changes_the_case_manager(
    live: Live, visit: Visit, page: Page
) -> None:
    visit.sign_in(live, Role.HEADTEACHER)
    _record(
        page,
        visit,
        source="A parent or carer",
        who="Lee Legalhold",
        narrative="A parent's solicitor wrote about a teacher's messages.",
    )
    expect(page.get_by_text("The headteacher manages the case.")).to_be_visible()

    page.get_by_role("link", name="Place a legal hold (the case must be kept)").click()
    expect(page.get_by_role("heading", name="Place a legal hold")).to_be_visible()
    visit.check("legal hold form")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("legal hold form with errors")
    page.get_by_label("Litigation, or a claim expected").check()
    page.get_by_label("Who asked, and what for?").fill("Solicitor's letter of claim, 3 March")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.get_by_text("A legal hold is in place").first).to_be_visible()
    visit.check("case under a legal hold")

    page.get_by_role("link", name=re.compile("Lift this legal hold")).click()
    visit.check("lift legal hold form")
    page.get_by_label("Why can the hold be lifted?").fill("Claim withdrawn")
    page.get_by_role("button", name="Lift the hold").click()
    expect(page.get_by_text("Legal hold lifted")).to_be_visible()
    visit.check("legal hold lifted")

    page.get_by_role("link", name="Change the case manager").click()
    expect(page.get_by_role("heading", name="Change the case manager")).to_be_visible()
    visit.check("change case manager form")
    page.get_by_role("button", name="Change the case manager").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("change case manager with errors")
    page.get_by_role("group", name="Who should manage the case?").get_by_role("radio").first.check()
    page.get_by_label("Why is the case manager changing?").fill("The head is a witness")
    page.get_by_role("button", name="Change the case manager").click()
    expect(page.get_by_text("Case manager changed")).to_be_visible()
    visit.check("case manager changed")
