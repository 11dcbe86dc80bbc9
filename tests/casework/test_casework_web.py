"""The case-work pages: the parent letter says nothing about the allegation, the home page
lists what is due, a sealed reporter needs re-authentication, and a refused step is explained."""

from __future__ import annotations

from incidents.models import CaseState, DisclosureSource, Role
from tests import factories
from tests.conftest import csrf_token

NARRATIVE = "A parent said a teacher friended their child on Facebook."


def test_parent_letter_has_the_steps_and_no_allegation_detail(login_as, users, db):
    case = factories.make_case(db, users[Role.HEADTEACHER], narrative=NARRATIVE)
    db.commit()
    page = login_as(Role.HEADTEACHER).get(f"/cases/{case.id}/letter").get_data(as_text=True)
    assert "What happens next" in page and case.reference in page
    assert users[Role.HEADTEACHER].school.name in page
    assert "Facebook" not in page and "Jo Teacher" not in page


def test_home_page_lists_the_dsl_alert_due_today(login_as, users, db):
    case = factories.make_case(
        db, users[Role.HEADTEACHER], source=DisclosureSource.PARENT, narrative=NARRATIVE
    )
    db.commit()
    page = login_as(Role.HEADTEACHER).get("/").get_data(as_text=True)
    # The explain-to-parent task is due tomorrow; the LADO clock starts only on triage.
    assert 'id="due"' not in page or "Due today" in page
    # The task given to the head is in their inbox (issue 15), by reference and fixed wording.
    assert "A task has been given to you" in page and case.reference in page
    assert NARRATIVE not in page


def test_revealing_a_sealed_reporter_needs_reauthentication(login_as, users, db):
    case = factories.make_case(db, users[Role.STAFF], source=DisclosureSource.STAFF)
    db.commit()
    head = login_as(Role.HEADTEACHER)
    page = head.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "A member of staff" in page
    assert users[Role.STAFF].email not in page
    response = head.get(f"/cases/{case.id}/reporter")
    assert response.status_code == 302 and "/reauthenticate" in response.location
    dsl = login_as(Role.DSL)
    assert dsl.get(f"/cases/{case.id}/reporter").status_code == 403


def test_a_refused_step_is_explained_and_changes_nothing(login_as, users, db):
    case = factories.make_case(db, users[Role.HEADTEACHER])
    db.commit()
    head = login_as(Role.HEADTEACHER)
    response = head.post(
        f"/cases/{case.id}/steps/investigate", data={"csrf_token": csrf_token(head, "/")}
    )
    assert response.status_code == 302
    page = head.get(response.location).get_data(as_text=True)
    assert "not possible while the case is recorded" in page
    db.refresh(case)
    assert case.state is CaseState.RECORDED


def test_accepting_a_staff_report(login_as, users, db):
    case = factories.make_case(db, users[Role.STAFF], source=DisclosureSource.STAFF)
    db.commit()
    head = login_as(Role.HEADTEACHER)
    head.post(f"/cases/{case.id}/steps/accept", data={"csrf_token": csrf_token(head, "/")})
    db.refresh(case)
    assert case.state is CaseState.RECORDED
