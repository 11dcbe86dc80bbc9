"""Issue 13, what is missing: low-level concerns about the same adult over time. Earlier
concerns shown at triage (only those the viewer may open), a page about one adult for the case
manager, and a periodic review prompt."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.casework.allegation import concerns
from incidents.casework.triage import commands as triage
from incidents.errors import NotFound
from incidents.models import AuditEntry, Case, CaseKind, Person, Role, ThresholdAnswer, User
from tests import factories
from tests.case_routes import TODAY

N = ThresholdAnswer.NO


def concern(
    db: Session, head: User, people: list[Person], days_ago: int, manager: User | None = None
) -> Case:
    case = factories.make_case(
        db, head, subjects=people, became_aware_on=TODAY - timedelta(days=days_ago)
    )
    data = triage.TriageInput(N, N, N, N, kind=CaseKind.LOW_LEVEL_CONCERN, reasons="Low level.")
    triage.triage(db, actor=manager or head, case=case, data=data)
    db.commit()
    return case


def test_earlier_concerns_about_the_same_adult_show_at_triage(db, users, login_as):
    head = users[Role.HEADTEACHER]
    person = factories.make_person(db, head, "Robin Staff")
    concern(db, head, [person], 400)  # more than 12 months ago: a case, not a recent concern
    concern(db, head, [person], 100)
    concern(db, head, [person], 30)
    # One the DSL may not open (it is also about the DSL): never counted for them.
    concern(db, head, [person, factories.person_of(db, users[Role.DSL])], 20)
    new = factories.make_case(db, head, subjects=[person], became_aware_on=TODAY)
    db.commit()

    [seen_by_head] = concerns.earlier_concerns(db, actor=head, case=new)
    assert (seen_by_head.concerns_in_window, seen_by_head.cases) == (3, 4)
    [seen_by_dsl] = concerns.earlier_concerns(db, actor=users[Role.DSL], case=new)
    assert (seen_by_dsl.concerns_in_window, seen_by_dsl.cases) == (2, 3)

    page = login_as(Role.HEADTEACHER).get(f"/cases/{new.id}/triage").get_data(as_text=True)
    assert "3 earlier low-level concerns in the 12 months before this case" in page
    assert f"/people/{person.id}" in page


def test_the_page_about_one_person_lists_every_case_the_viewer_may_open(db, users, login_as):
    head = users[Role.HEADTEACHER]
    person = factories.make_person(db, head, "Robin Staff")
    first = concern(db, head, [person], 100)
    second = concern(db, head, [person], 10)
    client = login_as(Role.HEADTEACHER)
    case_page = client.get(f"/cases/{second.id}").get_data(as_text=True)
    assert "Also about this person" in case_page and f"/people/{person.id}" in case_page

    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert first.reference in page and second.reference in page
    assert "Robin Staff" in page
    opened = db.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "person.view")
    )
    assert opened == 1
    # A DSL does not decide cases: the page is the case manager's.
    assert login_as(Role.DSL).get(f"/people/{person.id}").status_code == 403


def test_the_page_about_a_person_is_missing_where_the_viewer_may_open_nothing(db, users, login_as):
    head = users[Role.HEADTEACHER]
    # The head, about themselves: nothing they may open, so no page.
    me = factories.person_of(db, head)
    concern(db, users[Role.DSL], [me], 5, manager=users[Role.CHAIR_OF_GOVERNORS])
    assert login_as(Role.HEADTEACHER).get(f"/people/{me.id}").status_code == 404
    other_school = factories.make_school(db, name="Other Academy")
    other_head = factories.make_user(db, other_school, Role.HEADTEACHER)
    stranger = factories.make_person(db, other_head, "Kit Elsewhere")
    concern(db, other_head, [stranger], 5)
    response = login_as(Role.HEADTEACHER).get(f"/people/{stranger.id}")
    assert response.status_code == 404
    assert "Kit Elsewhere" not in response.get_data(as_text=True)
    try:
        concerns.person_history(db, actor=head, person_id=stranger.id)
    except NotFound:
        pass
    else:  # pragma: no cover - the assertion says what failed
        raise AssertionError("another school's person was found")


def test_low_level_concerns_are_prompted_for_a_periodic_review(db, users):
    head = users[Role.HEADTEACHER]
    person = factories.make_person(db, head, "Robin Staff")
    concern(db, head, [person], 60)
    latest = concern(db, head, [person], 5)
    assert concerns.prompt_reviews(db, TODAY) == 1
    db.commit()
    [task] = [t for t in latest.tasks if t.describe() == concerns.REVIEW_TITLE]
    assert task.assignee_id == head.id and not task.is_done
    # Once a term: not again the next day, nor a month later.
    assert concerns.prompt_reviews(db, TODAY + timedelta(days=1)) == 0
    assert concerns.prompt_reviews(db, TODAY + timedelta(days=30)) == 0


def test_the_jobs_run_asks_for_the_review(signed_app) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import run_cli

    db = signed_app.extensions["incidents.sessions"]()
    school = factories.make_school(db)
    head = factories.make_user(db, school, Role.HEADTEACHER)
    person = factories.make_person(db, head, "Robin Staff")
    concern(db, head, [person], 3)
    result = run_cli(signed_app, "jobs", "run")
    assert result.exit_code == 0, result.output
    assert "Low-level concern reviews asked for: 1" in result.output
    again = run_cli(signed_app, "jobs", "run")
    assert "Low-level concern reviews" not in again.output
