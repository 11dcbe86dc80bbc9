"""Staff "Report a concern": one page, a receipt with the reference, and no way back to the case."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import func, select

from incidents.audit.log import actor_pseudonym
from incidents.clock import local_today
from incidents.models import AuditEntry, Case, CaseState, DisclosureSource, Person, PersonKind, Role
from tests import factories
from tests.conftest import csrf_token, date_parts, problem, success_banner

NARRATIVE = "Saw Mr Example message a Year 6 pupil on Instagram during lunch."


def offered(page: str, field: str) -> dict[str, str]:
    """Checkbox label -> value, as the browser shows them."""
    pattern = rf'name="{field}" type="checkbox" value="([^"]+)">\s*<label[^>]*>\s*(.*?)\s*</label>'
    return {html.unescape(label): value for value, label in re.findall(pattern, page, re.S)}


def only_case(db) -> Case:
    cases = list(db.scalars(select(Case)))
    assert len(cases) == 1
    return cases[0]


def test_staff_reports_about_someone_on_the_list(login_as, users, db):
    person = factories.make_person(db, users[Role.HEADTEACHER], name="Alex Listed")
    db.commit()
    client = login_as(Role.STAFF)
    form_page = client.get("/report/").get_data(as_text=True)
    person_value = offered(form_page, "subjects")["Alex Listed (member of staff)"]
    assert person_value == str(person.id)
    token = csrf_token(client, "/")

    response = client.post(
        "/report/",
        data={
            "csrf_token": token,
            "subjects": [person_value],
            "narrative": NARRATIVE,
            "became_aware_on": date_parts(local_today() - timedelta(days=1)),
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/report/receipt")
    case = only_case(db)
    assert case.state is CaseState.REPORTED
    assert case.source is DisclosureSource.STAFF
    assert case.narrative.reveal() == NARRATIVE
    assert [p.id for p in case.subjects] == [person.id]
    assert case.became_aware_on == local_today() - timedelta(days=1)
    # The reporter's own identity is kept, sealed, so the case manager can follow it up.
    assert case.reporter_identity is not None
    assert users[Role.STAFF].email in case.reporter_identity.reveal()

    receipt = client.get("/report/receipt").get_data(as_text=True)
    year = local_today().year
    assert re.fullmatch(r"\d{4}-\d{4}", case.reference)
    assert case.reference == f"{year}-0001"
    assert f"<strong>{year}-0001</strong>" in receipt
    assert "Report sent" in receipt
    assert NARRATIVE not in receipt
    assert "Alex Listed" not in receipt


def test_staff_reports_about_someone_not_listed(login_as, db):
    client = login_as(Role.STAFF)
    token = csrf_token(client, "/")
    people_before = db.scalar(select(func.count()).select_from(Person))

    response = client.post(
        "/report/",
        data={
            "csrf_token": token,
            "new_subject_name": "Chris Newname",
            "new_subject_kind": "volunteer",
            "narrative": NARRATIVE,
            "occurred_on": date_parts(local_today() - timedelta(days=3)),
            "became_aware_on": date_parts(local_today()),
        },
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert response.request.path == "/report/receipt"
    case = only_case(db)
    assert case.state is CaseState.REPORTED
    assert case.occurred_on == local_today() - timedelta(days=3)
    assert db.scalar(select(func.count()).select_from(Person)) == people_before + 1
    [subject] = case.subjects
    assert subject.name.reveal() == "Chris Newname"
    assert subject.kind is PersonKind.VOLUNTEER
    page = response.get_data(as_text=True)
    assert f"<strong>{case.reference}</strong>" in page
    assert NARRATIVE not in page
    assert "Chris Newname" not in page


def test_report_goes_to_the_headteacher_and_is_audited(login_as, users, db):
    client = login_as(Role.STAFF)
    token = csrf_token(client, "/")
    client.post(
        "/report/",
        data={
            "csrf_token": token,
            "new_subject_name": "Chris Newname",
            "new_subject_kind": "staff",
            "narrative": NARRATIVE,
            "became_aware_on": date_parts(local_today()),
        },
    )
    case = only_case(db)
    assert case.case_manager_id == users[Role.HEADTEACHER].id
    assert case.needs_direct_lado_referral is False
    events = list(
        db.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "case.report", AuditEntry.case_id == case.id
            )
        )
    )
    assert len(events) == 1
    # The sealed reporter is a per-case pseudonym, linkable only with the case's key (item 9).
    assert events[0].actor_id != users[Role.STAFF].id
    assert events[0].actor_id == actor_pseudonym(db, case.school_id, case.id, users[Role.STAFF].id)


def test_staff_cannot_see_cases_including_their_own_report(login_as, db):
    client = login_as(Role.STAFF)
    token = csrf_token(client, "/")
    client.post(
        "/report/",
        data={
            "csrf_token": token,
            "new_subject_name": "Chris Newname",
            "new_subject_kind": "staff",
            "narrative": NARRATIVE,
            "became_aware_on": date_parts(local_today()),
        },
    )
    case = only_case(db)

    assert client.get("/cases/").status_code == 403
    own = client.get(f"/cases/{case.id}")
    assert own.status_code == 403
    assert NARRATIVE not in own.get_data(as_text=True)
    assert client.get("/cases/new").status_code == 403


def test_the_receipt_is_shown_once_and_leaves_the_cookie(login_as, db):
    client = login_as(Role.STAFF)
    data = {
        "csrf_token": csrf_token(client, "/"),
        "new_subject_name": "Chris Newname",
        "new_subject_kind": "staff",
        "narrative": NARRATIVE,
        "became_aware_on": date_parts(local_today()),
    }
    assert client.post("/report/", data=data).status_code == 302
    assert client.get("/report/receipt").status_code == 200
    with client.session_transaction() as cookie:
        assert "receipt" not in cookie
    assert client.get("/report/receipt").status_code == 404


def test_receipt_is_not_found_without_a_report(login_as):
    client = login_as(Role.STAFF)
    response = client.get("/report/receipt")
    assert response.status_code == 404
    assert "Report sent" not in response.get_data(as_text=True)


def test_governor_report_has_governor_source(login_as, users, db):
    client = login_as(Role.GOVERNOR)
    token = csrf_token(client, "/")
    response = client.post(
        "/report/",
        data={
            "csrf_token": token,
            "new_subject_name": "Pat Parent",
            "new_subject_kind": "parent_carer",
            "narrative": "A parent posted photos of the school play on Facebook.",
            "became_aware_on": date_parts(local_today()),
        },
    )
    assert response.status_code == 302
    case = only_case(db)
    assert case.source is DisclosureSource.GOVERNOR
    assert case.state is CaseState.REPORTED
    assert case.case_manager_id == users[Role.HEADTEACHER].id


def test_headteacher_sees_the_staff_report_with_identity_sealed(login_as, users, db):
    staff = login_as(Role.STAFF)
    staff.post(
        "/report/",
        data={
            "csrf_token": csrf_token(staff, "/"),
            "new_subject_name": "Chris Newname",
            "new_subject_kind": "staff",
            "narrative": NARRATIVE,
            "became_aware_on": date_parts(local_today()),
        },
    )
    case = only_case(db)

    head = login_as(Role.HEADTEACHER)
    page = head.get(f"/cases/{case.id}").get_data(as_text=True)
    assert NARRATIVE in page
    assert "A member of staff (identity sealed)" in page
    assert users[Role.STAFF].email not in page
    assert users[Role.STAFF].display_name not in page


def test_the_receipt_is_the_confirmation_and_no_banner_follows_it(login_as, db):
    client = login_as(Role.STAFF)
    response = client.post(
        "/report/",
        data={
            "csrf_token": csrf_token(client, "/"),
            "new_subject_name": "Chris Newname",
            "new_subject_kind": "staff",
            "narrative": NARRATIVE,
            "became_aware_on": date_parts(local_today()),
        },
        follow_redirects=True,
    )

    receipt = response.get_data(as_text=True)
    assert response.request.path == "/report/receipt"
    assert f"<strong>{only_case(db).reference}</strong>" in receipt
    # The panel says it once; the banner neither repeats it here nor turns up on the next page.
    assert success_banner(receipt) == ""
    assert problem(receipt) == ""
    assert success_banner(client.get("/").get_data(as_text=True)) == ""
