"""The state machine: every (state, action) pair is allowed or refused with a clear message,
guards hold, decisions belong to the case manager, and the system alone erases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from incidents import workflow
from incidents.models import (
    Agency,
    BreachRecord,
    Case,
    CaseKind,
    CaseOutcome,
    CaseState,
    DisciplinaryKind,
    DisciplinaryMeasure,
    DisciplinaryProcess,
    DisciplinaryStage,
    DisclosureSource,
    EmploymentOutcome,
    Investigation,
    LegalHold,
    LegalHoldKind,
    Measure,
    Person,
    PersonKind,
    PoliceHold,
    Referral,
    ReferralMethod,
    ReferralStatus,
    Role,
    SuspensionDecision,
    ThresholdAnswer,
    TriageDecision,
    User,
    UserRole,
)

SCHOOL = uuid.uuid4()
NOW = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
ACTIONS = [t.action for t in workflow.TRANSITIONS if t.from_states is not None]


def user(role: Role) -> User:
    return User(id=uuid.uuid4(), school_id=SCHOOL, is_active=True, role_rows=[UserRole(role=role)])


def ready_case(state: CaseState, manager: User) -> Case:
    """A case in `state` on which every guard passes, so only state and role can refuse."""
    case = Case(
        id=uuid.uuid4(),
        school_id=SCHOOL,
        state=state,
        kind=CaseKind.ALLEGATION,
        source=DisclosureSource.STAFF,
        case_manager_id=manager.id,
        # A volunteer: suspension and the disciplinary link apply, a TRA referral does not.
        subjects=[Person(id=uuid.uuid4(), school_id=SCHOOL, kind=PersonKind.VOLUNTEER)],
        referrals=[],
        tasks=[],
        police_holds=[],
        legal_holds=[],
        disciplinary_processes=[],
        suspension_decisions=[],
        breach_record=None,
        outcome=CaseOutcome.SUBSTANTIATED,
        employment_outcome=EmploymentOutcome.CONTINUES,
        mention_in_references=True,
        removed_from_regulated_activity=False,
        teacher_serious_misconduct=False,
        retention_rule="test",
        reporter_identity_ct=b"sealed",
    )
    Referral(
        case=case,
        agency=Agency.LADO,
        status=ReferralStatus.CLOSED,
        method=ReferralMethod.PHONE,
        made_at=NOW,
        # The LADO's advice: the threshold is met and the school may investigate.
        threshold_met=True,
        investigation=Investigation.SCHOOL,
    )
    if state is CaseState.AWAITING_POLICE:
        PoliceHold(case=case)
    return case


BREACH_ACTIONS = ("record_breach", "decide_ico", "record_people_told")


def prepare_for(case: Case, action: str) -> None:
    """What the action's guard inspects, so only state and role decide (see ready_case)."""
    if action == "record_outcome":
        # Before any investigation, an allegation's outcome needs the LADO's word that none is.
        case.referrals[0].investigation = Investigation.NONE
    if action in BREACH_ACTIONS:
        case.kind, case.outcome = CaseKind.DATA_BREACH, CaseOutcome.UPHELD
        BreachRecord(case=case, facts_at=NOW)
    if action == "manage_disciplinary":
        DisciplinaryProcess(
            case=case, kind=DisciplinaryKind.STAFF, stage=DisciplinaryStage.INVESTIGATION
        )
    if action == "review_measure":
        process = DisciplinaryProcess(
            case=case, kind=DisciplinaryKind.VOLUNTEER, stage=DisciplinaryStage.CONCLUDED
        )
        DisciplinaryMeasure(process=process, measure=Measure.PREMISES_RESTRICTED, starts_on=NOW)
    if action == "lift_legal_hold":
        LegalHold(case=case, kind=LegalHoldKind.INQUIRY)
    if action == "end_reporting_restriction":
        # A pupil's allegation against a member of staff (Education Act 2002 s.141F).
        case.source, case.kind = DisclosureSource.CHILD, CaseKind.ALLEGATION
        case.subjects[0].kind = PersonKind.STAFF
    if action in ("confirm_suspension", "lift_suspension"):
        SuspensionDecision(case=case, suspended=True, confirmation_due_at=NOW)


