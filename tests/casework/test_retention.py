"""Issue 13, item 13: erasure only for closed cases past their retention date, never under a legal
hold; an earlier erasure only with an audited override and its reason. Legal holds are placed and
lifted with reasons, shown on the case; `incidents retention review` lists the cases due."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.audit import Action
from incidents.casework.cases import steps as casework
from incidents.casework.erasure import commands as erasure
from incidents.casework.outcome import commands as outcomes
from incidents.casework.tasks import commands as tasks
from incidents.casework.triage import commands as triage
from incidents.cli import cli
from incidents.clock import local_today
from incidents.crypto.keyring import Keyring
from incidents.errors import InvalidInput, NotFound, Refused
from incidents.models import (
    AuditEntry,
    Case,
    CaseKind,
    CaseOutcome,
    CaseState,
    DisclosureSource,
    EmploymentOutcome,
    LegalHold,
    LegalHoldKind,
    Role,
    ThresholdAnswer,
    User,
)
from incidents.sensitive import cipher_of, place_of
from tests import factories
from tests.conftest import csrf_token, problem, run_cli, success_banner

N = ThresholdAnswer.NO


def closed_case(db: Session, head: User, *, kept_for_days: int) -> Case:
    """A policy breach, closed; its retention date `kept_for_days` from today (negative: past)."""
    case = factories.make_case(db, head, source=DisclosureSource.ANONYMOUS)
    triage.triage(
        db, actor=head, case=case, data=triage.TriageInput(N, N, N, N, CaseKind.POLICY_BREACH, "R")
    )
    casework.take_step(db, actor=head, case=case, action="investigate")
    outcomes.record_outcome(db, actor=head, case=case, outcome=CaseOutcome.UPHELD, reasons="R")
    for task in case.tasks:
        if not task.is_done:
            tasks.complete_task(db, actor=head, case=case, task_id=task.id)
    outcomes.close_case(
        db,
        actor=head,
        case=case,
        data=outcomes.ClosureInput(EmploymentOutcome.CONTINUES, mention_in_references=False),
    )
    # The closure rule gave it a date years ahead: the test moves it, not the clock.
    case.retention_until = local_today() + timedelta(days=kept_for_days)
    db.commit()
    return case


def test_an_open_case_is_not_erased_without_an_override(db, users, keyring: Keyring):
    case = factories.make_case(db, users[Role.HEADTEACHER])
    db.commit()
    with pytest.raises(Refused, match="still open") as refused:
        erasure.shred_case(db, actor=None, case=case, rule="Retention", keyring=keyring)
    assert "give the reason for the override" in str(refused.value)
    db.rollback()
    assert db.get(Case, case.id).erased_at is None
    assert case.narrative.reveal()


def test_a_closed_case_is_erased_only_once_its_retention_date_has_come(db, users, keyring: Keyring):
    head = users[Role.HEADTEACHER]
    early = closed_case(db, head, kept_for_days=1)
    with pytest.raises(Refused, match=f"kept until {early.retention_until.isoformat()}"):
        erasure.shred_case(db, actor=None, case=early, rule="Retention", keyring=keyring)
    db.rollback()
    assert not db.get(Case, early.id).is_erased

    due = closed_case(db, head, kept_for_days=0)
    erasure.shred_case(db, actor=None, case=due, rule="KCSIE: 6 years", keyring=keyring)
    db.commit()
    assert due.state is CaseState.ERASED
    # No override was needed, so none is recorded.
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.object_id == due.id))
    assert Action.CASE_ERASURE_OVERRIDE.value not in set(actions)


def test_an_early_erasure_is_audited_with_its_reason(db, users, keyring: Keyring):
    case = closed_case(db, users[Role.HEADTEACHER], kept_for_days=300)
    erasure.shred_case(
        db,
        actor=None,
        case=case,
        rule="Right to erasure upheld",
        keyring=keyring,
        override_reason="ICO decision 123: erase now",
    )
    db.commit()
    assert case.is_erased
    entry = db.scalar(
        select(AuditEntry).where(
            AuditEntry.action == Action.CASE_ERASURE_OVERRIDE.value,
            AuditEntry.object_id == case.id,
        )
    )
    assert entry is not None and entry.detail_ct is not None
    # Sealed under the school's key: still readable after the case's own keys are gone.
    detail = json.loads(cipher_of(db).open(db, place_of(entry, "detail"), entry.detail_ct))
    assert detail["reason"] == "ICO decision 123: erase now"
    assert "kept until" in detail["not_due"]


def test_a_legal_hold_blocks_erasure_even_with_an_override(db, users, keyring: Keyring):
    head = users[Role.HEADTEACHER]
    case = closed_case(db, head, kept_for_days=-10)
    hold = erasure.place_legal_hold(
        db, actor=head, case=case, kind=LegalHoldKind.POLICE, reason="Police ref 42 asked"
    )
    db.commit()
    assert erasure.due_for_erasure(db, school_id=case.school_id) == []
    for override in (None, "Operator insists"):
        with pytest.raises(Refused, match="legal hold"):
            erasure.shred_case(
                db, actor=None, case=case, rule="R", keyring=keyring, override_reason=override
            )
        db.rollback()
        assert not db.get(Case, case.id).is_erased
    erasure.lift_legal_hold(
        db, actor=head, case=case, hold_id=hold.id, reason="Police: no further action"
    )
    db.commit()
    assert erasure.due_for_erasure(db, school_id=case.school_id) == [case]
    erasure.shred_case(db, actor=None, case=case, rule="KCSIE", keyring=keyring)
    db.commit()
    assert case.is_erased
    audited = set(db.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case.id)))
    assert {Action.LEGAL_HOLD_PLACE.value, Action.LEGAL_HOLD_LIFT.value} <= audited


def test_legal_hold_bad_input_changes_nothing(db, users):
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head)
    db.commit()
    with pytest.raises(InvalidInput) as bad:
        erasure.place_legal_hold(db, actor=head, case=case, kind=None, reason="  ")
    assert bad.value.errors == {
        "kind": "Choose why the case must be kept",
        "reason": "Enter who asked for the case to be kept, and why",
    }
    with pytest.raises(InvalidInput, match="2,000 characters"):
        erasure.place_legal_hold(
            db, actor=head, case=case, kind=LegalHoldKind.INQUIRY, reason="x" * 2001
        )
    db.rollback()
    assert db.scalar(select(LegalHold.id)) is None
    hold = erasure.place_legal_hold(
        db, actor=head, case=case, kind=LegalHoldKind.INQUIRY, reason="Inquiry"
    )
    db.commit()
    with pytest.raises(InvalidInput, match="no longer needs to be kept"):
        erasure.lift_legal_hold(db, actor=head, case=case, hold_id=hold.id, reason="")
    with pytest.raises(NotFound):
        erasure.lift_legal_hold(db, actor=head, case=case, hold_id=case.id, reason="R")
    db.rollback()
    assert db.get(LegalHold, hold.id).is_open


def test_a_legal_hold_is_placed_and_lifted_through_the_pages(db, users, login_as):
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head)
    db.commit()
    client = login_as(Role.HEADTEACHER)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}/legal-holds/new"' in page
    url = f"/cases/{case.id}/legal-holds/new"
    token = csrf_token(client, url)
    bad = client.post(url, data={"csrf_token": token, "kind": "forever", "reason": ""})
    assert bad.status_code == 200
    body = bad.get_data(as_text=True)
    assert "Choose why the case must be kept" in problem(body)
    assert db.scalar(select(LegalHold.id)) is None
    done = client.post(
        url,
        data={"csrf_token": token, "kind": "litigation", "reason": "Solicitor's letter of claim"},
        follow_redirects=True,
    )
    shown = done.get_data(as_text=True)
    assert "Legal hold placed" in success_banner(shown)
    assert "A legal hold is in place" in shown
    assert "Solicitor&#39;s letter of claim" in shown
    hold = db.scalar(select(LegalHold))
    assert hold is not None and hold.kind is LegalHoldKind.LITIGATION
    lift = f"/cases/{case.id}/legal-holds/{hold.id}/lift"
    assert f'href="{lift}"' in shown
    empty = client.post(lift, data={"csrf_token": token, "reason": " "})
    assert "Enter why the case no longer needs to be kept" in problem(empty.get_data(as_text=True))
    assert db.get(LegalHold, hold.id).is_open
    lifted = client.post(
        lift, data={"csrf_token": token, "reason": "Claim settled"}, follow_redirects=True
    )
    assert "Legal hold lifted" in success_banner(lifted.get_data(as_text=True))
    db.expire_all()
    assert not db.get(LegalHold, hold.id).is_open


def test_retention_review_lists_due_cases_and_erases_only_those_confirmed(
    signed_app, db, users, keyring
):
    head = users[Role.HEADTEACHER]
    kept = closed_case(db, head, kept_for_days=30)
    first = closed_case(db, head, kept_for_days=-2)
    second = closed_case(db, head, kept_for_days=-1)
    held = closed_case(db, head, kept_for_days=-5)
    erasure.place_legal_hold(db, actor=head, case=held, kind=LegalHoldKind.INQUIRY, reason="I")
    db.commit()

    listed = run_cli(signed_app, "retention", "review")
    assert listed.exit_code == 0, listed.output
    assert "2 case(s) due for erasure" in listed.output
    assert first.reference in listed.output and second.reference in listed.output
    assert kept.reference not in listed.output and held.reference not in listed.output
    db.expire_all()
    assert not db.get(Case, first.id).is_erased

    # The operator confirms the first, keeps the second.
    erased = CliRunner().invoke(
        cli,
        ["retention", "review", "--erase"],
        obj=ScriptInfo(create_app=lambda: signed_app),
        input="y\nn\n",
    )
    assert erased.exit_code == 0, erased.output
    assert "1 case(s) erased" in erased.output
    db.expire_all()
    assert db.get(Case, first.id).is_erased
    assert not db.get(Case, second.id).is_erased
    assert not db.get(Case, held.id).is_erased
