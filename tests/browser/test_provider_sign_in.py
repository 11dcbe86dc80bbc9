"""Sign-in with the school's identity provider in the browser (issue 16, item 6), axe-checked:
the admin's settings page with its errors, saved against a real OpenID provider, and the
sign-in page's "Sign in with Microsoft" button."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete

from incidents.accounts.oidc import client as oidc_client
from incidents.models import Role, SignInSettings
from tests import factories
from tests.accounts.oidc.conftest import CLIENT_ID, CLIENT_SECRET, Provider
from tests.browser.conftest import Live, Visit


@pytest.fixture
def cleared(live: Live) -> Iterator[None]:
    """The live app is shared: its other journeys expect no provider button."""
    oidc_client.CACHE.clear()
    yield
    with live.db() as db:
        db.execute(delete(SignInSettings))
        db.commit()


@pytest.mark.usefixtures("cleared")
def test_an_admin_sets_up_microsoft_and_the_sign_in_page_offers_it(
    live: Live, visit: Visit, page: Page, provider: Provider
) -> None:
    visit.sign_in(live, Role.ADMIN)
    page.goto("/admin/users")
    page.get_by_role("link", name="Sign in with Microsoft or Google").click()
    expect(page.get_by_role("heading", name="Sign in with Microsoft or Google")).to_be_visible()
    visit.check("settings")

    page.get_by_label("Name on the sign-in button").fill("Microsoft")
    page.get_by_label("Issuer").fill("not an address")
    page.get_by_role("button", name="Save sign-in settings").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the client ID")
    visit.check("settings with errors")

    page.get_by_label("Issuer").fill(provider.issuer)
    page.get_by_label("Client ID").fill(CLIENT_ID)
    page.get_by_label("Client secret").fill(CLIENT_SECRET)
    page.get_by_label("Email domains allowed").fill("browser.example")
    page.get_by_label("Your password").fill(factories.PASSWORD)
    page.get_by_label("Why are you changing how the school signs in?").fill("Staff use Teams")
    page.get_by_role("button", name="Save sign-in settings").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Sign-in settings saved")
    visit.check("settings saved")

    page.get_by_role("button", name="Sign out").click()
    page.goto("/sign-in")
    expect(page.get_by_role("button", name="Sign in with Microsoft", exact=True)).to_be_visible()
    visit.check("sign in with a provider")
