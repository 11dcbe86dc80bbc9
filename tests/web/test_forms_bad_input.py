"""Bad input on every form: a clear error in the GOV.UK error summary and on the field, the
user's text shown back escaped, and nothing stored. Also: valid text with markup is stored as
typed and always rendered escaped, and a form without its CSRF token is refused."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.admin.clauses import commands as clause_service
from incidents.casework.cases import notes as note_service
from incidents.clock import local_today
from incidents.models import (
    AuditEntry,
    Case,
    Note,
    Person,
    PersonKind,
    PolicyClause,
    Role,
    School,
    User,
)
from tests import factories
from tests.conftest import csrf_token

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
TODAY = local_today()
REMOVE = object()  # leave the field out of the POST altogether


def day(offset: int) -> list[str]:
    """A GOV.UK date input's three values (day, month, year), `offset` days from today."""
    when = TODAY + timedelta(days=offset)
    return [str(when.day), str(when.month), str(when.year)]


def counts(db: Session) -> dict[str, int]:
    return {
        model.__name__: db.scalar(select(func.count()).select_from(model)) or 0
        for model in (Case, Note, PolicyClause, Person, AuditEntry)
    }


# --- Each form: who fills it in, where it posts, and a valid submission -----------------------


@dataclass
class Context:
    """What a form and its bad values need; expensive parts are made only when asked for."""

    db: Session
    users: dict[Role, User]
    school: School
    _other_school: School | None = field(default=None, init=False)

    def other_school(self) -> School:
        if self._other_school is None:
            self._other_school = factories.make_school(self.db, name="Other Primary School")
        return self._other_school

    def other_schools_person(self) -> str:
        other_head = factories.make_user(self.db, self.other_school(), Role.HEADTEACHER)
        return str(factories.person_of(self.db, other_head).id)

    def other_schools_clause(self) -> str:
        return str(clause_service.list_clauses(self.db, self.other_school().id)[0].id)

    def pupil(self) -> str:
        actor = self.users[Role.HEADTEACHER]
        return str(factories.make_person(self.db, actor, "Pupil Name", PersonKind.PUPIL).id)

    def retired_clause(self) -> str:
        clause = clause_service.list_clauses(self.db, self.school.id)[0]
        clause_service.set_retired(
            self.db, actor=self.users[Role.ADMIN], clause_id=clause.id, retired=True
        )
        return str(clause.id)

    def clause_code(self, index: int) -> str:
        return clause_service.list_clauses(self.db, self.school.id)[index].code


Value = Any  # a form value, REMOVE, or a callable taking the Context


@dataclass
class Target:
    client: FlaskClient
    path: str
    valid: dict[str, object]
    error_status: int
    clause_id: uuid.UUID | None = None


CASE_FORM_VALID: dict[str, object] = {
    "new_subject_name": "Jo Newcomer",
    "new_subject_kind": "staff",
    "narrative": "Jo sent a pupil a friend request on Facebook.",
    "occurred_on": day(-2),
    "became_aware_on": day(-1),
}
CLAUSE_VALID: dict[str, object] = {
    "code": "LOCAL-9",
    "source": "Staff handbook 4.2",
    "category": "contact_with_pupils",
    "text": "Staff must not message pupils from personal accounts.",
}


