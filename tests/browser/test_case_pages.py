"""Issue 17 in a real browser, at 1280px and at 320px: record a disclosure through
check-your-answers, read the case page (no sideways scrolling at 320px, scroll regions
focusable, axe clean), and download the case file after the password and a reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from incidents.clock import local_today
from incidents.models import Role
from tests import factories
from tests.browser.conftest import Live, Visit
from tests.browser.test_journeys import _fill_date, _new_subject


def _no_sideways_scroll(page: Page, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"the page is {overflow}px wide at {width}px"


@pytest.mark.parametrize("width", [1280, 320])
def test_record_read_and_print_a_case(live: Live, visit: Visit, page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    visit.sign_in(live, Role.HEADTEACHER)
    page.goto("/cases/")  # at 320px the navigation is behind a menu button
    _no_sideways_scroll(page, width)
    page.get_by_role("button", name=re.compile("Record a")).first.click()
    page.get_by_role("group", name="Who told you?").get_by_label(
        "A parent or carer", exact=True
    ).check()
    page.get_by_label("Their name and how to contact them (optional)").fill(
        f"Morgan Parent{width}, 07700 900456"
    )
    _new_subject(page, f"Drew Teacher{width}", "Member of staff")
    page.get_by_label("What happened?").fill("A parent said a teacher messaged her son.")
    # The date the school became aware is filled in with today: left as it is.
    group = page.get_by_role("group", name="When did you become aware of it?")
    expect(group.get_by_label("Day")).to_have_value(f"{local_today():%d}")
    _fill_date(page, "When did it happen? (optional)", local_today())
    visit.check(f"record form {width}")
    _no_sideways_scroll(page, width)
    page.get_by_role("button", name="Record", exact=True).click()

    expect(page.get_by_role("heading", name=re.compile("Check your answers"))).to_be_visible()
    expect(page.get_by_text(f"Morgan Parent{width}, 07700 900456")).to_be_visible()
    visit.check(f"check your answers {width}")
    _no_sideways_scroll(page, width)
    page.get_by_role("button", name="Record the disclosure").click()

    expect(page.get_by_role("heading", name=re.compile(r"Case \d{4}-\d{4}"))).to_be_visible()
    expect(page.get_by_text(f"Morgan Parent{width}, 07700 900456")).to_be_visible()
    expect(
        page.get_by_role("heading", name="What needs doing before the case can close")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    visit.check(f"case page {width}")
    _no_sideways_scroll(page, width)

    page.get_by_role("link", name="Download the case file (PDF)").click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    visit.check(f"password before printing {width}")
    page.get_by_label("Your password", exact=True).fill(factories.PASSWORD)
    page.get_by_label("Why do you need access?").fill("The LADO asked for the case file")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text(re.compile("You can download it until"))).to_be_visible()
    visit.check(f"case page ready to print {width}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the case file (PDF)").click()
    path = download.value.path()
    assert download.value.suggested_filename.startswith("case-file-")
    assert Path(path).read_bytes()[:5] == b"%PDF-"
