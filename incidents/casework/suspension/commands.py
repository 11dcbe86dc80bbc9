"""Suspension (KCSIE Part 4): the case manager's decision, suspended or not, with the
alternatives considered and why each was rejected; a suspension opens the statutory task to
confirm it in writing within one working day, and recording that it was sent completes it (with
why, when it was late). A suspension ends once: the date and why (returned, left, dismissed)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from incidents import audit, deadlines, workflow
from incidents.casework.guard import visible
from incidents.casework.tasks import system as task_system
from incidents.clock import SCHOOL_TZ, local_today
from incidents.errors import NotFound
from incidents.models import (
    Alternative,
    Case,
    Person,
    SuspensionAlternative,
    SuspensionDecision,
    TaskKind,
    User,
)
from incidents.models.suspension import SUSPENDABLE_KINDS
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_REASONS = 5_000
MAX_REJECTED = 2_000
MAX_LATE_REASON = 2_000
OBJECT_TYPE = "suspension"


def suspendable_people(case: Case) -> list[Person]:
    return [p for p in case.subjects if p.kind in SUSPENDABLE_KINDS]


@dataclass(frozen=True)
class SuspensionInput:
    person_id: uuid.UUID | None
    # Each alternative considered -> why it was rejected.
    considered: dict[Alternative, str] = field(default_factory=dict)
    suspended: bool | None = None
    reasons: str = ""
    decided_on: date | None = None


def _validate(case: Case, data: SuspensionInput) -> tuple[Person, dict[Alternative, str], str]:
    errors = Errors()
    people = suspendable_people(case)
    person_id = data.person_id
    if person_id is None and len(people) == 1:
        person_id = people[0].id
    person = next((p for p in people if p.id == person_id), None)
    if person is None:
        errors["person"] = "Choose who the decision is about from the list"
    considered = {}
    for alternative, why in data.considered.items():
        considered[alternative] = errors.text(
            f"why_{alternative.value}",
            why,
            label="Why it was rejected",
            limit=MAX_REJECTED,
            empty="Enter why this alternative was rejected",
        )
    if data.suspended is None:
        errors["suspended"] = "Say whether the person is suspended"
    elif data.suspended and not considered:
        # KCSIE Part 4: suspension is not the default; it follows only from rejected options.
        errors["alternatives"] = (
            "Suspension must not be the default: choose the alternatives you considered and "
            "say why each was rejected"
        )
    reasons = errors.text(
        "reasons",
        data.reasons,
        label="The reasons",
        limit=MAX_REASONS,
        empty="Enter the reasons for the decision",
    )
    if data.decided_on is None:
        errors["decided_on"] = "Enter the date of the decision"
    else:
        errors.past_date(
            "decided_on", data.decided_on, called="The decision date", today=local_today()
        )
        if data.decided_on < case.became_aware_on:
            errors.setdefault("decided_on", "The decision cannot be before the school became aware")
    errors.raise_any()
    assert person is not None  # noqa: S101 - narrowing: a missing person is an error above
    return person, considered, reasons


def check_suspension(case: Case, data: SuspensionInput) -> None:
    """The decision's answers checked, without saving them (the summary page's check)."""
    _validate(case, data)


def decide_suspension(
    session: Session, *, actor: User, case: Case, data: SuspensionInput
) -> SuspensionDecision:
    visible(actor, case)
    workflow.check(case, "consider_suspension", actor)
    person, considered, reasons = _validate(case, data)
    assert data.decided_on is not None and data.suspended is not None  # noqa: S101 - checked
    decision = SuspensionDecision(
        case=case,
        person_id=person.id,
        decided_on=data.decided_on,
        decided_by_id=actor.id,
        suspended=data.suspended,
        reasons=Sensitive(reasons),
    )
    for alternative, why in considered.items():
        decision.alternatives.append(
            SuspensionAlternative(alternative=alternative, rejected_because=Sensitive(why))
        )
    session.add(decision)
    if data.suspended:
        due_at = deadlines.suspension_confirmation_due(data.decided_on)
        decision.confirmation_due_at = due_at
        task = task_system.create_standard(
            session,
            case,
            TaskKind.CONFIRM_SUSPENSION,
            assignee=actor,
            due_on=due_at.astimezone(SCHOOL_TZ).date(),
        )
        decision.confirmation_task_id = task.id
    session.flush()
    audit.record(
        session,
        school_id=case.school_id,
        action=audit.Action.SUSPENSION_DECIDE,
        actor=actor,
        case_id=case.id,
        object_type=OBJECT_TYPE,
        object_id=decision.id,
        target=decision,
        # A suspension decision is one a school must later prove it took, and when.
        checkpoint=True,
    )
    return decision


def _find(case: Case, decision_id: uuid.UUID) -> SuspensionDecision:
    decision = next((d for d in case.suspension_decisions if d.id == decision_id), None)
    if decision is None:
        raise NotFound("Suspension decision not found")
    return decision


def confirm_suspension(
    session: Session,
    *,
    actor: User,
    case: Case,
    decision_id: uuid.UUID,
    sent_on: date | None,
    late_reason: str = "",
) -> SuspensionDecision:
    """Written confirmation was sent: recorded on the decision, and its task is done. Sent after
    the working day it was due, the reason it was late is required; on time, it is not kept."""
    visible(actor, case)
    decision = _find(case, decision_id)
    workflow.check(case, "confirm_suspension", actor)
    if not decision.awaits_confirmation:
        raise workflow.TransitionNotAllowedError(
            "This decision is not a suspension waiting to be confirmed in writing"
        )
    errors = Errors()
    late = ""
    if sent_on is None:
        errors["sent_on"] = "Enter the date the confirmation was sent"
    else:
        errors.past_date("sent_on", sent_on, called="The date it was sent", today=local_today())
        if sent_on < decision.decided_on:
            errors.setdefault("sent_on", "The confirmation cannot be sent before the decision")
        if "sent_on" not in errors and decision.confirmation_was_late(sent_on):
            due = decision.confirmation_due_on
            assert due is not None  # noqa: S101 - a suspension always has its due date
            late = errors.text(
                "late_reason",
                late_reason,
                label="Why it was late",
                limit=MAX_LATE_REASON,
                empty=f"Enter why the confirmation was sent after {due.day} {due:%B %Y}",
            )
    errors.raise_any()
    decision.confirmation_sent_on = sent_on
    if late:
        decision.late_reason = Sensitive(late)
    task = next((t for t in case.tasks if t.id == decision.confirmation_task_id), None)
    if task is not None and not task.is_done:
        task_system.mark_done(session, case, actor, task)
    audit.record(
        session,
        school_id=case.school_id,
        action=audit.Action.SUSPENSION_CONFIRM,
        actor=actor,
        case_id=case.id,
        object_type=OBJECT_TYPE,
        object_id=decision.id,
        target=decision,
    )
    return decision


def check_lift(decision: SuspensionDecision, lifted_on: date | None, reasons: str) -> str:
    """The end of a suspension checked, without saving it (the summary page's check too):
    the reasons as they will be stored, or InvalidInput."""
    if not decision.suspended:
        raise workflow.TransitionNotAllowedError("This decision was not to suspend")
    if decision.lifted_on is not None:
        raise workflow.TransitionNotAllowedError("This suspension has already ended")
    errors = Errors()
    if lifted_on is None:
        errors["lifted_on"] = "Enter the date the suspension ended"
    else:
        errors.past_date("lifted_on", lifted_on, called="The date it ended", today=local_today())
        if lifted_on < decision.decided_on:
            errors.setdefault("lifted_on", "The suspension cannot end before it was decided")
    text = errors.text(
        "reasons",
        reasons,
        label="The reasons",
        limit=MAX_REASONS,
        empty="Enter why the suspension ended",
    )
    errors.raise_any()
    return text


def lift_suspension(
    session: Session,
    *,
    actor: User,
    case: Case,
    decision_id: uuid.UUID,
    lifted_on: date | None,
    reasons: str,
) -> SuspensionDecision:
    """The suspension ended on `lifted_on`: the person returned to work, or left, or was
    dismissed (the reasons say which). Recorded once; it cannot be changed afterwards."""
    visible(actor, case)
    decision = _find(case, decision_id)
    workflow.check(case, "lift_suspension", actor)
    text = check_lift(decision, lifted_on, reasons)
    decision.lifted_on = lifted_on
    decision.lifted_reasons = Sensitive(text)
    decision.lifted_by_id = actor.id
    audit.record(
        session,
        school_id=case.school_id,
        action=audit.Action.SUSPENSION_LIFT,
        actor=actor,
        case_id=case.id,
        object_type=OBJECT_TYPE,
        object_id=decision.id,
        target=decision,
        # When a suspension ended is what a tribunal or the person asks later: proved at once.
        checkpoint=True,
    )
    return decision
