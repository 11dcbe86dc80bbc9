"""Reviewing a sanction or measure on its review date: the case manager continues it (with the
next review date, if any), ends it on a date, or changes it, with sealed reasons. The measure's
review task is done; a next date opens the next one. The entry names the process, like every
other disciplinary step (`incidents audit prove --disciplinary`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from incidents import audit, workflow
from incidents.casework.disciplinary.commands import _audit_step, _schedule_review
from incidents.casework.guard import visible
from incidents.casework.tasks import system as task_system
from incidents.errors import NotFound
from incidents.models import (
    Case,
    DisciplinaryMeasure,
    MeasureReview,
    ReviewDecision,
    User,
)
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_REASONS = 5_000
MAX_CHANGES = 2_000


@dataclass(frozen=True)
class ReviewInput:
    decision: ReviewDecision | None
    reviewed_on: date | None
    reasons: str
    changes: str = ""
    ends_on: date | None = None
    next_review_on: date | None = None


def _find_measure(case: Case, measure_id: uuid.UUID) -> DisciplinaryMeasure:
    for process in case.disciplinary_processes:
        for measure in process.measures:
            if measure.id == measure_id:
                return measure
    raise NotFound("Sanction or measure not found")


def open_measure(actor: User, case: Case, measure_id: uuid.UUID) -> DisciplinaryMeasure:
    """The measure, if this user may record a review of it now; otherwise NotFound, or Refused
    with the reason. The case is checked first: with no measure in force it says so."""
    visible(actor, case)
    workflow.check(case, "review_measure", actor)
    measure = _find_measure(case, measure_id)
    if not measure.is_in_force:
        raise workflow.TransitionNotAllowedError("This sanction or measure has already ended")
    return measure


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _check_review(measure: DisciplinaryMeasure, data: ReviewInput) -> tuple[str, str]:
    """The review's answers checked against its measure: the reasons and the description of
    the change as they will be stored, or InvalidInput."""
    errors = Errors()
    decision = data.decision
    if decision is None:
        errors["decision"] = "Choose what was decided at the review"
    reviewed_on = data.reviewed_on
    errors.day(
        "reviewed_on",
        reviewed_on,
        called="The date of the review",
        missing="Enter the date of the review",
        since=measure.starts_on,
        too_early=f"The review cannot be before the measure started on {_long(measure.starts_on)}",
    )
    reasons = errors.text(
        "reasons",
        data.reasons,
        label="The reasons",
        limit=MAX_REASONS,
        empty="Enter the reasons for the decision",
    )
    changes = errors.text(
        "changes",
        data.changes,
        label="What changes",
        limit=MAX_CHANGES,
        empty="Describe what changes" if decision is ReviewDecision.VARY else "",
    )
    if changes and decision in (ReviewDecision.CONTINUE, ReviewDecision.END):
        # Kept only with a change: a description saved beside "unchanged" would mislead.
        errors.setdefault("changes", "Leave 'what changes' empty unless you are changing it")
    _check_end(errors, measure, data)
    _check_next_review(errors, measure, data)
    errors.raise_any()
    return reasons, changes


def _check_end(errors: Errors, measure: DisciplinaryMeasure, data: ReviewInput) -> None:
    ends_on = data.ends_on
    if data.decision is not ReviewDecision.END:
        if ends_on is not None and data.decision is not None:
            errors["ends_on"] = "Leave the end date empty unless you are ending it"
        return
    if ends_on is None:
        errors["ends_on"] = "Enter the date it ends"
    elif ends_on < measure.starts_on:
        errors["ends_on"] = (
            f"The end date must be on or after the date it started, {_long(measure.starts_on)}"
        )
    elif data.reviewed_on is not None and ends_on < data.reviewed_on:
        errors["ends_on"] = "The end date cannot be before the date of the review"


def _check_next_review(errors: Errors, measure: DisciplinaryMeasure, data: ReviewInput) -> None:
    next_on = data.next_review_on
    if next_on is None:
        return
    if data.decision is ReviewDecision.END:
        errors["next_review_on"] = "Leave the next review date empty when you end it"
    elif data.reviewed_on is not None and next_on <= data.reviewed_on:
        errors["next_review_on"] = "The next review must be after the date of this review"
    elif measure.ends_on is not None and next_on >= measure.ends_on:
        errors["next_review_on"] = (
            f"The next review must be before the measure ends on {_long(measure.ends_on)}"
        )


def record_review(
    session: Session,
    *,
    actor: User,
    case: Case,
    measure_id: uuid.UUID,
    data: ReviewInput,
) -> MeasureReview:
    """Record one review of a measure still in force; it cannot be changed afterwards."""
    measure = open_measure(actor, case, measure_id)
    reasons, changes = _check_review(measure, data)
    assert data.decision is not None and data.reviewed_on is not None  # noqa: S101 - checked
    ending = data.decision is ReviewDecision.END
    review = MeasureReview(
        measure=measure,
        decision=data.decision,
        reviewed_on=data.reviewed_on,
        ends_on=data.ends_on if ending else None,
        next_review_on=None if ending else data.next_review_on,
        reviewed_by_id=actor.id,
    )
    review.reasons = Sensitive(reasons)
    if changes:
        review.changes = Sensitive(changes)
    session.add(review)
    task = next((t for t in case.tasks if t.id == measure.review_task_id), None)
    if task is not None and not task.is_done:
        task_system.mark_done(session, case, actor, task)
    # The measure shows what stands now: its end, and its next review (none unless one is set).
    measure.review_on = None
    measure.review_task_id = None
    if ending:
        measure.ends_on = data.ends_on
    elif data.next_review_on is not None:
        _schedule_review(session, case, actor, measure, data.next_review_on)
    session.flush()
    _audit_step(
        session,
        case,
        actor,
        audit.Action.DISCIPLINARY_MEASURE_REVIEW,
        measure.process,
        target=review,
    )
    return review
