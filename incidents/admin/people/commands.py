"""Changing the school's own people: add, edit, record a leaver, and import the staff list.
The import is shown first (what would be added, changed and skipped, and why) and saved only
when confirmed, and only if the plan is still the one shown."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.accounts import users as accounts  # the one email rule
from incidents.admin.people.staff_csv import Parsed, RowProblem, StaffRow
from incidents.errors import Forbidden, InvalidInput, NotFound, Refused
from incidents.models import Person, PersonKind, User
from incidents.models.person import email_index_of
from incidents.permissions import Permission, has_permission
from incidents.sensitive import Sensitive
from incidents.validation import plain_name

# The people this page looks after: the school's own (never parents, pupils or contractors,
# who exist only because a case was opened).
OWN_KINDS = (PersonKind.STAFF, PersonKind.GOVERNOR, PersonKind.VOLUNTEER)
MAX_NAME = 120
MAX_ROLE = 120
MAX_EMAIL = accounts.MAX_EMAIL  # the one email rule's limit (`normalise_email`)
CHANGED_SINCE = "The staff list has changed since the preview. Check the new preview below"


def check(actor: User) -> None:
    if not has_permission(actor, Permission.PEOPLE_MANAGE):
        raise Forbidden("people:manage")


def person_in_school(session: Session, actor: User, person_id: uuid.UUID) -> Person:
    check(actor)
    person = session.get(Person, person_id)
    if person is None or person.school_id != actor.school_id or person.kind not in OWN_KINDS:
        raise NotFound("person")
    return person


def list_people(session: Session, actor: User) -> list[Person]:
    check(actor)
    people = session.scalars(
        select(Person).where(Person.school_id == actor.school_id, Person.kind.in_(OWN_KINDS))
    )
    return sorted(people, key=lambda p: p.name.reveal().casefold())


@dataclass(frozen=True)
class Details:
    name: str
    kind: str
    email: str
    job_title: str
    started_on: date | None


def _clean(details: Details) -> tuple[str, PersonKind, str | None, str | None]:
    errors: dict[str, str] = {}
    name = plain_name(details.name)
    if not name:
        errors["name"] = "Enter the person's name"
    elif len(name) > MAX_NAME:
        errors["name"] = f"Name must be {MAX_NAME} characters or fewer"
    try:
        kind = PersonKind(details.kind)
        if kind not in OWN_KINDS:
            raise ValueError(kind)
    except ValueError:
        errors["kind"] = "Choose staff, governor or volunteer"
        kind = PersonKind.STAFF
    email = details.email.strip().lower() or None
    if email is not None:
        try:
            email = accounts.normalise_email(email)
        except InvalidInput as exc:
            errors.update(exc.errors)
    title = plain_name(details.job_title) or None
    if title is not None and len(title) > MAX_ROLE:
        errors["job_title"] = f"Role must be {MAX_ROLE} characters or fewer"
    if errors:
        raise InvalidInput(errors)
    return name, kind, email, title


def _email_taken(session: Session, school_id: uuid.UUID, email: str, but: Person | None) -> bool:
    found = session.scalar(
        select(Person.id).where(
            Person.school_id == school_id,
            Person.email_index == email_index_of(session, school_id, email),
        )
    )
    return found is not None and (but is None or found != but.id)


def add_person(session: Session, *, actor: User, details: Details) -> Person:
    check(actor)
    name, kind, email, title = _clean(details)
    if email and _email_taken(session, actor.school_id, email, None):
        raise InvalidInput({"email": "Someone here already has this email address"})
    person = Person(school_id=actor.school_id, kind=kind, name=Sensitive(name))
    _set(person, email, title, details.started_on)
    session.add(person)
    session.flush()
    _record(session, actor, person, audit.Action.PERSON_CREATE)
    return person


def edit_person(session: Session, *, actor: User, person: Person, details: Details) -> None:
    check(actor)
    name, kind, email, title = _clean(details)
    if email and _email_taken(session, actor.school_id, email, person):
        raise InvalidInput({"email": "Someone here already has this email address"})
    person.name = Sensitive(name)
    person.kind = kind
    _set(person, email, title, details.started_on)
    session.flush()
    _record(session, actor, person, audit.Action.PERSON_UPDATE)


def mark_left(session: Session, *, actor: User, person: Person, left_on: date) -> None:
    check(actor)
    if person.started_on is not None and left_on < person.started_on:
        raise InvalidInput({"left_on": "The leaving date must be after they started"})
    person.left_on = left_on
    session.flush()
    _record(session, actor, person, audit.Action.PERSON_LEFT)


def _set(person: Person, email: str | None, title: str | None, started: date | None) -> None:
    person.email = Sensitive(email) if email else None
    person.job_title = Sensitive(title) if title else None
    person.started_on = started


def _record(session: Session, actor: User, person: Person, action: audit.Action) -> None:
    audit.record(
        session,
        school_id=person.school_id,
        action=action,
        actor=actor,
        object_type="person",
        object_id=person.id,
    )


# --- the staff list import ------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    row: StaffRow
    person: Person
    what: list[str]


@dataclass
class Preview:
    added: list[StaffRow] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)

    def digest(self) -> str:
        """What confirming would do, as a fingerprint: saved only if it is still the same."""
        plan = hashlib.sha256()
        for row in self.added:
            plan.update(repr(("add", row.email, row.name, row.role, row.started_on)).encode())
        for change in self.changed:
            plan.update(repr(("change", change.person.id, change.row)).encode())
        return plan.hexdigest()


def _existing(session: Session, school_id: uuid.UUID, rows: list[StaffRow]) -> dict[bytes, Person]:
    wanted = {email_index_of(session, school_id, row.email) for row in rows}
    found: dict[bytes, Person] = {}
    chunk = sorted(wanted)
    for start in range(0, len(chunk), 500):
        for person in session.scalars(
            select(Person).where(
                Person.school_id == school_id, Person.email_index.in_(chunk[start : start + 500])
            )
        ):
            if person.email_index is not None:
                found[person.email_index] = person
    return found


def preview_import(session: Session, *, actor: User, parsed: Parsed) -> Preview:
    check(actor)
    preview = Preview(skipped=list(parsed.problems))
    existing = _existing(session, actor.school_id, parsed.rows)
    for row in parsed.rows:
        person = existing.get(email_index_of(session, actor.school_id, row.email))
        if person is None:
            preview.added.append(row)
            continue
        if person.kind not in OWN_KINDS:
            preview.skipped.append(RowProblem(row.line, "This email belongs to someone else"))
            continue
        what = []
        if person.name.reveal() != row.name:
            what.append("name")
        title = person.job_title
        if (title.reveal() if title else "") != row.role:
            what.append("role")
        if row.started_on is not None and person.started_on != row.started_on:
            what.append("start date")
        if what:
            preview.changed.append(Change(row, person, what))
        else:
            preview.skipped.append(RowProblem(row.line, "Already here, nothing has changed"))
    preview.skipped.sort(key=lambda p: p.line)
    return preview


def confirm_import(session: Session, *, actor: User, parsed: Parsed, digest: str) -> Preview:
    """Save the import shown in the preview whose fingerprint is `digest`."""
    saved = try_confirm_import(session, actor=actor, parsed=parsed, digest=digest)
    if saved is None:
        raise Refused(CHANGED_SINCE)
    return saved


def try_confirm_import(
    session: Session, *, actor: User, parsed: Parsed, digest: str
) -> Preview | None:
    """`confirm_import` for the page: what was saved, or None (nothing saved) when the plan is
    no longer the one shown, so the page can show the new preview instead."""
    preview = preview_import(session, actor=actor, parsed=parsed)
    if preview.digest() != digest:
        return None
    added = []
    for row in preview.added:
        person = Person(school_id=actor.school_id, kind=PersonKind.STAFF, name=Sensitive(row.name))
        _set(person, row.email, row.role or None, row.started_on)
        session.add(person)
        added.append(person)
    for change in preview.changed:
        change.person.name = Sensitive(change.row.name)
        change.person.job_title = Sensitive(change.row.role) if change.row.role else None
        if change.row.started_on is not None:
            change.person.started_on = change.row.started_on
    session.flush()
    # One entry for the whole import (10,000 rows would be 10,000 entries): which people, by id.
    audit.record(
        session,
        school_id=actor.school_id,
        action=audit.Action.STAFF_IMPORT,
        actor=actor,
        object_type="school",
        object_id=actor.school_id,
        detail={
            "added": [str(p.id) for p in added],
            "changed": [str(c.person.id) for c in preview.changed],
            "skipped": len(preview.skipped),
        },
    )
    return preview
