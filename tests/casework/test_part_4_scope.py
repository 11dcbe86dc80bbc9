"""Issue 13, item 10: the allegation (LADO) route is for people who work in or for the school; a
parent or member of the public who may have harmed a child goes to children's social care and the
police instead; and "not known" on every part of the harm test does not drop to the low-level
track until a consultation with the LADO is recorded ("if in doubt, consult")."""

from __future__ import annotations

import pytest

from incidents.casework.cases.commands import NewSubject
from incidents.casework.referrals import commands as referrals
from incidents.casework.referrals.commands import ReferralUpdate
from incidents.casework.triage import commands as triage
from incidents.clock import local_today
from incidents.errors import InvalidInput
from incidents.models import (
    Agency,
    CaseKind,
    CaseState,
    PersonKind,
    ReferralMethod,
    ReferralStatus,
    Role,
    ThresholdAnswer,
)
from tests import factories

Y, N, U = ThresholdAnswer.YES, ThresholdAnswer.NO, ThresholdAnswer.UNKNOWN


def _decide(db, head, case, limbs, kind):
    return triage.triage(
        db, actor=head, case=case, data=triage.TriageInput(*limbs, kind=kind, reasons="R")
    )


@pytest.mark.parametrize(
    "kind", [PersonKind.STAFF, PersonKind.VOLUNTEER, PersonKind.CONTRACTOR, PersonKind.GOVERNOR]
)
def test_people_who_work_in_or_for_the_school_take_the_allegation_route(db, users, kind):
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head, new_subject=NewSubject("Sam Adult", kind))
    _decide(db, head, case, (Y, N, N, N), CaseKind.ALLEGATION)
    assert case.kind is CaseKind.ALLEGATION
    assert any(r.agency is Agency.LADO for r in case.referrals)


@pytest.mark.parametrize("kind", [PersonKind.PARENT_CARER, PersonKind.OTHER])
def test_a_parent_who_may_have_harmed_a_child_goes_to_csc_and_the_police(db, users, kind):
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head, new_subject=NewSubject("Pat Adult", kind))
    db.commit()
    with pytest.raises(InvalidInput) as refused:
        _decide(db, head, case, (Y, U, N, N), CaseKind.ALLEGATION)
    assert "is for people who work in or for the school" in refused.value.errors["kind"]
    db.rollback()
    assert case.state is CaseState.RECORDED and case.kind is None
    _decide(db, head, case, (Y, U, N, N), CaseKind.POLICY_BREACH)
    agencies = {r.agency for r in case.referrals}
    assert {Agency.CHILDRENS_SOCIAL_CARE, Agency.POLICE} <= agencies
    assert Agency.LADO not in agencies


def test_not_known_everywhere_needs_the_lado_consulted_before_a_low_level_track(db, users):
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head)
    db.commit()
    with pytest.raises(InvalidInput) as refused:
        _decide(db, head, case, (U, U, U, U), CaseKind.LOW_LEVEL_CONCERN)
    assert "consult the LADO" in refused.value.errors["kind"]
    db.rollback()
    assert case.kind is None
    lado = referrals.add_referral(db, actor=head, case=case, agency=Agency.LADO)
    for status in (ReferralStatus.MADE, ReferralStatus.ADVICE_RECEIVED):
        referrals.update_referral(
            db,
            actor=head,
            case=case,
            referral_id=lado.id,
            data=ReferralUpdate(
                status=status,
                method=ReferralMethod.PHONE,
                made_on=local_today(),
                their_reference="LADO-7",
                advice="Below the threshold: handle as a low-level concern."
                if status is ReferralStatus.ADVICE_RECEIVED
                else "",
            ),
        )
    _decide(db, head, case, (U, U, U, U), CaseKind.LOW_LEVEL_CONCERN)
    assert case.kind is CaseKind.LOW_LEVEL_CONCERN
