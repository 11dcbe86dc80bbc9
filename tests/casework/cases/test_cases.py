"""Case workers: recording a disclosure, the case list, who manages and who may open a case,
and the chronology (notes and corrections)."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from markupsafe import escape
from sqlalchemy import func, select

from incidents.admin.clauses import commands as clause_service
from incidents.casework.cases import notes as note_service
from incidents.casework.cases.commands import CaseInput, NewSubject, record_disclosure
from incidents.clock import local_today
from incidents.models import (
    AuditEntry,
    Case,
    CaseKind,
    CaseState,
    DisclosureSource,
    Note,
    PersonKind,
    Role,
)
from incidents.web.filters import london_datetime
from tests import factories
from tests.conftest import count, csrf_token, date_parts, post_form, problem, success_banner

NARRATIVE = "A parent said Mr Example sent their son a friend request on Facebook."
REPORTER = "Sam Reporter, 07700 900123"
# References carry the year a case is recorded in: every test here runs at a fixed moment
# mid-year (a weekday in term, far from New Year and the clock changes), ticking on, so a run
# that crossed New Year's midnight cannot number its cases in two years.
MID_YEAR = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)
YEAR = MID_YEAR.year


@pytest.fixture(autouse=True)
def _mid_year() -> Iterator[None]:
    with time_machine.travel(MID_YEAR, tick=True):
        yield


CHILD_WORDS = "He said not to tell my mum."


def record_data(token: str, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": token,
        "source": "parent",
        "reporter": REPORTER,
        "new_subject_name": "Jo Teacher",
        "new_subject_kind": "staff",
        "narrative": NARRATIVE,
        "became_aware_on": date_parts(local_today() - timedelta(days=1)),
        "confirmed": "yes",  # as if checked on the check-your-answers page
    }
    data.update(overrides)
    if data["source"] == "child":
        data.setdefault("child_words", CHILD_WORDS)
    return data


def references(page: str) -> list[str]:
    """The case references listed on a case-list page, in order."""
    return re.findall(r'href="/cases/[0-9a-f-]{36}">(\d{4}-\d{4})</a>', page)


def summary_value(page: str, key: str) -> str:
    match = re.search(
        rf'<dt class="govuk-summary-list__key">\s*{re.escape(key)}\s*</dt>\s*'
        r'<dd class="govuk-summary-list__value">\s*(.*?)\s*</dd>',
        page,
        re.S,
    )
    assert match, f"no {key!r} row"
    return html.unescape(match.group(1))


def error_summary(page: str) -> str:
    match = re.search(r'class="govuk-error-summary".*?</ul>', page, re.S)
    assert match, "no error summary"
    return html.unescape(match.group(0))


def offered(page: str, field: str) -> dict[str, str]:
    """Checkbox value -> label, as the browser shows them."""
    pattern = (
        rf'name="{field}" type="checkbox" value="([^"]+)"[^>]*>\s*<label[^>]*>\s*(.*?)\s*</label>'
    )
    return {value: html.unescape(label) for value, label in re.findall(pattern, page, re.S)}


def note_entry(page: str, note_id: uuid.UUID) -> str:
    match = re.search(rf'id="note-{note_id}">(.*?)</li>', page, re.S)
    assert match, f"note {note_id} not in the chronology"
    return match.group(1)


# --- Recording a disclosure -------------------------------------------------------------------


@pytest.mark.parametrize("source", list(DisclosureSource))
def test_record_disclosure_from_each_source(login_as, users, db, source):
    client = login_as(Role.HEADTEACHER)
    token = csrf_token(client, "/")

    response = client.post("/cases/new", data=record_data(token, source=source.value))

    assert response.status_code == 302
    [case] = db.scalars(select(Case)).all()
    assert response.headers["Location"].endswith(f"/cases/{case.id}")
    assert case.state is CaseState.RECORDED
    assert case.source is source
    assert case.narrative.reveal() == NARRATIVE
    assert case.reporter_identity is not None and case.reporter_identity.reveal() == REPORTER
    assert case.case_manager_id == users[Role.HEADTEACHER].id

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert NARRATIVE in html.unescape(page)
    expected = (
        "A member of staff (identity sealed)" if source is DisclosureSource.STAFF else source.label
    )
    assert summary_value(page, "Told by") == expected
    # Issue 17: the case manager reads the discloser's contact back, unless it is a sealed
    # report (a member of staff, a governor), which only the reveal page shows.
    sealed = source in (DisclosureSource.STAFF, DisclosureSource.GOVERNOR)
    assert ("Sam Reporter" in page) is not sealed
    assert ("07700 900123" in page) is not sealed
    assert f"Case {case.reference} recorded" in page


def test_case_page_keeps_line_breaks_in_what_happened(login_as, db):
    client = login_as(Role.HEADTEACHER)
    token = csrf_token(client, "/")
    location = client.post(
        "/cases/new", data=record_data(token, narrative="First line.\r\nSecond <b>line</b>.")
    ).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    # A browser sends CRLF; each line break shows as one, and the text itself stays escaped.
    assert re.search(r"First line\.\s*<br>Second &lt;b&gt;line&lt;/b&gt;\.", page)


def test_references_count_up_within_a_school_and_restart_per_school(login_as, users, db):
    client = login_as(Role.HEADTEACHER)
    token = csrf_token(client, "/")
    first = client.post("/cases/new", data=record_data(token)).headers["Location"]
    # The same typed name again: the recorder says it is someone else (issue 13, item 3).
    second = client.post("/cases/new", data=record_data(token, new_subject_match="none")).headers[
        "Location"
    ]

    assert f"Case {YEAR}-0001" in client.get(first).get_data(as_text=True)
    assert f"Case {YEAR}-0002" in client.get(second).get_data(as_text=True)

    other_school = factories.make_school(db, name="Other Primary School")
    other_head = factories.make_user(db, other_school, Role.HEADTEACHER)
    assert factories.make_case(db, other_head).reference == f"{YEAR}-0001"
    assert factories.make_case(db, users[Role.DSL]).reference == f"{YEAR}-0003"
    db.commit()
    # The other school's case is not in this school's list.
    listed = references(client.get("/cases/").get_data(as_text=True))
    assert sorted(listed) == [f"{YEAR}-0001", f"{YEAR}-0002", f"{YEAR}-0003"]


# --- The case list ----------------------------------------------------------------------------


@pytest.fixture
def varied_cases(db, users) -> dict[str, str]:
    """Four cases in different states and kinds, by name -> reference."""
    reported = factories.make_case(db, users[Role.STAFF])
    unassessed = factories.make_case(db, users[Role.DSL])
    allegation = factories.make_case(db, users[Role.DSL])
    concern = factories.make_case(db, users[Role.DSL])
    # Triage is not built yet: setting the kind directly stands in for the assessment.
    allegation.kind = CaseKind.ALLEGATION
    concern.kind = CaseKind.LOW_LEVEL_CONCERN
    db.commit()
    return {
        "reported": reported.reference,
        "unassessed": unassessed.reference,
        "allegation": allegation.reference,
        "concern": concern.reference,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"reported", "unassessed", "allegation", "concern"}),
        ("state=reported", {"reported"}),
        ("state=recorded", {"unassessed", "allegation", "concern"}),
        ("kind=allegation", {"allegation"}),
        ("kind=low_level_concern", {"concern"}),
        ("kind=unassessed", {"reported", "unassessed"}),
        ("state=recorded&kind=unassessed", {"unassessed"}),
        ("state=closed", set()),
    ],
)
def test_case_list_filters_by_state_and_kind(login_as, varied_cases, query, expected):
    client = login_as(Role.HEADTEACHER)
    response = client.get(f"/cases/?{query}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert set(references(page)) == {varied_cases[name] for name in expected}
    assert "govuk-error-summary" not in page
    if not expected:
        assert "No cases match." in page
    # The chosen filters stay chosen, and every state and kind is offered.
    for value in parse_qs(query).values():
        assert f'<option value="{value[0]}" selected>' in page
    for state in CaseState:
        assert f'value="{state.value}"' in page
    for kind in CaseKind:
        assert f'value="{kind.value}"' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("state=bogus", "Choose a state from the list"),
        ("kind=bogus", "Choose a kind from the list"),
        ("page=abc", "Page must be a whole number"),
        ("page=0", "Page must be a whole number"),
        ("page=-1", "Page must be a whole number"),
        ("state=%3Cscript%3Ealert(1)%3C/script%3E", "Choose a state from the list"),
    ],
)
def test_case_list_bad_filters_show_an_error_not_a_crash(login_as, varied_cases, query, message):
    client = login_as(Role.HEADTEACHER)
    response = client.get(f"/cases/?{query}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert message in error_summary(page)
    assert "<script>alert(1)</script>" not in page
    # The bad value is ignored, so the list still shows the school's cases.
    assert set(references(page)) == set(varied_cases.values())


def test_an_unusable_surname_is_an_error_and_the_other_filters_still_apply(login_as, varied_cases):
    client = login_as(Role.HEADTEACHER)
    response = post_form(client, "/cases/", {"state": "reported", "surname": "123"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)

    assert "Enter a surname using letters" in error_summary(page)
    assert set(references(page)) == {varied_cases["reported"]}


def pagination_link(page: str, rel: str) -> str | None:
    match = re.search(rf'<a [^>]*href="([^"]+)" rel="{rel}"', page)
    return html.unescape(match.group(1)) if match else None


def test_case_list_pages(app, login_as, users, db):
    app.config["PAGE_SIZE"] = 2
    for _ in range(5):
        factories.make_case(db, users[Role.DSL])
    db.commit()
    client = login_as(Role.HEADTEACHER)

    first = client.get("/cases/").get_data(as_text=True)
    assert references(first) == [f"{YEAR}-0005", f"{YEAR}-0004"]
    assert "5 cases" in first
    assert pagination_link(first, "prev") is None

    second = client.get("/cases/?page=2&state=recorded").get_data(as_text=True)
    assert references(second) == [f"{YEAR}-0003", f"{YEAR}-0002"]
    assert 'aria-label="Page 2" aria-current="page"' in second
    previous, following = pagination_link(second, "prev"), pagination_link(second, "next")
    assert previous is not None and following is not None
    assert parse_qs(urlsplit(previous).query)["page"] == ["1"]
    # The filter is kept when moving between pages.
    assert parse_qs(urlsplit(following).query) == {"page": ["3"], "state": ["recorded"]}

    third = client.get(following).get_data(as_text=True)
    assert references(third) == [f"{YEAR}-0001"]
    assert 'aria-label="Page 3" aria-current="page"' in third
    assert pagination_link(third, "next") is None
    assert 'aria-label="Page 1"' in third

    beyond = client.get("/cases/?page=4").get_data(as_text=True)
    assert references(beyond) == []
    assert "No cases match." in beyond


def test_case_list_shows_who_but_never_the_narrative_or_the_reporter(login_as, users, db):
    record_disclosure(
        db,
        actor=users[Role.DSL],
        data=CaseInput(
            narrative="Zanzibar narrative that must stay on the case page",
            became_aware_on=local_today(),
            new_subject=NewSubject(name="Quentin Uniquename", kind=PersonKind.VOLUNTEER),
            not_listed=True,
            source=DisclosureSource.STAFF,
            reporter="Rita Reporter",
        ),
    )
    db.commit()
    client = login_as(Role.HEADTEACHER)
    page = client.get("/cases/").get_data(as_text=True)

    assert references(page) == [f"{YEAR}-0001"]
    assert "Zanzibar" not in page
    assert "Rita Reporter" not in page
    # Case workers see who a case is about in the list (it is how they find a case).
    assert "Quentin Uniquename" in page


# --- Who manages a case, and who may open it --------------------------------------------------


def test_normal_case_is_managed_by_the_headteacher(login_as, users, db):
    case = factories.make_case(db, users[Role.DSL])
    db.commit()
    assert case.case_manager_id == users[Role.HEADTEACHER].id
    assert case.needs_direct_lado_referral is False

    client = login_as(Role.HEADTEACHER)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert summary_value(page, "Case manager").startswith(users[Role.HEADTEACHER].display_name)
    assert "The headteacher manages the case." in page
    assert "Refer it directly to the LADO" not in page


def test_case_about_the_headteacher_is_managed_by_the_chair(login_as, users, db):
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, users[Role.DSL], subjects=[factories.person_of(db, head)])
    db.commit()
    assert case.case_manager_id == users[Role.CHAIR_OF_GOVERNORS].id
    assert case.needs_direct_lado_referral is False

    head_client = login_as(Role.HEADTEACHER)
    hidden = head_client.get(f"/cases/{case.id}")
    assert hidden.status_code == 404
    assert case.narrative.reveal() not in html.unescape(hidden.get_data(as_text=True))
    assert case.reference not in head_client.get("/cases/").get_data(as_text=True)

    chair = login_as(Role.CHAIR_OF_GOVERNORS)
    assert references(chair.get("/cases/").get_data(as_text=True)) == [case.reference]
    page = chair.get(f"/cases/{case.id}").get_data(as_text=True)
    assert case.narrative.reveal() in html.unescape(page)
    manager = summary_value(page, "Case manager")
    assert manager.startswith(users[Role.CHAIR_OF_GOVERNORS].display_name)
    assert "so the chair of governors manages it" in manager


def test_case_about_head_and_chair_goes_straight_to_the_lado(login_as, users, db):
    subjects = [
        factories.person_of(db, users[Role.HEADTEACHER]),
        factories.person_of(db, users[Role.CHAIR_OF_GOVERNORS]),
    ]
    case = factories.make_case(db, users[Role.DSL], subjects=subjects)
    db.commit()
    # Issue 13, item 3: the case is never left with nobody to move it.
    assert case.case_manager_id == users[Role.TRUST_OFFICER].id
    assert case.needs_direct_lado_referral is True

    dsl = login_as(Role.DSL)
    page = dsl.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "govuk-warning-text" in page
    assert "Refer it directly to the LADO" in page
    manager = summary_value(page, "Case manager")
    assert manager.startswith(users[Role.TRUST_OFFICER].display_name)
    assert "so the trust or local authority officer does" in manager
    assert "Refer to LADO directly" in dsl.get("/cases/").get_data(as_text=True)

    for role in (Role.HEADTEACHER, Role.CHAIR_OF_GOVERNORS):
        assert login_as(role).get(f"/cases/{case.id}").status_code == 404


def test_chair_cannot_open_a_case_they_do_not_manage(login_as, users, db):
    case = factories.make_case(db, users[Role.DSL])
    db.commit()
    chair = login_as(Role.CHAIR_OF_GOVERNORS)
    response = chair.get(f"/cases/{case.id}")
    assert response.status_code == 404
    assert case.narrative.reveal() not in html.unescape(response.get_data(as_text=True))
    assert references(chair.get("/cases/").get_data(as_text=True)) == []


def test_a_case_that_does_not_exist_is_not_found(login_as):
    assert login_as(Role.HEADTEACHER).get(f"/cases/{uuid.uuid4()}").status_code == 404


def test_another_schools_case_is_not_found(login_as, db):
    other_school = factories.make_school(db, name="Other Primary School")
    other_case = factories.make_case(db, factories.make_user(db, other_school, Role.HEADTEACHER))
    db.commit()
    assert login_as(Role.HEADTEACHER).get(f"/cases/{other_case.id}").status_code == 404


def test_opening_a_case_is_audited(login_as, users, db):
    case = factories.make_case(db, users[Role.DSL])
    db.commit()
    client = login_as(Role.HEADTEACHER)

    def views() -> list[AuditEntry]:
        return list(
            db.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "case.view", AuditEntry.case_id == case.id
                )
            )
        )

    assert views() == []
    assert client.get(f"/cases/{case.id}").status_code == 200
    [event] = views()
    assert event.actor_id == users[Role.HEADTEACHER].id
    client.get(f"/cases/{case.id}")
    assert len(views()) == 2


def test_refused_case_page_is_not_audited_as_a_view(login_as, users, db):
    case = factories.make_case(
        db, users[Role.DSL], subjects=[factories.person_of(db, users[Role.HEADTEACHER])]
    )
    db.commit()
    assert login_as(Role.HEADTEACHER).get(f"/cases/{case.id}").status_code == 404
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "case.view", AuditEntry.case_id == case.id)
        )
        == 0
    )


# --- The chronology ---------------------------------------------------------------------------


def test_add_a_note_to_the_chronology(login_as, users, db):
    case = factories.make_case(db, users[Role.DSL])
    db.commit()
    client = login_as(Role.HEADTEACHER)
    token = csrf_token(client, "/")

    response = client.post(
        f"/cases/{case.id}/notes",
        data={"csrf_token": token, "body": "Spoke to the LADO.\nAdvised to refer."},
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}#chronology")
    [note] = db.scalars(select(Note).where(Note.case_id == case.id)).all()
    assert note.author_id == users[Role.HEADTEACHER].id
    assert note.corrects_id is None
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    entry = note_entry(page, note.id)
    assert "Spoke to the LADO.\nAdvised to refer." in entry
    assert f"{london_datetime(note.created_at)} by {users[Role.HEADTEACHER].display_name}" in entry
    assert "Note added to the chronology" in page
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "note.add", AuditEntry.object_id == note.id)
        )
        == 1
    )


def test_correct_a_note_keeps_the_original(login_as, users, db):
    case = factories.make_case(db, users[Role.DSL])
    original = note_service.add_note(
        db, actor=users[Role.DSL], case=case, body="Met the parent on 3 March."
    )
    db.commit()
    client = login_as(Role.HEADTEACHER)

    form = client.get(f"/cases/{case.id}/notes/{original.id}/correct").get_data(as_text=True)
    assert "Met the parent on 3 March." in form
    token = csrf_token(client, "/")
    response = client.post(
        f"/cases/{case.id}/notes/{original.id}/correct",
        data={
            "csrf_token": token,
            "body": "Met the parent on 4 March.",
            "reason": "Wrong date typed",
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}#chronology")
    correction = db.scalar(select(Note).where(Note.corrects_id == original.id))
    assert correction is not None
    assert correction.body.reveal() == "Met the parent on 4 March."
    assert correction.reason is not None and correction.reason.reveal() == "Wrong date typed"
    assert correction.author_id == users[Role.HEADTEACHER].id
    db.refresh(original)
    assert original.body.reveal() == "Met the parent on 3 March."
    assert count(db, Note) == 2

    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    old_entry, new_entry = note_entry(page, original.id), note_entry(page, correction.id)
    assert "Met the parent on 3 March." in old_entry
    assert "Corrected later" in old_entry
    assert users[Role.DSL].display_name in old_entry
    assert "Met the parent on 4 March." in new_entry
    assert "Reason: Wrong date typed" in new_entry
    assert "Corrected later" not in new_entry
    # The timeline reads newest first (issue 17, item 2): the correction above what it corrects.
    assert page.index(f"note-{correction.id}") < page.index(f"note-{original.id}")


@pytest.mark.parametrize("role", [Role.HEADTEACHER, Role.CHAIR_OF_GOVERNORS])
def test_notes_on_a_case_you_cannot_see_are_not_found(login_as, users, db, role):
    # The head is the subject (hidden from the head); the chair manages it, so a second case
    # the chair does not manage is used for the chair.
    about_head = factories.make_case(
        db, users[Role.DSL], subjects=[factories.person_of(db, users[Role.HEADTEACHER])]
    )
    normal = factories.make_case(db, users[Role.DSL])
    case = about_head if role is Role.HEADTEACHER else normal
    note = note_service.add_note(db, actor=users[Role.DSL], case=case, body="First entry")
    db.commit()
    client = login_as(role)
    token = csrf_token(client, "/")
    notes_before, events_before = count(db, Note), count(db, AuditEntry)

    added = client.post(f"/cases/{case.id}/notes", data={"csrf_token": token, "body": "Sneaky"})
    form = client.get(f"/cases/{case.id}/notes/{note.id}/correct")
    corrected = client.post(
        f"/cases/{case.id}/notes/{note.id}/correct",
        data={"csrf_token": token, "body": "Sneaky", "reason": "Sneaky"},
    )

    assert (added.status_code, form.status_code, corrected.status_code) == (404, 404, 404)
    assert "First entry" not in form.get_data(as_text=True)
    assert (count(db, Note), count(db, AuditEntry)) == (notes_before, events_before)


def test_correcting_a_note_of_another_case_is_not_found(login_as, users, db):
    case = factories.make_case(db, users[Role.DSL])
    other = factories.make_case(db, users[Role.DSL])
    other_note = note_service.add_note(db, actor=users[Role.DSL], case=other, body="Elsewhere")
    db.commit()
    client = login_as(Role.HEADTEACHER)
    token = csrf_token(client, "/")
    path = f"/cases/{case.id}/notes/{other_note.id}/correct"
    notes_before = count(db, Note)

    assert client.get(path).status_code == 404
    response = client.post(path, data={"csrf_token": token, "body": "New", "reason": "Because"})
    assert response.status_code == 404
    assert count(db, Note) == notes_before


# --- Policy clauses on cases ------------------------------------------------------------------


def test_retired_clause_is_not_offered_but_stays_on_old_cases(login_as, users, school, db):
    retiring, staying = clause_service.list_clauses(db, school.id)[:2]
    case = record_disclosure(
        db,
        actor=users[Role.DSL],
        data=CaseInput(
            narrative=NARRATIVE,
            became_aware_on=local_today(),
            new_subject=NewSubject(name="Jo Teacher", kind=PersonKind.STAFF),
            not_listed=True,
            clause_ids=(retiring.id,),
            source=DisclosureSource.PARENT,
        ),
    )
    db.commit()
    client = login_as(Role.HEADTEACHER)
    assert str(retiring.id) in offered(client.get("/cases/new").get_data(as_text=True), "clauses")

    clause_service.set_retired(db, actor=users[Role.ADMIN], clause_id=retiring.id, retired=True)
    db.commit()

    choices = offered(client.get("/cases/new").get_data(as_text=True), "clauses")
    assert str(retiring.id) not in choices
    assert str(staying.id) in choices
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    clauses_row = re.search(r"Policy clauses\s*</dt>(.*?)</dd>", page, re.S)
    assert clauses_row is not None
    assert str(escape(retiring.text)) in clauses_row.group(1)
    assert f"({escape(retiring.source)}, retired)" in clauses_row.group(1)


# --- Refusals: the reason is an error, never a success; nothing is saved ---------------------


def test_a_refused_workflow_step_is_an_error_and_changes_nothing(login_as, users, db):
    case = factories.make_case(db, users[Role.HEADTEACHER])
    db.commit()
    head = login_as(Role.HEADTEACHER)
    token = csrf_token(head, "/")
    events_before = count(db, AuditEntry)

    response = head.post(f"/cases/{case.id}/steps/investigate", data={"csrf_token": token})

    assert response.status_code == 302
    assert response.location.endswith(f"/cases/{case.id}#next-steps")
    assert count(db, AuditEntry) == events_before
    db.refresh(case)
    assert case.state is CaseState.RECORDED
    page = head.get(response.location).get_data(as_text=True)
    assert "investigation is not possible while the case is recorded" in problem(page)
    assert "not possible" not in success_banner(page)


def test_a_step_taken_is_a_success(login_as, users, db):
    case = factories.make_case(db, users[Role.STAFF], source=DisclosureSource.STAFF)
    db.commit()
    head = login_as(Role.HEADTEACHER)

    response = head.post(
        f"/cases/{case.id}/steps/accept", data={"csrf_token": csrf_token(head, "/")}
    )

    db.refresh(case)
    assert case.state is CaseState.RECORDED
    page = head.get(response.location).get_data(as_text=True)
    assert "Done: " in success_banner(page)
    assert problem(page) == ""


def test_the_parent_letter_for_another_source_is_refused_as_an_error(login_as, users, db):
    case = factories.make_case(db, users[Role.HEADTEACHER], source=DisclosureSource.ANONYMOUS)
    db.commit()
    head = login_as(Role.HEADTEACHER)
    events_before = count(db, AuditEntry)

    response = head.get(f"/cases/{case.id}/letter")

    assert response.status_code == 302
    assert response.location.endswith(f"/cases/{case.id}#next-steps")
    assert count(db, AuditEntry) == events_before
    page = head.get(response.location).get_data(as_text=True)
    reason = "A letter to the parent is only for a concern raised by a parent or carer"
    assert reason in problem(page)
    assert reason not in success_banner(page)


def test_revealing_a_reporter_where_none_is_sealed_is_refused_as_an_error(login_as, users, db):
    case = factories.make_case(db, users[Role.HEADTEACHER], source=DisclosureSource.PARENT)
    db.commit()
    head = login_as(Role.HEADTEACHER)
    events_before = count(db, AuditEntry)

    response = head.get(f"/cases/{case.id}/reporter")

    # Refused before any password is asked for, and nothing is recorded as revealed.
    assert response.status_code == 302
    assert "/reauthenticate" not in response.location
    assert count(db, AuditEntry) == events_before
    page = head.get(response.location).get_data(as_text=True)
    reason = "There is no sealed reporter identity on this case"
    assert reason in problem(page)
    assert reason not in success_banner(page)
