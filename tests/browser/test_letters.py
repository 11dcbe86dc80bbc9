"""Letters in a real browser (issue 17, item 8): the headteacher writes the parent's letter from
the case page, sees the whole letter before it is recorded, records it, and downloads the PDF;
the administrator previews the school's wording. Every page passes axe, at 1280 and 320 px."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from incidents.casework.cases.commands import CaseInput, NewSubject, record_disclosure
from incidents.clock import local_today
from incidents.models import DisclosureSource, PersonKind, Role, User
from tests.browser.conftest import Live, Visit


def _parent_case(live: Live) -> str:
    with live.db() as db:
        head = db.scalars(select(User).where(User.email == live.emails[Role.HEADTEACHER])).one()
        case = record_disclosure(
            db,
            actor=head,
            data=CaseInput(
                narrative="A parent said a teacher messaged their child.",
                became_aware_on=local_today() - timedelta(days=1),
                new_subject=NewSubject(name="Lett Ersubject", kind=PersonKind.STAFF),
                not_listed=True,
                source=DisclosureSource.PARENT,
                reporter="Pat Parent\n1 Acacia Avenue",
            ),
        )
        db.commit()
        return str(case.id)


def test_head_writes_previews_records_and_downloads_the_parent_letter(
    live: Live, visit: Visit, page: Page
) -> None:
    case_id = _parent_case(live)
    visit.sign_in(live, Role.HEADTEACHER)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/cases/{case_id}")
        page.locator("#letters").scroll_into_view_if_needed()
        page.get_by_role("link", name="Write a letter").click()
        expect(page.get_by_role("heading", name="Write a letter")).to_be_visible()
        visit.check(f"choose a letter {width}")
    page.get_by_label("Letter to the parent or carer who raised the concern").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Who is the letter to?")).to_have_value("Pat Parent")
    visit.check("write the letter")
    page.get_by_label("An extra paragraph for this letter (optional)").fill("We will call you.")
    page.get_by_label("By post").check()
    page.get_by_role("button", name="Preview the letter").click()
    expect(page.get_by_text("Dear Pat Parent,")).to_be_visible()
    visit.check("the letter previewed")
    page.get_by_role("button", name="Record the letter as sent").click()
    expect(page.get_by_role("heading", name="The letter as sent")).to_be_visible()
    visit.check("the letter recorded")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the letter (PDF)").click()
    assert download.value.suggested_filename.endswith("-parent.pdf")


def test_admin_previews_the_wording(live: Live, visit: Visit, page: Page) -> None:
    visit.sign_in(live, Role.ADMIN)
    page.goto("/admin/letters")
    visit.check("the school's letters")
    page.get_by_role("link", name="Outcome letter to the person the allegation is about").click()
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview, with made-up details")).to_be_visible()
    visit.check("the wording previewed")
