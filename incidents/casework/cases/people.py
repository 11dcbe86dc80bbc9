"""People a case can be about. Names are Sensitive: sorting happens in memory, after reading."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.errors import InvalidInput
from incidents.models import ADULT_KINDS, Person, PersonKind, User
from incidents.models.person import surname_of
from incidents.sensitive import Sensitive, cipher_of
from incidents.validation import plain_name

MAX_NAME = 120


# The school's own people: what a member of staff's report form lists (issue 13, item 11). A
# parent, contractor or anyone else who exists only because a case was opened about them is
# never shown to staff.
SCHOOL_KINDS = (PersonKind.STAFF, PersonKind.GOVERNOR, PersonKind.VOLUNTEER)


def list_school_people(session: Session, school_id: uuid.UUID) -> list[Person]:
    people = session.scalars(
        select(Person).where(Person.school_id == school_id, Person.kind.in_(SCHOOL_KINDS))
    )
    return sorted(people, key=lambda p: p.name.reveal().casefold())


def matches(
    session: Session,
    school_id: uuid.UUID,
    name: str,
    kinds: tuple[PersonKind, ...] = SCHOOL_KINDS,
) -> list[Person]:
    """The school's staff, governors and volunteers (or `kinds`) a typed-in name may mean: the
    same surname (by its blind index, so nothing is decrypted to look), for the reporter to
    confirm; the record form's search for who a case is about (issue 21) reads only these."""
    surname = surname_of(plain_name(name))
    if not surname:
        return []
    index = cipher_of(session).blind_index(school_id, "surname", surname)
    found = session.scalars(
        select(Person).where(
            Person.school_id == school_id,
            Person.kind.in_(kinds),
            Person.surname_index == index,
        )
    )
    return sorted(found, key=lambda p: p.name.reveal().casefold())


def chosen(
    session: Session,
    school_id: uuid.UUID,
    values: Iterable[str],
    kinds: tuple[PersonKind, ...] = ADULT_KINDS,
) -> list[Person]:
    """The people already ticked on a form that is shown again (its ids as sent): those of the
    school's that may be chosen, in one query. Anything else is left out, so the form's own
    check says "Choose from the list"."""
    ids = set()
    for value in values:
        try:
            ids.add(uuid.UUID(str(value)))
        except ValueError:
            continue
    if not ids:
        return []
    found = session.scalars(
        select(Person).where(
            Person.id.in_(ids), Person.school_id == school_id, Person.kind.in_(kinds)
        )
    )
    return sorted(found, key=lambda p: p.name.reveal().casefold())


def people_by_id(
    session: Session,
    school_id: uuid.UUID,
    ids: Iterable[uuid.UUID],
    kinds: tuple[PersonKind, ...] = ADULT_KINDS,
) -> list[Person]:
    wanted = set(ids)
    if not wanted:
        return []
    found = list(
        session.scalars(
            select(Person).where(
                Person.id.in_(wanted), Person.school_id == school_id, Person.kind.in_(kinds)
            )
        )
    )
    if len(found) != len(wanted):
        raise InvalidInput({"subjects": "Choose people from the list"})
    return found


def create_person(
    session: Session,
    *,
    actor: User,
    name: str,
    kind: PersonKind,
    field: str = "new_subject_name",
    sealed: bool = False,
) -> Person:
    """`sealed`: added by a sealed reporter in their report; the entry names no actor, as
    the report's own entry, right after it, holds only their pseudonym."""
    name = plain_name(name)
    if not name:
        raise InvalidInput({field: "Enter the person's name"})
    if len(name) > MAX_NAME:
        raise InvalidInput({field: f"Name must be {MAX_NAME} characters or fewer"})
    person = Person(school_id=actor.school_id, kind=kind, name=Sensitive(name))
    session.add(person)
    session.flush()
    audit.record(
        session,
        school_id=actor.school_id,
        action=audit.Action.PERSON_CREATE,
        actor=None if sealed else actor,
        object_type="person",
        object_id=person.id,
    )
    return person
