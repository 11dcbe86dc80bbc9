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
from incidents.casework.guard import record, visible
from incidents.casework.tasks import system as task_system
from incidents.clock import SCHOOL_TZ
from incidents.errors import NotFound
from incidents.lifecycle import SUSPENSION
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
# KCSIE Part 4: suspension is not the default; it follows only from rejected alternatives.
NOT_THE_DEFAULT = (
    "Suspension must not be the default: choose the alternatives you considered and say why "
    "each was rejected"
)


def _audit(
    session: Session,
    case: Case,
    actor: User,
    action: audit.Action,
    decision: SuspensionDecision,
) -> None:
    record(
        session,
        case,
        actor,
        action,
        object_type=OBJECT_TYPE,
        object_id=decision.id,
        target=decision,
        # A decision is one a school must later prove it took, and when; when a suspension
        # ended is what a tribunal or the person asks later: both proved at once.
        checkpoint=True if action in _CHECKPOINTED else None,
    )


_CHECKPOINTED = frozenset({audit.Action.SUSPENSION_DECIDE, audit.Action.SUSPENSION_LIFT})


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
        errors["alternatives"] = NOT_THE_DEFAULT
    reasons = errors.text(
        "reasons",
        data.reasons,
        label="The reasons",
        limit=MAX_REASONS,
        empty="Enter the reasons for the decision",
    )
    errors.day(
        "decided_on",
        data.decided_on,
        called="The decision date",
        missing="Enter the date of the decision",
        since=case.became_aware_on,
        too_early="The decision cannot be before the school became aware",
    )
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
    _audit(session, case, actor, audit.Action.SUSPENSION_DECIDE, decision)
    return decision


def _find(case: Case, decision_id: uuid.UUID) -> SuspensionDecision:
    decision = next((d for d in case.suspension_decisions if d.id == decision_id), None)
    if decision is None:
        raise NotFound("Suspension decision not found")
    return decision


# Each step on a decision (`lifecycle.SUSPENSION`) and the case's action it belongs to.
_CASE_ACTION = {"confirm": "confirm_suspension", "lift": "lift_suspension"}


def open_decision(actor: User, case: Case, decision_id: uuid.UUID, step: str) -> SuspensionDecision:
    """The decision, if `step` ("confirm" or "lift") may be recorded on it now by this user;
    otherwise NotFound, or Refused with the reason. The case is checked first: a case with no
    suspension waiting (or in force) says so before any one decision is looked up."""
    visible(actor, case)
    workflow.check(case, _CASE_ACTION[step], actor)
    decision = _find(case, decision_id)
    SUSPENSION.check(decision, step)
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
    decision = open_decision(actor, case, decision_id, "confirm")
    errors = Errors()
    late = ""
    errors.day(
        "sent_on",
        sent_on,
        called="The date it was sent",
        missing="Enter the date the confirmation was sent",
        since=decision.decided_on,
        too_early="The confirmation cannot be sent before the decision",
    )
    if sent_on is not None and "sent_on" not in errors and decision.confirmation_was_late(sent_on):
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
    _audit(session, case, actor, audit.Action.SUSPENSION_CONFIRM, decision)
    return decision


def check_lift(decision: SuspensionDecision, lifted_on: date | None, reasons: str) -> str:
    """The end of a suspension's answers checked against the decision, without saving them
    (the summary page's check too): the reasons as they will be stored, or InvalidInput."""
    errors = Errors()
    errors.day(
        "lifted_on",
        lifted_on,
        called="The date it ended",
        missing="Enter the date the suspension ended",
        since=decision.decided_on,
        too_early="The suspension cannot end before it was decided",
    )
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
    decision = open_decision(actor, case, decision_id, "lift")
    text = check_lift(decision, lifted_on, reasons)
    decision.lifted_on = lifted_on
    decision.lifted_reasons = Sensitive(text)
    decision.lifted_by_id = actor.id
    _audit(session, case, actor, audit.Action.SUSPENSION_LIFT, decision)
    return decision