def _pairs() -> list[tuple[CaseState, str]]:
    return [(state, action) for state in CaseState for action in ACTIONS if action != "erase"]


@pytest.mark.parametrize(("state", "action"), _pairs())
def test_every_state_and_action(state: CaseState, action: str) -> None:
    head = user(Role.HEADTEACHER)
    case = ready_case(state, head)
    if action in ("police_result", "police_finished") and case.open_police_hold is None:
        PoliceHold(case=case)
    prepare_for(case, action)
    step = workflow.transition(action)
    assert step.from_states is not None
    if state in step.from_states:
        workflow.advance(case, action, head)
        assert case.state is (step.to_state or state)
    else:
        with pytest.raises(workflow.TransitionNotAllowedError, match="not possible while"):
            workflow.advance(case, action, head)
        assert case.state is state


@pytest.mark.parametrize("state", list(CaseState))
def test_only_the_system_erases(state: CaseState) -> None:
    head = user(Role.HEADTEACHER)
    case = ready_case(state, head)
    if state is CaseState.ERASED:
        with pytest.raises(workflow.TransitionNotAllowedError):
            workflow.advance(case, "erase", None)
        return
    with pytest.raises(workflow.TransitionNotAllowedError, match="only be done by the system"):
        workflow.advance(case, "erase", head)
    workflow.advance(case, "erase", None)
    assert case.state is CaseState.ERASED


MANAGER_ONLY = [t for t in workflow.TRANSITIONS if t.manager_only]


@pytest.mark.parametrize("step", MANAGER_ONLY, ids=lambda t: t.action)
@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL, Role.STAFF, Role.GOVERNOR])
def test_decisions_belong_to_the_case_manager(step: workflow.Transition, role: Role) -> None:
    head = user(Role.HEADTEACHER)
    assert step.from_states is not None
    state = sorted(step.from_states)[0]
    case = ready_case(state, head)
    prepare_for(case, step.action)
    with pytest.raises(workflow.TransitionNotAllowedError, match="can only be done by"):
        workflow.advance(case, step.action, user(role))
    assert case.state is state


def test_another_headteacher_is_not_the_case_manager() -> None:
    case = ready_case(CaseState.RECORDED, user(Role.HEADTEACHER))
    with pytest.raises(workflow.TransitionNotAllowedError, match="case manager"):
        workflow.advance(case, "triage", user(Role.HEADTEACHER))


def test_a_police_hold_blocks_the_schools_investigation_and_outcome() -> None:
    head = user(Role.HEADTEACHER)
    case = ready_case(CaseState.REFERRED, head)
    PoliceHold(case=case)
    for action in ("investigate", "record_outcome"):
        with pytest.raises(workflow.TransitionNotAllowedError, match="police investigate"):
            workflow.advance(case, action, head)
    assert case.state is CaseState.REFERRED


def test_an_allegation_goes_to_the_lado_before_investigation() -> None:
    head = user(Role.HEADTEACHER)
    case = ready_case(CaseState.ASSESSED, head)
    lado = case.referrals[0]
    lado.status, lado.threshold_met, lado.investigation = ReferralStatus.DRAFT, None, None
    with pytest.raises(workflow.TransitionNotAllowedError, match="LADO"):
        workflow.advance(case, "investigate", head)
    lado.status = ReferralStatus.MADE  # made, but no advice yet (issue 13, item 2)
    with pytest.raises(workflow.TransitionNotAllowedError, match="LADO's advice"):
        workflow.advance(case, "investigate", head)
    lado.status, lado.threshold_met, lado.investigation = (
        ReferralStatus.ADVICE_RECEIVED,
        True,
        Investigation.SCHOOL,
    )
    workflow.advance(case, "investigate", head)


