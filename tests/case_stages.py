"""Cases brought to a given stage of the workflow through the services, for the case-work page
tests: triaged onto a track, with a referral, with an outcome, under a police hold."""

from __future__ import annotations

from sqlalchemy.orm import Session

from incidents.casework.erasure import commands as erasure
from incidents.casework.outcome import commands as outcomes
from incidents.casework.police import commands as police
from incidents.casework.referrals import commands as referrals
from incidents.casework.tasks import commands as tasks
from incidents.casework.triage import commands as triage
from incidents.models import (
    Agency,
    Case,
    CaseKind,
    CaseOutcome,
    DisclosureSource,
    EmploymentOutcome,
    LegalHoldKind,
    Referral,
    ThresholdAnswer,
    User,
)
from tests import case_routes, factories

NO = ThresholdAnswer.NO
YES = ThresholdAnswer.YES


def recorded(db: Session, head: User, source: DisclosureSource = DisclosureSource.PARENT) -> Case:
    case = factories.make_case(db, head, source=source)
    db.commit()
    return case


def triaged(db: Session, head: User, case: Case, kind: CaseKind = CaseKind.POLICY_BREACH) -> Case:
    answer = YES if kind is CaseKind.ALLEGATION else NO
    data = triage.TriageInput(answer, NO, NO, NO, kind, "Read the messages; spoke to the LADO.")
    triage.triage(db, actor=head, case=case, data=data)
    db.commit()
    return case


def with_referral(db: Session, actor: User, case: Case, agency: Agency = Agency.POLICE) -> Referral:
    referral = referrals.add_referral(db, actor=actor, case=case, agency=agency)
    db.commit()
    return referral


def with_outcome(db: Session, head: User, case: Case) -> Case:
    outcome = CaseOutcome.SUBSTANTIATED if case.kind is CaseKind.ALLEGATION else CaseOutcome.UPHELD
    outcomes.record_outcome(db, actor=head, case=case, outcome=outcome, reasons="Admitted it.")
    db.commit()
    return case


def tasks_done(db: Session, actor: User, case: Case) -> Case:
    for task in case.tasks:
        if not task.is_done:
            tasks.complete_task(db, actor=actor, case=case, task_id=task.id)
    db.commit()
    return case


def under_police_hold(db: Session, head: User, case: Case) -> Case:
    police.await_police(db, actor=head, case=case)
    db.commit()
    return case


def closed(db: Session, head: User, source: DisclosureSource = DisclosureSource.PARENT) -> Case:
    """A policy breach upheld, its tasks done, and closed."""
    case = with_outcome(
        db, head, tasks_done(db, head, triaged(db, head, recorded(db, head, source)))
    )
    answers = outcomes.ClosureInput(EmploymentOutcome.CONTINUES, mention_in_references=False)
    outcomes.close_case(db, actor=head, case=case, data=answers)
    db.commit()
    return case


def ready_for(db: Session, head: User, endpoint: str) -> dict[str, object]:
    """URL values for a case-work page, with the case at a stage where the page is offered."""
    if endpoint.split(".")[0] in case_routes.BLUEPRINTS:
        return case_routes.ready_for(db, head, endpoint)
    case = recorded(db, head)
    values: dict[str, object] = {"case_id": case.id}
    if endpoint in ("triage.change_track", "outcomes.record", "outcomes.close"):
        triaged(db, head, case)
    if endpoint == "outcomes.close":
        with_outcome(db, head, case)
    if endpoint == "police.police_result":
        under_police_hold(db, head, triaged(db, head, case))
    if endpoint == "legal_holds.lift":
        hold = erasure.place_legal_hold(
            db, actor=head, case=case, kind=LegalHoldKind.INQUIRY, reason="An inquiry asked"
        )
        db.commit()
        values.update(hold_id=hold.id)
    if endpoint == "referrals.update":
        values.update(referral_id=with_referral(db, head, case).id, step_name="made")
    return values
