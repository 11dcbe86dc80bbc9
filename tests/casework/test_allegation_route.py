"""The allegation route a LADO would sign off (issue 13, items 1, 2, 4, 5, 6, 7 and 8), through
the services: each test fails on the code before the fix and says which rule it holds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from incidents import workflow
from incidents.casework.breach import commands as breaches
from incidents.casework.cases import steps as casework
from incidents.casework.outcome import commands as outcomes
from incidents.casework.police import commands as police
from incidents.casework.referrals import commands as referrals
from incidents.casework.tasks import commands as tasks
from incidents.casework.triage import commands as triage
from incidents.errors import InvalidInput
from incidents.models import (
    Agency,
    Case,
    CaseKind,
    CaseOutcome,
    CaseState,
    DataSubjects,
    DisclosureSource,
    EmploymentOutcome,
    Investigation,
    PersonKind,
    Referral,
    ReferralMethod,
    ReferralStatus,
    Role,
    TaskKind,
    ThresholdAnswer,
    User,
)
from tests.case_routes import TODAY, case_about, lado_agreed, lado_says, move, upheld
from tests.casework.test_journeys import record

Y, N, U = ThresholdAnswer.YES, ThresholdAnswer.NO, ThresholdAnswer.UNKNOWN
PENSION = date(2050, 6, 1)


def allegation(db: Session, head: User, limbs: tuple[ThresholdAnswer, ...] = (Y, N, N, N)) -> Case:
    case = case_about(db, head, PersonKind.STAFF)
    data = triage.TriageInput(*limbs, kind=CaseKind.ALLEGATION, reasons="Meets the threshold.")
    triage.triage(db, actor=head, case=case, data=data)
    return case


def referral_to(case: Case, agency: Agency) -> Referral:
    return next(r for r in case.referrals if r.agency is agency)


def update(db: Session, head: User, case: Case, agency: Agency, **data: object) -> Referral:
    referral = referral_to(case, agency)
    return referrals.update_referral(
        db,
        actor=head,
        case=case,
        referral_id=referral.id,
        data=referrals.ReferralUpdate(**data),  # type: ignore[arg-type]
    )


def finish_tasks(db: Session, head: User, case: Case) -> None:
    for task in case.tasks:
        if not task.is_done:
            tasks.complete_task(db, actor=head, case=case, task_id=task.id)


def closing(**answers: object) -> outcomes.ClosureInput:
    values: dict[str, object] = {
        "employment_outcome": EmploymentOutcome.CONTINUES,
        "mention_in_references": False,
        "pension_age_on": PENSION,
        **answers,
    }
    return outcomes.ClosureInput(**values)  # type: ignore[arg-type]


# --- Item 1: the LADO cannot be bypassed above the harm threshold ---------------------------


def test_the_school_cannot_decide_alone_not_to_refer_an_allegation(
    db: Session, users: dict[Role, User]
):
    head = users[Role.HEADTEACHER]
    case = allegation(db, head)
    with pytest.raises(InvalidInput) as refused:
        update(db, head, case, Agency.LADO, status=ReferralStatus.NOT_MADE, reasons="Minor.")
    assert "always referred to the LADO" in refused.value.errors["officer"]
    assert {"spoke_on", "spoke_time", "their_reference"} <= set(refused.value.errors)
    assert referral_to(case, Agency.LADO).status is ReferralStatus.DRAFT

    # Only the LADO's own word that the threshold is not met settles it: who, when, reference.
    lado = update(
        db,
        head,
        case,
        Agency.LADO,
        status=ReferralStatus.NOT_MADE,
        reasons="The LADO says this is a low-level concern.",
        their_reference="LADO-77",
        **{k: v for k, v in lado_says(case).items() if k in ("officer", "spoke_on", "spoke_time")},
    )
    assert lado.status is ReferralStatus.NOT_MADE and lado.threshold_met is False
    assert lado.officer is not None and lado.officer.reveal() == "A LADO officer"
    assert lado.spoke_at is not None
    # And then the case changes track before anything else happens.
    with pytest.raises(workflow.TransitionNotAllowedError, match="change the track"):
        casework.take_step(db, actor=head, case=case, action="investigate")


def test_below_the_threshold_a_lado_consultation_may_be_settled_without_a_referral(
    db: Session, users: dict[Role, User]
):
    head = users[Role.HEADTEACHER]
    case = case_about(db, head, PersonKind.STAFF)
    data = triage.TriageInput(N, N, N, N, kind=CaseKind.LOW_LEVEL_CONCERN, reasons="Minor.")
    triage.triage(db, actor=head, case=case, data=data)
    referrals.add_referral(db, actor=head, case=case, agency=Agency.LADO)
    lado = update(db, head, case, Agency.LADO, status=ReferralStatus.NOT_MADE, reasons="Minor.")
    assert lado.status is ReferralStatus.NOT_MADE and lado.threshold_met is None


# --- Item 2: the school waits for the LADO's advice and the police's decision ------------------


def test_the_school_investigates_only_once_the_lado_advises_it_may(
    db: Session, users: dict[Role, User]
):
    head = users[Role.HEADTEACHER]
    case = allegation(db, head)
    move(db, head, case, Agency.LADO, ReferralStatus.MADE)
    with pytest.raises(workflow.TransitionNotAllowedError, match="LADO's advice"):
        casework.take_step(db, actor=head, case=case, action="investigate")
    with pytest.raises(InvalidInput) as refused:
        update(db, head, case, Agency.LADO, status=ReferralStatus.ADVICE_RECEIVED, advice="Go.")
    assert {"officer", "spoke_on", "spoke_time", "threshold_met"} <= set(refused.value.errors)
    move(db, head, case, Agency.LADO, ReferralStatus.ADVICE_RECEIVED)
    lado = referral_to(case, Agency.LADO)
    assert lado.investigation is Investigation.SCHOOL and lado.threshold_met is True
    casework.take_step(db, actor=head, case=case, action="investigate")
    assert case.state is CaseState.INVESTIGATING


def test_a_possible_offence_with_the_police_referral_in_draft_blocks_the_school(
    db: Session, users: dict[Role, User]
):
    head = users[Role.HEADTEACHER]
    case = allegation(db, head, (Y, U, N, N))  # part (b) not known
    assert referral_to(case, Agency.POLICE).status is ReferralStatus.DRAFT
    move(db, head, case, Agency.LADO, ReferralStatus.MADE, ReferralStatus.ADVICE_RECEIVED)
    with pytest.raises(workflow.TransitionNotAllowedError, match="police's decision"):
        casework.take_step(db, actor=head, case=case, action="investigate")
    move(db, head, case, Agency.POLICE, ReferralStatus.MADE)
    with pytest.raises(workflow.TransitionNotAllowedError, match="police's decision"):
        casework.take_step(db, actor=head, case=case, action="investigate")
    move(db, head, case, Agency.POLICE, ReferralStatus.ADVICE_RECEIVED)
    casework.take_step(db, actor=head, case=case, action="investigate")


def test_an_allegations_outcome_follows_an_investigation_and_is_agreed_with_the_lado(
    db: Session, users: dict[Role, User]
):
    head = users[Role.HEADTEACHER]
    case = allegation(db, head)
    move(db, head, case, Agency.LADO, ReferralStatus.MADE, ReferralStatus.ADVICE_RECEIVED)
    with pytest.raises(workflow.TransitionNotAllowedError, match="follows the school's"):
        outcomes.record_outcome(
            db, actor=head, case=case, outcome=CaseOutcome.UNFOUNDED, reasons="None."
        )
    # The LADO agrees no investigation is needed: the outcome may follow, agreed with them.
    move(
        db,
        head,
        case,
        Agency.LADO,
        ReferralStatus.ADVICE_RECEIVED,
        investigation=Investigation.NONE,
    )
    with pytest.raises(InvalidInput) as refused:
        outcomes.record_outcome(
            db, actor=head, case=case, outcome=CaseOutcome.UNFOUNDED, reasons="None."
        )
    assert set(refused.value.errors) == {"lado_officer", "lado_agreed_on"}
    assert case.outcome is None
    outcomes.record_outcome(
        db,
        actor=head,
        case=case,
        outcome=CaseOutcome.UNFOUNDED,
        reasons="None.",
        **lado_agreed(case),  # type: ignore[arg-type]
    )
    assert case.outcome_lado_officer is not None
    assert case.outcome_lado_agreed_on == case.became_aware_on


# --- Item 4: the DBS duty and the TRA referral, on any track -----------------------------------


def test_removal_from_regulated_activity_needs_a_dbs_referral_on_any_track(
    db: Session, users: dict[Role, User]
):
    head = users[Role.HEADTEACHER]
    case = upheld(db, head, PersonKind.STAFF, CaseKind.POLICY_BREACH)
    finish_tasks(db, head, case)
    answers = closing(
        employment_outcome=EmploymentOutcome.CONTINUES, removed_from_regulated_activity=True
    )
    with pytest.raises(workflow.TransitionNotAllowedError, match="DBS"):
        outcomes.close_case(db, actor=head, case=case, data=answers)
    assert case.state is CaseState.OUTCOME_RECORDED and case.removed_from_regulated_activity is None
    referrals.add_referral(db, actor=head, case=case, agency=Agency.DBS)
    move(db, head, case, Agency.DBS, ReferralStatus.MADE, ReferralStatus.CLOSED)
    outcomes.close_case(db, actor=head, case=case, data=answers)
    assert case.state is CaseState.CLOSED and case.removed_from_regulated_activity is True


def test_a_teacher_dismissed_for_serious_misconduct_is_considered_for_the_tra(
    db: Session, users: dict[Role, User]
):
    head = users[Role.HEADTEACHER]
    case = upheld(db, head, PersonKind.STAFF, CaseKind.POLICY_BREACH)
    finish_tasks(db, head, case)
    answers = closing(
        employment_outcome=EmploymentOutcome.DISMISSED, teacher_serious_misconduct=True
    )
    with pytest.raises(workflow.TransitionNotAllowedError, match="Teaching Regulation"):
        outcomes.close_case(db, actor=head, case=case, data=answers)
    with pytest.raises(InvalidInput) as unanswered:
        outcomes.close_case(
            db, actor=head, case=case, data=closing(teacher_serious_misconduct=None)
        )
    assert "teacher_serious_misconduct" in unanswered.value.errors
    referrals.add_referral(db, actor=head, case=case, agency=Agency.TRA)
    move(db, head, case, Agency.TRA, ReferralStatus.NOT_MADE)
    outcomes.close_case(db, actor=head, case=case, data=answers)
    assert case.state is CaseState.CLOSED


# --- Item 5: a personal data breach inside a case on another track -------------------------------


def test_a_data_breach_inside_a_policy_breach_case(db: Session, users: dict[Role, User]):
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    case = case_about(db, head, PersonKind.STAFF)
    triage.triage(
        db,
        actor=head,
        case=case,
        data=triage.TriageInput(
            N,
            N,
            N,
            N,
            kind=CaseKind.POLICY_BREACH,
            reasons="Posted pupils' photographs.",
            personal_data_exposed=True,
            breach_aware_on=case.became_aware_on,
            breach_aware_time="09:15",
        ),
    )
    assert case.kind is CaseKind.POLICY_BREACH and case.personal_data_exposed
    ico = referral_to(case, Agency.ICO)
    assert case.breach_aware_at is not None
    assert ico.due_at == case.breach_aware_at + timedelta(hours=72)
    facts = breaches.BreachFacts(
        "Photos posted.", "Faces.", 12, frozenset({DataSubjects.PUPILS}), "Low.", "Removed."
    )
    breaches.record_facts(db, actor=head, case=case, data=facts)
    db.flush()
    assert [row.case_id for row in breaches.register(db, actor=dsl)] == [case.id]
    # Art 33(5): the record is complete before the case closes, whatever its track.
    casework.take_step(db, actor=head, case=case, action="investigate")
    outcomes.record_outcome(db, actor=head, case=case, outcome=CaseOutcome.UPHELD, reasons="R")
    finish_tasks(db, head, case)
    with pytest.raises(workflow.TransitionNotAllowedError, match="breach record"):
        outcomes.close_case(db, actor=head, case=case, data=closing())


def test_triage_asks_whether_personal_data_was_exposed(db: Session, users: dict[Role, User]):
    head = users[Role.HEADTEACHER]
    case = case_about(db, head, PersonKind.STAFF)
    with pytest.raises(InvalidInput) as refused:
        triage.triage(
            db,
            actor=head,
            case=case,
            data=triage.TriageInput(
                N, N, N, N, kind=CaseKind.POLICY_BREACH, reasons="R", personal_data_exposed=None
            ),
        )
    assert set(refused.value.errors) == {"personal_data_exposed"}
    assert case.state is CaseState.RECORDED and case.referrals == []


# --- Items 6 and 7: references, and the personnel file of a malicious allegation --------------


@pytest.mark.parametrize(
    "outcome", [CaseOutcome.UNSUBSTANTIATED, CaseOutcome.UNFOUNDED, CaseOutcome.FALSE]
)
def test_only_a_substantiated_allegation_is_mentioned_in_references(
    db: Session, users: dict[Role, User], outcome: CaseOutcome
):
    head = users[Role.HEADTEACHER]
    case = allegation(db, head)
    move(
        db,
        head,
        case,
        Agency.LADO,
        ReferralStatus.MADE,
        ReferralStatus.ADVICE_RECEIVED,
        ReferralStatus.CLOSED,
        investigation=Investigation.NONE,
    )
    outcomes.record_outcome(
        db,
        actor=head,
        case=case,
        outcome=outcome,
        reasons="R",
        **lado_agreed(case),  # type: ignore[arg-type]
    )
    finish_tasks(db, head, case)
    referrals.add_referral(db, actor=head, case=case, agency=Agency.TRA)
    move(db, head, case, Agency.TRA, ReferralStatus.NOT_MADE)
    with pytest.raises(InvalidInput, match="Only a substantiated allegation") as refused:
        outcomes.close_case(
            db,
            actor=head,
            case=case,
            data=closing(mention_in_references=True, personnel_file_kept=False),
        )
    assert "mention_in_references" in refused.value.errors
    assert case.state is CaseState.OUTCOME_RECORDED


def test_a_low_level_concern_is_not_mentioned_in_references(db: Session, users: dict[Role, User]):
    head = users[Role.HEADTEACHER]
    case = upheld(db, head, PersonKind.STAFF, CaseKind.LOW_LEVEL_CONCERN)
    finish_tasks(db, head, case)
    with pytest.raises(InvalidInput, match="low-level concern"):
        outcomes.close_case(db, actor=head, case=case, data=closing(mention_in_references=True))
    outcomes.close_case(db, actor=head, case=case, data=closing(mention_in_references=False))
    assert case.state is CaseState.CLOSED


def test_a_malicious_allegation_kept_on_file_at_the_persons_request(
    db: Session, users: dict[Role, User]
):
    head = users[Role.HEADTEACHER]
    case = allegation(db, head)
    move(
        db,
        head,
        case,
        Agency.LADO,
        ReferralStatus.MADE,
        ReferralStatus.ADVICE_RECEIVED,
        ReferralStatus.CLOSED,
    )
    casework.take_step(db, actor=head, case=case, action="investigate")
    outcomes.record_outcome(
        db,
        actor=head,
        case=case,
        outcome=CaseOutcome.MALICIOUS,
        reasons="R",
        **lado_agreed(case),  # type: ignore[arg-type]
    )
    finish_tasks(db, head, case)
    referrals.add_referral(db, actor=head, case=case, agency=Agency.TRA)
    move(db, head, case, Agency.TRA, ReferralStatus.NOT_MADE)
    with pytest.raises(InvalidInput) as unanswered:
        outcomes.close_case(db, actor=head, case=case, data=closing())
    assert set(unanswered.value.errors) == {"personnel_file_kept"}
    outcomes.close_case(db, actor=head, case=case, data=closing(personnel_file_kept=True))
    assert case.state is CaseState.CLOSED and case.personnel_file_kept is True
    # The safeguarding record is not wiped at closure: it is kept like any allegation's.
    ten_years = case.became_aware_on.replace(year=case.became_aware_on.year + 10)
    assert case.retention_until == max(PENSION, ten_years)
    assert case.retention_rule is not None and "safeguarding record is kept" in case.retention_rule


# --- Item 8: ICO lateness judged by the instant -------------------------------------------------


def _breach_aware_five_days_ago(db: Session, head: User) -> Case:
    """A data breach the school became aware of at 09:00 five days ago: the ICO's 72 hours
    ended at about 09:00 two days ago (London time, whatever the clock change)."""
    case = case_about(db, head, PersonKind.STAFF, became_aware_on=TODAY - timedelta(days=5))
    triage.triage(
        db,
        actor=head,
        case=case,
        data=triage.TriageInput(
            N,
            N,
            N,
            N,
            kind=CaseKind.DATA_BREACH,
            reasons="Sent to the wrong parents.",
            personal_data_exposed=True,
            breach_aware_time="09:00",
        ),
    )
    facts = breaches.BreachFacts(
        "Sent to the wrong parents.",
        "Reports.",
        3,
        frozenset({DataSubjects.PUPILS}),
        "Low.",
        "Recalled.",
    )
    breaches.record_facts(db, actor=head, case=case, data=facts)
    breaches.decide_ico(db, actor=head, case=case, report=True, reasons="Risk to the pupils.")
    return case


def test_a_report_hours_late_on_the_last_day_needs_its_reasons(
    db: Session, users: dict[Role, User]
):
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    case = _breach_aware_five_days_ago(db, head)
    late = dict(
        status=ReferralStatus.MADE,
        method=ReferralMethod.PORTAL,
        made_on=TODAY - timedelta(days=2),
        made_time="13:00",
    )
    with pytest.raises(InvalidInput) as refused:
        update(db, head, case, Agency.ICO, **late)
    assert refused.value.errors == {"reasons": "Enter why the referral was made after its deadline"}
    with pytest.raises(InvalidInput, match="counted to the minute"):
        update(db, head, case, Agency.ICO, **{**late, "made_time": "", "reasons": "Why."})
    update(db, head, case, Agency.ICO, **late, reasons="The DPO was away.")
    db.flush()
    [row] = breaches.register(db, actor=dsl)
    assert row.reported and row.within_72_hours is False


def test_a_report_within_the_72_hours_says_so(db: Session, users: dict[Role, User]):
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    case = _breach_aware_five_days_ago(db, head)
    update(
        db,
        head,
        case,
        Agency.ICO,
        status=ReferralStatus.MADE,
        method=ReferralMethod.PORTAL,
        made_on=TODAY - timedelta(days=2),
        made_time="06:30",
    )
    db.flush()
    [row] = breaches.register(db, actor=dsl)
    assert row.reported and row.within_72_hours is True


# --- What follows an allegation's outcome (issue 13, what is missing) -----------------------


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (CaseOutcome.SUBSTANTIATED, {TaskKind.LESSONS_REVIEW}),
        (CaseOutcome.UNFOUNDED, {TaskKind.LESSONS_REVIEW, TaskKind.CONSIDER_CHILD_SUPPORT}),
        (
            CaseOutcome.MALICIOUS,
            {
                TaskKind.LESSONS_REVIEW,
                TaskKind.CONSIDER_CHILD_SUPPORT,
                TaskKind.CONSIDER_PUPIL_ACTION,
            },
        ),
    ],
)
def test_an_allegations_outcome_opens_the_lessons_review_and_the_childs_follow_ups(
    db: Session, users: dict[Role, User], outcome: CaseOutcome, expected: set[TaskKind]
):
    head = users[Role.HEADTEACHER]
    case = record(db, head, DisclosureSource.CHILD, child_words="Sir kept me behind.")
    data = triage.TriageInput(Y, N, N, N, kind=CaseKind.ALLEGATION, reasons="A pupil told us.")
    triage.triage(db, actor=head, case=case, data=data)
    before = {t.id for t in case.tasks}
    police.record_result(db, actor=head, case=case, result="No further action.")
    move(db, head, case, Agency.LADO, ReferralStatus.MADE, ReferralStatus.ADVICE_RECEIVED)
    casework.take_step(db, actor=head, case=case, action="investigate")
    outcomes.record_outcome(
        db,
        actor=head,
        case=case,
        outcome=outcome,
        reasons="R",
        **lado_agreed(case),  # type: ignore[arg-type]
    )
    opened = [t for t in case.tasks if t.id not in before]
    assert {t.kind for t in opened} == expected
    assert all(t.assignee_id == head.id and not t.is_done for t in opened)
    # On the closure checklist: every task done.
    assert "Mark every task as done" in workflow.blocked_reason(case, "close")  # type: ignore[operator]
