"""Signing in, in a real browser: password then code, a wrong password, a wrong code, an expired
session, and the hide-screen button."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from incidents.models import LoginSession, Role, User
from incidents.models.base import utcnow
from tests.browser.conftest import Live, Visit, forget_last_code

WRONG = "not the right password at all"


def test_staff_signs_in_and_out(live: Live, visit: Visit, page: Page) -> None:
    visit.sign_in(live, Role.STAFF)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    visit.check("signed out")


def test_a_wrong_password_shows_the_generic_error(live: Live, visit: Visit, page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(live.emails[Role.STAFF])
    page.get_by_label("Password", exact=True).fill(WRONG)
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a correct email address and password")
    # GOV.UK error summaries take focus so screen-reader users hear the problem first.
    expect(summary).to_be_focused()
    visit.check("wrong password")


def test_a_wrong_code_is_refused_and_nobody_is_signed_in(
    live: Live, visit: Visit, page: Page
) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(live.emails[Role.HEADTEACHER])
    page.get_by_label("Password", exact=True).fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    forget_last_code(live, Role.HEADTEACHER)
    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct security code")
    visit.check("wrong code")
    page.goto("/cases/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_an_idle_session_ends_with_an_explanation(live: Live, visit: Visit, page: Page) -> None:
    visit.sign_in(live, Role.STAFF)
    # Age this user's live sessions past the idle limit instead of waiting 20 minutes.
    with live.db() as db:
        user_id = db.scalar(select(User.id).where(User.email == live.emails[Role.STAFF]))
        db.execute(
            update(LoginSession)
            .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
            .values(last_seen_at=utcnow() - timedelta(minutes=21))
        )
        db.commit()
    page.goto("/report/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You were signed out because you had not used the service for a while"
    )
    visit.check("expired session")


def test_hide_screen_covers_the_page_and_keeps_what_was_typed(
    live: Live, visit: Visit, page: Page
) -> None:
    visit.sign_in(live, Role.STAFF)
    page.goto("/report/")
    narrative = page.get_by_label("What happened?")
    narrative.fill("Half-written report that must survive hiding the screen")
    cover = page.locator("#app-cover")
    button = page.get_by_role("button", name="Hide screen")
    expect(cover).to_be_hidden()

    button.focus()
    visit.check("report with hide-screen button focused")
    button.click()
    expect(cover).to_be_visible()
    _assert_covers_the_viewport(page)
    assert page.title() == "New tab"
    # Whatever point of the window one looks at, the cover is on top.
    size = page.viewport_size
    assert size is not None
    for x, y in ((5, 5), (size["width"] // 2, size["height"] // 2), (size["width"] - 5, 5)):
        assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).id", [x, y]) == (
            "app-cover"
        )
    # ... and the page underneath is inert: not focusable, not read out.
    assert page.evaluate("document.querySelector('main').closest('[inert]') !== null")
    page.screenshot(path=str(visit_shot(visit, "hidden")), full_page=False)

    page.mouse.click(200, 200)  # a click anywhere brings the page back
    expect(cover).to_be_hidden()
    expect(narrative).to_have_value("Half-written report that must survive hiding the screen")
    assert "Report a concern" in page.title()

    narrative.focus()
    page.keyboard.press("Shift+Escape")  # the shortcut, from inside a form field
    expect(cover).to_be_visible()
    page.keyboard.press("a")  # any key returns, and types nothing into the form
    expect(cover).to_be_hidden()
    expect(narrative).to_be_focused()
    expect(narrative).to_have_value("Half-written report that must survive hiding the screen")
    assert page.url.endswith("/report/")  # no navigation: nothing was lost
    visit.check("report after hide screen")


def _assert_covers_the_viewport(page: Page) -> None:
    box = page.locator("#app-cover").bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    assert box["x"] <= 0 and box["y"] <= 0
    assert box["width"] >= size["width"] and box["height"] >= size["height"]


def visit_shot(visit: Visit, label: str) -> object:
    from tests.browser.conftest import SCREENSHOTS

    return SCREENSHOTS / f"{visit.name}-{label}.png"
