"""Creating schools (tenants) and loading their policy-clause catalogue."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.admin.clauses.system import load_catalogue
from incidents.audit.log import open_log
from incidents.errors import InvalidInput, NotFound
from incidents.models import School, User

URN_PATTERN = re.compile(r"^[0-9]{6,8}$")
MAX_NAME = 200


def create_school(
    session: Session,
    *,
    actor: User | None,
    name: str,
    urn: str,
    policies: Iterable[str] = (),
) -> School:
    """A new school, with the seed policies named in `policies` as its catalogue. By default
    none: a school gets no other school's clauses unless it chooses them (issue 13); the
    administrator chooses later in the admin pages."""
    name = name.strip()
    urn = urn.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the school's name"
    elif len(name) > MAX_NAME:
        errors["name"] = f"School name must be {MAX_NAME} characters or fewer"
    if not URN_PATTERN.match(urn):
        errors["urn"] = "Enter the school's URN: 6 to 8 digits"
    elif session.scalar(select(School.id).where(School.urn == urn)) is not None:
        errors["urn"] = "A school with this URN already exists"
    if errors:
        raise InvalidInput(errors)
    school = School(name=name, urn=urn)
    session.add(school)
    session.flush()
    open_log(session, school=school)
    audit.record(
        session,
        school_id=school.id,
        action=audit.Action.SCHOOL_CREATE,
        actor=actor,
        object_type="school",
        object_id=school.id,
    )
    wanted = set(policies)
    if wanted:
        load_catalogue(session, actor=actor, school=school, policies=wanted)
    return school


def get_school_by_urn(session: Session, urn: str) -> School:
    school = session.scalar(select(School).where(School.urn == urn.strip()))
    if school is None:
        raise NotFound("No school has that URN")
    return school
