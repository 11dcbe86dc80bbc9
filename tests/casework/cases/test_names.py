"""Names keep no invisible characters: a right-to-left override or a zero-width space pasted into
a name would make it read differently in a list, or hide it from a surname search."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from incidents.accounts import users as user_service
from incidents.casework.cases import queries
from incidents.casework.cases.commands import NewSubject
from incidents.clock import local_today
from incidents.models import Case, Person, PersonKind, Role, School, User
from incidents.validation import plain_name
from tests import factories
from tests.conftest import count, csrf_token, date_parts

RLO, PDF, ZWSP, LRI, PDI, BOM = "\u202e", "\u202c", "\u200b", "\u2066", "\u2069", "\ufeff"


def test_invisible_characters_are_taken_out_of_a_name() -> None:
    assert plain_name(f" Sam {RLO}htimS{PDF}{ZWSP} ") == "Sam htimS"
    assert plain_name(f"{BOM}Jo {LRI}Bloggs{PDI}") == "Jo Bloggs"
    assert plain_name("Zoë\tO'Brien-Ng\x07") == "ZoëO'Brien-Ng"  # control characters too
    # A zero-width joiner spells some names (Malayalam, Sinhala): it stays.
    assert plain_name("ശ്\u200dരീ") == "ശ്\u200dരീ"


def test_a_new_subject_is_stored_and_found_without_them(
    db: Session, users: dict[Role, User]
) -> None:
    head = users[Role.HEADTEACHER]
    case = factories.make_case(
        db, head, new_subject=NewSubject(name=f"Alex Smi{ZWSP}th{RLO}", kind=PersonKind.STAFF)
    )
    db.commit()
    assert [p.name.reveal() for p in case.subjects] == ["Alex Smith"]
    for typed in ("Smith", f"Smi{ZWSP}th"):  # a search pasted with one still finds it
        filters = queries.read_filters({}, surname=typed)
        found = queries.list_cases(db, actor=head, surname=filters.surname)
        assert [c.id for c in found.items] == [case.id], typed


def test_a_name_of_only_invisible_characters_is_no_name(
    login_as: Callable[[Role], FlaskClient], db: Session
) -> None:
    client = login_as(Role.HEADTEACHER)
    before = (count(db, Case), count(db, Person))
    response = client.post(
        "/cases/new",
        data={
            "csrf_token": csrf_token(client, "/cases/new"),
            "source": "parent",
            "new_subject_name": f"{ZWSP}{RLO} {BOM}",
            "new_subject_kind": "staff",
            "narrative": "A parent says a teacher added pupils on Facebook.",
            "became_aware_on": date_parts(local_today()),
        },
    )
    assert response.status_code == 200
    assert "Enter the person" in response.get_data(as_text=True)
    db.expire_all()
    assert (count(db, Case), count(db, Person)) == before


def test_a_users_name_is_kept_without_them(db: Session, school: School) -> None:
    user = user_service.create_user(
        db,
        actor=None,
        school=school,
        email="new.person@school.example",
        display_name=f"{RLO}Pat Example{ZWSP}",
        roles=[Role.STAFF],
        password=factories.PASSWORD,
    )
    db.flush()
    assert user.display_name == "Pat Example"
    person = factories.person_of(db, user)
    assert person.name.reveal() == "Pat Example"
