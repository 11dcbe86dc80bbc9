"""The record form (issue 17, item 3; issue 21): the clause picker offers only the school's
adopted policy, grouped by category, with a search that needs no inline script; a school with
no policy is told so; who a case is about is found by a surname search sent by POST, and the
form reads only the people ticked or found."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from incidents.admin.clauses import adoption
from incidents.admin.clauses import commands as clause_service
from incidents.catalogue import category_label, default_catalogue
from incidents.models import PersonKind, Role, School, User
from tests import factories
from tests.conftest import csrf_token


def _adopt(db: Session, users: dict[Role, User], policies: set[str]) -> None:
    adoption.adopt_policies(db, actor=users[Role.ADMIN], policies=policies)
    db.commit()


def _legends(page: str) -> list[str]:
    picker = page[page.index("data-clause-filter") :]
    return [
        html.unescape(t.strip())
        for t in re.findall(
            r'<legend class="govuk-fieldset__legend[^"]*">\s*(.*?)\s*</legend>', picker, re.S
        )
    ]


def test_only_the_adopted_policy_is_offered_grouped_by_category(
    db: Session, school: School, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    _adopt(db, users, {"001"})
    catalogue = default_catalogue()
    adopted = [c for c in catalogue.clauses if c.policy == "001"]
    other = next(
        c
        for c in catalogue.clauses
        if c.policy != "001" and c.text not in {a.text for a in adopted}
    )

    page = login_as(Role.HEADTEACHER).get("/cases/new").get_data(as_text=True)

    text = html.unescape(page)
    assert all(c.text in text for c in adopted)
    assert other.text not in text
    # One fieldset per category, named by a legend, in the catalogue's order.
    categories = list(dict.fromkeys(c.category for c in adopted))
    order = list(catalogue.categories)
    expected = [category_label(c) for c in sorted(categories, key=order.index)]
    assert _legends(page) == expected
    in_force = clause_service.list_clauses(db, school.id)
    assert page.count('name="clauses" type="checkbox"') == len(in_force)
    # No scroll box; the search is a static module, hidden until it runs.
    assert "app-scroll-panel" not in page
    assert '<script type="module" src="/static/clause-filter.js"></script>' in page
    assert re.search(r"data-clause-search hidden", page)


def test_a_school_without_a_policy_is_told_and_pointed_to_the_admin_page(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    _adopt(db, users, set())

    page = html.unescape(login_as(Role.HEADTEACHER).get("/cases/new").get_data(as_text=True))

    assert 'name="clauses"' not in page
    assert "The school has not adopted a policy yet" in page
    assert 'href="/admin/clauses/policies"' in page
    assert login_as(Role.ADMIN).get("/admin/clauses/policies").status_code == 200


def test_the_search_script_is_served(login_as: Callable[[Role], FlaskClient]) -> None:
    response = login_as(Role.HEADTEACHER).get("/static/clause-filter.js")
    assert response.status_code == 200
    assert b"data-clause-filter" in response.data


def test_the_form_lists_nobody_until_searched_and_keeps_the_answers(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    wanted = factories.make_person(db, head, "Robin Fenwick", PersonKind.STAFF)
    factories.make_person(db, head, "Alex Other", PersonKind.STAFF)
    parent = factories.make_person(db, head, "Casey Fenwick", PersonKind.PARENT_CARER)
    db.commit()
    client = login_as(Role.HEADTEACHER)

    blank = html.unescape(client.get("/cases/new").get_data(as_text=True))
    assert "Robin Fenwick" not in blank and "Alex Other" not in blank

    token = csrf_token(client, "/cases/new")
    typed = {"csrf_token": token, "narrative": "Kept across the search.", "place": "The hall"}
    found = client.post("/cases/new", data={**typed, "subject_search": "fenwick", "find": "yes"})

    assert found.status_code == 200
    page = html.unescape(found.get_data(as_text=True))
    assert "Robin Fenwick (member of staff)" in page
    assert "Casey Fenwick (" in page  # a parent too: the record form is about any adult
    assert "Alex Other" not in page
    assert "Kept across the search." in page and 'value="The hall"' in page
    assert "There is a problem" not in page  # a search is not a submission
    assert "fenwick" not in (found.request.url or "").lower()

    # Ticked, then another search: the ticked person stays offered and ticked.
    again = client.post(
        "/cases/new",
        data={**typed, "subjects": [str(wanted.id)], "subject_search": "Nobody", "find": "yes"},
    )
    page = html.unescape(again.get_data(as_text=True))
    assert "Robin Fenwick" in page and "Casey Fenwick" not in page
    assert re.search(rf'value="{wanted.id}"[^>]*checked', page)
    assert str(parent.id) not in page


def test_a_search_that_finds_nobody_says_so(login_as: Callable[[Role], FlaskClient]) -> None:
    client = login_as(Role.HEADTEACHER)
    token = csrf_token(client, "/cases/new")
    page = html.unescape(
        client.post(
            "/cases/new", data={"csrf_token": token, "subject_search": "Zzyzx", "find": "yes"}
        ).get_data(as_text=True)
    )
    assert "Nobody with that surname is known to the school" in page


def test_a_search_too_long_is_refused_with_a_clear_error(
    login_as: Callable[[Role], FlaskClient],
) -> None:
    client = login_as(Role.HEADTEACHER)
    token = csrf_token(client, "/cases/new")
    response = client.post(
        "/cases/new", data={"csrf_token": token, "subject_search": "a" * 121, "find": "yes"}
    )
    page = html.unescape(response.get_data(as_text=True))
    assert "The surname must be 120 characters or fewer" in page
    assert 'href="#subject_search"' in page
