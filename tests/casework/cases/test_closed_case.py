"""A closed case opens only after the password again and a reason (issue 19, item 12): the
case page, its notes and the letter ask; the opening's audit entry points at the grant, which
keeps the reason; a grant opens one case, for one person, in one sign-in session."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.accounts import elevation
from incidents.accounts.sessions import start
from incidents.casework.cases import commands as case_service
from incidents.casework.cases import notes as note_service
from incidents.errors import Forbidden
from incidents.models import AuditEntry, Case, Elevation, ElevationPurpose, Note, Role, User
from tests import case_stages, factories
from tests.conftest import confirm_it_is_you, csrf_token

NARRATIVE = "A parent said a teacher friended their child on Facebook."
REASON = "The LADO asked for the chronology again"


def _openings(db: Session, case: Case) -> list[AuditEntry]:
    query = select(AuditEntry).where(
        AuditEntry.case_id == case.id, AuditEntry.action == "case.view"
    )
    return list(db.scalars(query))


def _asks_for_the_password(response: object, case: Case, back: str) -> None:
    assert response.status_code == 302  # type: ignore[attr-defined]
    target = urlsplit(response.location)  # type: ignore[attr-defined]
    assert target.path == "/reauthenticate/open_closed_case"
    query = parse_qs(target.query)
    assert query["record"] == [str(case.id)]
    assert query["next"] == [back]


def test_opening_a_closed_case_asks_for_the_password_and_keeps_the_reason(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case = case_stages.closed(db, head)
    client = login_as(Role.HEADTEACHER)
    before = len(_openings(db, case))

    response = client.get(f"/cases/{case.id}")

    _asks_for_the_password(response, case, f"/cases/{case.id}")
    assert NARRATIVE not in response.get_data(as_text=True)
    assert len(_openings(db, case)) == before  # not opened, so not recorded as opened

    confirm_it_is_you(client, "open_closed_case", case.id, reason=REASON)
    page = client.get(f"/cases/{case.id}")

    assert page.status_code == 200 and NARRATIVE in page.get_data(as_text=True)
    opening = _openings(db, case)[-1]
    assert opening.object_type == "elevation"
    grant = db.get(Elevation, opening.object_id)
    assert grant is not None and grant.user_id == head.id
    assert grant.purpose is ElevationPurpose.OPEN_CLOSED_CASE and grant.record_id == case.id
    assert grant.reason.reveal() == REASON


def test_a_grant_opens_one_closed_case_only(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    one, other = case_stages.closed(db, head), case_stages.closed(db, head)
    client = login_as(Role.HEADTEACHER)
    confirm_it_is_you(client, "open_closed_case", one.id)

    assert client.get(f"/cases/{one.id}").status_code == 200
    _asks_for_the_password(client.get(f"/cases/{other.id}"), other, f"/cases/{other.id}")
    # Nor does it carry to another sign-in of the same person.
    again = login_as(Role.HEADTEACHER).get(f"/cases/{one.id}")
    _asks_for_the_password(again, one, f"/cases/{one.id}")


def test_an_open_case_does_not_ask(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    case = factories.make_case(db, users[Role.HEADTEACHER])
    db.commit()
    assert login_as(Role.HEADTEACHER).get(f"/cases/{case.id}").status_code == 200


def test_a_closed_cases_notes_and_letter_ask_too(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case = case_stages.closed(db, head)
    note = note_service.add_note(db, actor=head, case=case, body="Spoke to the LADO.")
    db.commit()
    client = login_as(Role.HEADTEACHER)
    notes = len(case.notes)
    correct = f"/cases/{case.id}/notes/{note.id}/correct"

    _asks_for_the_password(client.get(correct), case, correct)
    letter = f"/cases/{case.id}/letter"
    _asks_for_the_password(client.get(letter), case, letter)
    token = csrf_token(client, "/")
    sent = client.post(f"/cases/{case.id}/notes", data={"csrf_token": token, "body": "Late note"})
    # A form cannot be sent again after the password: back to the case page instead.
    _asks_for_the_password(sent, case, f"/cases/{case.id}")
    db.expire_all()
    count = select(Note).where(Note.case_id == case.id)
    assert len(db.scalars(count).all()) == notes

    confirm_it_is_you(client, "open_closed_case", case.id)
    assert client.get(correct).status_code == 200
    assert client.get(letter).status_code == 200


def test_the_service_opens_a_closed_case_only_under_the_users_own_grant(
    db: Session, users: dict[Role, User]
) -> None:
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    case = case_stages.closed(db, head)
    with pytest.raises(Forbidden):
        case_service.get_case(db, actor=head, case_id=case.id)

    def grant_for(user: User, purpose: ElevationPurpose, record: object) -> Elevation:
        token = start(db, user=user)
        db.flush()
        return elevation.grant(
            db,
            actor=user,
            login_token=token,
            purpose=purpose,
            password=factories.PASSWORD,
            reason=REASON,
            record_id=record,
        )

    wrong = [
        grant_for(head, ElevationPurpose.EXPORT, case.id),
        grant_for(head, ElevationPurpose.OPEN_CLOSED_CASE, dsl.school_id),
        grant_for(dsl, ElevationPurpose.OPEN_CLOSED_CASE, case.id),
    ]
    for grant in wrong:
        with pytest.raises(Forbidden):
            case_service.get_case(db, actor=head, case_id=case.id, grant=grant)
    right = grant_for(head, ElevationPurpose.OPEN_CLOSED_CASE, case.id)
    assert case_service.get_case(db, actor=head, case_id=case.id, grant=right) is case