def open_form(form: str, ctx: Context, login_as: Callable[[Role], FlaskClient]) -> Target:
    db, users = ctx.db, ctx.users
    if form == "report":
        return Target(login_as(Role.STAFF), "/report/", dict(CASE_FORM_VALID), 200)
    if form == "record":
        # A name of its own: the report form may have added "Jo Newcomer" already.
        valid = {
            **CASE_FORM_VALID,
            "new_subject_name": "Jo Recorded",
            "source": "parent",
            "reporter": "Sam, 07700 900123",
            "confirmed": "yes",  # past check-your-answers (issue 17, item 3)
        }
        return Target(login_as(Role.HEADTEACHER), "/cases/new", valid, 200)
    if form in ("note", "correction"):
        case = factories.make_case(db, users[Role.DSL])
        note = note_service.add_note(db, actor=users[Role.DSL], case=case, body="First entry")
        db.commit()
        client = login_as(Role.HEADTEACHER)
        if form == "note":
            return Target(client, f"/cases/{case.id}/notes", {"body": "Rang the LADO."}, 400)
        return Target(
            client,
            f"/cases/{case.id}/notes/{note.id}/correct",
            {"body": "Rang the LADO on Monday.", "reason": "Wrong day"},
            200,
        )
    client = login_as(Role.ADMIN)
    if form == "clause_new":
        return Target(client, "/admin/clauses/new", dict(CLAUSE_VALID), 200)
    assert form == "clause_edit"
    clause = clause_service.list_clauses(db, ctx.school.id)[0]
    return Target(
        client, f"/admin/clauses/{clause.id}", dict(CLAUSE_VALID), 200, clause_id=clause.id
    )


def build(valid: dict[str, object], overrides: dict[str, Value], ctx: Context) -> dict[str, object]:
    data = dict(valid)
    for name, value in overrides.items():
        if value is REMOVE:
            data.pop(name, None)
        else:
            data[name] = value(ctx) if callable(value) else value
    return data


@pytest.fixture
def ctx(db: Session, users: dict[Role, User], school: School) -> Context:
    return Context(db, users, school)


# --- What a page says ------------------------------------------------------------------------


def summary_errors(page: str) -> dict[str, str]:
    """The error summary's links: field id -> message."""
    block = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S)
    assert block, "no GOV.UK error summary"
    links = re.findall(r'<a href="#([^"]+)">(.*?)</a>', block.group(0), re.S)
    return {target: html.unescape(text.strip()) for target, text in links}


def field_error(page: str, name: str) -> str | None:
    match = re.search(
        rf'<p id="{name}-error" class="govuk-error-message">\s*'
        r'<span class="govuk-visually-hidden">Error:</span>\s*(.*?)\s*</p>',
        page,
        re.S,
    )
    return html.unescape(match.group(1)) if match else None


def assert_refused(
    response: Any, target: Target, db: Session, before: dict[str, int], errors: dict[str, str]
) -> str:
    page: str = response.get_data(as_text=True)
    assert response.status_code == target.error_status, page[:300]
    summary = summary_errors(page)
    for name, message in errors.items():
        assert summary.get(name) == message, summary
        assert field_error(page, name) == message
    assert SCRIPT not in page
    assert counts(db) == before
    return page


# --- Bad values, form by form ----------------------------------------------------------------

