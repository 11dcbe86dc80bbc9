"""The governors' statistics in a real browser: the page passes axe with no violations, its
chart images load (as images: no script runs), a download asks for the password first, and the
trust officer's view works too."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from incidents.clock import local_today
from incidents.models import DisclosureSource, Role, School, User
from tests import factories
from tests.browser.conftest import Live, Visit
from tests.stats_release_cases import publish_to_date


def _some_cases(live: Live) -> None:
    with live.db() as db:
        head = db.scalar(select(User).where(User.email == live.emails[Role.HEADTEACHER]))
        assert head is not None
        for i in range(12):
            source = DisclosureSource.PARENT if i < 9 else DisclosureSource.ANONYMOUS
            factories.make_case(
                db, head, source=source, became_aware_on=local_today() - timedelta(days=i % 4)
            )
        db.commit()
        publish_to_date(db)


def _charts_load(page: Page) -> None:
    charts = page.locator("img.app-stats-chart")
    expect(charts).to_have_count(2)
    # naturalWidth stays 0 for an image the browser could not load or decode.
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.app-stats-chart')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    for i in range(2):
        assert charts.nth(i).get_attribute("alt")


def test_governor_reads_the_statistics(live: Live, visit: Visit, page: Page) -> None:
    _some_cases(live)
    visit.sign_in(live, Role.GOVERNOR)
    page.get_by_role("link", name="See the statistics").click()
    expect(page.get_by_role("heading", name="Statistics for", exact=False)).to_be_visible()
    _charts_load(page)
    expect(page.get_by_role("table", name="Cases by track")).to_be_visible()
    visit.check("statistics")

    page.get_by_label("Academic year").select_option(index=1)
    page.get_by_role("button", name="Show figures").click()
    # Nothing was published for last year here: the page says so (and passes axe).
    expect(page.get_by_text("No figures have been published for", exact=False)).to_be_visible()
    visit.check("statistics last year")

    page.goto("/statistics/?year=nonsense")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("statistics with a bad year")


def test_governor_downloads_the_figures_after_confirming_it_is_them(
    live: Live, visit: Visit, page: Page
) -> None:
    # Issue 19, item 12: a download asks for the password again and why, then comes back here.
    with live.db() as db:
        publish_to_date(db)
    visit.sign_in(live, Role.GOVERNOR)
    page.goto("/statistics/")
    page.get_by_role("link", name="Figures as a spreadsheet (CSV)").click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    visit.check("confirm it is you before a download")
    page.get_by_role("textbox", name="Your password").fill(factories.PASSWORD)
    page.get_by_label("Why", exact=False).fill("For the full governing body meeting")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You have confirmed it is you", exact=False)).to_be_visible()
    visit.check("statistics after confirming")
    with page.expect_download() as download:
        page.get_by_role("link", name="Figures as a spreadsheet (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")


def test_trust_officer_sees_every_school(live: Live, visit: Visit, page: Page) -> None:
    with live.db() as db:
        if db.scalar(select(School).where(School.name == "Browser Second Academy")) is None:
            factories.make_school(db, name="Browser Second Academy")
            db.commit()
        # A release made before the second school existed has no trust page: revise it.
        publish_to_date(db, revise=True)
    visit.sign_in(live, Role.TRUST_OFFICER)
    page.get_by_role("link", name="Statistics", exact=True).click()
    expect(page.get_by_role("table", name="Cases by school")).to_be_visible()
    _charts_load(page)
    visit.check("trust statistics")
