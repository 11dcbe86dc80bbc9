"""The alerts inbox and the email preferences in a real browser: the DSL sees a new report in
"Needs your attention" with the count in the header, opens it (it is then read), and chooses
the daily digest (an empty answer first). Every page passes axe."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from incidents.models import DisclosureSource, Role, User
from tests import factories
from tests.browser.conftest import Live, Visit


def test_dsl_reads_an_alert_and_chooses_the_daily_digest(
    live: Live, visit: Visit, page: Page
) -> None:
    with live.db() as db:
        staff = db.scalars(select(User).where(User.email == live.emails[Role.STAFF])).one()
        case = factories.make_case(db, staff, source=DisclosureSource.STAFF)
        db.commit()
        reference, case_id = case.reference, case.id

    visit.sign_in(live, Role.DSL)
    expect(page.get_by_role("heading", name="Needs your attention")).to_be_visible()
    alert = page.get_by_role("link", name=f"A new concern has been reported: {reference}")
    expect(alert).to_be_visible()
    expect(page.locator(".app-alert-count")).to_be_visible()
    unread = int(page.locator(".app-alert-count").inner_text())
    visit.check("inbox")

    alert.click()
    expect(page).to_have_url(f"{live.url}/cases/{case_id}")
    visit.check("case opened from the inbox")
    page.get_by_role("link", name="Home").first.click()
    expect(
        page.get_by_role("link", name=f"A new concern has been reported: {reference}")
    ).to_have_count(0)
    if unread > 1:
        expect(page.locator(".app-alert-count")).to_have_text(str(unread - 1))

    page.get_by_role("link", name="Choose how you are emailed about new cases and tasks").click()
    expect(page.get_by_role("heading", name="How you are emailed")).to_be_visible()
    visit.check("preferences")
    page.get_by_label("Email me once a day, at 7am on working days").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your email preference has been saved")).to_be_visible()
    visit.check("preferences saved")