CASE_FORM_BAD: list[tuple[str, dict[str, Value], str, str]] = [
    # Required fields empty, whitespace only, or left out.
    ("narrative-empty", {"narrative": ""}, "narrative", "Enter what happened"),
    ("narrative-blank", {"narrative": "  \r\n\t "}, "narrative", "Enter what happened"),
    ("narrative-missing", {"narrative": REMOVE}, "narrative", "Enter what happened"),
    (
        "aware-empty",
        {"became_aware_on": ["", "", ""]},
        "became_aware_on",
        "Enter the date you became aware",
    ),
    (
        "aware-blank",
        {"became_aware_on": [" ", "  ", " "]},
        "became_aware_on",
        "Enter the date you became aware",
    ),
    (
        "aware-missing",
        {"became_aware_on": REMOVE},
        "became_aware_on",
        "Enter the date you became aware",
    ),
    (
        "nobody-chosen",
        {"new_subject_name": "", "new_subject_kind": REMOVE},
        "subjects",
        "Choose who it is about, or enter their name",
    ),
    (
        "new-name-blank",
        {"new_subject_name": "   ", "new_subject_kind": REMOVE},
        "subjects",
        "Choose who it is about, or enter their name",
    ),
    (
        "new-name-without-role",
        {"new_subject_kind": REMOVE},
        "new_subject_kind",
        "Choose the role of the person you named",
    ),
    # Too long: one character over.
    (
        "narrative-too-long",
        {"narrative": "a" * 10_001},
        "narrative",
        "What happened must be 10,000 characters or fewer",
    ),
    (
        "name-too-long",
        {"new_subject_name": "a" * 121},
        "new_subject_name",
        "Name must be 120 characters or fewer",
    ),
    # Dates that are not real, partial, or impossible in time.
    (
        "aware-letters",
        {"became_aware_on": ["ab", "3", str(TODAY.year)]},
        "became_aware_on",
        "The date you became aware must be a real date, like 27 3 2026",
    ),
    (
        "aware-month-13",
        {"became_aware_on": ["3", "13", str(TODAY.year - 1)]},
        "became_aware_on",
        "The date you became aware must be a real date, like 27 3 2026",
    ),
    (
        "aware-31-feb",
        {"became_aware_on": ["31", "2", str(TODAY.year - 1)]},
        "became_aware_on",
        "The date you became aware must be a real date, like 27 3 2026",
    ),
    (
        "aware-no-month",
        {"became_aware_on": ["3", "", str(TODAY.year)]},
        "became_aware_on",
        "The date you became aware must include a month",
    ),
    (
        "aware-month-only",
        {"became_aware_on": ["", "3", ""]},
        "became_aware_on",
        "The date you became aware must include a day and a year",
    ),
    (
        "aware-two-digit-year",
        {"became_aware_on": ["3", "11", "25"]},
        "became_aware_on",
        "The date you became aware must be a real date, like 27 3 2026",
    ),
    (
        "aware-future",
        {"became_aware_on": day(1), "occurred_on": REMOVE},
        "became_aware_on",
        "The date you became aware must be today or in the past",
    ),
    (
        "occurred-future",
        {"occurred_on": day(1), "became_aware_on": day(0)},
        "occurred_on",
        "The date it happened must be today or in the past",
    ),
    (
        "occurred-after-aware",
        {"occurred_on": day(-1), "became_aware_on": day(-2)},
        "occurred_on",
        "The date it happened must be on or before the date you became aware",
    ),
    (
        "occurred-letters",
        {"occurred_on": ["1", "x", str(TODAY.year)]},
        "occurred_on",
        "The date it happened must be a real date, like 27 3 2026",
    ),
    (
        "occurred-no-day",
        {"occurred_on": ["", "3", str(TODAY.year)]},
        "occurred_on",
        "The date it happened must include a day",
    ),
    # Ids that were not offered: not a uuid, another school's, a pupil, a retired clause.
    ("subject-not-uuid", {"subjects": ["not-a-uuid"]}, "subjects", "Choose from the list"),
    ("subject-unknown", {"subjects": [str(uuid.uuid4())]}, "subjects", "Choose from the list"),
    (
        "subject-other-school",
        {"subjects": lambda c: [c.other_schools_person()]},
        "subjects",
        "Choose from the list",
    ),
    ("subject-pupil", {"subjects": lambda c: [c.pupil()]}, "subjects", "Choose from the list"),
    ("clause-not-uuid", {"clauses": ["1 OR 1=1"]}, "clauses", "Choose from the list"),
    (
        "clause-other-school",
        {"clauses": lambda c: [c.other_schools_clause()]},
        "clauses",
        "Choose from the list",
    ),
    (
        "clause-retired",
        {"clauses": lambda c: [c.retired_clause()]},
        "clauses",
        "Choose from the list",
    ),
    (
        "person-kind-unknown",
        {"new_subject_kind": "wizard"},
        "new_subject_kind",
        "Choose the role of the person you named",
    ),
    (
        "person-kind-pupil",
        {"new_subject_kind": "pupil"},
        "new_subject_kind",
        "Choose the role of the person you named",
    ),
    # Markup in text fields, with another field wrong so the page comes back.
    (
        "name-script",
        {"new_subject_name": SCRIPT, "became_aware_on": ["", "", ""]},
        "became_aware_on",
        "Enter the date you became aware",
    ),
    (
        "narrative-script",
        {"narrative": SCRIPT, "became_aware_on": ["", "", ""]},
        "became_aware_on",
        "Enter the date you became aware",
    ),
]

