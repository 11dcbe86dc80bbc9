"""Issue 13, items 3 and 11, and issue 19, item 10: who a case is about, who manages it, and what
the database says about either.

- A typed-in name that matches the school's staff or governors is confirmed by the reporter
  ("is this the same person?"), so a case about the head cannot be managed by the head.
- The head, then the chair, then a named deputy, then the trust or LA officer: never a subject,
  never nobody, and the page says why. The head, the chair or an administrator can change the
  case manager, with a reason, audited; never to a subject.
- The staff report form lists only the school's staff, governors and volunteers.
- The link between a person and a user account is opaque to a database reader.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from incidents.audit import Action
from incidents.casework.cases import managers
from incidents.casework.cases.commands import CaseInput, NewSubject, report_concern
from incidents.clock import local_today
from incidents.errors import Forbidden, InvalidInput
from incidents.models import AuditEntry, Case, Person, PersonKind, Role, User
from incidents.permissions import can_view_case
from incidents.sensitive import cipher_of, place_of
from tests import factories
from tests.conftest import csrf_token, date_parts, problem, run_cli

NARRATIVE = "Saw them shouting at a Year 2 pupil and grabbing his arm."


def _report(db: Session, actor: User, name: str, **extra: object) -> Case:
    return report_concern(
        db,
        actor=actor,
        data=CaseInput(
            narrative=NARRATIVE,
            became_aware_on=local_today() - timedelta(days=1),
            new_subject=NewSubject(name=name, kind=PersonKind.STAFF),
            **extra,  # type: ignore[arg-type]
        ),
    )


# --- a typed-in name that is a member of staff (13.3) ------------------------------------------


def test_a_typed_in_name_of_the_head_is_confirmed_and_the_head_never_manages_it(db, users):
    head, staff = users[Role.HEADTEACHER], users[Role.STAFF]
    head_person = factories.person_of(db, head)
    db.commit()
    typed = f"Mr {head.display_name.split()[-1]}"  # the head's surname, as a pupil says it
    with pytest.raises(InvalidInput) as asked:
        _report(db, staff, typed)
    assert "say whether it is the same person" in asked.value.errors["new_subject_match"]
    db.rollback()
    assert db.scalar(select(Case.id)) is None

    case = _report(db, staff, typed, same_as=head_person.id)
    db.commit()
    assert [p.id for p in case.subjects] == [head_person.id]  # no duplicate person made
    assert case.case_manager_id == users[Role.CHAIR_OF_GOVERNORS].id
    assert not can_view_case(head, case)


def test_saying_the_name_is_someone_else_makes_a_new_person(db, users):
    head, staff = users[Role.HEADTEACHER], users[Role.STAFF]
    surname = head.display_name.split()[-1]
    case = _report(db, staff, f"Pat {surname}", not_listed=True)
    db.commit()
    [person] = case.subjects
    assert person.user_id is None and person.name.reveal() == f"Pat {surname}"
    assert case.case_manager_id == head.id


def test_a_match_must_be_one_of_those_offered(db, users):
    staff = users[Role.STAFF]
    surname = users[Role.HEADTEACHER].display_name.split()[-1]
    with pytest.raises(InvalidInput) as bad:
        _report(db, staff, f"Mr {surname}", same_as=uuid.uuid4())
    assert bad.value.errors == {
        "new_subject_match": "Choose from the list whether it is the same person"
    }


def test_the_report_form_asks_is_this_the_same_person(login_as, users, db):
    head = users[Role.HEADTEACHER]
    head_person = factories.person_of(db, head)
    db.commit()
    client = login_as(Role.STAFF)
    token = csrf_token(client, "/report/")
    data = {
        "csrf_token": token,
        "new_subject_name": f"Mr {head.display_name.split()[-1]}",
        "new_subject_kind": "staff",
        "narrative": NARRATIVE,
        "became_aware_on": date_parts(local_today() - timedelta(days=1)),
    }
    asked = client.post("/report/", data=data)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "say whether it is the same person" in problem(page)
    assert "Is this the same person?" in page
    assert f'value="{head_person.id}"' in page and "No, it is someone else" in page
    assert db.scalar(select(Case.id)) is None

    sent = client.post("/report/", data={**data, "new_subject_match": str(head_person.id)})
    assert sent.status_code == 302
    case = db.scalar(select(Case))
    assert case is not None and [p.id for p in case.subjects] == [head_person.id]
    assert case.case_manager_id == users[Role.CHAIR_OF_GOVERNORS].id
    assert login_as(Role.HEADTEACHER).get(f"/cases/{case.id}").status_code == 404


# --- the routing chain (13.3) --------------------------------------------------------------------


def _about(db: Session, users: dict[Role, User], *roles: Role) -> Case:
    subjects = [factories.person_of(db, users[r]) for r in roles]
    case = factories.make_case(db, users[Role.DSL], subjects=subjects)
    db.commit()
    return case


def test_about_the_head_without_a_chair_account_goes_to_the_named_deputy(db, school, users):
    users[Role.CHAIR_OF_GOVERNORS].is_active = False
    deputy = factories.make_user(db, school, Role.CHAIR_OF_GOVERNORS, email="vice@school.example")
    managers.name_deputy(db, actor=None, school=school, user=deputy)
    db.commit()
    case = _about(db, users, Role.HEADTEACHER)
    assert case.case_manager_id == deputy.id
    assert managers.basis_of(db, case) is managers.Basis.DEPUTY


def test_about_the_head_with_no_chair_and_no_deputy_goes_to_the_trust_officer(db, users):
    users[Role.CHAIR_OF_GOVERNORS].is_active = False
    db.commit()
    case = _about(db, users, Role.HEADTEACHER)
    assert case.case_manager_id == users[Role.TRUST_OFFICER].id
    assert managers.basis_of(db, case) is managers.Basis.TRUST_OFFICER
    assert can_view_case(users[Role.TRUST_OFFICER], case)


def test_about_head_and_chair_is_never_left_with_nobody(db, users, login_as):
    case = _about(db, users, Role.HEADTEACHER, Role.CHAIR_OF_GOVERNORS)
    assert case.needs_direct_lado_referral
    officer = users[Role.TRUST_OFFICER]
    assert case.case_manager_id == officer.id
    # The officer can move the case: the next steps are theirs.
    page = login_as(Role.TRUST_OFFICER).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "so the trust or local authority officer does" in page
    assert f'href="/cases/{case.id}/triage"' in page


def test_a_deputy_must_be_able_to_decide_cases(db, school, users):
    with pytest.raises(InvalidInput, match="can decide cases"):
        managers.name_deputy(db, actor=None, school=school, user=users[Role.GOVERNOR])
    with pytest.raises(Forbidden):
        managers.name_deputy(
            db, actor=users[Role.STAFF], school=school, user=users[Role.CHAIR_OF_GOVERNORS]
        )


# --- changing the case manager (13.3) ------------------------------------------------------------


def test_the_head_changes_the_case_manager_with_a_reason_audited(db, school, users):
    head = users[Role.HEADTEACHER]
    vice = factories.make_user(db, school, Role.CHAIR_OF_GOVERNORS, email="vice2@school.example")
    case = factories.make_case(db, users[Role.DSL])
    db.commit()
    with pytest.raises(InvalidInput) as bad:
        managers.change_case_manager(db, actor=head, case=case, manager_id=None, reason=" ")
    assert set(bad.value.errors) == {"manager", "reason"}
    assert case.case_manager_id == head.id
    managers.change_case_manager(
        db, actor=head, case=case, manager_id=vice.id, reason="Head is a witness"
    )
    db.commit()
    assert case.case_manager_id == vice.id
    assert managers.basis_of(db, case) is managers.Basis.CHANGED
    entry = db.scalar(
        select(AuditEntry).where(AuditEntry.action == Action.CASE_MANAGER_CHANGE.value)
    )
    assert entry is not None and entry.detail_ct is not None
    detail = json.loads(cipher_of(db).open(db, place_of(entry, "detail"), entry.detail_ct))
    assert detail["reason"] == "Head is a witness" and detail["to"] == str(vice.id)


def test_the_case_manager_is_never_changed_to_a_subject(db, users):
    head, chair = users[Role.HEADTEACHER], users[Role.CHAIR_OF_GOVERNORS]
    case = _about(db, users, Role.CHAIR_OF_GOVERNORS)
    assert chair.id not in {u.id for u in managers.eligible_managers(db, case)}
    with pytest.raises(InvalidInput, match="from the list"):
        managers.change_case_manager(db, actor=head, case=case, manager_id=chair.id, reason="R")
    # The DSL cannot change it, nor can a subject (who cannot even see it).
    with pytest.raises(Forbidden):
        managers.change_case_manager(
            db, actor=users[Role.DSL], case=case, manager_id=head.id, reason="R"
        )
    with pytest.raises(Exception, match="not found"):
        managers.change_case_manager(db, actor=chair, case=case, manager_id=head.id, reason="R")
    assert case.case_manager_id == head.id


def test_the_case_manager_page_changes_it(db, school, users, login_as):
    vice = factories.make_user(db, school, Role.CHAIR_OF_GOVERNORS, email="vice3@school.example")
    case = factories.make_case(db, users[Role.DSL])
    db.commit()
    client = login_as(Role.HEADTEACHER)
    url = f"/cases/{case.id}/case-manager"
    assert f'href="{url}"' in client.get(f"/cases/{case.id}").get_data(as_text=True)
    form = client.get(url).get_data(as_text=True)
    assert f'value="{vice.id}"' in form
    subject_free = {str(p.user_id) for p in case.subjects}
    assert not any(f'value="{uid}"' in form for uid in subject_free)
    token = csrf_token(client, url)
    bad = client.post(url, data={"csrf_token": token, "manager": str(uuid.uuid4()), "reason": ""})
    assert "Choose the new case manager from the list" in problem(bad.get_data(as_text=True))
    done = client.post(
        url,
        data={"csrf_token": token, "manager": str(vice.id), "reason": "Conflict of interest"},
        follow_redirects=True,
    )
    assert "Case manager changed" in done.get_data(as_text=True)
    db.expire_all()
    assert db.get(Case, case.id).case_manager_id == vice.id


def test_an_administrator_changes_the_case_manager_at_the_server(signed_app, db, school, users):
    vice = factories.make_user(db, school, Role.CHAIR_OF_GOVERNORS, email="vice4@school.example")
    case = factories.make_case(db, users[Role.DSL])
    db.commit()
    args = ["case-manager", "--school", school.urn, "--case", case.reference]
    refused = run_cli(signed_app, *args, "--email", users[Role.GOVERNOR].email, "--reason", "R")
    assert refused.exit_code != 0 and "from the list" in refused.output
    done = run_cli(signed_app, *args, "--email", vice.email, "--reason", "Head off sick")
    assert done.exit_code == 0, done.output
    db.expire_all()
    assert db.get(Case, case.id).case_manager_id == vice.id


# --- the staff report form lists only the school's people (13.11) --------------------------------


def test_the_report_form_lists_only_staff_governors_and_volunteers(db, users, login_as):
    head = users[Role.HEADTEACHER]
    for name, kind in [
        ("Vera Volunteer", PersonKind.VOLUNTEER),
        ("Pat Parent", PersonKind.PARENT_CARER),
        ("Carl Contractor", PersonKind.CONTRACTOR),
        ("Olly Other", PersonKind.OTHER),
    ]:
        factories.make_case(db, head, new_subject=NewSubject(name=name, kind=kind))
    db.commit()
    staff_form = login_as(Role.STAFF).get("/report/").get_data(as_text=True)
    assert "Vera Volunteer" in staff_form
    assert head.display_name in staff_form
    for hidden in ("Pat Parent", "Carl Contractor", "Olly Other"):
        assert hidden not in staff_form
    # Nor can a parent be picked by posting their id.
    parent = next(p for p in db.scalars(select(Person)) if p.name.reveal() == "Pat Parent")
    with pytest.raises(InvalidInput, match="Choose people from the list"):
        report_concern(
            db,
            actor=users[Role.STAFF],
            data=CaseInput(
                narrative=NARRATIVE,
                became_aware_on=local_today(),
                subject_ids=(parent.id,),
            ),
        )


# --- the person-to-user link is opaque to a database reader (19.10) -----------------------------


def test_a_database_reader_cannot_join_a_case_to_the_user_it_is_about(db, users):
    head = users[Role.HEADTEACHER]
    case = _about(db, users, Role.HEADTEACHER)
    assert "user_id" not in {c["name"] for c in inspect(db.get_bind()).get_columns("person")}
    # The raw rows: no column of person, case_subject or case_file holds the head's id.
    wanted = {head.id.hex, str(head.id)}
    rows = db.execute(
        text(
            "SELECT p.* FROM person p JOIN case_subject cs ON cs.person_id = p.id "
            "WHERE cs.case_id = :case"
        ),
        {"case": case.id.hex if db.get_bind().dialect.name == "sqlite" else case.id},
    ).all()
    assert rows
    for row in rows:
        for value in row:
            shown = value.hex() if isinstance(value, bytes) else str(value)
            assert not any(w in shown for w in wanted)
    # With the keys, the application still knows: the head cannot open the case.
    assert case.subjects[0].user_id == head.id
    assert not can_view_case(head, case)
