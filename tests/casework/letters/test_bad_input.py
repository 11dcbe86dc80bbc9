"""Bad input on every letters form: a clear error naming what to put right, the user's text shown
back escaped, nothing stored and nothing audited; a form without its CSRF token is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.clock import local_today
from incidents.models import AuditEntry, LetterTemplate, Role, SchoolSettings, SentLetter, User
from tests.casework.letters.helpers import parent_case
from tests.conftest import date_parts, post_form, problem

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _counts(db: Session) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(SentLetter)) or 0,
        db.scalar(select(func.count()).select_from(LetterTemplate)) or 0,
        db.scalar(select(func.count()).select_from(AuditEntry)) or 0,
    )


def _valid() -> dict[str, object]:
    return {
        "recipient_name": "Pat Parent",
        "recipient_address": "1 Acacia Avenue",
        "contact_name": "Ms Head",
        "extra_paragraph": "",
        "method": "post",
        "sent_on": date_parts(local_today()),
    }


TOMORROW = date_parts(local_today() + timedelta(days=1))
LONG_AGO = date_parts(local_today() - timedelta(days=400))

WRITE_CASES = {
    "no name": ({"recipient_name": ""}, "Enter who the letter is to"),
    "spaces for a name": ({"recipient_name": "   "}, "Enter who the letter is to"),
    "name too long": ({"recipient_name": "x" * 201}, "200 characters or fewer"),
    "address too long": ({"recipient_address": "x" * 1001}, "1,000 characters or fewer"),
    "no contact": ({"contact_name": ""}, "Enter the name of the contact for questions"),
    "paragraph too long": ({"extra_paragraph": "x" * 3001}, "3,000 characters or fewer"),
    "no method": ({"method": ""}, "Choose how the letter is sent"),
    "made-up method": ({"method": "pigeon"}, "Choose how the letter is sent"),
    "no date": ({"sent_on": ["", "", ""]}, "Enter the date the letter is sent"),
    "impossible date": ({"sent_on": ["31", "2", "2026"]}, "real date"),
    "future date": ({"sent_on": TOMORROW}, "today or in the past"),
    "before the school knew": ({"sent_on": LONG_AGO}, "before the school became aware"),
}


@pytest.mark.parametrize("name", list(WRITE_CASES))
def test_the_letter_form_refuses_bad_answers(
    db: Session,
    users: dict[Role, User],
    login_as: Callable[[Role], FlaskClient],
    name: str,
) -> None:
    changes, message = WRITE_CASES[name]
    case = parent_case(db, users[Role.HEADTEACHER])
    client = login_as(Role.DSL)
    url = f"/cases/{case.id}/letters/new/parent"
    before = _counts(db)
    for confirmed in ({}, {"confirmed": "yes"}):  # the form, and a forged confirmation
        response = post_form(client, url, {**_valid(), **changes, **confirmed})
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert message in problem(page), problem(page)
        assert _counts(db) == before


def test_the_letter_form_shows_markup_back_escaped(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    case = parent_case(db, users[Role.HEADTEACHER])
    client = login_as(Role.DSL)
    url = f"/cases/{case.id}/letters/new/parent"
    page = post_form(client, url, {**_valid(), "extra_paragraph": SCRIPT, "method": ""})
    text = page.get_data(as_text=True)
    assert ESCAPED in text and SCRIPT not in text
    preview = post_form(client, url, {**_valid(), "extra_paragraph": SCRIPT}).get_data(as_text=True)
    assert ESCAPED in preview and SCRIPT not in preview


def test_choosing_no_letter_or_one_not_offered_is_refused(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    case = parent_case(db, users[Role.HEADTEACHER])
    client = login_as(Role.DSL)
    url = f"/cases/{case.id}/letters/new"
    for kind in ("", "outcome", "nonsense"):
        response = post_form(client, url, {"kind": kind})
        assert response.status_code == 400
        assert "Choose which letter to write" in problem(response.get_data(as_text=True))
    # Straight to a letter the case cannot have yet: back to the case with the reason.
    refused = client.get(f"/cases/{case.id}/letters/new/outcome")
    assert refused.status_code == 302
    assert client.get(f"/cases/{case.id}/letters/new/nonsense").status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Enter the wording of the letter"),
        ("x" * 10_001, "10,000 characters or fewer"),
        ("{{ nope }}", "{{ nope }} is not a placeholder"),
        ("{% if 1 %}x{% endif %}", "Use only placeholders"),
    ],
)
def test_the_editor_refuses_bad_wording(
    db: Session, login_as: Callable[[Role], FlaskClient], body: str, message: str
) -> None:
    client = login_as(Role.ADMIN)
    before = _counts(db)
    response = post_form(client, "/admin/letters/outcome", {"body": body, "submit": "Save"})
    assert message in problem(response.get_data(as_text=True))
    assert _counts(db) == before


def test_the_letterhead_refuses_a_long_address(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    response = post_form(login_as(Role.ADMIN), "/admin/letters/letterhead", {"address": "x" * 1001})
    assert "1,000 characters or fewer" in problem(response.get_data(as_text=True))
    assert db.get(SchoolSettings, users[Role.ADMIN].school_id) is None


def test_a_form_without_its_csrf_token_is_refused(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    case = parent_case(db, users[Role.HEADTEACHER])
    dsl, admin = login_as(Role.DSL), login_as(Role.ADMIN)  # signing in is audited: first
    before = _counts(db)
    answer = dsl.post(f"/cases/{case.id}/letters/new/parent", data={**_valid(), "confirmed": "yes"})
    assert answer.status_code == 400
    admin.post("/admin/letters/parent", data={"body": "Hi", "submit": "Save"})
    assert _counts(db) == before
