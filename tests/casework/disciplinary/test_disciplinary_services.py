"""Bad input to the disciplinary, suspension and breach services: each is refused with a clear
message on the right field, and nothing changes (no row, no state, no audit entry). Also who
may take these decisions, and that personal text is stored encrypted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents import workflow
from incidents.casework.breach import commands as breaches
from incidents.casework.cases.commands import CaseInput, NewSubject, record_disclosure
from incidents.casework.cases.people import create_person
from incidents.casework.disciplinary import commands as disciplinary
from incidents.casework.outcome import commands as outcomes
from incidents.casework.referrals import commands as referrals
from incidents.casework.suspension import commands as suspension
from incidents.errors import InvalidInput, NotFound
from incidents.models import (
    Agency,
    Alternative,
    AuditEntry,
    BreachRecord,
    Case,
    CaseKind,
    CaseOutcome,
    CaseState,
    DataSubjects,
    DisciplinaryKind,
    DisciplinaryMeasure,
    DisciplinaryProcess,
    DisclosureSource,
    Measure,
    PersonKind,
    ReferralMethod,
    ReferralStatus,
    Role,
    StaffOutcome,
    SuspensionDecision,
    Task,
    User,
)
from tests.case_routes import TODAY, assess, case_about, entries, through_lado, upheld

LONG = "x" * 5_001


def state(db: Session, case: Case) -> tuple[object, ...]:
    """Everything these services could change."""
    db.expire_all()
    fresh = db.get(Case, case.id)
    assert fresh is not None
    counts = tuple(
        db.scalar(select(func.count()).select_from(m)) or 0
        for m in (
            AuditEntry,
            DisciplinaryProcess,
            DisciplinaryMeasure,
            SuspensionDecision,
            BreachRecord,
            Task,
        )
    )
    processes = sorted(
        (str(p.id), p.stage, p.outcome, p.hearing_on) for p in fresh.disciplinary_processes
    )
    return (fresh.state, counts, processes, [r.status for r in fresh.referrals])


def refused(db: Session, case: Case, field: str, call: Callable[[], Any]) -> str:
    before = state(db, case)
    with pytest.raises(InvalidInput) as exc:
        call()
    db.rollback()
    assert field in exc.value.errors, exc.value.errors
    assert state(db, case) == before
    return exc.value.errors[field]


# --- the disciplinary link ---------------------------------------------------------------------


@pytest.fixture
def staff_case(db: Session, users: dict[Role, User]) -> Case:
    return upheld(db, users[Role.HEADTEACHER], PersonKind.STAFF, CaseKind.POLICY_BREACH)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"person_id": "unknown"}, "person", "Choose who the process is about"),
        ({"hr_reference": "x" * 101}, "hr_reference", "100 characters or fewer"),
    ],
)
def test_starting_refuses_bad_input(db, users, staff_case, kwargs, field, message):
    head = users[Role.HEADTEACHER]
    args: dict[str, Any] = {"person_id": None, "hr_reference": "", **kwargs}
    if args["person_id"] == "unknown":
        args["person_id"] = users[Role.DSL].id
    got = refused(
        db,
        staff_case,
        field,
        lambda: disciplinary.start_disciplinary(db, actor=head, case=staff_case, **args),
    )
    assert message in got


def test_an_hr_reference_is_only_for_staff(db, users):
    head = users[Role.HEADTEACHER]
    case = upheld(db, head, PersonKind.PARENT_CARER, CaseKind.POLICY_BREACH)
    got = refused(
        db,
        case,
        "hr_reference",
        lambda: disciplinary.start_disciplinary(
            db, actor=head, case=case, person_id=None, hr_reference="HR1"
        ),
    )
    assert "only for a member of staff" in got


@pytest.fixture
def staff_process(db: Session, users: dict[Role, User], staff_case: Case) -> DisciplinaryProcess:
    process = disciplinary.start_disciplinary(
        db, actor=users[Role.HEADTEACHER], case=staff_case, person_id=None
    )
    db.commit()
    return process


def test_the_hearing_date_is_needed_and_not_before_the_start(db, users, staff_process):
    head, case = users[Role.HEADTEACHER], staff_process.case
    for hearing_on, message in ((None, "Enter the date"), (TODAY - timedelta(days=9), "before")):
        got = refused(
            db,
            case,
            "hearing_on",
            lambda h=hearing_on: disciplinary.record_hearing(
                db, actor=head, case=case, process_id=staff_process.id, hearing_on=h
            ),
        )
        assert message in got


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"outcome": None}, "outcome", "Choose the outcome"),
        ({"outcome": StaffOutcome.DISMISSAL}, "outcome", "can only follow a hearing"),
        ({"decided_on": None}, "decided_on", "Enter the date"),
        ({"decided_on": TODAY + timedelta(days=1)}, "decided_on", "today or in the past"),
        ({"reasons": "  "}, "reasons", "Enter the reasons"),
        ({"reasons": LONG}, "reasons", "5,000 characters or fewer"),
        ({"hr_reference": "x" * 101}, "hr_reference", "100 characters or fewer"),
    ],
)
def test_a_staff_outcome_refuses_bad_input(db, users, staff_process, data, field, message):
    head, case = users[Role.HEADTEACHER], staff_process.case
    values: dict[str, Any] = {
        "outcome": StaffOutcome.MANAGEMENT_ADVICE,
        "decided_on": TODAY,
        "reasons": "Spoken to.",
        **data,
    }
    got = refused(
        db,
        case,
        field,
        lambda: disciplinary.record_staff_outcome(
            db,
            actor=head,
            case=case,
            process_id=staff_process.id,
            data=disciplinary.StaffOutcomeInput(**values),
        ),
    )
    assert message in got


def test_a_staff_process_has_no_sanctions_and_a_finished_one_takes_no_steps(
    db, users, staff_process
):
    head, case = users[Role.HEADTEACHER], staff_process.case
    with pytest.raises(workflow.TransitionNotAllowedError, match="not a sanction"):
        disciplinary.add_measure(
            db,
            actor=head,
            case=case,
            process_id=staff_process.id,
            data=disciplinary.MeasureInput(Measure.ROLE_ENDED, TODAY),
        )
    disciplinary.record_staff_outcome(
        db,
        actor=head,
        case=case,
        process_id=staff_process.id,
        data=disciplinary.StaffOutcomeInput(StaffOutcome.NO_ACTION, TODAY, "Fine."),
    )
    with pytest.raises(workflow.TransitionNotAllowedError, match="already ended"):
        disciplinary.discontinue(
            db, actor=head, case=case, process_id=staff_process.id, reasons="Again."
        )


def test_only_the_case_manager_records_steps_and_others_cases_are_not_found(
    db, users, staff_process
):
    case = staff_process.case
    with pytest.raises(workflow.TransitionNotAllowedError, match="case manager"):
        disciplinary.record_hearing(
            db, actor=users[Role.DSL], case=case, process_id=staff_process.id, hearing_on=TODAY
        )
    with pytest.raises(NotFound):
        disciplinary.record_hearing(
            db, actor=users[Role.GOVERNOR], case=case, process_id=staff_process.id, hearing_on=TODAY
        )
    with pytest.raises(NotFound, match="Disciplinary process not found"):
        disciplinary.discontinue(
            db, actor=users[Role.HEADTEACHER], case=case, process_id=case.id, reasons="x"
        )


@pytest.fixture
def parent_process(db: Session, users: dict[Role, User]) -> DisciplinaryProcess:
    head = users[Role.HEADTEACHER]
    case = upheld(db, head, PersonKind.PARENT_CARER, CaseKind.POLICY_BREACH)
    process = disciplinary.start_disciplinary(db, actor=head, case=case, person_id=None)
    db.commit()
    return process


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"measure": None}, "measure", "Choose the sanction"),
        ({"measure": Measure.GOVERNOR_REMOVED}, "measure", "Choose the sanction"),
        ({"starts_on": None}, "starts_on", "Enter the date it starts"),
        ({"review_on": TODAY - timedelta(days=1)}, "review_on", "on or after the start"),
        ({"ends_on": TODAY - timedelta(days=1)}, "ends_on", "on or after the start"),
        ({"measure": Measure.OTHER}, "details", "Describe the measure"),
        ({"details": "x" * 2_001}, "details", "2,000 characters or fewer"),
    ],
)
def test_a_sanction_refuses_bad_input(db, users, parent_process, data, field, message):
    head, case = users[Role.HEADTEACHER], parent_process.case
    values: dict[str, Any] = {
        "measure": Measure.MOBILE_PHONE_WITHDRAWN,
        "starts_on": TODAY,
        **data,
    }
    got = refused(
        db,
        case,
        field,
        lambda: disciplinary.add_measure(
            db,
            actor=head,
            case=case,
            process_id=parent_process.id,
            data=disciplinary.MeasureInput(**values),
        ),
    )
    assert message in got


def test_ending_without_an_outcome_needs_reasons(db, users, parent_process):
    head, case = users[Role.HEADTEACHER], parent_process.case
    for reasons, message in (("", "Enter why"), (LONG, "5,000 characters")):
        got = refused(
            db,
            case,
            "reasons",
            lambda r=reasons: disciplinary.discontinue(
                db, actor=head, case=case, process_id=parent_process.id, reasons=r
            ),
        )
        assert message in got


def test_sanction_details_are_encrypted(db, users, parent_process):
    head, case = users[Role.HEADTEACHER], parent_process.case
    measure = disciplinary.add_measure(
        db,
        actor=head,
        case=case,
        process_id=parent_process.id,
        data=disciplinary.MeasureInput(Measure.OTHER, TODAY, details="Banned from the fete"),
    )
    db.commit()
    assert measure.details_ct is not None and b"fete" not in measure.details_ct
    assert measure.describe() == "Banned from the fete"


# --- suspension ----------------------------------------------------------------------------------


@pytest.fixture
def allegation(db: Session, users: dict[Role, User]) -> Case:
    head = users[Role.HEADTEACHER]
    case = case_about(db, head, PersonKind.STAFF)
    assess(db, head, case, CaseKind.ALLEGATION)
    through_lado(db, head, case)
    db.commit()
    return case


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"person_id": "unknown"}, "person", "Choose who the decision is about"),
        ({"suspended": None}, "suspended", "Say whether"),
        ({"considered": {}}, "alternatives", "must not be the default"),
        ({"considered": {Alternative.SUPERVISION: " "}}, "why_supervision", "Enter why"),
        ({"considered": {Alternative.OTHER: "x" * 2_001}}, "why_other", "2,000 characters"),
        ({"reasons": ""}, "reasons", "Enter the reasons"),
        ({"reasons": LONG}, "reasons", "5,000 characters"),
        ({"decided_on": None}, "decided_on", "Enter the date"),
        ({"decided_on": TODAY + timedelta(days=1)}, "decided_on", "today or in the past"),
        ({"decided_on": TODAY - timedelta(days=30)}, "decided_on", "before the school"),
    ],
)
def test_a_suspension_decision_refuses_bad_input(db, users, allegation, data, field, message):
    head = users[Role.HEADTEACHER]
    values: dict[str, Any] = {
        "person_id": None,
        "considered": {Alternative.REDEPLOYMENT: "No suitable role."},
        "suspended": True,
        "reasons": "Risk to pupils.",
        "decided_on": TODAY,
        **data,
    }
    if values["person_id"] == "unknown":
        values["person_id"] = users[Role.DSL].id
    got = refused(
        db,
        allegation,
        field,
        lambda: suspension.decide_suspension(
            db, actor=head, case=allegation, data=suspension.SuspensionInput(**values)
        ),
    )
    assert message in got


def test_not_suspending_needs_no_alternatives_and_no_confirmation(db, users, allegation):
    head = users[Role.HEADTEACHER]
    decision = suspension.decide_suspension(
        db,
        actor=head,
        case=allegation,
        data=suspension.SuspensionInput(None, {}, False, "Supervision is enough.", TODAY),
    )
    db.commit()
    assert decision.confirmation_due_at is None and not decision.awaits_confirmation
    assert not any(t.kind.value == "confirm_suspension" for t in allegation.tasks)
    assert b"Supervision" not in decision.reasons_ct
    with pytest.raises(workflow.TransitionNotAllowedError, match="no suspension waiting"):
        suspension.confirm_suspension(
            db, actor=head, case=allegation, decision_id=decision.id, sent_on=TODAY
        )


def test_the_confirmation_date_is_checked(db, users, allegation):
    head = users[Role.HEADTEACHER]
    decision = suspension.decide_suspension(
        db,
        actor=head,
        case=allegation,
        data=suspension.SuspensionInput(
            None, {Alternative.WORKING_FROM_HOME: "Role is classroom based."}, True, "R", TODAY
        ),
    )
    db.commit()
    assert decision.confirmation_due_at is not None
    for sent_on, message in (
        (None, "Enter the date"),
        (TODAY + timedelta(days=1), "today or in the past"),
        (TODAY - timedelta(days=1), "before the decision"),
    ):
        got = refused(
            db,
            allegation,
            "sent_on",
            lambda s=sent_on: suspension.confirm_suspension(
                db, actor=head, case=allegation, decision_id=decision.id, sent_on=s
            ),
        )
        assert message in got
    with pytest.raises(workflow.TransitionNotAllowedError, match="case manager"):
        suspension.confirm_suspension(
            db, actor=users[Role.DSL], case=allegation, decision_id=decision.id, sent_on=TODAY
        )


def _suspend(db: Session, head: User, case: Case, decided_on: Any = TODAY) -> SuspensionDecision:
    decision = suspension.decide_suspension(
        db,
        actor=head,
        case=case,
        data=suspension.SuspensionInput(
            None, {Alternative.SUPERVISION: "No assistant free."}, True, "Risk.", decided_on
        ),
    )
    db.commit()
    return decision


def _lift(db: Session, head: User, case: Case, decision: SuspensionDecision, **kw: Any) -> Any:
    values: dict[str, Any] = {"lifted_on": TODAY, "reasons": "Unfounded: returned to work."}
    values.update(kw)
    return suspension.lift_suspension(db, actor=head, case=case, decision_id=decision.id, **values)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"lifted_on": None}, "lifted_on", "Enter the date the suspension ended"),
        ({"lifted_on": TODAY + timedelta(days=1)}, "lifted_on", "today or in the past"),
        ({"lifted_on": TODAY - timedelta(days=1)}, "lifted_on", "before it was decided"),
        ({"reasons": " "}, "reasons", "Enter why the suspension ended"),
        ({"reasons": LONG}, "reasons", "5,000 characters"),
    ],
)
def test_ending_a_suspension_refuses_bad_input(db, users, allegation, data, field, message):
    head = users[Role.HEADTEACHER]
    decision = _suspend(db, head, allegation)
    got = refused(db, allegation, field, lambda: _lift(db, head, allegation, decision, **data))
    assert message in got
    db.expire_all()
    assert db.get(SuspensionDecision, decision.id).lifted_on is None  # type: ignore[union-attr]


def test_a_suspension_ends_once_with_its_reasons_sealed(db, users, allegation):
    head = users[Role.HEADTEACHER]
    decision = _suspend(db, head, allegation)
    with pytest.raises(workflow.TransitionNotAllowedError, match="case manager"):
        _lift(db, users[Role.DSL], allegation, decision)
    before = entries(db, action="suspension.lift")
    _lift(db, head, allegation, decision)
    db.commit()
    assert decision.lifted_on == TODAY and decision.lifted_by_id == head.id
    assert not decision.is_in_force
    assert decision.lifted_reasons is not None
    assert decision.lifted_reasons.reveal() == "Unfounded: returned to work."
    assert decision.lifted_reasons_ct is not None and b"Unfounded" not in decision.lifted_reasons_ct
    assert entries(db, action="suspension.lift", object_id=decision.id) == before + 1
    # Once only: the workflow no longer offers it, and the service refuses, changing nothing.
    assert "lift_suspension" not in {t.action for t in workflow.available(allegation, head)}
    snapshot = state(db, allegation)
    with pytest.raises(workflow.TransitionNotAllowedError, match="no suspension in force"):
        _lift(db, head, allegation, decision, lifted_on=TODAY, reasons="Again.")
    db.rollback()
    assert state(db, allegation) == snapshot


def test_a_decision_not_to_suspend_cannot_be_ended(db, users, allegation):
    head = users[Role.HEADTEACHER]
    kept = suspension.decide_suspension(
        db,
        actor=head,
        case=allegation,
        data=suspension.SuspensionInput(None, {}, False, "Supervision instead.", TODAY),
    )
    db.commit()
    with pytest.raises(workflow.TransitionNotAllowedError, match="no suspension in force"):
        _lift(db, head, allegation, kept)
    # With another decision in force, the "not suspended" one is still refused by itself.
    _suspend(db, head, allegation)
    snapshot = state(db, allegation)
    with pytest.raises(workflow.TransitionNotAllowedError, match="not to suspend"):
        _lift(db, head, allegation, kept)
    db.rollback()
    assert state(db, allegation) == snapshot


def test_closing_waits_for_a_suspension_to_end(db, users, allegation):
    from incidents import closure

    head = users[Role.HEADTEACHER]
    decision = _suspend(db, head, allegation)
    assert any("suspension ended" in p for p in closure.problems(allegation))
    _lift(db, head, allegation, decision)
    assert not any("suspension ended" in p for p in closure.problems(allegation))


@pytest.fixture
def old_allegation(db: Session, users: dict[Role, User]) -> Case:
    """An allegation the school knew of two weeks ago: a confirmation sent today is late."""
    head = users[Role.HEADTEACHER]
    case = case_about(db, head, PersonKind.STAFF, became_aware_on=TODAY - timedelta(days=14))
    assess(db, head, case, CaseKind.ALLEGATION)
    lado = next(r for r in case.referrals if r.agency is Agency.LADO)
    referrals.update_referral(
        db,
        actor=head,
        case=case,
        referral_id=lado.id,
        data=referrals.ReferralUpdate(
            ReferralStatus.MADE, ReferralMethod.PHONE, TODAY, reasons="Made late: why."
        ),
    )
    db.commit()
    return case


def test_a_late_confirmation_needs_a_reason(db, users, old_allegation):
    head = users[Role.HEADTEACHER]
    decision = _suspend(db, head, old_allegation, decided_on=TODAY - timedelta(days=14))
    due = decision.confirmation_due_on
    assert due is not None and due < TODAY

    def confirm(reason: str) -> Any:
        return suspension.confirm_suspension(
            db,
            actor=head,
            case=old_allegation,
            decision_id=decision.id,
            sent_on=TODAY,
            late_reason=reason,
        )

    got = refused(db, old_allegation, "late_reason", lambda: confirm(""))
    assert got == f"Enter why the confirmation was sent after {due.day} {due:%B %Y}"
    assert "2,000 characters" in refused(
        db, old_allegation, "late_reason", lambda: confirm("x" * 2_001)
    )
    db.expire_all()
    fresh = db.get(SuspensionDecision, decision.id)
    assert fresh is not None and fresh.confirmation_sent_on is None and fresh.late_reason_ct is None
    confirm("The headteacher was off sick.")
    db.commit()
    assert fresh.late_reason is not None
    assert fresh.late_reason.reveal() == "The headteacher was off sick."
    assert fresh.late_reason_ct is not None and b"sick" not in fresh.late_reason_ct


def test_an_on_time_confirmation_keeps_no_late_reason(db, users, allegation):
    head = users[Role.HEADTEACHER]
    decision = _suspend(db, head, allegation)
    suspension.confirm_suspension(
        db,
        actor=head,
        case=allegation,
        decision_id=decision.id,
        sent_on=TODAY,
        late_reason="Not late at all.",
    )
    db.commit()
    assert decision.confirmation_sent_on == TODAY
    assert decision.late_reason_ct is None


# --- the breach record -----------------------------------------------------------------------


@pytest.fixture
def breach_case(db: Session, users: dict[Role, User]) -> Case:
    head = users[Role.HEADTEACHER]
    case = case_about(db, head, PersonKind.STAFF)
    assess(db, head, case, CaseKind.DATA_BREACH)
    db.commit()
    return case


GOOD_FACTS: dict[str, Any] = {
    "what_happened": "Emailed to the wrong parent.",
    "data_involved": "Names.",
    "people_affected": 3,
    "subjects": frozenset({DataSubjects.PUPILS}),
    "likely_effects": "Low.",
    "remedial_action": "Recalled.",
}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"what_happened": ""}, "what_happened", "Enter what happened"),
        ({"what_happened": LONG}, "what_happened", "5,000 characters"),
        ({"data_involved": " "}, "data_involved", "Enter what personal data"),
        ({"people_affected": None}, "people_affected", "whole number"),
        ({"people_affected": 0}, "people_affected", "between 1 and"),
        ({"people_affected": 10_000_001}, "people_affected", "between 1 and"),
        ({"subjects": frozenset()}, "subjects", "Choose whose data"),
        ({"likely_effects": ""}, "likely_effects", "Enter the likely effects"),
        ({"remedial_action": ""}, "remedial_action", "Enter the action taken"),
    ],
)
def test_breach_facts_refuse_bad_input(db, users, breach_case, data, field, message):
    head = users[Role.HEADTEACHER]
    facts = breaches.BreachFacts(**{**GOOD_FACTS, **data})
    got = refused(
        db,
        breach_case,
        field,
        lambda: breaches.record_facts(db, actor=head, case=breach_case, data=facts),
    )
    assert message in got


def test_the_ico_decision_and_people_told_refuse_bad_input(db, users, breach_case):
    head = users[Role.HEADTEACHER]
    breaches.record_facts(db, actor=head, case=breach_case, data=breaches.BreachFacts(**GOOD_FACTS))
    db.commit()
    for report, reasons, field, message in (
        (None, "R", "report", "Say whether"),
        (False, "", "reasons", "Enter the reasons"),
        (True, LONG, "reasons", "5,000 characters"),
    ):
        got = refused(
            db,
            breach_case,
            field,
            lambda r=report, t=reasons: breaches.decide_ico(
                db, actor=head, case=breach_case, report=r, reasons=t
            ),
        )
        assert message in got
    for told, told_on, reasons, field, message in (
        (None, None, "", "told", "Say whether"),
        (True, None, "", "told_on", "Enter the date"),
        (True, TODAY + timedelta(days=1), "", "told_on", "today or in the past"),
        (True, TODAY - timedelta(days=20), "", "told_on", "before the school became aware"),
        (False, None, "", "reasons", "Enter why"),
    ):
        got = refused(
            db,
            breach_case,
            field,
            lambda a=told, b=told_on, c=reasons: breaches.record_people_told(
                db, actor=head, case=breach_case, told=a, told_on=b, reasons=c
            ),
        )
        assert message in got


def test_breach_facts_are_encrypted_and_decisions_are_the_managers(db, users, breach_case):
    head = users[Role.HEADTEACHER]
    with pytest.raises(workflow.TransitionNotAllowedError, match="case manager"):
        breaches.record_facts(
            db, actor=users[Role.DSL], case=breach_case, data=breaches.BreachFacts(**GOOD_FACTS)
        )
    record = breaches.record_facts(
        db, actor=head, case=breach_case, data=breaches.BreachFacts(**GOOD_FACTS)
    )
    db.commit()
    assert record.what_happened_ct is not None and b"wrong parent" not in record.what_happened_ct
    assert record.people_affected == 3 and record.subjects == [DataSubjects.PUPILS]


def test_the_register_is_for_case_workers_and_their_school(db, users, breach_case):
    from incidents.errors import Forbidden

    assert [r.case_id for r in breaches.register(db, actor=users[Role.DSL])] == [breach_case.id]
    with pytest.raises(Forbidden):
        breaches.register(db, actor=users[Role.GOVERNOR])
    # The chair sees only the cases they manage.
    assert breaches.register(db, actor=users[Role.CHAIR_OF_GOVERNORS]) == []


def test_erasing_a_case_keeps_its_disciplinary_and_suspension_rows_without_the_person(
    db, users, keyring
):
    from incidents.casework.erasure.commands import shred_case
    from incidents.models import Person

    head = users[Role.HEADTEACHER]
    case = case_about(db, head, PersonKind.STAFF)
    assess(db, head, case, CaseKind.ALLEGATION)
    through_lado(db, head, case)
    decision = suspension.decide_suspension(
        db,
        actor=head,
        case=case,
        data=suspension.SuspensionInput(None, {}, False, "Supervision instead.", TODAY),
    )
    db.commit()
    person_id = decision.person_id
    shred_case(
        db,
        actor=None,
        case=case,
        rule="Retention ended",
        keyring=keyring,
        override_reason="Test: early",
    )
    db.commit()
    db.expire_all()
    assert db.get(Person, person_id) is None
    kept = db.get(SuspensionDecision, decision.id)
    assert kept is not None and kept.person_id is None and kept.suspended is False


def test_erasing_a_case_with_a_disciplinary_process(db, users, keyring, staff_process):
    from incidents.casework.erasure.commands import shred_case

    shred_case(
        db,
        actor=None,
        case=staff_process.case,
        rule="Retention ended",
        keyring=keyring,
        override_reason="Test: early",
    )
    db.commit()
    db.expire_all()
    kept = db.get(DisciplinaryProcess, staff_process.id)
    assert kept is not None and kept.person_id is None and kept.kind.value == "staff"


def test_each_adult_in_a_case_gets_their_own_process(db, users):
    """A case about two adults: the first process moves the case on, the second starts at the
    disciplinary stage without moving it, and then nobody is left to start one for."""
    head = users[Role.HEADTEACHER]
    parent = create_person(db, actor=head, name="Pat Parent", kind=PersonKind.PARENT_CARER)
    case = record_disclosure(
        db,
        actor=head,
        data=CaseInput(
            narrative="A teacher and a parent shared pupils' photographs.",
            became_aware_on=TODAY - timedelta(days=1),
            subject_ids=(parent.id,),
            new_subject=NewSubject(name="Sam Teacher", kind=PersonKind.STAFF),
            not_listed=True,
            source=DisclosureSource.PARENT,
        ),
    )
    assess(db, head, case, CaseKind.POLICY_BREACH)
    outcomes.record_outcome(db, actor=head, case=case, outcome=CaseOutcome.UPHELD, reasons="R")
    first = disciplinary.start_disciplinary(db, actor=head, case=case, person_id=parent.id)
    assert case.state is CaseState.DISCIPLINARY and first.kind is DisciplinaryKind.PARENT_CARER
    assert disciplinary.start_action(case) == "start_another_disciplinary"
    (teacher,) = disciplinary.eligible_people(case)
    second = disciplinary.start_disciplinary(db, actor=head, case=case, person_id=None)
    assert second.person_id == teacher.id and second.kind is DisciplinaryKind.STAFF
    assert case.state is CaseState.DISCIPLINARY
    with pytest.raises(workflow.TransitionNotAllowedError, match="already has a disciplinary"):
        disciplinary.start_disciplinary(db, actor=head, case=case, person_id=None)
    assert entries(db, action="case.disciplinary", case_id=case.id) == 2
