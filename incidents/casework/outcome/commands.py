"""The end of a case: recording its outcome (the five KCSIE outcomes for allegations; upheld /
not upheld otherwise) and closing it once the closure checklist passes, with its retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from incidents import audit, closure, workflow
from incidents.casework.guard import record, visible
from incidents.clock import local_today
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


def _validate(case: Case, data: ClosureInput) -> None:
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
    try:
        closure.retention_for(case, closed_on=local_today(), pension_age_on=data.pension_age_on)
    except closure.RetentionUnknownError as exc:
        errors["pension_age_on"] = str(exc)
    errors.raise_any()


def close_case(session: Session, *, actor: User, case: Case, data: ClosureInput) -> None:
    """Refuses with TransitionNotAllowedError (the checklist's missing items) or InvalidInput,
    leaving the case as it was either way."""
    visible(actor, case)
    workflow.check(case, "close", actor, with_guard=False)
    _validate(case, data)
    before = (
        case.employment_outcome,
        case.mention_in_references,
        case.retention_until,
        case.retention_rule,
    )
    retention = closure.retention_for(
        case, closed_on=local_today(), pension_age_on=data.pension_age_on
    )
    case.employment_outcome = data.employment_outcome
    case.mention_in_references = data.mention_in_references
    case.retention_until = retention.until
    case.retention_rule = retention.rule
    try:
        workflow.advance(case, "close", actor)
    except workflow.TransitionNotAllowedError:
        (
            case.employment_outcome,
            case.mention_in_references,
            case.retention_until,
            case.retention_rule,
        ) = before
        raise
    case.closed_at = utcnow()
    record(session, case, actor, audit.Action.CASE_CLOSE)
