"""Test data made through the services, as the application would make it."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pyotp
from sqlalchemy.orm import Session

from incidents.accounts import two_factor
from incidents.accounts.users import create_user
from incidents.admin.schools import create_school
from incidents.casework.cases.commands import (
    CaseInput,
    NewSubject,
    record_disclosure,
    report_concern,
)
from incidents.casework.cases.people import create_person
from incidents.clock import local_today
from incidents.models import Case, DisclosureSource, Person, PersonKind, Role, School, User

PASSWORD = "correct horse battery staple"
# The second-factor secret every enrolled test user shares (each still has its own last step).
TOTP_SECRET = pyotp.random_base32()
_counter = itertools.count(1)


ALL_SEED_POLICIES = ("000", "001", "002", "003", "004")


def make_school(
    db: Session,
    name: str = "Test Primary School",
    urn: str | None = None,
    policies: tuple[str, ...] | None = None,
) -> School:
    # The tests' schools adopt every seed policy unless told otherwise (a real school adopts
    # none until it chooses).
    chosen = policies if policies is not None else ALL_SEED_POLICIES
    return create_school(
        db, actor=None, name=name, urn=urn or f"{100000 + next(_counter)}", policies=chosen
    )


def make_user(
    db: Session, school: School, role: Role, email: str | None = None, name: str | None = None
) -> User:
    n = next(_counter)
    return create_user(
        db,
        actor=None,
        school=school,
        email=email or f"{role.value}.{n}@{school.urn}.example",
        display_name=name or f"{role.label} {n}",
        roles=[role],
        password=PASSWORD,
    )


def enrol_two_factor(db: Session, user: User, secret: str = TOTP_SECRET) -> list[str]:
    """Enrol `user` as the set-up page would; returns their recovery codes."""
    two_factor.begin_enrolment(db, user=user, secret=secret)
    codes = two_factor.confirm_enrolment(db, user=user, code=pyotp.TOTP(secret).now())
    # As if enrolment was a while ago: the current code is still unused for the first sign-in.
    user.totp_last_step = None
    return codes


def make_person(
    db: Session, actor: User, name: str = "Alex Subject", kind: PersonKind = PersonKind.STAFF
) -> Person:
    return create_person(db, actor=actor, name=name, kind=kind)


def person_of(db: Session, user: User) -> Person:
    from sqlalchemy import select

    from incidents.models.person import account_index_of

    index = account_index_of(db, user.school_id, user.id)
    person = db.scalar(select(Person).where(Person.account_index == index))
    assert person is not None
    return person


def make_case(
    db: Session,
    actor: User,
    *,
    subjects: list[Person] | None = None,
    narrative: str = "A parent said a teacher friended their child on Facebook.",
    source: DisclosureSource = DisclosureSource.PARENT,
    became_aware_on: date | None = None,
    new_subject: NewSubject | None = None,
) -> Case:
    if subjects is None and new_subject is None:
        new_subject = NewSubject(name="Jo Teacher", kind=PersonKind.STAFF)
    data = CaseInput(
        narrative=narrative,
        became_aware_on=became_aware_on or local_today() - timedelta(days=1),
        subject_ids=tuple(p.id for p in subjects or []),
        new_subject=new_subject,
        source=source,
        # Tests name their subjects afresh: a same-surname person already listed is not them.
        not_listed=True,
    )
    if actor.has_role(Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL, Role.CHAIR_OF_GOVERNORS):
        return record_disclosure(db, actor=actor, data=data)
    return report_concern(db, actor=actor, data=data)
