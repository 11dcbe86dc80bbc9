"""The issue's high-stakes moments are signed at once: an allegation recorded (a case put on the
allegation track), every step of a referral to the LADO, a case shredded; ordinary steps wait
for the scheduled checkpoint."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.audit import HIGH_STAKES, Action, tlog
from incidents.casework.erasure.commands import shred_case
from incidents.casework.referrals import commands as referrals
from incidents.clock import local_today
from incidents.models import (
    Agency,
    AuditCheckpoint,
    AuditEntry,
    CaseKind,
    ReferralMethod,
    ReferralStatus,
    Role,
)
from tests import case_stages


def _checkpoints(db: Session, school_id) -> dict[int, str]:
    rows = db.scalars(select(AuditCheckpoint).where(AuditCheckpoint.school_id == school_id))
    return {cp.size: cp.reason for cp in rows}


def _entry(db: Session, case_id, action: Action) -> AuditEntry:
    return db.scalars(
        select(AuditEntry)
        .where(AuditEntry.case_id == case_id, AuditEntry.action == action.value)
        .order_by(AuditEntry.seq.desc())
    ).first()


def test_high_stakes_covers_the_issue_list():
    # Referrals and triage are high-stakes only for the LADO / allegation track: they ask for
    # a checkpoint themselves (record(..., checkpoint=True)) rather than through this set.
    assert {Action.CASE_RECORD, Action.CASE_REPORT, Action.CASE_SHRED} <= HIGH_STAKES


def test_an_allegation_is_checkpointed_with_its_lado_prompt(db, school, users, signer):
    head = users[Role.HEADTEACHER]
    case = case_stages.triaged(db, head, case_stages.recorded(db, head), CaseKind.ALLEGATION)
    cps = _checkpoints(db, school.id)
    triaged = _entry(db, case.id, Action.CASE_TRIAGE)
    assert cps.get(triaged.seq + 1) == "case.triage"  # covers the decision itself
    prompt = _entry(db, case.id, Action.REFERRAL_CREATE)
    assert cps.get(prompt.seq + 1) == "referral.create"  # and the LADO clock it opened
    note = db.scalar(select(AuditCheckpoint).where(AuditCheckpoint.size == prompt.seq + 1))
    assert tlog.open_checkpoint(note.note, signer.verifier_key).size == prompt.seq + 1


def test_a_policy_breach_waits_for_the_schedule(db, school, users, signer):
    head = users[Role.HEADTEACHER]
    case = case_stages.triaged(db, head, case_stages.recorded(db, head), CaseKind.POLICY_BREACH)
    triaged = _entry(db, case.id, Action.CASE_TRIAGE)
    assert max(_checkpoints(db, school.id)) <= triaged.seq


def test_every_step_of_a_lado_referral_is_checkpointed(db, school, users, signer):
    head = users[Role.HEADTEACHER]
    case = case_stages.triaged(db, head, case_stages.recorded(db, head), CaseKind.POLICY_BREACH)
    referral = case_stages.with_referral(db, head, case, Agency.LADO)
    created = _entry(db, case.id, Action.REFERRAL_CREATE)
    assert _checkpoints(db, school.id).get(created.seq + 1) == "referral.create"
    referrals.update_referral(
        db,
        actor=head,
        case=case,
        referral_id=referral.id,
        data=referrals.ReferralUpdate(
            status=ReferralStatus.MADE, method=ReferralMethod.PHONE, made_on=local_today()
        ),
    )
    db.commit()
    made = _entry(db, case.id, Action.REFERRAL_UPDATE)
    assert _checkpoints(db, school.id).get(made.seq + 1) == "referral.update"


def test_a_police_referral_waits_for_the_schedule(db, school, users, signer):
    head = users[Role.HEADTEACHER]
    case = case_stages.triaged(db, head, case_stages.recorded(db, head), CaseKind.POLICY_BREACH)
    case_stages.with_referral(db, head, case, Agency.POLICE)
    created = _entry(db, case.id, Action.REFERRAL_CREATE)
    assert max(_checkpoints(db, school.id)) <= created.seq


def test_a_shredded_case_is_checkpointed(db, school, users, signer, keyring):
    head = users[Role.HEADTEACHER]
    case = case_stages.recorded(db, head)
    shred_case(
        db, actor=None, case=case, rule="retention", keyring=keyring, override_reason="Test: early"
    )
    db.commit()
    shredded = _entry(db, case.id, Action.CASE_SHRED)
    assert _checkpoints(db, school.id).get(shredded.seq + 1) == "case.shred"