RECORD_ONLY_BAD: list[tuple[str, dict[str, Value], str, str]] = [
    (
        "child-words-empty",
        {"source": "child", "child_words": ""},
        "child_words",
        "Enter the child's own words, exactly as they said them",
    ),
    (
        "child-words-blank",
        {"source": "child", "child_words": " \r\n "},
        "child_words",
        "Enter the child's own words, exactly as they said them",
    ),
    (
        "child-words-missing",
        {"source": "child", "child_words": REMOVE},
        "child_words",
        "Enter the child's own words, exactly as they said them",
    ),
    (
        "child-words-too-long",
        {"source": "child", "child_words": "a" * 10_001},
        "child_words",
        "The child's own words must be 10,000 characters or fewer",
    ),
    (
        "child-words-script",
        {"source": "child", "child_words": SCRIPT, "became_aware_on": ["", "", ""]},
        "became_aware_on",
        "Enter the date you became aware",
    ),
    ("source-empty", {"source": ""}, "source", "Choose who told you"),
    ("source-blank", {"source": "  "}, "source", "Choose who told you"),
    ("source-missing", {"source": REMOVE}, "source", "Choose who told you"),
    ("source-unknown", {"source": "carrier_pigeon"}, "source", "Choose who told you"),
    (
        "reporter-too-long",
        {"reporter": "a" * 201},
        "reporter",
        "Their name and contact details must be 200 characters or fewer",
    ),
    (
        "reporter-script",
        {"reporter": SCRIPT, "became_aware_on": ["", "", ""]},
        "became_aware_on",
        "Enter the date you became aware",
    ),
    # The circumstances of the disclosure (issue 17, item 3).
    (
        "time-not-a-time",
        {"disclosed_time": "after lunch"},
        "disclosed_time",
        "The time you were told must be a real time, like 14:30",
    ),
    (
        "time-hour-25",
        {"disclosed_time": "25:10"},
        "disclosed_time",
        "The time you were told must be a real time, like 14:30",
    ),
    (
        "time-13pm",
        {"disclosed_time": "13:00pm"},
        "disclosed_time",
        "The time you were told must be a real time, like 14:30",
    ),
    (
        "place-too-long",
        {"place": "a" * 201},
        "place",
        "Where you were told must be 200 characters or fewer",
    ),
    (
        "present-too-long",
        {"present": "a" * 501},
        "present",
        "Who else was there must be 500 characters or fewer",
    ),
    (
        "received-by-too-long",
        {"received_by": "a" * 201},
        "received_by",
        "Who it was made to must be 200 characters or fewer",
    ),
    (
        "place-script",
        {"place": SCRIPT, "present": SCRIPT, "became_aware_on": ["", "", ""]},
        "became_aware_on",
        "Enter the date you became aware",
    ),
]

NOTE_BAD: list[tuple[str, dict[str, Value], str, str]] = [
    ("empty", {"body": ""}, "body", "Enter the note"),
    ("blank", {"body": " \r\n "}, "body", "Enter the note"),
    ("missing", {"body": REMOVE}, "body", "Enter the note"),
    ("too-long", {"body": "a" * 10_001}, "body", "The note must be 10,000 characters or fewer"),
    (
        "script-too-long",
        {"body": SCRIPT + "a" * 10_000},
        "body",
        "The note must be 10,000 characters or fewer",
    ),
]

