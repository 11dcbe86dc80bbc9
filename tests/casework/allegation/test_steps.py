"""Issue 13, what is missing: reporting restrictions, meetings, telling the person and the
parents, the KCSIE timescales as clocks, and the employing agency or organisation, through the
services. Each bad input gets a clear error and leaves the case unchanged."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents import deadlines, workflow
from incidents.alerts import clocks as alert_clocks
from incidents.casework.allegation import clocks, informing, meetings, organisations, restrictions
from incidents.casework.cases.commands import CaseInput, NewSubject, record_disclosure
from incidents.casework.referrals import commands as referrals
from incidents.casework.tasks import commands as tasks
from incidents.clock import SCHOOL_TZ, local_today
from incidents.errors import InvalidInput
from incidents.models import (
    Agency,
    AlertKind,
    AuditEntry,
    Case,
    CaseClock,
    CaseKind,
    ClockKind,
    DisclosureSource,
    EmployingOrganisation,
    EngagedBy,
    InformingStep,
    InformKind,
    Meeting,
    MeetingKind,
    PersonKind,
    ReferralStatus,
    RestrictionEnd,
    RestrictionEnded,
    Role,
    Task,
    User,
)
from tests.case_routes import TODAY, assess, case_about, move

DAY = TODAY - timedelta(days=1)


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def audit_count(db: Session, action: str) -> int:
    return (
        db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))
        or 0
    )


def allegation(db: Session, head: User, kind: PersonKind = PersonKind.STAFF) -> Case:
    case = case_about(db, head, kind)
    assess(db, head, case, CaseKind.ALLEGATION)
    db.commit()
    return case


def childs_allegation(db: Session, head: User) -> Case:
    case = record_disclosure(
        db,
        actor=head,
        data=CaseInput(
            narrative="A pupil told me at lunch.",
            became_aware_on=DAY,
            new_subject=NewSubject(name="Jo Teacher", kind=PersonKind.STAFF),
            not_listed=True,
            source=DisclosureSource.CHILD,
            child_words="Mr T pushed me",
        ),
    )
    assess(db, head, case, CaseKind.ALLEGATION)
    db.commit()
    return case


# --- Reporting restrictions (Education Act 2002 ss.141F-141H) -------------------------------


def test_a_pupils_allegation_against_a_teacher_is_restricted_until_charged(db, users):
    head = users[Role.HEADTEACHER]
    case = childs_allegation(db, head)
    assert restrictions.in_force(db, case)

    with pytest.raises(InvalidInput) as bad:
        restrictions.end_restriction(
            db, actor=head, case=case, reason=None, ended_on=None, note=" "
        )
    assert set(bad.value.errors) == {"reason", "ended_on", "note"}
    db.rollback()
    assert count(db, RestrictionEnded) == 0 and restrictions.in_force(db, case)

    restrictions.end_restriction(
        db,
        actor=head,
        case=case,
        reason=RestrictionEnd.CHARGED,
        ended_on=TODAY,
        note="Charged with assault by beating; police ref 12/345.",
    )
    db.commit()
    assert not restrictions.in_force(db, case)
    assert audit_count(db, "reporting_restriction.end") == 1
    with pytest.raises(InvalidInput, match="already recorded"):
        restrictions.end_restriction(
            db, actor=head, case=case, reason=RestrictionEnd.LIFTED, ended_on=TODAY, note="x"
        )


def test_no_restriction_where_a_child_did_not_make_the_allegation(db, users):
    head = users[Role.HEADTEACHER]
    case = allegation(db, head)
    assert not restrictions.in_force(db, case)
    with pytest.raises(workflow.TransitionNotAllowedError, match="No reporting restriction"):
        restrictions.end_restriction(
            db, actor=head, case=case, reason=RestrictionEnd.LIFTED, ended_on=TODAY, note="x"
        )


def test_everyone_who_opens_the_case_is_warned(db, users, login_as):
    case = childs_allegation(db, users[Role.HEADTEACHER])
    for role in (Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL):
        page = login_as(role).get(f"/cases/{case.id}").get_data(as_text=True)
        assert "Reporting restriction" in page and "section 141F" in page, role


# --- Meetings -------------------------------------------------------------------------------


def meeting(**changes: object) -> meetings.MeetingInput:
    values: dict[str, object] = {
        "kind": MeetingKind.ALLEGATION_MANAGEMENT,
        "held_on": TODAY,
        "attendees": "Head (school); LADO; DC Shah (police)",
        "decisions": "School to investigate after the police interview.",
        "who_tells": "The LADO tells the agency; the head tells the teacher on Monday.",
        **changes,
    }
    return meetings.MeetingInput(**values)  # type: ignore[arg-type]


def test_a_meeting_is_recorded_and_its_actions_become_tasks(db, users):
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    case = allegation(db, head)
    before = len(case.tasks)
    action = meetings.MeetingAction("Collect the CCTV", dsl.id, TODAY + timedelta(days=3))
    recorded = meetings.record_meeting(db, actor=dsl, case=case, data=meeting(actions=(action,)))
    db.commit()
    assert recorded.decisions.reveal().startswith("School to investigate")
    new = [t for t in case.tasks][before:]
    db.refresh(case)
    made = [t for t in case.tasks if "Collect the CCTV" in t.describe()]
    assert len(made) == 1 and made[0].assignee_id == dsl.id
    assert made[0].due_on == TODAY + timedelta(days=3)
    assert new is not None
    assert audit_count(db, "meeting.record") == 1
    # The free text is sealed: no clear text in the row.
    assert b"CCTV" not in (db.scalar(select(Task.title_ct).where(Task.id == made[0].id)) or b"")


def test_a_meeting_with_bad_input_changes_nothing(db, users):
    head = users[Role.HEADTEACHER]
    case = allegation(db, head)
    tasks_before = count(db, Task)
    bad = meeting(
        kind=None,
        held_on=TODAY + timedelta(days=1),
        attendees="",
        actions=(meetings.MeetingAction("Call HR", None, TODAY - timedelta(days=1)),),
    )
    with pytest.raises(InvalidInput) as refused:
        meetings.record_meeting(db, actor=head, case=case, data=bad)
    errors = refused.value.errors
    assert errors["kind"] == "Choose what kind of meeting it was"
    assert "today or in the past" in errors["held_on"]
    assert errors["owner_1"] == "Choose who owns the action from the list"
    assert "today or in the future" in errors["due_1"]
    assert "attendees" in errors
    db.rollback()
    assert count(db, Meeting) == 0 and count(db, Task) == tasks_before


# --- Telling the person and the parents -----------------------------------------------------


def told(kind: InformKind, **changes: object) -> informing.InformInput:
    values: dict[str, object] = {
        "kind": kind,
        "told_on": TODAY,
        "told_by": "The headteacher",
        "what_said": "That an allegation has been made and the LADO is involved.",
        "agreed_with_lado": True,
        "agreed_with_police": None,
        "contact": "Ms Deputy",
        "support": "Employee assistance programme; union representative.",
        **changes,
    }
    return informing.InformInput(**values)  # type: ignore[arg-type]


def test_the_person_is_told_only_after_the_lado_and_police_agree(db, users):
    head = users[Role.HEADTEACHER]
    case = allegation(db, head)
    with pytest.raises(
        workflow.TransitionNotAllowedError, match="Refer the allegation to the LADO"
    ):
        informing.record_informing(db, actor=head, case=case, data=told(InformKind.ACCUSED))
    db.rollback()
    move(db, head, case, Agency.LADO, ReferralStatus.MADE)
    referrals.add_referral(db, actor=head, case=case, agency=Agency.POLICE)
    db.commit()
    with pytest.raises(InvalidInput) as refused:
        informing.record_informing(
            db,
            actor=head,
            case=case,
            data=told(InformKind.ACCUSED, agreed_with_lado=False, contact="", support=""),
        )
    assert set(refused.value.errors) == {
        "agreed_with_lado",
        "agreed_with_police",
        "contact",
        "support",
    }
    db.rollback()
    assert count(db, InformingStep) == 0
    step = informing.record_informing(
        db, actor=head, case=case, data=told(InformKind.ACCUSED, agreed_with_police=True)
    )
    db.commit()
    assert step.contact is not None and step.contact.reveal() == "Ms Deputy"
    assert audit_count(db, "informing.record") == 1


def test_telling_the_person_is_the_case_managers_decision(db, users):
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    case = allegation(db, head)
    move(db, head, case, Agency.LADO, ReferralStatus.MADE)
    with pytest.raises(workflow.TransitionNotAllowedError, match="case manager"):
        informing.record_informing(db, actor=dsl, case=case, data=told(InformKind.ACCUSED))


def test_the_parents_are_told_the_outcome_only_once_there_is_one(db, users):
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    case = allegation(db, head)
    informing.record_informing(db, actor=dsl, case=case, data=told(InformKind.PARENTS))
    informing.record_informing(db, actor=dsl, case=case, data=told(InformKind.PARENTS_UPDATE))
    with pytest.raises(InvalidInput, match="Record the outcome before"):
        informing.record_informing(db, actor=dsl, case=case, data=told(InformKind.PARENTS_OUTCOME))
    with pytest.raises(InvalidInput) as bad:
        informing.record_informing(
            db,
            actor=dsl,
            case=case,
            data=told(InformKind.PARENTS, told_on=None, told_by=" ", what_said=""),
        )
    assert set(bad.value.errors) == {"told_on", "told_by", "what_said"}


# --- KCSIE timescales -----------------------------------------------------------------------


def test_a_timescale_runs_on_the_case_with_a_task_and_reminders(db, users):
    head = users[Role.HEADTEACHER]
    case = allegation(db, head)
    clock = clocks.start_clock(
        db, actor=head, case=case, kind=ClockKind.REPORT_ACTION, started_on=TODAY
    )
    db.commit()
    assert clock.due_at == deadlines.report_action_due(TODAY)
    assert clock.task.due_on == clock.due_at.astimezone(SCHOOL_TZ).date()
    assert clock.task.assignee_id == head.id and not clock.is_met
    running = [c for c in alert_clocks.running_clocks(db) if c.object_type == "clock"]
    assert [c.object_id for c in running] == [clock.id]
    # Once it has passed, the case manager is told it is overdue.
    after = clock.due_at + timedelta(hours=1)
    assert alert_clocks.current(running[0].started_at, clock.due_at, after) is (
        AlertKind.CLOCK_OVERDUE
    )
    with pytest.raises(InvalidInput, match="already running"):
        clocks.start_clock(
            db, actor=head, case=case, kind=ClockKind.REPORT_ACTION, started_on=TODAY
        )
    db.rollback()
    tasks.complete_task(db, actor=head, case=case, task_id=clock.task.id)
    db.commit()
    assert clock.is_met
    assert not [c for c in alert_clocks.running_clocks(db) if c.object_type == "clock"]


def test_the_three_kcsie_timescales_are_the_guidances(db, users):
    head = users[Role.HEADTEACHER]
    case = allegation(db, head)
    started = TODAY
    made = {
        kind: clocks.start_clock(db, actor=head, case=case, kind=kind, started_on=started)
        for kind in ClockKind
    }
    week = made[ClockKind.UNFOUNDED].due_at.astimezone(SCHOOL_TZ).date()
    assert week == started + timedelta(days=7)
    hearing = made[ClockKind.HEARING].due_at.astimezone(SCHOOL_TZ).date()
    assert hearing == deadlines.add_working_days(started, 15)
    assert isinstance(made[ClockKind.HEARING].due_at, datetime)


def test_a_timescale_with_bad_input_changes_nothing(db, users):
    head = users[Role.HEADTEACHER]
    case = allegation(db, head)
    with pytest.raises(InvalidInput) as bad:
        clocks.start_clock(
            db, actor=head, case=case, kind=None, started_on=case.became_aware_on - timedelta(1)
        )
    assert set(bad.value.errors) == {"kind", "started_on"}
    db.rollback()
    assert count(db, CaseClock) == 0
    policy = case_about(db, head)
    assess(db, head, policy, CaseKind.POLICY_BREACH)
    with pytest.raises(workflow.TransitionNotAllowedError, match="for allegations"):
        clocks.start_clock(db, actor=head, case=policy, kind=ClockKind.HEARING, started_on=TODAY)


# --- Supply staff, contractors, lettings ----------------------------------------------------


def test_the_agency_is_told_and_cannot_simply_stop_using_the_person(db, users):
    head = users[Role.HEADTEACHER]
    case = allegation(db, head, PersonKind.CONTRACTOR)
    with pytest.raises(InvalidInput) as bad:
        organisations.record_organisation(
            db, actor=head, case=case, kind=None, name=" ", contact=""
        )
    assert set(bad.value.errors) == {"kind", "name", "contact"}
    db.rollback()
    assert count(db, EmployingOrganisation) == 0
    row = organisations.record_organisation(
        db,
        actor=head,
        case=case,
        kind=EngagedBy.AGENCY,
        name="Supply Co",
        contact="Pat, 01234 567890",
    )
    db.commit()
    assert "must not simply stop using the person without the LADO" in row.task.describe()
    assert row.task.assignee_id == head.id
    assert audit_count(db, "organisation.record") == 1
    # Stopping before the LADO is involved is refused.
    with pytest.raises(workflow.TransitionNotAllowedError, match="LADO"):
        organisations.record_stopped(
            db, actor=head, case=case, organisation_id=row.id, stopped_on=TODAY
        )
    db.rollback()
    move(db, head, case, Agency.LADO, ReferralStatus.MADE)
    organisations.record_stopped(
        db, actor=head, case=case, organisation_id=row.id, stopped_on=TODAY
    )
    db.commit()
    assert row.stopped_on == TODAY


def test_below_the_threshold_the_organisation_waits_for_the_lado_too(db, users):
    head = users[Role.HEADTEACHER]
    case = case_about(db, head, PersonKind.CONTRACTOR)
    assess(db, head, case, CaseKind.LOW_LEVEL_CONCERN)
    row = organisations.record_organisation(
        db, actor=head, case=case, kind=EngagedBy.LETTINGS, name="Judo Club", contact="Sec."
    )
    with pytest.raises(InvalidInput, match="without the LADO"):
        organisations.record_stopped(
            db, actor=head, case=case, organisation_id=row.id, stopped_on=TODAY
        )
    assert local_today() == TODAY
