"""Recording a disclosure in a real browser, at 1280px and at 320px (issue 17, item 3; issue
21): find who it is about by a surname search, give the time, place, who was there and who it
was made to, narrow the clause picker with its search, check the answers, and read them back on
the case page; axe finds nothing on any page, and nothing scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from incidents.models import PersonKind, Role, User
from tests import factories
from tests.browser.conftest import Live, Visit
from tests.browser.test_case_pages import _no_sideways_scroll

PLACE = "The Year 4 reading corner"
PRESENT = "Ms Ash, teaching assistant"


@pytest.mark.parametrize("width", [1280, 320])
def test_record_with_search_details_and_clause_filter(
    live: Live, visit: Visit, page: Page, width: int
) -> None:
    surname = f"Searchable{width}"
    with live.db() as db:
        head = db.query(User).filter_by(email=live.emails[Role.HEADTEACHER]).one()
        factories.make_person(db, head, f"Quinn {surname}", PersonKind.STAFF)
        db.commit()
    page.set_viewport_size({"width": width, "height": 900})
    visit.sign_in(live, Role.HEADTEACHER)
    page.goto("/cases/")
    page.get_by_role("button", name=re.compile("Record a")).first.click()

    page.get_by_role("group", name="Who told you?").get_by_label(
        "A parent or carer", exact=True
    ).check()
    page.get_by_label("What happened?").fill("A parent said a teacher added her son as a friend.")
    # Who it is about: found by surname, the answers so far kept across the search.
    page.get_by_label(re.compile("Search for someone the school already knows")).fill(surname)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_label(f"Quinn {surname} (member of staff)")).to_be_visible()
    expect(page.get_by_label("What happened?")).to_have_value(re.compile("added her son"))
    page.get_by_label(f"Quinn {surname} (member of staff)").check()

    page.get_by_label("What time were you told? (optional)").fill("9:45am")
    page.get_by_label("Where were you told? (optional)").fill(PLACE)
    page.get_by_label("Who else was there? (optional)").fill(PRESENT)
    page.get_by_label("Who was the disclosure made to? (optional)").fill("Mr Oak, class teacher")

    # The clause picker: grouped by category, narrowed by its search (the script reveals it).
    search = page.get_by_label("Find a part of the policy")
    expect(search).to_be_visible()
    boxes = page.locator("input[name=clauses]")
    everything = boxes.count()
    search.fill("friend")
    expect(page.get_by_text(re.compile(r"\d+ of \d+ parts of the policy shown"))).to_be_visible()
    visible = page.locator("input[name=clauses]:visible")
    shown = visible.count()
    assert 0 < shown < everything
    chosen = visible.first
    chosen_id = chosen.get_attribute("id")
    chosen.check()
    search.fill("zzz-no-such-words")
    expect(page.locator(f"#{chosen_id}")).to_be_visible()  # a ticked clause stays in view
    search.fill("")
    visit.check(f"record form with search {width}")
    _no_sideways_scroll(page, width)
    page.get_by_role("button", name="Record", exact=True).click()

    expect(page.get_by_role("heading", name=re.compile("Check your answers"))).to_be_visible()
    for shown_text in ("9:45am", PLACE, PRESENT, f"Quinn {surname}"):
        expect(page.get_by_text(shown_text).first).to_be_visible()
    visit.check(f"check your answers with details {width}")
    _no_sideways_scroll(page, width)
    page.get_by_role("button", name="Record the disclosure").click()

    expect(page.get_by_role("heading", name=re.compile(r"Case \d{4}-\d{4}"))).to_be_visible()
    for shown_text in (PLACE, PRESENT, "Mr Oak, class teacher", f"Quinn {surname}"):
        expect(page.get_by_text(shown_text).first).to_be_visible()
    visit.check(f"case page with details {width}")
    _no_sideways_scroll(page, width)
