"""Accounts in the browser (issue 16), axe-checked: an admin invites a safeguarding lead, who
accepts (password and two-factor in one step) and signs in; then the admin deactivates them
while they are signed in, and their next page is the sign-in page. Also the own-account page
and the forgotten-password request."""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from incidents.models import AlertKind, OutboxMessage, Role, User
from tests import factories
from tests.browser.conftest import Live, Visit

EMAIL = "new.lead@browser.example"
PASSWORD = "a long new passphrase for the lead"


def _invitation_path(live: Live) -> str:
    with live.db() as db:
        user_id = db.scalar(select(User.id).where(User.email == EMAIL))
        message = db.scalar(
            select(OutboxMessage).where(
                OutboxMessage.recipient_id == user_id,
                OutboxMessage.kind == AlertKind.ACCOUNT_INVITATION,
            )
        )
        assert message is not None and message.link_secret is not None
        return message.link_path + message.link_secret.reveal()


def _totp(live: Live) -> pyotp.TOTP:
    with live.db() as db:
        user = db.scalar(select(User).where(User.email == EMAIL))
        assert user is not None and user.totp_secret is not None
        return pyotp.TOTP(user.totp_secret.reveal())


def test_invite_accept_enrol_sign_in_then_deactivate_the_leaver(
    live: Live, visit: Visit, page: Page, browser: Browser
) -> None:
    visit.sign_in(live, Role.ADMIN)
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    visit.check("users")
    page.get_by_role("button", name="Invite a user").click()
    visit.check("invite")
    page.get_by_label("Full name").fill("Nia Newlead")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Designated safeguarding lead", exact=True).check()
    page.get_by_role("button", name="Send invitation").click()
    # A role that opens cases: the admin's password and a reason are needed.
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your password")
    visit.check("invite needs password")
    page.get_by_label("Your password").fill(factories.PASSWORD)
    page.get_by_label("Why does this person need access to cases?").fill("Our new DSL")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Invitation sent")
    visit.check("invited")

    # The new lead, in their own browser, follows the emailed link.
    context = browser.new_context(base_url=live.url)
    theirs = context.new_page()
    theirs.set_default_timeout(10_000)
    their_visit = Visit(theirs, "invited lead")
    theirs.goto(_invitation_path(live))
    expect(theirs.get_by_role("heading", name="Set up your account")).to_be_visible()
    their_visit.check("accept invitation")
    theirs.get_by_label("Choose a password").fill(PASSWORD)
    theirs.get_by_label("Enter the new password again").fill(PASSWORD)
    theirs.get_by_label("Enter the 6-digit code your app shows").fill(_totp(live).now())
    theirs.get_by_role("button", name="Set password and sign in").click()
    expect(theirs.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    their_visit.check("recovery codes")
    theirs.get_by_role("link", name="I have saved my recovery codes").click()
    expect(theirs.get_by_role("button", name="Sign out")).to_be_visible()
    their_visit.check("signed in")

    # The admin deactivates them while they are signed in.
    page.goto("/admin/users?q=newlead")
    page.get_by_role("link", name="Nia Newlead").click()
    visit.check("user")
    page.get_by_role("link", name="Deactivate account").click()
    visit.check("deactivate")
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("deactivated")
    visit.check("deactivated")

    theirs.goto("/cases/")
    expect(theirs.get_by_role("heading", name="Sign in")).to_be_visible()
    their_visit.check("refused")
    context.close()


def test_own_account_and_the_forgotten_password_request(
    live: Live, visit: Visit, page: Page
) -> None:
    visit.sign_in(live, Role.STAFF)
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    visit.check("your account")
    page.get_by_role("link", name="Change your password").click()
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your current password")
    visit.check("change password errors")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="I have forgotten my password").click()
    visit.check("forgot password")
    page.get_by_label("Email address").fill("nobody@browser.example")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    visit.check("check your email")


def test_people_pages_and_the_staff_import(
    live: Live, visit: Visit, page: Page, tmp_path: Path
) -> None:
    staff_list = tmp_path / "staff.csv"
    staff_list.write_text(
        "Name,Role,Email,Start date\n"
        "Priya Import,Year 2 teacher,priya.import@browser.example,01/09/2024\n"
        "=SUM(A1),Teacher,formula@browser.example,\n"
    )
    visit.sign_in(live, Role.ADMIN)
    page.get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()
    visit.check("people")
    page.get_by_role("button", name="Import the staff list").click()
    visit.check("import")
    page.get_by_label("Upload the staff list").set_input_files(str(staff_list))
    page.get_by_role("button", name="Preview the changes").click()
    expect(
        page.get_by_role("heading", name="Check the changes before they are saved")
    ).to_be_visible()
    expect(page.get_by_text("runs as a formula")).to_be_visible()
    visit.check("preview")
    page.get_by_role("button", name="Save these changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 added")
    visit.check("imported")
    page.get_by_role("link", name="Change Priya Import").click()
    visit.check("edit person")
    page.goto("/admin/people")
    page.get_by_role("link", name="Merge a duplicate into Priya Import").click()
    visit.check("merge")
    page.goto("/admin/people")
    page.get_by_role("link", name=re.compile(r"Record that they left\W+Priya Import")).click()
    visit.check("left")
