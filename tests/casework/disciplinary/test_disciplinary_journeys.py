"""Service-level journeys through issue 5's items 7, 9 and 11, each ending closed, with the audit
entries each step writes: a staff allegation to dismissal and the DBS; a parent's breach to
photography rights withdrawn; a data breach through the ICO decision and telling the people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import incidents.audit
from incidents import workflow
from incidents.audit import Action
from incidents.casework.breach import commands as breaches
from incidents.casework.cases import steps as casework
from incidents.casework.disciplinary import commands as disciplinary
from incidents.casework.outcome import commands as outcomes
from incidents.casework.referrals import commands as referrals
from incidents.casework.suspension import commands as suspension
from incidents.casework.tasks import commands as tasks
from incidents.errors import InvalidInput
from incidents.models import (
    Agency,
    Alternative,
    AuditEntry,
    CaseKind,
    CaseOutcome,
    CaseState,
    DataSubjects,
    DisciplinaryKind,
    DisciplinaryStage,
    EmploymentOutcome,
    Measure,
    PersonKind,
    ReferralStatus,
    Role,
    StaffOutcome,
    TaskKind,
    User,
)
from tests.case_routes import TODAY, assess, case_about, lado_agreed, move, through_lado


@pytest.fixture
def actions(monkeypatch: pytest.MonkeyPatch) -> list[Action]:
    seen: list[Action] = []
    real = incidents.audit.record

    def recorder(session: Session, **kwargs: object) -> object:
        seen.append(kwargs["action"])  # type: ignore[arg-type]
        return real(session, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(incidents.audit, "record", recorder)
    return seen


def close(db: Session, head: User, case: object, employment: EmploymentOutcome, **kw: object):
    data = outcomes.ClosureInput(
        employment_outcome=employment,
        mention_in_references=True,
        pension_age_on=kw.get("pension"),  # type: ignore[arg-type]
    )
    outcomes.close_case(db, actor=head, case=case, data=data)  # type: ignore[arg-type]


def in_order(actions: list[Action], expected: list[Action]) -> bool:
    """`expected` appears in `actions` in this order (other entries may come between)."""
    remaining = iter(actions)
    return all(any(a is e for a in remaining) for e in expected)


def finish_tasks(db: Session, actor: User, case: object) -> None:
    for task in case.tasks:  # type: ignore[attr-defined]
        if not task.is_done:
            tasks.complete_task(db, actor=actor, case=case, task_id=task.id)  # type: ignore[arg-type]


def test_staff_allegation_to_dismissal_and_the_dbs(
    db: Session, users: dict[Role, User], actions: list[Action]
):
    head = users[Role.HEADTEACHER]
    case = case_about(db, head, PersonKind.STAFF)
    assess(db, head, case, CaseKind.ALLEGATION)
    through_lado(db, head, case)

    # Item 7: suspension considered, alternatives rejected, confirmed in writing.
    decision = suspension.decide_suspension(
        db,
        actor=head,
        case=case,
        data=suspension.SuspensionInput(
            person_id=None,
            considered={
                Alternative.REDEPLOYMENT: "No role without contact with the class.",
                Alternative.SUPERVISION: "No assistant free.",
            },
            suspended=True,
            reasons="Risk to the children while the investigation runs.",
            decided_on=TODAY,
        ),
    )
    confirm = next(t for t in case.tasks if t.kind is TaskKind.CONFIRM_SUSPENSION)
    assert decision.confirmation_due_at is not None and confirm.id == decision.confirmation_task_id
    with pytest.raises(InvalidInput, match="confirmed in writing"):
        tasks.complete_task(db, actor=head, case=case, task_id=confirm.id)
    suspension.confirm_suspension(db, actor=head, case=case, decision_id=decision.id, sent_on=TODAY)
    assert confirm.is_done and decision.confirmation_sent_on == TODAY

    casework.take_step(db, actor=head, case=case, action="investigate")
    outcomes.record_outcome(
        db,
        actor=head,
        case=case,
        outcome=CaseOutcome.SUBSTANTIATED,
        reasons="Evidence.",
        **lado_agreed(case),  # type: ignore[arg-type]
    )

    # Item 9: the staff process, investigation -> hearing -> dismissal.
    process = disciplinary.start_disciplinary(
        db, actor=head, case=case, person_id=None, hr_reference="HR/2026/17"
    )
    assert case.state is CaseState.DISCIPLINARY
    assert (
        process.kind is DisciplinaryKind.STAFF and process.stage is DisciplinaryStage.INVESTIGATION
    )
    with pytest.raises(workflow.TransitionNotAllowedError) as refused:
        close(db, head, case, EmploymentOutcome.DISMISSED, pension=TODAY.replace(year=2050))
    assert "Conclude the disciplinary process" in str(refused.value)
    disciplinary.record_hearing(db, actor=head, case=case, process_id=process.id, hearing_on=TODAY)
    disciplinary.record_staff_outcome(
        db,
        actor=head,
        case=case,
        process_id=process.id,
        data=disciplinary.StaffOutcomeInput(
            outcome=StaffOutcome.DISMISSAL, decided_on=TODAY, reasons="Gross misconduct."
        ),
    )
    assert process.stage is DisciplinaryStage.CONCLUDED
    assert process.employment_implied is EmploymentOutcome.DISMISSED

    # Dismissal: the employment answer must say so, and then the DBS duty applies.
    with pytest.raises(workflow.TransitionNotAllowedError, match="dismissed"):
        close(db, head, case, EmploymentOutcome.CONTINUES, pension=TODAY.replace(year=2050))
    finish_tasks(db, head, case)
    with pytest.raises(workflow.TransitionNotAllowedError, match="DBS"):
        close(db, head, case, EmploymentOutcome.DISMISSED, pension=TODAY.replace(year=2050))
    referrals.add_referral(db, actor=head, case=case, agency=Agency.DBS)
    move(db, head, case, Agency.DBS, ReferralStatus.MADE, ReferralStatus.CLOSED)
    referrals.add_referral(db, actor=head, case=case, agency=Agency.TRA)
    move(db, head, case, Agency.TRA, ReferralStatus.NOT_MADE)
    # The suspension is still in force: the dismissal ends it, and that is recorded first.
    with pytest.raises(workflow.TransitionNotAllowedError, match="suspension ended"):
        close(db, head, case, EmploymentOutcome.DISMISSED, pension=TODAY.replace(year=2050))
    suspension.lift_suspension(
        db, actor=head, case=case, decision_id=decision.id, lifted_on=TODAY, reasons="Dismissed."
    )
    close(db, head, case, EmploymentOutcome.DISMISSED, pension=TODAY.replace(year=2050))
    db.commit()

    assert case.state is CaseState.CLOSED
    for expected in (
        Action.SUSPENSION_DECIDE,
        Action.SUSPENSION_CONFIRM,
        Action.SUSPENSION_LIFT,
        Action.CASE_DISCIPLINARY,
        Action.DISCIPLINARY_HEARING,
        Action.DISCIPLINARY_OUTCOME,
        Action.CASE_CLOSE,
    ):
        assert expected in actions, expected
    assert actions[-1] is Action.CASE_CLOSE
    # Every step of the process is findable by its id, in order.
    steps = db.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "disciplinary", AuditEntry.object_id == process.id)
        .order_by(AuditEntry.seq)
    ).all()
    assert steps == ["case.disciplinary", "disciplinary.hearing", "disciplinary.outcome"]
    # The HR reference and the reasons are stored encrypted, never in clear.
    assert process.hr_reference_ct is not None and b"HR/2026" not in process.hr_reference_ct


def test_parent_breach_to_photography_rights_withdrawn(
    db: Session, users: dict[Role, User], actions: list[Action]
):
    head = users[Role.HEADTEACHER]
    case = case_about(db, head, PersonKind.PARENT_CARER)
    assess(db, head, case, CaseKind.POLICY_BREACH)
    outcomes.record_outcome(
        db, actor=head, case=case, outcome=CaseOutcome.UPHELD, reasons="Posted photos."
    )
    process = disciplinary.start_disciplinary(db, actor=head, case=case, person_id=None)
    assert process.kind is DisciplinaryKind.PARENT_CARER
    # A parent's process has sanctions, not a hearing.
    with pytest.raises(workflow.TransitionNotAllowedError, match="staff only"):
        disciplinary.record_hearing(
            db, actor=head, case=case, process_id=process.id, hearing_on=TODAY
        )
    with pytest.raises(InvalidInput, match="at least one"):
        disciplinary.conclude_measures(db, actor=head, case=case, process_id=process.id)
    disciplinary.add_measure(
        db,
        actor=head,
        case=case,
        process_id=process.id,
        data=disciplinary.MeasureInput(
            measure=Measure.PHOTOGRAPHY_WITHDRAWN,
            starts_on=TODAY,
            review_on=TODAY + timedelta(days=90),
        ),
    )
    # The review date is the case manager's task, named by its measure, and closing waits for it.
    review = next(t for t in case.tasks if t.kind is TaskKind.REVIEW_MEASURE)
    assert review.due_on == TODAY + timedelta(days=90) and review.assignee_id == head.id
    assert review.describe() == "Review the measure: Right to take photographs at school withdrawn"
    disciplinary.conclude_measures(db, actor=head, case=case, process_id=process.id)
    with pytest.raises(workflow.TransitionNotAllowedError, match="Mark every task"):
        close(db, head, case, EmploymentOutcome.NOT_EMPLOYED)
    finish_tasks(db, head, case)
    assert review.is_done
    close(db, head, case, EmploymentOutcome.NOT_EMPLOYED)
    db.commit()

    assert case.state is CaseState.CLOSED
    assert [m.measure for m in process.measures] == [Measure.PHOTOGRAPHY_WITHDRAWN]
    assert in_order(
        actions,
        [
            Action.CASE_OUTCOME,
            Action.CASE_DISCIPLINARY,
            Action.DISCIPLINARY_MEASURE,
            Action.DISCIPLINARY_CONCLUDE,
            Action.CASE_CLOSE,
        ],
    )
    assert actions[-1] is Action.CASE_CLOSE


def test_data_breach_through_the_ico_decision_to_people_told(
    db: Session, users: dict[Role, User], actions: list[Action]
):
    head = users[Role.HEADTEACHER]
    case = case_about(db, head, PersonKind.STAFF)
    assess(db, head, case, CaseKind.DATA_BREACH)
    ico = next(r for r in case.referrals if r.agency is Agency.ICO)
    with pytest.raises(workflow.TransitionNotAllowedError, match="facts of the breach first"):
        breaches.decide_ico(db, actor=head, case=case, report=False, reasons="Low risk.")
    record = breaches.record_facts(
        db,
        actor=head,
        case=case,
        data=breaches.BreachFacts(
            what_happened="A class list was emailed to the wrong parent.",
            data_involved="Names and dates of birth.",
            people_affected=28,
            subjects=frozenset({DataSubjects.PUPILS}),
            likely_effects="Little: the recipient deleted it.",
            remedial_action="Recall requested; deletion confirmed in writing.",
        ),
    )
    assert record.ico_referral_id == ico.id
    breaches.decide_ico(
        db, actor=head, case=case, report=False, reasons="Unlikely to result in a risk."
    )
    # A decision not to report is recorded like a decision not to refer.
    assert ico.status is ReferralStatus.NOT_MADE and ico.reasons is not None
    breaches.record_people_told(db, actor=head, case=case, told=True, told_on=TODAY, reasons="")
    outcomes.record_outcome(
        db, actor=head, case=case, outcome=CaseOutcome.UPHELD, reasons="It happened."
    )
    finish_tasks(db, head, case)
    close(db, head, case, EmploymentOutcome.CONTINUES)
    db.commit()

    assert case.state is CaseState.CLOSED and record.is_complete
    assert in_order(
        actions,
        [
            Action.CASE_TRIAGE,
            Action.BREACH_FACTS,
            Action.BREACH_ICO_DECISION,
            Action.REFERRAL_NOT_MADE,
            Action.BREACH_PEOPLE_TOLD,
            Action.CASE_OUTCOME,
            Action.CASE_CLOSE,
        ],
    )
    assert actions[-1] is Action.CASE_CLOSE
    [row] = breaches.register(db, actor=head)
    assert row.reference == case.reference and row.reported is False
    assert row.within_72_hours is None and row.people_told is True


def test_a_reported_breach_shows_in_the_register_as_within_72_hours(
    db: Session, users: dict[Role, User]
):
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    case = case_about(db, head, PersonKind.STAFF)
    assess(db, head, case, CaseKind.DATA_BREACH)
    breaches.record_facts(
        db,
        actor=head,
        case=case,
        data=breaches.BreachFacts(
            "Laptop stolen.", "Reports.", 120, frozenset(DataSubjects), "Fraud.", "Wiped."
        ),
    )
    breaches.decide_ico(db, actor=head, case=case, report=True, reasons="High risk.")
    move(db, head, case, Agency.ICO, ReferralStatus.MADE)
    db.commit()
    [row] = breaches.register(db, actor=dsl)
    assert row.reported and row.within_72_hours and row.people_told is None
    assert case.state is CaseState.REFERRED
    # Once reported, the decision cannot become "not reporting".
    with pytest.raises(InvalidInput, match="already been reported"):
        breaches.decide_ico(db, actor=head, case=case, report=False, reasons="Changed.")


def test_closing_a_data_breach_needs_a_complete_record(db: Session, users: dict[Role, User]):
    head = users[Role.HEADTEACHER]
    case = case_about(db, head, PersonKind.STAFF)
    assess(db, head, case, CaseKind.DATA_BREACH)
    move(db, head, case, Agency.ICO, ReferralStatus.NOT_MADE)
    outcomes.record_outcome(
        db, actor=head, case=case, outcome=CaseOutcome.UPHELD, reasons="It happened."
    )
    with pytest.raises(workflow.TransitionNotAllowedError, match="Complete the breach record"):
        close(db, head, case, EmploymentOutcome.CONTINUES)
    assert case.state is CaseState.OUTCOME_RECORDED


def test_a_staff_process_can_end_without_an_outcome_when_explained(
    db: Session, users: dict[Role, User]
):
    head = users[Role.HEADTEACHER]
    case = case_about(db, head, PersonKind.VOLUNTEER)
    assess(db, head, case, CaseKind.POLICY_BREACH)
    outcomes.record_outcome(db, actor=head, case=case, outcome=CaseOutcome.UPHELD, reasons="x")
    process = disciplinary.start_disciplinary(db, actor=head, case=case, person_id=None)
    assert process.kind is DisciplinaryKind.VOLUNTEER
    disciplinary.discontinue(
        db, actor=head, case=case, process_id=process.id, reasons="They stopped volunteering."
    )
    finish_tasks(db, head, case)
    close(db, head, case, EmploymentOutcome.LEFT)
    assert case.state is CaseState.CLOSED and process.stage is DisciplinaryStage.DISCONTINUED