def test_the_school_cannot_decide_alone_not_to_refer_an_allegation() -> None:
    """Issue 13, item 1: above the harm threshold, "decided not to refer" lets nothing go
    ahead; only the LADO saying the threshold is not met settles it, and then the track must
    change."""
    head = user(Role.HEADTEACHER)
    case = ready_case(CaseState.ASSESSED, head)
    lado = case.referrals[0]
    lado.status, lado.threshold_met, lado.investigation = ReferralStatus.NOT_MADE, None, None
    for action in ("investigate", "record_outcome"):
        with pytest.raises(workflow.TransitionNotAllowedError, match="Refer the allegation"):
            workflow.advance(case, action, head)
    lado.threshold_met = False  # the LADO said so
    with pytest.raises(workflow.TransitionNotAllowedError, match="change the track"):
        workflow.advance(case, "investigate", head)
    # Below the threshold, the LADO was only consulted: nothing waits for it.
    case.kind, case.outcome = CaseKind.LOW_LEVEL_CONCERN, CaseOutcome.UPHELD
    lado.threshold_met = None
    workflow.advance(case, "investigate", head)


def test_the_school_investigates_only_once_the_lado_agrees() -> None:
    """Issue 13, item 2: the referral made is not enough; the LADO's advice must say the school
    may investigate. The outcome follows the investigation, or the LADO's word that none is
    needed."""
    head = user(Role.HEADTEACHER)
    case = ready_case(CaseState.REFERRED, head)
    lado = case.referrals[0]
    lado.status, lado.threshold_met, lado.investigation = ReferralStatus.MADE, None, None
    for action in ("investigate", "record_outcome"):
        with pytest.raises(workflow.TransitionNotAllowedError, match="LADO"):
            workflow.check(case, action, head)
    lado.status, lado.threshold_met = ReferralStatus.ADVICE_RECEIVED, True
    lado.investigation = Investigation.AGENCIES  # the police investigate first
    with pytest.raises(workflow.TransitionNotAllowedError, match="LADO's advice"):
        workflow.check(case, "investigate", head)
    with pytest.raises(workflow.TransitionNotAllowedError, match="follows the school's"):
        workflow.check(case, "record_outcome", head)
    lado.investigation = Investigation.NONE
    workflow.check(case, "record_outcome", head)
    with pytest.raises(workflow.TransitionNotAllowedError, match="LADO's advice"):
        workflow.check(case, "investigate", head)
    lado.investigation = Investigation.SCHOOL
    workflow.advance(case, "investigate", head)
    workflow.advance(case, "record_outcome", head)


@pytest.mark.parametrize("offence", [ThresholdAnswer.YES, ThresholdAnswer.UNKNOWN])
def test_a_possible_offence_waits_for_the_police_decision(offence: ThresholdAnswer) -> None:
    """Issue 13, item 2: harm-test part (b) yes or not known and the police referral still in
    draft (or made, awaiting their answer): the school neither investigates nor decides."""
    head = user(Role.HEADTEACHER)
    case = ready_case(CaseState.REFERRED, head)
    no = ThresholdAnswer.NO
    TriageDecision(
        case=case,
        harmed_child=no,
        criminal_offence=offence,
        risk_of_harm=no,
        unsuitable=no,
        kind=CaseKind.ALLEGATION,
    )
    police = Referral(case=case, agency=Agency.POLICE, status=ReferralStatus.DRAFT)
    for status in (ReferralStatus.DRAFT, ReferralStatus.MADE, ReferralStatus.ACKNOWLEDGED):
        police.status = status
        for action in ("investigate", "record_outcome"):
            with pytest.raises(workflow.TransitionNotAllowedError, match="police's decision"):
                workflow.check(case, action, head)
    police.status = ReferralStatus.ADVICE_RECEIVED
    workflow.advance(case, "investigate", head)


def test_close_is_refused_until_the_checklist_passes() -> None:
    head = user(Role.HEADTEACHER)
    case = ready_case(CaseState.OUTCOME_RECORDED, head)
    case.mention_in_references = None
    Referral(case=case, agency=Agency.POLICE, status=ReferralStatus.MADE)
    with pytest.raises(workflow.TransitionNotAllowedError) as refused:
        workflow.advance(case, "close", head)
    assert "Close every referral" in str(refused.value)
    assert "references" in str(refused.value)
    assert case.state is CaseState.OUTCOME_RECORDED


def test_disciplinary_follows_only_a_substantiated_or_upheld_outcome() -> None:
    head = user(Role.HEADTEACHER)
    case = ready_case(CaseState.OUTCOME_RECORDED, head)
    case.outcome = CaseOutcome.UNFOUNDED
    with pytest.raises(workflow.TransitionNotAllowedError, match="substantiated or upheld"):
        workflow.advance(case, "start_disciplinary", head)


