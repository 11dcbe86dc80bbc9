"""Service-level journeys, one per source and track, from the first record to a closed case,
with the audit entries each step writes; and the routing rules of KCSIE Part 4."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

import incidents.audit
from incidents import workflow
from incidents.audit import Action
from incidents.casework.breach import commands as breaches
from incidents.casework.cases import notes
from incidents.casework.cases import steps as casework
from incidents.casework.cases.commands import CaseInput, NewSubject, record_disclosure
from incidents.casework.disciplinary import commands as disciplinary
from incidents.casework.outcome import commands as outcomes
from incidents.casework.police import commands as police
from incidents.casework.referrals import commands as referrals
from incidents.casework.tasks import commands as tasks
from incidents.casework.triage import commands as triage
from incidents.clock import local_today
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
    ReferralStatus,
    Role,
    StaffOutcome,
    TaskKind,
    ThresholdAnswer,
    User,
)
from tests import factories
from tests.case_routes import lado_agreed, move

Y, N, U = ThresholdAnswer.YES, ThresholdAnswer.NO, ThresholdAnswer.UNKNOWN
AGENCIES = Investigation.AGENCIES
TODAY = local_today()


@pytest.fixture
def actions(monkeypatch: pytest.MonkeyPatch) -> list[Action]:
    """Every audit action written, in order (the real log is still written)."""
    seen: list[Action] = []
    real = incidents.audit.record

    def recorder(session: Session, **kwargs: object) -> object:
        seen.append(kwargs["action"])  # type: ignore[arg-type]
        return real(session, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(incidents.audit, "record", recorder)
    return seen


def record(db: Session, actor: User, source: DisclosureSource, child_words: str = "") -> Case:
    return record_disclosure(
        db,
        actor=actor,
        data=CaseInput(
            narrative="What was said, in the words used.",
            became_aware_on=TODAY - timedelta(days=1),
            new_subject=NewSubject(name="Jo Teacher", kind=PersonKind.STAFF),
            not_listed=True,
            source=source,
            child_words=child_words,
        ),
    )


def assess(
    db: Session, head: User, case: Case, kind: CaseKind, limbs: tuple[ThresholdAnswer, ...]
) -> None:
    triage.triage(
        db,
        actor=head,
        case=case,
        data=triage.TriageInput(*limbs, kind=kind, reasons="Reasons for the track."),
    )


def finish_tasks(db: Session, actor: User, case: Case) -> None:
    if any(t.kind is TaskKind.TELL_PARENTS and not t.is_done for t in case.tasks):
        # Telling the parents waits for the agencies' advice on timing, in the chronology.
        notes.add_note(db, actor=actor, case=case, body="Police and CSC: tell parents today.")
    for task in case.tasks:
        if not task.is_done:
            tasks.complete_task(db, actor=actor, case=case, task_id=task.id)


def close(db: Session, head: User, case: Case, **answers: object) -> None:
    data = outcomes.ClosureInput(
        employment_outcome=answers.get("employment", EmploymentOutcome.CONTINUES),  # type: ignore[arg-type]
        mention_in_references=answers.get("mention", True),  # type: ignore[arg-type]
        pension_age_on=answers.get("pension", date(2050, 6, 1)),  # type: ignore[arg-type]
        personnel_file_kept=answers.get("kept"),  # type: ignore[arg-type]
    )
    outcomes.close_case(db, actor=head, case=case, data=data)


def test_parent_allegation_journey(db: Session, users: dict[Role, User], actions: list[Action]):
    head = users[Role.HEADTEACHER]
    case = record(db, head, DisclosureSource.PARENT)
    assert [t.kind for t in case.tasks] == [TaskKind.EXPLAIN_TO_PARENT]
    assert case.tasks[0].assignee_id == head.id

    assess(db, head, case, CaseKind.ALLEGATION, (Y, N, U, N))
    lado = next(r for r in case.referrals if r.agency is Agency.LADO)
    assert lado.due_at is not None and lado.status is ReferralStatus.DRAFT
    with pytest.raises(workflow.TransitionNotAllowedError, match="LADO"):
        casework.take_step(db, actor=head, case=case, action="investigate")

    move(db, head, case, Agency.LADO, ReferralStatus.MADE)
    assert case.state is CaseState.REFERRED
    move(db, head, case, Agency.LADO, ReferralStatus.ADVICE_RECEIVED, ReferralStatus.CLOSED)
    casework.take_step(db, actor=head, case=case, action="investigate")
    outcomes.record_outcome(
        db,
        actor=head,
        case=case,
        outcome=CaseOutcome.SUBSTANTIATED,
        reasons="Evidence.",
        **lado_agreed(case),  # type: ignore[arg-type]
    )
    process = disciplinary.start_disciplinary(db, actor=head, case=case, person_id=None)
    with pytest.raises(workflow.TransitionNotAllowedError) as refused:
        close(db, head, case, employment=EmploymentOutcome.DISMISSED)
    message = str(refused.value)
    assert "DBS" in message and "Teaching Regulation Agency" in message and "task" in message
    assert "Conclude the disciplinary process" in message
    assert case.state is CaseState.DISCIPLINARY and case.retention_rule is None

    disciplinary.record_hearing(db, actor=head, case=case, process_id=process.id, hearing_on=TODAY)
    disciplinary.record_staff_outcome(
        db,
        actor=head,
        case=case,
        process_id=process.id,
        data=disciplinary.StaffOutcomeInput(StaffOutcome.DISMISSAL, TODAY, "Gross misconduct."),
    )

    finish_tasks(db, head, case)
    referrals.add_referral(db, actor=head, case=case, agency=Agency.DBS)
    move(db, head, case, Agency.DBS, ReferralStatus.MADE, ReferralStatus.CLOSED)
    referrals.add_referral(db, actor=head, case=case, agency=Agency.TRA)
    move(db, head, case, Agency.TRA, ReferralStatus.NOT_MADE)
    close(db, head, case, employment=EmploymentOutcome.DISMISSED)
    db.flush()

    assert case.state is CaseState.CLOSED
    assert case.retention_until == max(
        date(2050, 6, 1), case.became_aware_on.replace(year=case.became_aware_on.year + 10)
    )
    for expected in (
        Action.CASE_RECORD,
        Action.TASK_CREATE,
        Action.CASE_TRIAGE,
        Action.REFERRAL_CREATE,
        Action.REFERRAL_UPDATE,
        Action.CASE_INVESTIGATE,
        Action.CASE_OUTCOME,
        Action.CASE_DISCIPLINARY,
        Action.DISCIPLINARY_HEARING,
        Action.DISCIPLINARY_OUTCOME,
        Action.TASK_COMPLETE,
        Action.REFERRAL_NOT_MADE,
        Action.CASE_CLOSE,
    ):
        assert expected in actions, expected
    assert actions[-1] is Action.CASE_CLOSE


def test_staff_low_level_concern_journey(
    db: Session, users: dict[Role, User], actions: list[Action]
):
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, users[Role.STAFF], source=DisclosureSource.STAFF)
    assert case.state is CaseState.REPORTED and case.reporter_is_sealed
    with pytest.raises(workflow.TransitionNotAllowedError, match="case manager"):
        casework.take_step(db, actor=users[Role.DSL], case=case, action="accept")
    casework.take_step(db, actor=head, case=case, action="accept")
    assess(db, head, case, CaseKind.LOW_LEVEL_CONCERN, (N, N, N, N))
    assert case.referrals == []
    outcomes.record_outcome(
        db, actor=head, case=case, outcome=CaseOutcome.UPHELD, reasons="Spoken to."
    )
    # KCSIE Part 4: a low-level concern is not mentioned in references (issue 13, item 6).
    with pytest.raises(InvalidInput, match="low-level concern"):
        close(db, head, case, pension=None)
    close(db, head, case, pension=None, mention=False)
    assert case.state is CaseState.CLOSED and case.retention_until is None
    assert actions == [
        Action.PERSON_CREATE,
        Action.CASE_REPORT,
        Action.CASE_ACCEPT,
        Action.CASE_TRIAGE,
        Action.CASE_OUTCOME,
        Action.CASE_CLOSE,
    ]


def test_child_allegation_journey(db: Session, users: dict[Role, User], actions: list[Action]):
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    words = '  He said "don\'t tell your mum".\n'
    case = record(db, dsl, DisclosureSource.CHILD, child_words=words)
    assert case.child_words is not None and case.child_words.reveal() == words
    alert = next(t for t in case.tasks if t.kind is TaskKind.ALERT_DSL)
    assert (alert.assignee_id, alert.due_on) == (dsl.id, TODAY)
    assert {r.agency for r in case.referrals} == {Agency.CHILDRENS_SOCIAL_CARE, Agency.POLICE}
    assert case.open_police_hold is not None

    assess(db, head, case, CaseKind.ALLEGATION, (Y, Y, Y, Y))
    # The LADO: the police investigate first, the school waits.
    lado = Agency.LADO
    move(
        db,
        dsl,
        case,
        lado,
        ReferralStatus.MADE,
        ReferralStatus.ADVICE_RECEIVED,
        investigation=AGENCIES,
    )
    move(db, dsl, case, Agency.POLICE, ReferralStatus.MADE)
    move(db, dsl, case, Agency.CHILDRENS_SOCIAL_CARE, ReferralStatus.NOT_MADE)
    with pytest.raises(workflow.TransitionNotAllowedError, match="police investigate"):
        casework.take_step(db, actor=head, case=case, action="investigate")
    police.record_result(db, actor=dsl, case=case, result="No further action.")
    move(db, dsl, case, Agency.POLICE, ReferralStatus.CLOSED)
    with pytest.raises(workflow.TransitionNotAllowedError, match="LADO's advice"):
        casework.take_step(db, actor=head, case=case, action="investigate")
    # After the police, the LADO agrees the school investigates.
    move(db, dsl, case, lado, ReferralStatus.ADVICE_RECEIVED, ReferralStatus.CLOSED)
    casework.take_step(db, actor=head, case=case, action="investigate")
    outcomes.record_outcome(
        db,
        actor=head,
        case=case,
        outcome=CaseOutcome.MALICIOUS,
        reasons="R",
        **lado_agreed(case),  # type: ignore[arg-type]
    )
    with pytest.raises(InvalidInput) as refused:
        close(db, head, case, mention=True, kept=False)
    assert "mention_in_references" in refused.value.errors
    finish_tasks(db, dsl, case)
    referrals.add_referral(db, actor=dsl, case=case, agency=Agency.TRA)
    move(db, head, case, Agency.TRA, ReferralStatus.NOT_MADE)
    close(db, head, case, mention=False, kept=False)
    # Off the personnel file, but the safeguarding record is kept (issue 13, item 7).
    assert case.state is CaseState.CLOSED and case.personnel_file_kept is False
    assert case.retention_until == max(
        date(2050, 6, 1), case.became_aware_on.replace(year=case.became_aware_on.year + 10)
    )
    assert Action.POLICE_HOLD_PLACE in actions and Action.POLICE_HOLD_LIFT in actions


def test_anonymous_policy_breach_journey(
    db: Session, users: dict[Role, User], actions: list[Action]
):
    head = users[Role.HEADTEACHER]
    case = record(db, head, DisclosureSource.ANONYMOUS)
    assert [t.kind for t in case.tasks] == [TaskKind.CHECK_ANONYMOUS] and case.referrals == []
    finish_tasks(db, head, case)
    assess(db, head, case, CaseKind.POLICY_BREACH, (N, N, N, N))
    casework.take_step(db, actor=head, case=case, action="investigate")
    outcomes.record_outcome(db, actor=head, case=case, outcome=CaseOutcome.NOT_UPHELD, reasons="R")
    close(db, head, case, pension=None)
    assert case.state is CaseState.CLOSED
    assert case.retention_until == TODAY.replace(year=TODAY.year + 6)


def test_monitoring_data_breach_journey(
    db: Session, users: dict[Role, User], actions: list[Action]
):
    head = users[Role.HEADTEACHER]
    case = record(db, head, DisclosureSource.MONITORING)
    assert [t.kind for t in case.tasks] == [TaskKind.PRESERVE_EVIDENCE]
    finish_tasks(db, head, case)
    assess(db, head, case, CaseKind.DATA_BREACH, (N, N, N, N))
    ico = next(r for r in case.referrals if r.agency is Agency.ICO)
    assert ico.due_at is not None
    # Art 33(5): the breach record is complete before the case closes (reported or not).
    facts = breaches.BreachFacts(
        "Sent to the wrong list.", "Names.", 3, frozenset({DataSubjects.STAFF}), "Low.", "Recalled."
    )
    breaches.record_facts(db, actor=head, case=case, data=facts)
    breaches.decide_ico(db, actor=head, case=case, report=False, reasons="Unlikely risk.")
    assert ico.status is ReferralStatus.NOT_MADE
    breaches.record_people_told(
        db, actor=head, case=case, told=False, told_on=None, reasons="No high risk (Art 34)."
    )
    outcomes.record_outcome(db, actor=head, case=case, outcome=CaseOutcome.UPHELD, reasons="R")
    close(db, head, case, employment=EmploymentOutcome.NOT_EMPLOYED, pension=None)
    assert case.state is CaseState.CLOSED
    assert Action.REFERRAL_NOT_MADE in actions


def test_change_of_track_is_recorded_with_reasons(db: Session, users: dict[Role, User]):
    head = users[Role.HEADTEACHER]
    case = record(db, head, DisclosureSource.GOVERNOR)
    assess(db, head, case, CaseKind.LOW_LEVEL_CONCERN, (N, N, N, N))
    with pytest.raises(InvalidInput) as same:
        triage.change_track(
            db,
            actor=head,
            case=case,
            data=triage.TriageInput(N, N, N, N, kind=CaseKind.LOW_LEVEL_CONCERN, reasons="R"),
        )
    assert "kind" in same.value.errors
    triage.change_track(
        db,
        actor=head,
        case=case,
        data=triage.TriageInput(U, N, Y, N, kind=CaseKind.ALLEGATION, reasons="New evidence."),
    )
    assert case.kind is CaseKind.ALLEGATION
    assert [d.kind for d in case.triage_decisions] == [
        CaseKind.LOW_LEVEL_CONCERN,
        CaseKind.ALLEGATION,
    ]
    assert case.triage_decisions[-1].previous_kind is CaseKind.LOW_LEVEL_CONCERN
    assert any(r.agency is Agency.LADO for r in case.referrals)


@pytest.mark.parametrize(
    ("limbs", "kind", "field"),
    [
        ((Y, N, N, N), CaseKind.LOW_LEVEL_CONCERN, "kind"),
        ((N, N, N, N), CaseKind.ALLEGATION, "kind"),
        ((None, N, N, N), CaseKind.POLICY_BREACH, "harmed_child"),
        ((N, N, N, N), None, "kind"),
    ],
)
def test_triage_refuses_a_track_the_threshold_does_not_allow(
    db: Session, users: dict[Role, User], limbs, kind, field
):
    head = users[Role.HEADTEACHER]
    case = record(db, head, DisclosureSource.PARENT)
    with pytest.raises(InvalidInput) as refused:
        triage.triage(
            db, actor=head, case=case, data=triage.TriageInput(*limbs, kind=kind, reasons="R")
        )
    assert field in refused.value.errors
    assert case.state is CaseState.RECORDED and case.kind is None


def test_head_as_subject_routes_to_the_chair_who_alone_decides(
    db: Session, users: dict[Role, User]
):
    head_person = factories.person_of(db, users[Role.HEADTEACHER])
    case = factories.make_case(db, users[Role.DSL], subjects=[head_person])
    assert case.case_manager_id == users[Role.CHAIR_OF_GOVERNORS].id
    with pytest.raises(Exception):  # noqa: B017 - the head cannot even see it
        assess(db, users[Role.HEADTEACHER], case, CaseKind.ALLEGATION, (Y, Y, Y, Y))
    assess(db, users[Role.CHAIR_OF_GOVERNORS], case, CaseKind.ALLEGATION, (Y, Y, Y, Y))
    assert case.state is CaseState.ASSESSED


def test_head_and_chair_both_subjects_go_straight_to_the_lado(db: Session, users: dict[Role, User]):
    subjects = [
        factories.person_of(db, users[Role.HEADTEACHER]),
        factories.person_of(db, users[Role.CHAIR_OF_GOVERNORS]),
    ]
    case = factories.make_case(db, users[Role.DSL], subjects=subjects)
    assert case.needs_direct_lado_referral
    assert case.case_manager_id == users[Role.TRUST_OFFICER].id
    lado = next(r for r in case.referrals if r.agency is Agency.LADO)
    assert lado.due_at is not None


def test_a_subject_can_never_act_on_their_own_case(db: Session, users: dict[Role, User]):
    dsl_person = factories.person_of(db, users[Role.DSL])
    case = factories.make_case(db, users[Role.HEADTEACHER], subjects=[dsl_person])
    with pytest.raises(Exception, match="not found"):
        referrals.add_referral(db, actor=users[Role.DSL], case=case, agency=Agency.POLICE)
    with pytest.raises(Exception, match="not found"):
        tasks.add_task(
            db, actor=users[Role.DSL], case=case, title="x", assignee_id=None, due_on=TODAY
        )
