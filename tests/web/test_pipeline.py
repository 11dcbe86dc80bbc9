"""The one page pipeline (web/pipeline.py), through a real page on the real app: a refusal is an
error summary and never the green banner; whatever a command wrote before it refused or found
bad input is rolled back, so nothing is half-written; a success is committed once and says so."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from flask import Blueprint, Flask, render_template_string
from flask.testing import FlaskClient
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import StringField

from incidents.casework import page as case_step
from incidents.casework.cases import notes
from incidents.errors import InvalidInput, Refused
from incidents.extensions import db_session
from incidents.models import Case, Note, Role, User
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.pipeline import button, form_page
from tests import factories
from tests.conftest import count, csrf_token, problem, sign_in, success_banner

PAGE = """{% extends "base.html" %}{% block page %}<form method="post">
{{ form.csrf_token }}<input name="body" value="{{ form.body.data or '' }}">
{% for e in form.body.errors %}<p class="field-error">{{ e }}</p>{% endfor %}
</form>{% endblock %}"""


class BodyForm(FlaskForm):
    body = StringField("Body")


def _command(case: Case) -> Callable[[], Note]:
    """Writes a note first, then decides: what the pipeline must undo when it refuses."""

    def run() -> Note:
        body = BodyForm().body.data or ""
        note = notes.add_note(db_session(), actor=current_user, case=case, body=f"Note: {body}")
        if body == "refuse":
            raise Refused("The police are investigating: this must wait")
        if body == "bad":
            raise InvalidInput({"body": "Enter something else"})
        if body == "bad-step":
            raise InvalidInput({"step": "This step cannot be taken for this case"})
        return note

    return run


@pytest.fixture
def piped(app: Flask) -> Flask:
    bp = Blueprint("pipeline_test", __name__, url_prefix="/pipeline-test/<uuid:case_id>")

    @bp.route("/note", methods=["GET", "POST"])
    @requires(Permission.CASE_PROGRESS)
    def note(case_id: uuid.UUID) -> str | Response:
        case = case_step.load(case_id)
        form = BodyForm()
        return form_page(
            form,
            command=_command(case),
            done_message="Note saved",
            show=lambda: render_template_string(PAGE, form=form),
        )

    @bp.route("/closed-step", methods=["GET", "POST"])
    @requires(Permission.CASE_PROGRESS)
    def closed_step(case_id: uuid.UUID) -> str | Response:
        case_step.load(case_id, "close")  # a case just recorded cannot be closed
        raise AssertionError("never reached: the load refuses")

    @bp.route("/button", methods=["POST"])
    @requires(Permission.CASE_PROGRESS)
    def one_button(case_id: uuid.UUID) -> Response:
        case = case_step.load(case_id)
        return button(_command(case), "Done")

    app.register_blueprint(bp)
    return app


@pytest.fixture
def case(db: Session, users: dict[Role, User]) -> Case:
    made = factories.make_case(db, users[Role.HEADTEACHER])
    db.commit()
    return made


@pytest.fixture
def head(piped: Flask, login_as: Callable[[Role], FlaskClient]) -> FlaskClient:
    return login_as(Role.HEADTEACHER)


def _notes(db: Session) -> int:
    db.expire_all()
    return count(db, Note)


def test_a_refusal_at_load_goes_back_with_an_error_not_a_success(
    head: FlaskClient, case: Case
) -> None:
    response = head.get(f"/pipeline-test/{case.id}/closed-step")
    assert response.status_code == 302 and f"/cases/{case.id}" in response.location
    page = head.get(response.location).get_data(as_text=True)
    assert "is not possible" in problem(page) or "cannot" in problem(page)
    assert success_banner(page) == ""


@pytest.mark.parametrize("body", ["refuse", "bad-step"])
def test_a_refusal_after_the_command_wrote_leaves_nothing_written(
    head: FlaskClient, case: Case, db: Session, body: str
) -> None:
    before = _notes(db)
    path = f"/pipeline-test/{case.id}/note"
    response = head.post(path, data={"csrf_token": csrf_token(head, path), "body": body})
    assert response.status_code == 302 and f"/cases/{case.id}" in response.location
    page = head.get(response.location).get_data(as_text=True)
    expected = "must wait" if body == "refuse" else "cannot be taken"
    assert expected in problem(page) and success_banner(page) == ""
    assert _notes(db) == before


def test_bad_input_lands_on_its_field_and_nothing_is_written(
    head: FlaskClient, case: Case, db: Session
) -> None:
    before = _notes(db)
    path = f"/pipeline-test/{case.id}/note"
    response = head.post(path, data={"csrf_token": csrf_token(head, path), "body": "bad"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<p class="field-error">Enter something else</p>' in page
    assert 'value="bad"' in page  # what was typed is kept
    assert _notes(db) == before


def test_a_success_is_committed_once_and_says_so(
    head: FlaskClient, case: Case, db: Session
) -> None:
    before = _notes(db)
    path = f"/pipeline-test/{case.id}/note"
    response = head.post(path, data={"csrf_token": csrf_token(head, path), "body": "fine"})
    assert response.status_code == 302
    page = head.get(response.location).get_data(as_text=True)
    assert "Note saved" in success_banner(page) and problem(page) == ""
    assert _notes(db) == before + 1


def test_a_one_button_step_refused_after_writing_leaves_nothing(
    head: FlaskClient, case: Case, db: Session
) -> None:
    before = _notes(db)
    path = f"/pipeline-test/{case.id}/button"
    token = csrf_token(head, f"/cases/{case.id}")
    response = head.post(path, data={"csrf_token": token, "body": "refuse"})
    page = head.get(response.location).get_data(as_text=True)
    assert "must wait" in problem(page) and success_banner(page) == ""
    assert _notes(db) == before
    # Without its CSRF token the button does nothing at all.
    response = head.post(path, data={"body": "fine"})
    assert response.status_code in (302, 400)
    assert _notes(db) == before


def test_another_schools_case_is_a_404_before_anything_runs(
    piped: Flask, db: Session, case: Case
) -> None:
    other = factories.make_school(db, name="Other School")
    outsider = factories.make_user(db, other, Role.HEADTEACHER)
    factories.enrol_two_factor(db, outsider)
    db.commit()
    client = piped.test_client()
    sign_in(client, outsider.email)
    assert client.get(f"/pipeline-test/{case.id}/note").status_code == 404
