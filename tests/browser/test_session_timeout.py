"""Sessions that don't lose work (issue 17, item 9), in Chromium with axe: the timeout warning
two minutes before the idle limit (a modal dialog that takes focus, "Stay signed in" and Escape
extend the session, and it says so when the session has ended), and a half-filled form sent
after the session ended, given back after signing in again with the second factor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from incidents.models import LoginSession, Role, User
from incidents.models.base import utcnow
from tests.browser.conftest import Live, Visit

ABOUT_TO_END = "You\u2019re about to be signed out"
HALF_WRITTEN = "Half-written report: a teacher messaged a pupil late at night about"


@pytest.fixture
def short_idle(live: Live) -> Iterator[None]:
    """A one-minute idle limit: the warning (two minutes before the end) shows at once."""
    before = live.app.config["IDLE_TIMEOUT_MINUTES"]
    live.app.config["IDLE_TIMEOUT_MINUTES"] = 1
    yield
    live.app.config["IDLE_TIMEOUT_MINUTES"] = before


def _last_seen(live: Live, role: Role) -> list[object]:
    with live.db() as db:
        user_id = db.scalar(select(User.id).where(User.email == live.emails[role]))
        return list(
            db.scalars(
                select(LoginSession.last_seen_at).where(
                    LoginSession.user_id == user_id, LoginSession.ended_at.is_(None)
                )
            )
        )


def _fits(page: Page, width: int) -> None:
    """No sideways scrolling at this width (WCAG 1.4.10): the dialog included."""
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"the page is {wide}px wide at {width}px"


@pytest.mark.parametrize("width", [1280, 320])
def test_the_timeout_warning_takes_focus_and_stay_signed_in_keeps_the_session(
    live: Live, visit: Visit, page: Page, short_idle: None, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.clock.install()
    visit.sign_in(live, Role.DSL)  # the home page: its session has a minute left

    dialog = page.get_by_role("dialog", name=ABOUT_TO_END)
    expect(dialog).to_be_visible()
    expect(page.get_by_role("heading", name=ABOUT_TO_END)).to_be_focused()
    expect(dialog).to_contain_text("we will sign you out in")
    visit.check(f"timeout warning {width}")
    _fits(page, width)

    # With the usual limit again, "Stay signed in" starts the clock again and the dialog goes.
    live.app.config["IDLE_TIMEOUT_MINUTES"] = 20
    before = _last_seen(live, Role.DSL)
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    assert _last_seen(live, Role.DSL) != before
    page.clock.fast_forward("10:00")
    expect(dialog).to_be_hidden()
    page.clock.fast_forward("08:30")  # 18 and a half minutes: two minutes or less to go
    expect(dialog).to_be_visible()

    # Escape is "stay signed in" too (as in the HMRC timeout dialog), never a silent dismissal.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def test_the_warning_says_when_the_session_has_ended(
    live: Live, visit: Visit, page: Page, short_idle: None
) -> None:
    page.clock.install()
    visit.sign_in(live, Role.HEADTEACHER)
    expect(page.get_by_role("dialog", name=ABOUT_TO_END)).to_be_visible()

    page.clock.fast_forward("01:05")

    ended = page.get_by_role("heading", name="You have been signed out")
    expect(ended).to_be_visible()
    expect(ended).to_be_focused()
    visit.check("signed out by the timeout")
    page.get_by_role("button", name="Go back to the page").click()
    expect(ended).to_be_hidden()


def test_the_warning_can_sign_out_at_once(
    live: Live, visit: Visit, page: Page, short_idle: None
) -> None:
    visit.sign_in(live, Role.STAFF)
    dialog = page.get_by_role("dialog", name=ABOUT_TO_END)
    dialog.get_by_role("button", name="Sign out now").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")


@pytest.mark.parametrize("width", [1280, 320])
def test_a_half_filled_form_comes_back_after_signing_in_again(
    live: Live, visit: Visit, page: Page, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    visit.sign_in(live, Role.DSL)
    page.goto("/report/")
    page.get_by_label("What happened?").fill(HALF_WRITTEN)
    visit.check(f"half-filled report {width}")
    # The user types for longer than the idle limit: age the session instead of waiting.
    with live.db() as db:
        user_id = db.scalar(select(User.id).where(User.email == live.emails[Role.DSL]))
        db.execute(
            update(LoginSession)
            .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
            .values(last_seen_at=utcnow() - timedelta(minutes=21))
        )
        db.commit()

    page.get_by_role("button", name="Send report").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "What you typed into the form has been kept"
    )
    visit.check(f"signed out, what was typed kept {width}")
    visit.sign_in_here(live, Role.DSL)  # password, then the security code
    expect(page).to_have_url(f"{live.url}/report/")
    expect(page.get_by_label("What happened?")).to_have_value(HALF_WRITTEN)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "We have filled in the form with what you typed"
    )
    visit.check(f"report filled in again {width}")
    _fits(page, width)
