"""Issue 5 item 12: every clause of the five seed policies can be cited on a case and routed by
its policy's consequences end to end: recorded, triaged, upheld, and the disciplinary route the
policy names (staff disciplinary, parents' sanctions, governors' or volunteers' measures) is
offered and taken for each kind of person the clause binds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import workflow
from incidents.casework.cases.commands import CaseInput, NewSubject, record_disclosure
from incidents.casework.disciplinary import commands as disciplinary
from incidents.casework.outcome import commands as outcomes
from incidents.catalogue import consequence_for, default_catalogue
from incidents.clock import local_today
from incidents.models import (
    CaseKind,
    CaseOutcome,
    DisciplinaryStage,
    DisclosureSource,
    PersonKind,
    PolicyClause,
    Role,
    User,
)
from incidents.models.disciplinary import MEASURES_FOR
from tests.case_routes import assess

CATALOGUE = default_catalogue()


def test_every_clause_names_a_consequence_for_everyone_it_binds() -> None:
    for clause in CATALOGUE.clauses:
        for kind in CATALOGUE.applies_to[clause.code]:
            consequence = consequence_for(clause.code, kind)
            assert consequence is not None, (clause.code, kind)
            assert consequence.says, (clause.code, kind)
            # Every measure a policy names is one the route offers.
            route_measures = {
                m.value for k, ms in MEASURES_FOR.items() if k == consequence.route for m in ms
            }
            assert set(consequence.measures) <= route_measures, (clause.code, kind)


def test_the_parent_clauses_of_policy_001_name_photographs_and_phones() -> None:
    parent = [
        c
        for c in CATALOGUE.clauses
        if c.policy == "001" and "parent_carer" in CATALOGUE.applies_to[c.code]
    ]
    assert parent
    for clause in parent:
        consequence = consequence_for(clause.code, "parent_carer")
        assert consequence is not None and consequence.route == "parent_carer"
        assert set(consequence.measures) == {"photography_withdrawn", "mobile_phone_withdrawn"}


def test_a_local_clause_or_an_unbound_person_has_no_consequence() -> None:
    assert consequence_for("LOCAL-1", "staff") is None
    assert consequence_for(CATALOGUE.clauses[0].code, "pupil") is None


@pytest.mark.parametrize("code", [c.code for c in CATALOGUE.clauses])
def test_each_clause_is_routed_by_its_policys_consequences(
    db: Session, users: dict[Role, User], code: str
) -> None:
    head = users[Role.HEADTEACHER]
    clause = db.scalar(
        select(PolicyClause).where(
            PolicyClause.school_id == head.school_id, PolicyClause.code == code
        )
    )
    assert clause is not None, "the school's catalogue is loaded from the default"
    for kind in CATALOGUE.applies_to[code]:
        consequence = consequence_for(code, kind)
        assert consequence is not None
        case = record_disclosure(
            db,
            actor=head,
            data=CaseInput(
                narrative="A breach of the cited clause.",
                became_aware_on=local_today() - timedelta(days=1),
                new_subject=NewSubject(name="Sam Person", kind=PersonKind(kind)),
                not_listed=True,
                clause_ids=(clause.id,),
                source=DisclosureSource.MONITORING,
            ),
        )
        assert [c.code for c in case.clauses] == [code]
        assess(db, head, case, CaseKind.POLICY_BREACH)
        outcomes.record_outcome(
            db, actor=head, case=case, outcome=CaseOutcome.UPHELD, reasons="It happened."
        )
        offered = {t.action for t in workflow.available(case, head)}
        assert "start_disciplinary" in offered, (code, kind)
        person = case.subjects[0]
        assert disciplinary.policy_consequences(case, person) == [consequence]
        process = disciplinary.start_disciplinary(db, actor=head, case=case, person_id=None)
        assert process.kind.value == consequence.route, (code, kind)
        assert process.stage is DisciplinaryStage.INVESTIGATION
        # The measures the policy names are among those offered on this route.
        assert set(consequence.measures) <= {m.value for m in MEASURES_FOR[process.kind]}


def test_the_pages_quote_the_policy_and_mark_the_measures_it_names(
    db: Session, users: dict[Role, User], login_as: object
) -> None:
    head = users[Role.HEADTEACHER]
    code = next(
        c.code
        for c in CATALOGUE.clauses
        if c.policy == "001" and "parent_carer" in CATALOGUE.applies_to[c.code]
    )
    clause = db.scalar(
        select(PolicyClause).where(
            PolicyClause.school_id == head.school_id, PolicyClause.code == code
        )
    )
    assert clause is not None
    case = record_disclosure(
        db,
        actor=head,
        data=CaseInput(
            narrative="Photos of pupils posted.",
            became_aware_on=local_today() - timedelta(days=1),
            new_subject=NewSubject(name="Pat Parent", kind=PersonKind.PARENT_CARER),
            not_listed=True,
            clause_ids=(clause.id,),
            source=DisclosureSource.MONITORING,
        ),
    )
    assess(db, head, case, CaseKind.POLICY_BREACH)
    outcomes.record_outcome(db, actor=head, case=case, outcome=CaseOutcome.UPHELD, reasons="R")
    db.commit()
    client = login_as(Role.HEADTEACHER)  # type: ignore[operator]
    start = client.get(f"/cases/{case.id}/disciplinary/start").get_data(as_text=True)
    assert "rights to take photos and/or use mobiles being taken away" in start
    process = disciplinary.start_disciplinary(db, actor=head, case=case, person_id=None)
    db.commit()
    page = client.get(f"/cases/{case.id}/disciplinary/{process.id}/measures/new")
    body = page.get_data(as_text=True)
    assert (
        "Right to take photographs at school withdrawn (named in the school&#39;s policy)" in body
    )
    assert "Access to the school premises restricted (named" not in body


def test_no_seed_policy_names_a_premises_restriction() -> None:
    """Issue 13, item 12: seed 003 says only that "action will be taken"; it names no ban from
    the premises (its "do not access social media on the school premises" binds the parent, it
    is not a sanction)."""
    for policy, by_kind in CATALOGUE.consequences.items():
        for kind, consequence in by_kind.items():
            assert "premises_restricted" not in consequence.measures, (policy, kind)
    parent_003 = CATALOGUE.consequences["003"]["parent_carer"]
    assert "premises" not in parent_003.says


def test_a_premises_restriction_is_refused_where_no_cited_policy_names_it(
    db: Session, users: dict[Role, User], login_as: object
) -> None:
    from incidents.errors import InvalidInput
    from incidents.models import DisciplinaryMeasure
    from incidents.models.disciplinary import Measure

    head = users[Role.HEADTEACHER]
    code = next(
        c.code
        for c in CATALOGUE.clauses
        if c.policy == "003" and "parent_carer" in CATALOGUE.applies_to[c.code]
    )
    clause = db.scalar(
        select(PolicyClause).where(
            PolicyClause.school_id == head.school_id, PolicyClause.code == code
        )
    )
    assert clause is not None
    case = record_disclosure(
        db,
        actor=head,
        data=CaseInput(
            narrative="Posted about the school from the playground.",
            became_aware_on=local_today() - timedelta(days=1),
            new_subject=NewSubject(name="Pat Parent", kind=PersonKind.PARENT_CARER),
            not_listed=True,
            clause_ids=(clause.id,),
            source=DisclosureSource.MONITORING,
        ),
    )
    assess(db, head, case, CaseKind.POLICY_BREACH)
    outcomes.record_outcome(db, actor=head, case=case, outcome=CaseOutcome.UPHELD, reasons="R")
    process = disciplinary.start_disciplinary(db, actor=head, case=case, person_id=None)
    db.commit()
    client = login_as(Role.HEADTEACHER)  # type: ignore[operator]
    body = client.get(f"/cases/{case.id}/disciplinary/{process.id}/measures/new").get_data(
        as_text=True
    )
    assert "Access to the school premises restricted" not in body
    with pytest.raises(InvalidInput) as refused:
        disciplinary.add_measure(
            db,
            actor=head,
            case=case,
            process_id=process.id,
            data=disciplinary.MeasureInput(
                Measure.PREMISES_RESTRICTED, local_today(), None, None, ""
            ),
        )
    assert refused.value.errors == {"measure": "Choose the sanction or measure from the list"}
    db.rollback()
    assert db.scalar(select(DisciplinaryMeasure.id)) is None
