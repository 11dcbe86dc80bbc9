"""Hostile input never becomes a 500: any text in the case list's query (found once: "?page=²"),
and a file sent where every form expects text (found once: a TypeError in a form field)."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from incidents.models import Role
from tests.conftest import csrf_token

# Any text a browser could put in a query string, including other scripts' digits and controls.
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


def test_the_case_list_answers_any_query(login_as: Callable[[Role], FlaskClient]) -> None:
    client = login_as(Role.HEADTEACHER)  # one sign-in; every example only reads (GET)

    @settings(max_examples=80, deadline=None)
    @given(page=ANY_TEXT, state=ANY_TEXT, kind=ANY_TEXT, surname=ANY_TEXT)
    def answers(page: str, state: str, kind: str, surname: str) -> None:
        query = {"page": page, "state": state, "kind": kind, "surname": surname}
        assert client.get("/cases/", query_string=query).status_code == 200

    answers()


def test_superscript_digits_are_not_a_page_number(login_as: Callable[[Role], FlaskClient]) -> None:
    page = login_as(Role.HEADTEACHER).get("/cases/?page=²").get_data(as_text=True)
    assert "Page must be a whole number" in page


def test_a_file_in_any_form_is_refused_before_a_form_reads_it(
    app: Flask, login_as: Callable[[Role], FlaskClient]
) -> None:
    client = login_as(Role.HEADTEACHER)
    token = csrf_token(client)
    posted = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or set()):
            continue
        path = re.sub(r"<any\(([a-z_]+)[^>]*>", r"\1", rule.rule)  # its first choice
        path = re.sub(r"<(?:uuid:)?[a-z_]+>", lambda _m: str(uuid.uuid4()), path)
        data = {
            "csrf_token": token,
            # A file where a text answer, a date part or a choice is expected.
            **{
                name: (io.BytesIO(b"%PDF-1.4 not text"), "evidence.pdf")
                for name in ("body", "reasons", "narrative", "email", "code", "title", "day")
            },
        }
        response = client.post(path, data=data, content_type="multipart/form-data")
        assert response.status_code == 400, (rule.rule, response.status_code)
        posted += 1
    assert posted > 30  # every form of the service, not a handful