CORRECTION_BAD: list[tuple[str, dict[str, Value], str, str]] = [
    ("body-empty", {"body": ""}, "body", "Enter the corrected entry"),
    ("body-blank", {"body": "   "}, "body", "Enter the corrected entry"),
    ("reason-empty", {"reason": ""}, "reason", "Enter why the entry is being corrected"),
    ("reason-blank", {"reason": "\t\r\n"}, "reason", "Enter why the entry is being corrected"),
    ("reason-missing", {"reason": REMOVE}, "reason", "Enter why the entry is being corrected"),
    (
        "body-too-long",
        {"body": "a" * 10_001},
        "body",
        "The corrected entry must be 10,000 characters or fewer",
    ),
    (
        "reason-too-long",
        {"reason": "a" * 1_001},
        "reason",
        "The reason must be 1,000 characters or fewer",
    ),
    (
        "body-script",
        {"body": SCRIPT, "reason": ""},
        "reason",
        "Enter why the entry is being corrected",
    ),
    (
        "reason-script",
        {"reason": SCRIPT, "body": ""},
        "body",
        "Enter the corrected entry",
    ),
]

CODE_RULE = "Enter a code of up to 20 capital letters, digits and hyphens"
CLAUSE_BAD: list[tuple[str, dict[str, Value], str, str]] = [
    ("code-empty", {"code": ""}, "code", "Enter a code"),
    ("code-missing", {"code": REMOVE}, "code", "Enter a code"),
    ("code-blank", {"code": "   "}, "code", CODE_RULE),
    ("code-too-long", {"code": "A" * 21}, "code", "Code must be 20 characters or fewer"),
    ("code-spaces", {"code": "LOCAL 9"}, "code", CODE_RULE),
    ("code-leading-hyphen", {"code": "-LOCAL"}, "code", CODE_RULE),
    (
        "code-taken",
        {"code": lambda c: c.clause_code(1)},
        "code",
        "Another clause already has this code",
    ),
    ("code-script", {"code": SCRIPT}, "code", "Code must be 20 characters or fewer"),
    ("source-empty", {"source": ""}, "source", "Enter where the clause comes from"),
    ("source-blank", {"source": "   "}, "source", "Enter where the clause comes from"),
    ("source-too-long", {"source": "a" * 121}, "source", "Source must be 120 characters or fewer"),
    ("category-empty", {"category": ""}, "category", "Choose a category"),
    ("category-missing", {"category": REMOVE}, "category", "Choose a category"),
    ("category-unknown", {"category": "gossip"}, "category", "Choose a category"),
    ("text-empty", {"text": ""}, "text", "Enter the clause"),
    ("text-blank", {"text": " \r\n "}, "text", "Enter the clause"),
    ("text-too-long", {"text": "a" * 1_001}, "text", "Clause must be 1,000 characters or fewer"),
    ("source-script", {"source": SCRIPT, "text": ""}, "text", "Enter the clause"),
    ("text-script", {"text": SCRIPT, "source": ""}, "source", "Enter where the clause comes from"),
]


def _cases() -> list[Any]:
    table = {
        "report": CASE_FORM_BAD,
        "record": CASE_FORM_BAD + RECORD_ONLY_BAD,
        "note": NOTE_BAD,
        "correction": CORRECTION_BAD,
        "clause_new": CLAUSE_BAD,
        "clause_edit": CLAUSE_BAD,
    }
    return [
        pytest.param(form, overrides, name, message, id=f"{form}-{case_id}")
        for form, rows in table.items()
        for case_id, overrides, name, message in rows
    ]


@pytest.mark.parametrize(("form", "overrides", "field_name", "message"), _cases())
def test_bad_input_is_refused_with_a_clear_error_and_nothing_stored(
    login_as, ctx, db, form, overrides, field_name, message
):
    target = open_form(form, ctx, login_as)
    data = build(target.valid, overrides, ctx)
    db.commit()
    token = csrf_token(target.client, "/")
    edited_before = _clause_state(db, target)
    before = counts(db)

    response = target.client.post(target.path, data={"csrf_token": token, **data})

    page = assert_refused(response, target, db, before, {field_name: message})
    assert _clause_state(db, target) == edited_before
    # What the user typed comes back (escaped), so nothing they wrote is lost.
    for value in data.values():
        if isinstance(value, str) and SCRIPT in value:
            assert ESCAPED_SCRIPT in page


