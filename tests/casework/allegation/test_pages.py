"""The allegation step pages: each shows its form, answers bad input with the error summary and
stores nothing, and records a good answer on the case page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from incidents.models import (
    Agency,
    CaseClock,
    EmployingOrganisation,
    InformingStep,
    Meeting,
    ReferralStatus,
    RestrictionEnded,
    Role,
)
from tests.case_routes import TODAY, move
from tests.casework.allegation.test_steps import allegation, childs_allegation
from tests.conftest import csrf_token, problem, success_banner


def date_fields(name: str, when: date) -> dict[str, list[str]]:
    """A GOV.UK date input's three values (day, month, year)."""
    return {name: [str(when.day), str(when.month), str(when.year)]}


PAGES = {
    # path, model, a good answer, a bad one and an error it must show
    "meetings/new": (
        Meeting,
        {
            "kind": "strategy",
            **date_fields("held_on", TODAY),
            "attendees": "Head (school); LADO",
            "decisions": "Police lead.",
            "who_tells": "Nobody yet.",
        },
        {"kind": "strategy", "attendees": ""},
        "Enter who attended, and which organisation each represented",
    ),
    "told/new": (
        InformingStep,
        {
            "kind": "parents",
            **date_fields("told_on", TODAY),
            "told_by": "The DSL",
            "what_said": "That an allegation was made.",
            "agreed_with_lado": "yes",
            "agreed_with_police": "na",
        },
        {"kind": "parents_outcome", "told_by": "The DSL"},
        "Enter what they were told",
    ),
    "timescales/new": (
        CaseClock,
        {"kind": "report_action", **date_fields("started_on", TODAY)},
        {"kind": "hearing", **date_fields("started_on", TODAY - timedelta(days=30))},
        "on or after the date the school became aware",
    ),
    "organisations/new": (
        EmployingOrganisation,
        {"kind": "agency", "name": "Supply Co", "contact": "Pat"},
        {"kind": "nonsense", "name": "Supply Co"},
        "Choose who employs or engages the person",
    ),
}


@pytest.mark.parametrize("path", list(PAGES))
def test_each_step_page_refuses_bad_input_and_records_good(db, users, login_as, path):
    head = users[Role.HEADTEACHER]
    case = allegation(db, head)
    model, good, bad, message = PAGES[path]
    client = login_as(Role.HEADTEACHER)
    url = f"/cases/{case.id}/{path}"
    assert client.get(url).status_code == 200

    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, **bad})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title>Error:" in page
    assert message in problem(page)
    assert (db.scalar(select(func.count()).select_from(model)) or 0) == 0

    response = client.post(url, data={"csrf_token": token, **good}, follow_redirects=True)
    assert success_banner(response.get_data(as_text=True))
    assert (db.scalar(select(func.count()).select_from(model)) or 0) == 1


def test_the_restriction_ends_through_its_page(db, users, login_as):
    case = childs_allegation(db, users[Role.HEADTEACHER])
    client = login_as(Role.HEADTEACHER)
    url = f"/cases/{case.id}/reporting-restriction/end"
    token = csrf_token(client, url)
    bad = client.post(url, data={"csrf_token": token, "reason": "charged"})
    assert "Enter the date it ended" in problem(bad.get_data(as_text=True))
    assert (db.scalar(select(func.count()).select_from(RestrictionEnded)) or 0) == 0
    done = client.post(
        url,
        data={
            "csrf_token": token,
            "reason": "charged",
            **date_fields("ended_on", TODAY),
            "note": "Charged today.",
        },
        follow_redirects=True,
    )
    page = done.get_data(as_text=True)
    assert success_banner(page)
    assert "section 141F" not in page


def test_the_organisation_stops_only_after_the_lado(db, users, login_as):
    head = users[Role.HEADTEACHER]
    case = allegation(db, head)
    client = login_as(Role.HEADTEACHER)
    token = csrf_token(client, f"/cases/{case.id}/organisations/new")
    client.post(
        f"/cases/{case.id}/organisations/new",
        data={"csrf_token": token, "kind": "contractor", "name": "Build Ltd", "contact": "Al"},
    )
    row = db.scalar(select(EmployingOrganisation))
    assert row is not None
    url = f"/cases/{case.id}/organisations/{row.id}/stopped"
    refused = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "Refer the allegation to the LADO first" in problem(refused)
    move(db, head, case, Agency.LADO, ReferralStatus.MADE)
    db.commit()
    done = client.post(
        url, data={"csrf_token": token, **date_fields("stopped_on", TODAY)}, follow_redirects=True
    )
    assert success_banner(done.get_data(as_text=True))
    db.refresh(row)
    assert row.stopped_on == TODAY


def test_the_teacher_charged_is_recorded_with_the_police_result(db, users, login_as):
    case = childs_allegation(db, users[Role.HEADTEACHER])
    client = login_as(Role.DSL)
    url = f"/cases/{case.id}/police-result"
    form = client.get(url).get_data(as_text=True)
    assert "The teacher has been charged" in form and 'type="checkbox"' in form
    token = csrf_token(client, url)
    done = client.post(
        url,
        data={"csrf_token": token, "result": "Charged with assault.", "teacher_charged": "y"},
        follow_redirects=True,
    )
    assert success_banner(done.get_data(as_text=True))
    row = db.scalar(select(RestrictionEnded))
    assert row is not None and row.reason.value == "charged"
