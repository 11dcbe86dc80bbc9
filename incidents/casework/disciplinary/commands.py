"""The disciplinary link: starting the process when an upheld case moves on (the route follows
from who the person is), then each step: a staff hearing and outcome, a sanction or measure for
anyone else (a review date gives the case manager a task), or an explained end. Every entry
names the process, so a hearing's evidence file can gather them all
(`incidents audit prove --disciplinary`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit, workflow
from incidents.casework.guard import record, visible
from incidents.casework.tasks import system as task_system
from incidents.catalogue import Consequence, consequence_for
from incidents.clock import SCHOOL_TZ, local_today
from incidents.errors import NotFound
from incidents.lifecycle import DISCIPLINARY
from incidents.models import (
    Case,
    CaseState,
    DisciplinaryKind,
    DisciplinaryMeasure,
    DisciplinaryProcess,
    DisciplinaryStage,
    Measure,
    Person,
    StaffOutcome,
    TaskKind,
    User,
)
from incidents.models.disciplinary import KIND_FOR_PERSON, MEASURES_FOR, NEEDS_HEARING
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_HR_REFERENCE = 100
MAX_REASONS = 5_000
MAX_DETAILS = 2_000
OBJECT_TYPE = "disciplinary"


def _audit_step(
    session: Session,
    case: Case,
    actor: User,
    action: audit.Action,
    process: DisciplinaryProcess,
    target: Any = None,
) -> None:
    """The entry for a step of the process: it names the process (the evidence file's key)."""
    # How a process ended is what a tribunal or the TRA asks about: checkpointed at once.
    ending = action in _ENDINGS
    record(
        session,
        case,
        actor,
        action,
        object_type=OBJECT_TYPE,
        object_id=process.id,
        target=target if target is not None else process,
        checkpoint=True if ending else None,
    )


_ENDINGS = frozenset(
    {
        audit.Action.DISCIPLINARY_OUTCOME,
        audit.Action.DISCIPLINARY_CONCLUDE,
        audit.Action.DISCIPLINARY_DISCONTINUE,
    }
)


def start_action(case: Case) -> str:
    """The first process moves the case on; each later one leaves it where it is."""
    return (
        "start_another_disciplinary"
        if case.state is CaseState.DISCIPLINARY
        else "start_disciplinary"
    )


def eligible_people(case: Case) -> list[Person]:
    """The case's subjects a process can be about, without one already."""
    started = {p.person_id for p in case.disciplinary_processes}
    return [p for p in case.subjects if p.kind in KIND_FOR_PERSON and p.id not in started]


def policy_consequences(case: Case, person: Person) -> list[Consequence]:
    """What the policies of the clauses cited on the case say follows for this person
    (seed policies only: a local clause has no consequences in the catalogue)."""
    found: list[Consequence] = []
    for clause in case.clauses:
        consequence = consequence_for(clause.code, person.kind.value)
        if consequence is not None and consequence not in found:
            found.append(consequence)
    return found


def start_disciplinary(
    session: Session,
    *,
    actor: User,
    case: Case,
    person_id: uuid.UUID | None,
    hr_reference: str = "",
) -> DisciplinaryProcess:
    """Move an upheld case to "disciplinary" and open the process for one of its subjects;
    on a case already there, open the process for another of its subjects."""
    visible(actor, case)
    action = start_action(case)
    workflow.check(case, action, actor)
    people = eligible_people(case)
    errors = Errors()
    if person_id is None and len(people) == 1:
        person_id = people[0].id
    person = next((p for p in people if p.id == person_id), None)
    if person is None:
        errors["person"] = "Choose who the process is about from the list"
    reference = errors.text(
        "hr_reference", hr_reference, label="The HR reference", limit=MAX_HR_REFERENCE
    )
    if reference and person is not None and person.kind not in _STAFF_KINDS:
        errors["hr_reference"] = "An HR reference is only for a member of staff"
    errors.raise_any()
    assert person is not None  # noqa: S101 - narrowing: a missing person is an error above
    # Before the process exists: its own row would fail the "someone left to start" guard.
    workflow.advance(case, action, actor)
    process = DisciplinaryProcess(
        case=case,
        person_id=person.id,
        kind=KIND_FOR_PERSON[person.kind],
        stage=DisciplinaryStage.INVESTIGATION,
        started_by_id=actor.id,
    )
    if reference:
        process.hr_reference = Sensitive(reference)
    session.add(process)
    session.flush()
    _audit_step(session, case, actor, audit.Action.CASE_DISCIPLINARY, process)
    return process


_STAFF_KINDS = frozenset(p for p, k in KIND_FOR_PERSON.items() if k is DisciplinaryKind.STAFF)


def _find_process(case: Case, process_id: uuid.UUID) -> DisciplinaryProcess:
    process = next((p for p in case.disciplinary_processes if p.id == process_id), None)
    if process is None:
        raise NotFound("Disciplinary process not found")
    return process


def find_process_at(
    session: Session, *, school_id: uuid.UUID, process_ref: str
) -> DisciplinaryProcess:
    """A process by the id shown on its case page, within one school (for the CLI)."""
    try:
        process_id = uuid.UUID(process_ref.strip())
    except ValueError:
        raise NotFound(
            "That is not a disciplinary process id: copy it from the case page"
        ) from None
    process = session.scalar(
        select(DisciplinaryProcess)
        .join(Case, Case.id == DisciplinaryProcess.case_id)
        .where(DisciplinaryProcess.id == process_id, Case.school_id == school_id)
    )
    if process is None:
        raise NotFound("No disciplinary process with that id at this school")
    return process


def open_process(actor: User, case: Case, process_id: uuid.UUID, step: str) -> DisciplinaryProcess:
    """The process, if `step` (an action of `lifecycle.DISCIPLINARY`) may be recorded on it now
    by this user; otherwise NotFound, or Refused with the reason. The case's stage is checked
    before the process is looked up: a case not at this stage says so."""
    visible(actor, case)
    workflow.check(case, "manage_disciplinary", actor, with_guard=False)
    process = _find_process(case, process_id)
    DISCIPLINARY.check(process, step)
    return process


def record_hearing(
    session: Session, *, actor: User, case: Case, process_id: uuid.UUID, hearing_on: date | None
) -> DisciplinaryProcess:
    """Arrange (or rearrange) the staff disciplinary hearing."""
    process = open_process(actor, case, process_id, "hearing")
    errors = Errors()
    if hearing_on is None:
        errors["hearing_on"] = "Enter the date of the hearing"
    elif hearing_on < process.started_at.astimezone(SCHOOL_TZ).date():
        errors["hearing_on"] = "The hearing cannot be before the process started"
    errors.raise_any()
    process.hearing_on = hearing_on
    DISCIPLINARY.advance(process, "hearing")
    _audit_step(session, case, actor, audit.Action.DISCIPLINARY_HEARING, process)
    return process


@dataclass(frozen=True)
class StaffOutcomeInput:
    outcome: StaffOutcome | None
    decided_on: date | None
    reasons: str
    hr_reference: str = ""


def check_staff_outcome(process: DisciplinaryProcess, data: StaffOutcomeInput) -> tuple[str, str]:
    """The outcome's answers, checked against the process (for the summary page too):
    the reasons and HR reference as they will be stored, or InvalidInput."""
    today = local_today()
    errors = Errors()
    if data.outcome is None:
        errors["outcome"] = "Choose the outcome from the list"
    elif data.outcome in NEEDS_HEARING and process.hearing_on is None:
        errors["outcome"] = (
            f"{data.outcome.label} can only follow a hearing: record the hearing date first"
        )
    if data.decided_on is None:
        errors["decided_on"] = "Enter the date of the decision"
    else:
        errors.past_date("decided_on", data.decided_on, called="The decision date", today=today)
        if process.hearing_on is not None and data.decided_on < process.hearing_on:
            errors.setdefault("decided_on", "The decision cannot be before the hearing")
    reasons = errors.text(
        "reasons", data.reasons, label="The reasons", limit=MAX_REASONS, empty="Enter the reasons"
    )
    reference = errors.text(
        "hr_reference", data.hr_reference, label="The HR reference", limit=MAX_HR_REFERENCE
    )
    errors.raise_any()
    return reasons, reference


def record_staff_outcome(
    session: Session,
    *,
    actor: User,
    case: Case,
    process_id: uuid.UUID,
    data: StaffOutcomeInput,
) -> DisciplinaryProcess:
    """The outcome concludes a staff process; it cannot be changed afterwards."""
    process = open_process(actor, case, process_id, "outcome")
    reasons, reference = check_staff_outcome(process, data)
    process.outcome = data.outcome
    process.ended_on = data.decided_on
    process.reasons = Sensitive(reasons)
    if reference:
        process.hr_reference = Sensitive(reference)
    DISCIPLINARY.advance(process, "outcome")
    _audit_step(session, case, actor, audit.Action.DISCIPLINARY_OUTCOME, process)
    return process


@dataclass(frozen=True)
class MeasureInput:
    measure: Measure | None
    starts_on: date | None
    review_on: date | None = None
    ends_on: date | None = None
    details: str = ""


# A restriction of access to the premises is a legal process (written notice, a chance to make
# representations, a review date): offered only where a cited clause's policy names it (issue 13,
# item 12); no seed policy does.
NAMED_ONLY = frozenset({Measure.PREMISES_RESTRICTED})


def offered_measures(case: Case, process: DisciplinaryProcess) -> tuple[Measure, ...]:
    """The sanctions and measures open to this process: its kind's, less any that only a
    school's own policy can name and the cited policies do not."""
    person = process.person
    cited = policy_consequences(case, person) if person is not None else []
    named = {m for c in cited for m in c.measures}
    return tuple(m for m in MEASURES_FOR[process.kind] if m not in NAMED_ONLY or m.value in named)


def add_measure(
    session: Session, *, actor: User, case: Case, process_id: uuid.UUID, data: MeasureInput
) -> DisciplinaryMeasure:
    """A sanction for a parent (photographs, phones, premises) or a governor's, volunteer's or
    contractor's equivalent, with when it starts, is reviewed and ends."""
    process = open_process(actor, case, process_id, "measure")
    errors = Errors()
    if data.measure is None or data.measure not in offered_measures(case, process):
        errors["measure"] = "Choose the sanction or measure from the list"
    if data.starts_on is None:
        errors["starts_on"] = "Enter the date it starts"
    else:
        if data.review_on is not None and data.review_on < data.starts_on:
            errors["review_on"] = "The review date must be on or after the start date"
        if data.ends_on is not None and data.ends_on < data.starts_on:
            errors["ends_on"] = "The end date must be on or after the start date"
    details = errors.text(
        "details",
        data.details,
        label="The description",
        limit=MAX_DETAILS,
        empty="Describe the measure" if data.measure is Measure.OTHER else "",
    )
    errors.raise_any()
    assert data.measure is not None and data.starts_on is not None  # noqa: S101 - checked
    measure = DisciplinaryMeasure(
        process=process,
        measure=data.measure,
        starts_on=data.starts_on,
        review_on=data.review_on,
        ends_on=data.ends_on,
        created_by_id=actor.id,
    )
    if details:
        measure.details = Sensitive(details)
    session.add(measure)
    if data.review_on is not None:
        _schedule_review(session, case, actor, measure, data.review_on)
    session.flush()
    _audit_step(session, case, actor, audit.Action.DISCIPLINARY_MEASURE, process, target=measure)
    return measure


def _schedule_review(
    session: Session, case: Case, actor: User, measure: DisciplinaryMeasure, review_on: date
) -> None:
    """The measure's next review is on `review_on`: a task for the case manager, due that day
    (when the measure is recorded, and again when a review sets the next one)."""
    # The review is the case manager's (KCSIE Part 4: decisions are theirs); a past review
    # date makes the task overdue at once, which is what it is.
    task = task_system.create_standard(
        session,
        case,
        TaskKind.REVIEW_MEASURE,
        assignee=_case_manager(session, case) or actor,
        due_on=review_on,
    )
    measure.review_on = review_on
    measure.review_task_id = task.id


def _case_manager(session: Session, case: Case) -> User | None:
    if case.case_manager_id is None:
        return None
    return session.get(User, case.case_manager_id)


def conclude_measures(
    session: Session, *, actor: User, case: Case, process_id: uuid.UUID
) -> DisciplinaryProcess:
    """Every sanction or measure is recorded: the process is concluded (no more can be added)."""
    process = open_process(actor, case, process_id, "conclude")
    if not process.measures:
        errors = Errors()
        errors["process"] = (
            "Record at least one sanction or measure, or record why the process ended without one"
        )
        errors.raise_any()
    DISCIPLINARY.advance(process, "conclude")
    process.ended_on = local_today()
    _audit_step(session, case, actor, audit.Action.DISCIPLINARY_CONCLUDE, process)
    return process


def discontinue(
    session: Session, *, actor: User, case: Case, process_id: uuid.UUID, reasons: str
) -> DisciplinaryProcess:
    """End the process without an outcome (the person resigned, or no sanction is pursued),
    with the reasons: what the closure checklist accepts in place of a conclusion."""
    process = open_process(actor, case, process_id, "end")
    errors = Errors()
    text = errors.text(
        "reasons",
        reasons,
        label="The reasons",
        limit=MAX_REASONS,
        empty="Enter why the process is ending without an outcome",
    )
    errors.raise_any()
    process.reasons = Sensitive(text)
    DISCIPLINARY.advance(process, "end")
    process.ended_on = local_today()
    _audit_step(session, case, actor, audit.Action.DISCIPLINARY_DISCONTINUE, process)
    return process