def test_the_case_page_offers_only_what_is_possible_now() -> None:
    head, dsl = user(Role.HEADTEACHER), user(Role.DSL)
    case = ready_case(CaseState.RECORDED, head)
    assert {t.action for t in workflow.available(case, head)} >= {"triage", "add_task"}
    offered_to_dsl = {t.action for t in workflow.available(case, dsl)}
    assert "triage" not in offered_to_dsl
    assert "add_task" in offered_to_dsl
    assert "erase" not in offered_to_dsl


def test_the_disciplinary_link_needs_an_adult_subject_and_an_open_process() -> None:
    head = user(Role.HEADTEACHER)
    case = ready_case(CaseState.OUTCOME_RECORDED, head)
    case.subjects = [Person(id=uuid.uuid4(), school_id=SCHOOL, kind=PersonKind.PUPIL)]
    with pytest.raises(workflow.TransitionNotAllowedError, match="adult the case is about"):
        workflow.advance(case, "start_disciplinary", head)
    case = ready_case(CaseState.DISCIPLINARY, head)
    DisciplinaryProcess(case=case, kind=DisciplinaryKind.STAFF, stage=DisciplinaryStage.CONCLUDED)
    with pytest.raises(workflow.TransitionNotAllowedError, match="no disciplinary process"):
        workflow.check(case, "manage_disciplinary", head)
    # Another subject's process can start while the case is at the disciplinary stage, once.
    workflow.check(case, "start_another_disciplinary", head)
    DisciplinaryProcess(
        case=case,
        person_id=case.subjects[0].id,
        kind=DisciplinaryKind.VOLUNTEER,
        stage=DisciplinaryStage.INVESTIGATION,
    )
    with pytest.raises(workflow.TransitionNotAllowedError, match="already has a disciplinary"):
        workflow.check(case, "start_another_disciplinary", head)


@pytest.mark.parametrize(
    ("kind", "person", "message"),
    [
        (CaseKind.LOW_LEVEL_CONCERN, PersonKind.STAFF, "only for an allegation"),
        (CaseKind.ALLEGATION, PersonKind.PARENT_CARER, "staff, volunteers and governors"),
        (CaseKind.ALLEGATION, PersonKind.CONTRACTOR, "staff, volunteers and governors"),
    ],
)
def test_suspension_is_for_allegations_about_staff_volunteers_and_governors(
    kind: CaseKind, person: PersonKind, message: str
) -> None:
    head = user(Role.HEADTEACHER)
    case = ready_case(CaseState.INVESTIGATING, head)
    case.kind = kind
    case.subjects = [Person(id=uuid.uuid4(), school_id=SCHOOL, kind=person)]
    with pytest.raises(workflow.TransitionNotAllowedError, match=message):
        workflow.check(case, "consider_suspension", head)
    assert "consider_suspension" not in {t.action for t in workflow.available(case, head)}


@pytest.mark.parametrize("action", BREACH_ACTIONS)
def test_the_breach_record_is_for_data_breaches_only(action: str) -> None:
    head = user(Role.HEADTEACHER)
    case = ready_case(CaseState.ASSESSED, head)
    with pytest.raises(workflow.TransitionNotAllowedError, match="personal data was exposed"):
        workflow.check(case, action, head)
    case.personal_data_exposed = True  # issue 13, item 5: a breach inside an allegation
    if action == "record_breach":
        workflow.check(case, action, head)


def test_closing_needs_every_disciplinary_process_finished() -> None:
    head = user(Role.HEADTEACHER)
    case = ready_case(CaseState.DISCIPLINARY, head)
    process = DisciplinaryProcess(
        case=case, kind=DisciplinaryKind.STAFF, stage=DisciplinaryStage.HEARING
    )
    with pytest.raises(workflow.TransitionNotAllowedError, match="Conclude the disciplinary"):
        workflow.advance(case, "close", head)
    process.stage = DisciplinaryStage.DISCONTINUED  # ended, with its reasons: explained
    workflow.advance(case, "close", head)
    assert case.state is CaseState.CLOSED
