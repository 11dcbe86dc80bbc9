"""Issue 13, what is missing, in a real browser: the reporting-restriction warning, a meeting,
who was told, a KCSIE timescale, the employing organisation, the end of the restriction, the
page about one person; and the admin's policies and procedures pages. Errors first, and every
page passes axe."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from incidents.casework.cases.commands import CaseInput, NewSubject, record_disclosure
from incidents.models import CaseKind, DisclosureSource, PersonKind, Role, User
from tests.browser.conftest import Live, Visit
from tests.browser.test_allegation_route import _fill_date
from tests.case_routes import TODAY, assess


def _case(live: Live) -> dict[str, str]:
    with live.db() as db:
        head = db.scalar(select(User).where(User.email == live.emails[Role.HEADTEACHER]))
        assert head is not None
        earlier = record_disclosure(
            db,
            actor=head,
            data=CaseInput(
                narrative="Shouted at a pupil in the corridor.",
                became_aware_on=TODAY - timedelta(days=40),
                new_subject=NewSubject(name="Jo Teacher", kind=PersonKind.STAFF),
                not_listed=True,
                source=DisclosureSource.MONITORING,
            ),
        )
        assess(db, head, earlier, CaseKind.LOW_LEVEL_CONCERN)
        person = earlier.subjects[0]
        case = record_disclosure(
            db,
            actor=head,
            data=CaseInput(
                narrative="A pupil told me at lunch.",
                became_aware_on=TODAY - timedelta(days=1),
                subject_ids=(person.id,),
                source=DisclosureSource.CHILD,
                child_words="Mr T pushed me",
            ),
        )
        assess(db, head, case, CaseKind.ALLEGATION)
        db.commit()
        return {"case": str(case.id), "person": str(person.id)}


def test_the_case_manager_records_the_kcsie_steps(live: Live, visit: Visit, page: Page) -> None:
    ids = _case(live)
    visit.sign_in(live, Role.HEADTEACHER)
    page.goto(f"/cases/{ids['case']}")
    expect(page.get_by_text("Reporting restriction: this is a pupil's allegation")).to_be_visible()
    expect(page.get_by_text("1 earlier low-level concern in the 12 months")).to_be_visible()
    visit.check("case with a reporting restriction")

    page.get_by_role("link", name="Record a meeting").first.click()
    page.get_by_role("button", name="Record the meeting").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("meeting with errors")
    page.get_by_label("Strategy discussion").check()
    _fill_date(page, "When was it held?", TODAY)
    page.get_by_label("Who attended, and for which organisation?").fill("Head (school); LADO")
    page.get_by_label("What was decided?").fill("Police lead; school waits.")
    page.get_by_label("Who tells whom what?").fill("Nobody is told yet.")
    page.get_by_role("button", name="Record the meeting").click()
    expect(page.get_by_text("Meeting recorded")).to_be_visible()

    page.get_by_role("link", name="Record telling the child's parents").first.click()
    page.get_by_role("button", name="Record it").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("who was told with errors")
    page.goto(f"/cases/{ids['case']}")

    page.get_by_role("link", name="Start a KCSIE timescale").first.click()
    visit.check("timescale form")
    page.get_by_label("Hold the disciplinary hearing (15 working days)").check()
    _fill_date(page, "It runs from", TODAY)
    page.get_by_role("button", name="Start the timescale").click()
    expect(page.get_by_text("Timescale started")).to_be_visible()
    expect(page.get_by_role("cell", name="Running")).to_be_visible()

    page.get_by_role(
        "link", name="Record the agency or organisation that employs the person"
    ).first.click()
    visit.check("organisation form")
    page.get_by_label("A supply or staffing agency").check()
    page.get_by_label("Name of the agency or organisation").fill("Supply Co")
    page.get_by_label("Who to contact there, and how").fill("Pat, 01234 567890")
    page.get_by_role("button", name="Record the organisation").click()
    expect(page.get_by_text("Organisation recorded")).to_be_visible()
    visit.check("case with the KCSIE steps")

    page.get_by_role("link", name="See everything about this person").first.click()
    expect(page.get_by_role("heading", name="Jo Teacher")).to_be_visible()
    visit.check("the page about one person")

    page.goto(f"/cases/{ids['case']}/reporting-restriction/end")
    page.get_by_role("button", name="Record that it ended").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("end of the restriction with errors")
    page.get_by_label("The teacher has been charged with an offence").check()
    _fill_date(page, "When did it end?", TODAY)
    page.get_by_label("Details").fill("Charged today, police reference 12/345.")
    page.get_by_role("button", name="Record that it ended").click()
    expect(page.get_by_text("The end of the reporting restriction is recorded")).to_be_visible()
    expect(page.get_by_text("Reporting restriction: this is a pupil's allegation")).to_have_count(0)


def test_the_admin_chooses_policies_and_procedures(live: Live, visit: Visit, page: Page) -> None:
    visit.sign_in(live, Role.ADMIN)
    page.goto("/admin/clauses")
    page.get_by_role("link", name="Choose which seed policies the school adopts").click()
    expect(page.get_by_role("heading", name="Choose the school's policies")).to_be_visible()
    visit.check("choose the school's policies")
    page.get_by_role("button", name="Save the school's policies").click()
    expect(page.get_by_text("The school's policies are saved")).to_be_visible()

    page.goto("/admin/procedures")
    visit.check("the school's procedures")
    page.get_by_label("Refer to the LADO within how many working days?").fill("")
    page.get_by_role("button", name="Save the procedures").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("the school's procedures with errors")
    page.get_by_label("No: the school monitors without telling them first", exact=False).check()
    page.get_by_label("Refer to the LADO within how many working days?").fill("1")
    page.get_by_role("button", name="Save the procedures").click()
    expect(page.get_by_text("The school's procedures are saved")).to_be_visible()