def _clause_state(db: Session, target: Target) -> tuple[object, ...] | None:
    if target.clause_id is None:
        return None
    clause = db.get(PolicyClause, target.clause_id)
    assert clause is not None
    db.refresh(clause)
    return (clause.code, clause.source, clause.category, clause.text, clause.retired_at)


EVERYTHING_EMPTY: dict[str, dict[str, str]] = {
    "report": {
        "narrative": "Enter what happened",
        "became_aware_on": "Enter the date you became aware",
        "subjects": "Choose who it is about, or enter their name",
    },
    "record": {
        "source": "Choose who told you",
        "narrative": "Enter what happened",
        "became_aware_on": "Enter the date you became aware",
        "subjects": "Choose who it is about, or enter their name",
    },
    "note": {"body": "Enter the note"},
    "correction": {
        "body": "Enter the corrected entry",
        "reason": "Enter why the entry is being corrected",
    },
    "clause_new": {
        "code": "Enter a code",
        "source": "Enter where the clause comes from",
        "category": "Choose a category",
        "text": "Enter the clause",
    },
    "clause_edit": {
        "code": "Enter a code",
        "source": "Enter where the clause comes from",
        "category": "Choose a category",
        "text": "Enter the clause",
    },
}


@pytest.mark.parametrize("form", list(EVERYTHING_EMPTY))
def test_an_empty_form_lists_every_missing_answer_at_once(login_as, ctx, db, form):
    target = open_form(form, ctx, login_as)
    token = csrf_token(target.client, "/")
    empty = {
        name: (["", "", ""] if isinstance(value, list) else "")
        for name, value in target.valid.items()
    }
    before = counts(db)

    response = target.client.post(target.path, data={"csrf_token": token, **empty})

    assert_refused(response, target, db, before, EVERYTHING_EMPTY[form])


@pytest.mark.parametrize("form", list(EVERYTHING_EMPTY))
@pytest.mark.parametrize("token", ["", "not-a-real-token"])
def test_a_form_without_a_valid_csrf_token_is_refused(login_as, ctx, db, form, token):
    target = open_form(form, ctx, login_as)
    target.client.get("/")  # a session exists, as it would in a browser
    before = counts(db)
    edited_before = _clause_state(db, target)
    data = dict(target.valid)
    if token:
        data["csrf_token"] = token

    response = target.client.post(target.path, data=data)

    assert response.status_code == 400
    assert "Sorry, there is a problem with your request" in response.get_data(as_text=True)
    assert counts(db) == before
    assert _clause_state(db, target) == edited_before


# --- Markup in valid submissions is stored as typed and shown escaped -------------------------


def _assert_escaped(page: str, times: int) -> None:
    assert SCRIPT not in page
    assert page.count(ESCAPED_SCRIPT) >= times


def test_report_with_markup_is_stored_and_shown_escaped(login_as, db):
    staff = login_as(Role.STAFF)
    response = staff.post(
        "/report/",
        data={
            "csrf_token": csrf_token(staff, "/"),
            **CASE_FORM_VALID,
            "narrative": SCRIPT,
            "new_subject_name": SCRIPT,
        },
    )
    assert response.status_code == 302
    case = db.scalar(select(Case))
    assert case is not None
    assert case.narrative.reveal() == SCRIPT
    assert [p.name.reveal() for p in case.subjects] == [SCRIPT]

    head = login_as(Role.HEADTEACHER)
    _assert_escaped(head.get(f"/cases/{case.id}").get_data(as_text=True), times=2)
    # The new person is now offered on the forms, by name, escaped: on the record form once
    # found by the surname search (issue 21).
    found = head.post(
        "/cases/new",
        data={
            "csrf_token": csrf_token(head, "/cases/new"),
            "subject_search": SCRIPT,
            "find": "yes",
        },
    )
    assert 'name="subjects" type="checkbox"' in found.get_data(as_text=True)
    _assert_escaped(found.get_data(as_text=True), times=2)
    _assert_escaped(staff.get("/report/").get_data(as_text=True), times=1)


