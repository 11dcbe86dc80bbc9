"""The main journeys in a real browser: a member of staff reports a concern; the headteacher
records disclosures from a parent, a member of staff and a child and adds to the chronology;
the administrator edits a clause; a new headteacher has to set up two-factor sign-in; script
typed into any free-text field stays text. Selectors are labels, roles and visible text, so the
workflow can grow around them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pyotp
from playwright.sync_api import Page, expect
from sqlalchemy import select

from incidents.accounts.users import create_user
from incidents.clock import local_today
from incidents.models import Role, School
from tests import factories
from tests.browser.conftest import Live, Visit

PAYLOAD = "<script>alert('xss')</script><img src=x onerror=alert('img')>"


def _fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _new_subject(page: Page, name: str, role_label: str) -> None:
    page.get_by_label("Name of someone not listed (optional)").fill(name)
    page.get_by_role("group", name="Their role (if you entered a name)").get_by_label(
        role_label, exact=True
    ).check()


def test_staff_reports_a_concern(live: Live, visit: Visit, page: Page) -> None:
    visit.sign_in(live, Role.STAFF)
    page.get_by_role("link", name="Report a concern").click()
    expect(page.get_by_role("heading", name="Report a concern")).to_be_visible()
    visit.check("report form")

    page.get_by_role("button", name="Send report").click()  # empty: errors first
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("report form with errors")

    _new_subject(page, "Casey Colleague", "Member of staff")
    page.get_by_label("What happened?").fill("I saw a class photo on a personal Instagram account.")
    _fill_date(page, "When did you become aware of it?", local_today() - timedelta(days=1))
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Report sent")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d{4}-\d{4}"))).to_be_visible()
    visit.check("report sent")


def _record(page: Page, visit: Visit, *, source: str, who: str, narrative: str) -> None:
    page.get_by_role("link", name="Cases", exact=True).first.click()
    visit.check(f"cases before {source}")
    page.get_by_role("button", name=re.compile("Record a")).first.click()
    expect(page.get_by_role("heading", name=re.compile("Record a"))).to_be_visible()
    page.get_by_role("group", name="Who told you?").get_by_label(source, exact=True).check()
    _new_subject(page, who, "Member of staff")
    page.get_by_label("What happened?").fill(narrative)
    _fill_date(page, "When did you become aware of it?", local_today())
    # A child's disclosure keeps the child's own words verbatim (if the workflow asks for them).
    words = page.get_by_label(re.compile("child.s own words", re.I))
    if words.count():
        words.first.fill(narrative)
    visit.check(f"record form {source}")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Check your answers"))).to_be_visible()
    visit.check(f"check your answers {source}")
    page.get_by_role("button", name="Record the disclosure").click()
    expect(page.get_by_role("heading", name=re.compile(r"Case \d{4}-\d{4}"))).to_be_visible()
    visit.check(f"case from {source}")


def _add_note(page: Page, visit: Visit, body: str) -> None:
    page.get_by_label("Add to the chronology").fill(body)
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text(body).first).to_be_visible()
    visit.check("note added")


def test_headteacher_records_disclosures_from_a_parent_staff_and_a_child(
    live: Live, visit: Visit, page: Page
) -> None:
    visit.sign_in(live, Role.HEADTEACHER)

    _record(
        page,
        visit,
        source="A parent or carer",
        who="Pat Parentcase",
        narrative="A parent said a teacher accepted her son as a friend on Facebook.",
    )
    _add_note(page, visit, "Explained to the parent the process that will be followed.")

    _record(
        page,
        visit,
        source="A member of staff",
        who="Sam Staffcase",
        narrative="A colleague saw pupils' photos on a teacher's personal account.",
    )
    # The reporter of a staff disclosure is sealed on the case page.
    expect(page.get_by_text(re.compile("member of staff", re.I)).first).to_be_visible()

    _record(
        page,
        visit,
        source="A child",
        who="Chris Childcase",
        narrative='Pupil said: "Sir messaged me on Snapchat and said not to tell my mum."',
    )
    _add_note(page, visit, "Called children's social care front door for advice.")


def test_admin_edits_a_clause(live: Live, visit: Visit, page: Page) -> None:
    visit.sign_in(live, Role.ADMIN)
    page.get_by_role("link", name="Policy clauses", exact=True).click()
    visit.check("clauses")
    page.get_by_role("link", name=re.compile(r"^Edit")).first.click()
    visit.check("edit clause")
    text = page.get_by_label("Clause", exact=True)
    text.fill("Staff must not accept pupils as friends on personal social media (edited).")
    page.get_by_role("button", name="Save clause").click()
    expect(page.get_by_text("(edited)").first).to_be_visible()
    visit.check("clause saved")


def test_a_new_headteacher_must_set_up_two_factor_first(
    live: Live, visit: Visit, page: Page
) -> None:
    with live.db() as db:
        user = create_user(
            db,
            actor=None,
            school=db.scalars(select(School)).first(),  # type: ignore[arg-type]
            email="new.head@browser.example",
            display_name="New Headteacher",
            roles=[Role.HEADTEACHER],
            password=factories.PASSWORD,
        )
        email = user.email
        db.commit()
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    visit.check("set up two-factor")
    page.goto("/cases/")  # nothing else is reachable until it is set up
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()

    qr = page.get_by_role("img", name="QR code to scan with your authenticator app")
    expect(qr).to_be_visible()
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator(".app-secret code").inner_text().replace(" ", "")
    page.get_by_label("Enter the 6-digit code your app shows").fill("123")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.check("set up two-factor error")

    page.get_by_label("Enter the 6-digit code your app shows").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    codes = page.locator(".app-recovery-codes li")
    expect(codes).to_have_count(10)
    visit.check("recovery codes")
    page.get_by_role("link", name="I have saved my recovery codes").click()
    page.get_by_role("link", name="Cases", exact=True).first.click()
    expect(page.get_by_role("heading", name="Cases")).to_be_visible()


def test_script_in_stored_text_stays_text(live: Live, visit: Visit, page: Page) -> None:
    """Narrative, a person's name and a note, each holding script: shown as typed, never run
    (Visit.check fails the test if any dialog opens)."""
    visit.sign_in(live, Role.HEADTEACHER)
    page.get_by_role("link", name="Cases", exact=True).first.click()
    page.get_by_role("button", name=re.compile("Record a")).first.click()
    _new_subject(page, f"Name {PAYLOAD}"[:120], "Member of staff")
    page.get_by_label("What happened?").fill(f"Narrative {PAYLOAD}")
    _fill_date(page, "When did you become aware of it?", local_today())
    page.get_by_role("group", name="Who told you?").get_by_label(
        "A parent or carer", exact=True
    ).check()
    page.get_by_role("button", name="Record", exact=True).click()
    page.get_by_role("button", name="Record the disclosure").click()  # check your answers
    expect(page.get_by_role("heading", name=re.compile(r"Case \d{4}-\d{4}"))).to_be_visible()
    page.get_by_label("Add to the chronology").fill(f"Note {PAYLOAD}")
    page.get_by_role("button", name="Add note").click()
    for text in (f"Narrative {PAYLOAD}", f"Note {PAYLOAD}", "Name <script>"):
        expect(page.get_by_text(text, exact=False).first).to_be_visible()
    # No element was made from the payload.
    assert page.locator("main script").count() == 0
    assert page.locator("main img[src='x']").count() == 0
    page.wait_for_timeout(300)  # give an injected handler the chance to fire
    visit.check("case with script payloads")
    page.get_by_role("link", name="Cases", exact=True).first.click()
    visit.check("case list with script payloads")
