"""The caseload home page (issue 17, item 4) in a real browser at 1280px and 320px: every
section and the sortable case list pass axe, the page never scrolls sideways (the tables
scroll in focusable regions), and choosing a column heading re-sorts the list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from incidents.casework.tasks.commands import add_task
from incidents.clock import local_today
from incidents.models import CaseKind, Role, User
from tests import case_stages, factories
from tests.browser.conftest import Live, Visit
from tests.browser.test_case_pages import _no_sideways_scroll


@pytest.mark.parametrize("width", [1280, 320])
def test_a_dsl_reads_their_caseload(live: Live, visit: Visit, page: Page, width: int) -> None:
    with live.db() as db:
        head = db.scalars(select(User).where(User.email == live.emails[Role.HEADTEACHER])).one()
        dsl = db.scalars(select(User).where(User.email == live.emails[Role.DSL])).one()
        waiting = factories.make_case(db, head)
        add_task(
            db,
            actor=head,
            case=waiting,
            title="Call the parent back",
            assignee_id=None,
            due_on=local_today() + timedelta(days=2),
        )
        add_task(
            db,
            actor=head,
            case=waiting,
            title="Ring the LADO",
            assignee_id=dsl.id,
            due_on=local_today() + timedelta(days=12),
        )
        db.commit()
        allegation = case_stages.triaged(
            db, head, case_stages.recorded(db, head), CaseKind.ALLEGATION
        )
        waiting_ref, allegation_ref = waiting.reference, allegation.reference

    page.set_viewport_size({"width": width, "height": 900})
    visit.sign_in(live, Role.DSL)
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    triage = page.get_by_role("region", name="Awaiting triage")
    expect(triage.get_by_role("link", name=waiting_ref)).to_be_visible()
    expect(
        page.get_by_role("region", name="Tasks not assigned").get_by_role("link", name=waiting_ref)
    ).to_be_visible()
    expect(
        page.get_by_role("region", name="Your cases").get_by_role("link", name=waiting_ref)
    ).to_be_visible()
    expect(
        page.get_by_role("region", name="Due this week")
        .get_by_role("link", name=allegation_ref)
        .first
    ).to_be_visible()
    _no_sideways_scroll(page, width)
    visit.check(f"caseload {width}")

    # A scroll region can be reached with the keyboard (axe: scrollable-region-focusable).
    cases = page.get_by_role("region", name="Open cases")
    cases.focus()
    expect(cases).to_be_focused()

    page.get_by_role("link", name="Opened", exact=True).click()
    expect(page).to_have_url(f"{live.url}/?sort=opened#open-cases")
    header = cases.get_by_role("columnheader", name="Opened")
    expect(header).to_have_attribute("aria-sort", "descending")
    rows = cases.locator("tbody tr")
    first = rows.first.get_by_role("link").inner_text()
    assert first == allegation_ref  # the newest case first
    _no_sideways_scroll(page, width)
    visit.check(f"caseload sorted by opened {width}")
