"""The subject access register in a real browser: the headteacher logs a request (errors first),
opens it, extends it and records the reply with an exemption. Every page passes axe."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from incidents.clock import local_today
from incidents.models import Role
from tests.browser.conftest import Live, Visit


def _fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_headteacher_logs_and_answers_a_request(live: Live, visit: Visit, page: Page) -> None:
    visit.sign_in(live, Role.HEADTEACHER)
    page.get_by_role("link", name="See the subject access register").click()
    expect(page.get_by_role("heading", name="Subject access requests")).to_be_visible()
    visit.check("register")

    page.get_by_role("button", name="Log a request").click()
    page.get_by_role("button", name="Log the request").click()  # empty: errors first
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("log request with errors")

    page.get_by_label("Who made the request?").fill("Robin Requester, for their own records")
    page.get_by_label("The person the information is about").check()
    _fill_date(page, "When was the request received?", local_today() - timedelta(days=2))
    page.get_by_role("button", name="Log the request").click()
    expect(page.get_by_role("heading", name="SAR-")).to_be_visible()
    expect(page.get_by_text("Robin Requester, for their own records")).to_be_visible()
    visit.check("request")

    page.get_by_role("link", name="Extend the deadline by two months").click()
    page.get_by_label("Why does the request need longer?").fill("Records across three cases.")
    visit.check("extend")
    page.get_by_role("button", name="Extend by two months").click()
    expect(page.get_by_text("(extended by two months)")).to_be_visible()

    page.get_by_role("link", name="Record the reply").click()
    _fill_date(page, "When was the reply sent?", local_today())
    page.get_by_label("The identity of the person who gave the information").check()
    page.get_by_label("What was withheld or redacted, and why?").fill(
        "The name of the member of staff who raised the concern."
    )
    visit.check("reply")
    page.get_by_role("button", name="Record the reply").click()
    expect(page.get_by_text("Reply recorded")).to_be_visible()
    visit.check("answered")
