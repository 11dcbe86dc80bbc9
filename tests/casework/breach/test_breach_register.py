"""The breach register keeps a line for every breach, erased ones too: UK GDPR Art 33(5) asks a
controller to document every personal data breach, and crypto-shredding a case at the end of
its retention must not make a breach disappear from the record the ICO may ask to see."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from incidents.casework.breach import commands as breaches
from incidents.casework.erasure.commands import find_case, shred_case
from incidents.clock import local_today
from incidents.crypto.keyring import Keyring
from incidents.models import (
    Agency,
    CaseKind,
    DataSubjects,
    PersonKind,
    ReferralStatus,
    Role,
    User,
)
from tests.case_routes import assess, case_about, move

SECRET = "Register-Marker-Quibble"


def _reported_breach(db: Session, head: User) -> str:
    case = case_about(db, head, PersonKind.STAFF)
    assess(db, head, case, CaseKind.DATA_BREACH)
    breaches.record_facts(
        db,
        actor=head,
        case=case,
        data=breaches.BreachFacts(
            f"{SECRET}: a laptop was stolen.",
            "Reports.",
            120,
            frozenset({DataSubjects.PUPILS}),
            "Fraud.",
            "Wiped remotely.",
        ),
    )
    breaches.decide_ico(db, actor=head, case=case, report=True, reasons="High risk.")
    move(db, head, case, Agency.ICO, ReferralStatus.MADE)
    breaches.record_people_told(
        db, actor=head, case=case, told=True, told_on=local_today(), reasons=""
    )
    db.commit()
    return case.reference


def test_an_erased_breach_stays_in_the_register_with_its_decisions(
    db: Session, users: dict[Role, User], keyring: Keyring
) -> None:
    head = users[Role.HEADTEACHER]
    reference = _reported_breach(db, head)
    [before] = breaches.register(db, actor=head)
    assert before.erased_on is None

    found = find_case(db, school_id=head.school_id, reference=reference)
    shred_case(
        db,
        actor=None,
        case=found,
        rule="Retention ended",
        keyring=keyring,
        override_reason="Test: early",
    )
    db.commit()
    db.expire_all()

    [after] = breaches.register(db, actor=head)
    assert after.reference == reference and after.erased_on == local_today()
    # The plain facts of what was decided and done survive the shredding.
    assert (after.reported, after.within_72_hours, after.people_told) == (True, True, True)
    assert after.recorded and after.told_on == before.told_on


def test_the_register_page_says_a_breach_was_erased_and_shows_no_personal_data(
    db: Session,
    users: dict[Role, User],
    keyring: Keyring,
    login_as: Callable[[Role], FlaskClient],
) -> None:
    head = users[Role.HEADTEACHER]
    reference = _reported_breach(db, head)
    found = find_case(db, school_id=head.school_id, reference=reference)
    shred_case(
        db,
        actor=None,
        case=found,
        rule="Retention ended",
        keyring=keyring,
        override_reason="Test: early",
    )
    db.commit()

    page = login_as(Role.DSL).get("/breaches").get_data(as_text=True)
    assert reference in page and "Erased on" in page
    assert "the facts and reasons cannot be read" in page
    assert SECRET not in page
