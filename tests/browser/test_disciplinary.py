"""Issue 5's disciplinary link, suspension and breach register in a real browser: the case
manager starts a staff process (checking the answers first), records the hearing and the
outcome; decides on suspension (errors first), confirms it and records that it ended; records a
breach's facts and sees the register; reviews a parent's sanction. Every page passes axe."""

from __future__ import annotations

import uuid
from datetime import date

from playwright.sync_api import Page, expect
from sqlalchemy import select

from incidents.clock import local_today
from incidents.models import Case, CaseKind, PersonKind, Role, User
from tests.browser.conftest import Live, Visit
from tests.case_routes import assess, case_about, through_lado, upheld


def _fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _cases(live: Live) -> dict[str, str]:
    """Three cases made through the services, at the stage each journey starts from."""
    with live.db() as db:
        head = db.scalar(select(User).where(User.email == live.emails[Role.HEADTEACHER]))
        assert head is not None
        discipline = upheld(db, head, PersonKind.STAFF, CaseKind.POLICY_BREACH)
        allegation = case_about(db, head, PersonKind.STAFF)
        assess(db, head, allegation, CaseKind.ALLEGATION)
        through_lado(db, head, allegation)
        breach = case_about(db, head, PersonKind.STAFF)
        assess(db, head, breach, CaseKind.DATA_BREACH)
        db.commit()
        return {
            "discipline": str(discipline.id),
            "allegation": str(allegation.id),
            "breach": str(breach.id),
            "breach_ref": breach.reference,
        }


def test_case_manager_works_the_disciplinary_suspension_and_breach_pages(
    live: Live, visit: Visit, page: Page
) -> None:
    ids = _cases(live)
    visit.sign_in(live, Role.HEADTEACHER)

    # The staff disciplinary process.
    page.goto(f"/cases/{ids['discipline']}")
    page.get_by_role("link", name="Start the disciplinary process or sanctions").click()
    visit.check("start disciplinary")
    page.get_by_label("HR reference (optional, staff only)").fill("HR/2026/17")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers before starting")).to_be_visible()
    visit.check("start disciplinary check answers")
    page.get_by_role("button", name="Start the process").click()
    expect(page.get_by_text("Disciplinary process started")).to_be_visible()
    visit.check("case in disciplinary")
    page.get_by_role("link", name="Record the hearing date").click()
    _fill_date(page, "When is the hearing?", local_today())
    visit.check("hearing")
    page.get_by_role("button", name="Save hearing date").click()
    page.get_by_role("link", name="Record the outcome", exact=True).click()
    page.get_by_role("button", name="Continue").click()  # empty: errors first
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("outcome with errors")
    page.get_by_label("Final written warning").check()
    _fill_date(page, "When was it decided?", local_today())
    page.get_by_label("Why?").fill("Contact with pupils on a personal account, admitted.")
    page.get_by_role("button", name="Continue").click()
    visit.check("outcome check answers")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_text("Disciplinary outcome recorded")).to_be_visible()
    expect(page.get_by_text("Final written warning").first).to_be_visible()
    visit.check("process concluded")

    # A decision on suspension.
    page.goto(f"/cases/{ids['allegation']}")
    page.get_by_role("link", name="Record a decision on suspension").click()
    visit.check("suspension")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("suspension with errors")
    page.get_by_label(
        "Redeployment to work without direct contact with the children concerned"
    ).fill("No role away from the class.")
    page.get_by_label("Why?").fill("Risk to pupils while the LADO advises.")
    _fill_date(page, "When was it decided?", local_today())
    page.get_by_role("button", name="Continue").click()
    visit.check("suspension check answers")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Suspension decision recorded")).to_be_visible()
    visit.check("suspension recorded")
    # The first link (what can be done now) leads to the suspension section; its own link last.
    page.get_by_role(
        "link", name="Record that the suspension was confirmed in writing"
    ).last.click()
    _fill_date(page, "When was the written confirmation sent?", local_today())
    visit.check("confirmation sent")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Written confirmation recorded")).to_be_visible()
    expect(page.get_by_text("Suspended since")).to_be_visible()
    # The person returns to work: errors first, then the answers checked, then recorded.
    page.get_by_role("link", name="Record that the suspension ended").last.click()
    visit.check("suspension ended")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("suspension ended with errors")
    _fill_date(page, "When did the suspension end?", local_today())
    page.get_by_label("Why did it end?").fill("The LADO found it unfounded; returned to work.")
    page.get_by_role("button", name="Continue").click()
    visit.check("suspension ended check answers")
    page.get_by_role("button", name="Record that it ended").click()
    expect(page.get_by_text("The end of the suspension is recorded")).to_be_visible()
    expect(page.get_by_text("Suspended from")).to_be_visible()
    visit.check("suspension ended recorded")

    # The breach record and the register.
    page.goto(f"/cases/{ids['breach']}")
    page.get_by_role("link", name="Record the facts of the data breach").click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("breach facts with errors")
    page.get_by_label("What happened?").fill("A class list was emailed to the wrong parent.")
    page.get_by_label("What personal data was involved?").fill("Names and dates of birth.")
    page.get_by_label("How many people were affected?").fill("28")
    page.get_by_label("Pupils").check()
    page.get_by_label("What are the likely effects on the people?").fill("Little.")
    page.get_by_label("What has been done about it?").fill("Deletion confirmed.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Breach facts saved")).to_be_visible()
    visit.check("breach recorded")
    page.get_by_role("link", name="The school's breach register").click()
    expect(page.get_by_role("heading", name="Personal data breach register")).to_be_visible()
    expect(page.get_by_role("link", name=ids["breach_ref"])).to_be_visible()
    visit.check("breach register")
    with live.db() as db:
        case = db.get(Case, uuid.UUID(ids["breach"]))
        assert case is not None and case.breach_record is not None


def test_case_manager_reviews_a_parents_sanction(live: Live, visit: Visit, page: Page) -> None:
    """A parent's photography withdrawal comes up for review: errors first, then continued with
    a change and a next review date, and the review shows on the case page."""
    from tests.case_routes import parent_measure

    with live.db() as db:
        head = db.scalar(select(User).where(User.email == live.emails[Role.HEADTEACHER]))
        assert head is not None
        case_id = str(parent_measure(db, head).process.case_id)
    visit.sign_in(live, Role.HEADTEACHER)
    page.goto(f"/cases/{case_id}")
    page.get_by_role(
        "link", name="Record a review of: Right to take photographs at school withdrawn"
    ).click()
    visit.check("measure review")
    page.get_by_role("button", name="Save the review").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("measure review with errors")
    page.get_by_label("Change it").check()
    _fill_date(page, "When was it reviewed?", local_today())
    page.get_by_label("Why?").fill("No incidents since; the parent apologised in writing.")
    page.get_by_label("What changes? (only if you are changing it)").fill("May attend sports day")
    _fill_date(page, "When is the next review? (optional)", local_today().replace(year=2099))
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text("Review recorded")).to_be_visible()
    expect(page.get_by_text("Changed: May attend sports day")).to_be_visible()
    visit.check("measure reviewed")
