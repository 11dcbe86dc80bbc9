"""Issue 13's allegation route in a real browser: triage asks whether personal data was
exposed; the LADO's decision and advice are recorded (errors first), after which the school may
investigate; the outcome is recorded as agreed with the LADO. Every page passes axe."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect
from sqlalchemy import select

from incidents.models import Agency, CaseKind, PersonKind, ReferralStatus, Role, User
from tests.browser.conftest import Live, Visit
from tests.case_routes import assess, case_about, move


def _fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _cases(live: Live) -> dict[str, str]:
    with live.db() as db:
        head = db.scalar(select(User).where(User.email == live.emails[Role.HEADTEACHER]))
        assert head is not None
        fresh = case_about(db, head, PersonKind.STAFF)
        allegation = case_about(db, head, PersonKind.STAFF)
        assess(db, head, allegation, CaseKind.ALLEGATION)
        move(db, head, allegation, Agency.LADO, ReferralStatus.MADE)
        lado = next(r for r in allegation.referrals if r.agency is Agency.LADO)
        db.commit()
        return {
            "fresh": str(fresh.id),
            "allegation": str(allegation.id),
            "lado": str(lado.id),
            "aware": allegation.became_aware_on.isoformat(),
        }


def test_the_lado_advises_before_the_school_investigates_and_agrees_the_outcome(
    live: Live, visit: Visit, page: Page
) -> None:
    ids = _cases(live)
    aware = date.fromisoformat(ids["aware"])
    visit.sign_in(live, Role.HEADTEACHER)

    # Triage asks about personal data on every track.
    page.goto(f"/cases/{ids['fresh']}/triage")
    page.get_by_role("button", name="Save decision").click()  # empty: errors first
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_text("Say whether personal data was exposed").first).to_be_visible()
    visit.check("triage with errors")

    # The referral is made, but the school may not investigate yet.
    page.goto(f"/cases/{ids['allegation']}")
    visit.check("allegation referred")
    page.goto(f"/cases/{ids['allegation']}/referrals/{ids['lado']}/advice")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("lado advice with errors")
    page.get_by_label("Who at the LADO gave the decision?").fill("Pat Officer")
    _fill_date(page, "On what date?", aware)
    page.get_by_label("At what time?").fill("00:00")
    page.get_by_role("group", name="Does the LADO say the harm threshold is met?").get_by_label(
        "Yes"
    ).check()
    page.get_by_label("The school may investigate, as the LADO advised").check()
    page.get_by_label("What advice did they give?").fill("Interview the class teacher first.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Advice recorded")).to_be_visible()
    visit.check("lado advice recorded")

    # Now the school investigates, and the outcome is agreed with the LADO.
    page.get_by_role("button", name="Start the school's own investigation").click()
    page.goto(f"/cases/{ids['allegation']}/outcome")
    page.get_by_label("Unfounded").check()
    page.get_by_label("Why?").fill("The timetable shows they were not in school.")
    page.get_by_role("button", name="Save outcome").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("allegation outcome with errors")
    page.get_by_label("Who at the LADO agreed the outcome?").fill("Pat Officer")
    _fill_date(page, "When did they agree it?", aware)
    page.get_by_role("button", name="Save outcome").click()
    expect(page.get_by_role("alert").get_by_text("Outcome recorded")).to_be_visible()
    visit.check("allegation outcome recorded")
