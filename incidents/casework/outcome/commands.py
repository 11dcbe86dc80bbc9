"""The end of a case: recording its outcome (the five KCSIE outcomes for allegations; upheld /
not upheld otherwise) and closing it once the closure checklist passes, with its retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from incidents import audit, closure, workflow
from incidents.casework.guard import record, visible
from incidents.clock import local_today
from incidents.errors import InvalidInput
from incidents.models import (
    ALLEGATION_OUTCOMES,
    OTHER_OUTCOMES,
    Case,
    CaseKind,
    CaseOutcome,
    EmploymentOutcome,
    User,
)
from incidents.models.base import utcnow
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_REASONS = 5_000


def outcomes_for(kind: CaseKind | None) -> tuple[CaseOutcome, ...]:
    return ALLEGATION_OUTCOMES if kind is CaseKind.ALLEGATION else OTHER_OUTCOMES


def record_outcome(
    session: Session, *, actor: User, case: Case, outcome: CaseOutcome | None, reasons: str
) -> None:
    visible(actor, case)
    workflow.check(case, "record_outcome", actor)
    errors = Errors()
    if outcome is None or outcome not in outcomes_for(case.kind):
        errors["outcome"] = "Choose the outcome from the list"
    text = errors.text(
        "reasons", reasons, label="The reasons", limit=MAX_REASONS, empty="Enter the reasons"
    )
    errors.raise_any()
    case.outcome = outcome
    case.outcome_reasons = Sensitive(text)
    case.outcome_at = utcnow()
    workflow.advance(case, "record_outcome", actor)
    record(session, case, actor, audit.Action.CASE_OUTCOME)


@dataclass(frozen=True)
class ClosureInput:
    employment_outcome: EmploymentOutcome | None
    mention_in_references: bool | None
    pension_age_on: date | None = None


def _check_closure(case: Case, data: ClosureInput) -> closure.Retention:
    """The closing answers, checked against the case (for the summary page too): the retention
    they lead to, or InvalidInput."""
    errors = Errors()
    if data.employment_outcome is None:
        errors["employment_outcome"] = "Say whether the person still works or volunteers here"
    if data.mention_in_references is None:
        errors["mention_in_references"] = "Say whether the case will be mentioned in references"
    elif data.mention_in_references and case.outcome in (CaseOutcome.MALICIOUS, CaseOutcome.FALSE):
        # KCSIE Part 4: malicious or false allegations are not referred to in references.
        errors["mention_in_references"] = (
            "A malicious or false allegation must not be mentioned in references"
        )
    retention = None
    try:
        retention = closure.retention_for(
            case, closed_on=local_today(), pension_age_on=data.pension_age_on
        )
    except closure.RetentionUnknownError as exc:
        errors["pension_age_on"] = str(exc)
    errors.raise_any()
    assert retention is not None  # noqa: S101 - narrowing: an unknown retention is an error
    return retention


# What the closing page answers, as the closure checklist reads it from the case.
_ANSWERED = ("employment_outcome", "mention_in_references", "retention_until", "retention_rule")


def _put(case: Case, values: tuple[object, ...]) -> tuple[object, ...]:
    """Set the closing answers on the case; returns what they replaced, to put back."""
    before = tuple(getattr(case, name) for name in _ANSWERED)
    for name, value in zip(_ANSWERED, values, strict=True):
        setattr(case, name, value)
    return before


def _answers(data: ClosureInput, retention: closure.Retention) -> tuple[object, ...]:
    return (data.employment_outcome, data.mention_in_references, retention.until, retention.rule)


def preview_closure(actor: User, case: Case, data: ClosureInput) -> closure.Retention:
    """For the check-your-answers page: the retention the answers lead to, or InvalidInput,
    also when the checklist refuses them (a duty that follows from them, like the DBS referral,
    or an answer the disciplinary outcome contradicts). The page is offered only once all else
    on the checklist is done, so what fails here is the answers'. Changes nothing."""
    visible(actor, case)
    workflow.check(case, "close", actor, with_guard=False)
    retention = _check_closure(case, data)
    before = _put(case, _answers(data, retention))
    refusal = workflow.blocked_reason(case, "close")
    _put(case, before)
    if refusal:
        raise InvalidInput({"employment_outcome": refusal})
    return retention


def close_case(session: Session, *, actor: User, case: Case, data: ClosureInput) -> None:
    """Refuses with TransitionNotAllowedError (the checklist's missing items) or InvalidInput,
    leaving the case as it was either way."""
    visible(actor, case)
    workflow.check(case, "close", actor, with_guard=False)
    retention = _check_closure(case, data)
    before = _put(case, _answers(data, retention))
    try:
        workflow.advance(case, "close", actor)
    except workflow.TransitionNotAllowedError:
        _put(case, before)
        raise
    case.closed_at = utcnow()
    record(session, case, actor, audit.Action.CASE_CLOSE)