def test_record_with_markup_is_stored_and_shown_escaped(login_as, db):
    head = login_as(Role.HEADTEACHER)
    response = head.post(
        "/cases/new",
        data={
            "csrf_token": csrf_token(head, "/"),
            **CASE_FORM_VALID,
            "confirmed": "yes",  # past the check-your-answers page
            "source": "staff",
            "reporter": SCRIPT,
            "narrative": SCRIPT,
            "new_subject_name": SCRIPT,
        },
    )
    assert response.status_code == 302
    case = db.scalar(select(Case))
    assert case is not None
    assert case.reporter_identity is not None and case.reporter_identity.reveal() == SCRIPT
    page = head.get(response.headers["Location"]).get_data(as_text=True)
    # Narrative and name; the sealed reporter identity is not shown at all.
    _assert_escaped(page, times=2)
    assert page.count(ESCAPED_SCRIPT) == 2


def test_note_and_correction_with_markup_are_stored_and_shown_escaped(login_as, users, db):
    case = factories.make_case(db, users[Role.DSL])
    db.commit()
    head = login_as(Role.HEADTEACHER)
    token = csrf_token(head, "/")

    added = head.post(f"/cases/{case.id}/notes", data={"csrf_token": token, "body": SCRIPT})
    assert added.status_code == 302
    note = db.scalar(select(Note).where(Note.case_id == case.id))
    assert note is not None and note.body.reveal() == SCRIPT
    _assert_escaped(head.get(f"/cases/{case.id}").get_data(as_text=True), times=1)

    path = f"/cases/{case.id}/notes/{note.id}/correct"
    # The correction page shows the original entry and pre-fills it, both escaped.
    _assert_escaped(head.get(path).get_data(as_text=True), times=2)
    corrected = head.post(path, data={"csrf_token": token, "body": SCRIPT, "reason": SCRIPT})
    assert corrected.status_code == 302
    correction = db.scalar(select(Note).where(Note.corrects_id == note.id))
    assert correction is not None and correction.reason is not None
    assert (correction.body.reveal(), correction.reason.reveal()) == (SCRIPT, SCRIPT)
    _assert_escaped(head.get(f"/cases/{case.id}").get_data(as_text=True), times=3)


@pytest.mark.parametrize("form", ["clause_new", "clause_edit"])
def test_clause_with_markup_is_stored_and_shown_escaped(login_as, ctx, db, form):
    target = open_form(form, ctx, login_as)
    token = csrf_token(target.client, "/")
    response = target.client.post(
        target.path, data={"csrf_token": token, **target.valid, "source": SCRIPT, "text": SCRIPT}
    )
    assert response.status_code == 302
    db.expire_all()  # the edit was made in the request's session: read it afresh
    clause = db.scalar(select(PolicyClause).where(PolicyClause.code == "LOCAL-9"))
    assert clause is not None
    assert (clause.source, clause.text) == (SCRIPT, SCRIPT)
    if target.clause_id is not None:
        assert clause.id == target.clause_id
    _assert_escaped(target.client.get("/admin/clauses").get_data(as_text=True), times=2)
    _assert_escaped(target.client.get(f"/admin/clauses/{clause.id}").get_data(as_text=True), 2)
    # Case workers see the clause offered on the record form, escaped.
    head = login_as(Role.HEADTEACHER)
    _assert_escaped(head.get("/cases/new").get_data(as_text=True), times=1)


def test_valid_submissions_are_accepted(login_as, ctx, db):
    """The baseline every bad-input case varies: each form accepts its valid submission."""
    for form in EVERYTHING_EMPTY:
        target = open_form(form, ctx, login_as)
        before = counts(db)
        data = {"csrf_token": csrf_token(target.client, "/"), **target.valid}
        if form == "clause_new":
            data["code"] = "LOCAL-10"
        response = target.client.post(target.path, data=data)
        assert response.status_code == 302, (form, response.get_data(as_text=True)[:2000])
        assert counts(db) != before
