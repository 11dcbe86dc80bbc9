"""The end of a case: recording its outcome (the five KCSIE outcomes for allegations; upheld /
not upheld otherwise) and closing it once the closure checklist passes, with its retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from incidents import audit, closure, deadlines, workflow
from incidents.casework.guard import record, visible
from incidents.casework.tasks import system as task_system
from incidents.clock import local_today
from incidents.errors import InvalidInput
from incidents.models import (
    ALLEGATION_OUTCOMES,
    OTHER_OUTCOMES,
    Case,
    CaseKind,
    CaseOutcome,
    DisciplinaryStage,
    DisclosureSource,
    EmploymentOutcome,
    TaskKind,
    User,
)
from incidents.models.base import utcnow
from incidents.models.school_settings import settings_of
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_REASONS = 5_000
MAX_OFFICER = 200
# Local practice, not national rule: how soon after the outcome the review tasks fall due.
LESSONS_WORKING_DAYS = 10


def outcomes_for(kind: CaseKind | None) -> tuple[CaseOutcome, ...]:
    return ALLEGATION_OUTCOMES if kind is CaseKind.ALLEGATION else OTHER_OUTCOMES


def record_outcome(
    session: Session,
    *,
    actor: User,
    case: Case,
    outcome: CaseOutcome | None,
    reasons: str,
    lado_officer: str = "",
    lado_agreed_on: date | None = None,
) -> None:
    """An allegation's outcome is recorded as agreed with the LADO: who there agreed it, and
    when (issue 13, item 2)."""
    visible(actor, case)
    workflow.check(case, "record_outcome", actor)
    errors = Errors()
    if outcome is None or outcome not in outcomes_for(case.kind):
        errors["outcome"] = "Choose the outcome from the list"
    text = errors.text(
        "reasons", reasons, label="The reasons", limit=MAX_REASONS, empty="Enter the reasons"
    )
    officer = ""
    if case.lado_required:
        officer = errors.text(
            "lado_officer",
            lado_officer,
            label="The LADO officer's name",
            limit=MAX_OFFICER,
            empty="Enter the name of the LADO officer who agreed the outcome",
        )
        errors.day(
            "lado_agreed_on",
            lado_agreed_on,
            called="The date the LADO agreed",
            missing="Enter the date the LADO agreed the outcome",
            since=case.became_aware_on,
            too_early="The LADO cannot have agreed the outcome before the school became aware",
        )
    errors.raise_any()
    case.outcome = outcome
    case.outcome_reasons = Sensitive(text)
    case.outcome_at = utcnow()
    if officer:
        case.outcome_lado_officer = Sensitive(officer)
        case.outcome_lado_agreed_on = lado_agreed_on
    workflow.advance(case, "record_outcome", actor)
    record(session, case, actor, audit.Action.CASE_OUTCOME)
    if case.kind is CaseKind.ALLEGATION:
        _after_allegation(session, case, actor)


def _after_allegation(session: Session, case: Case, actor: User) -> None:
    """KCSIE Part 4 s.1: every allegation ends with a learning-lessons review; after a false,
    unfounded or malicious one, whether the child needs help (or children's social care) is
    considered, and after a malicious one from a child, action against the pupil. Tasks, so the
    closure checklist ("every task is done") holds the case open until they are."""
    due = deadlines.add_working_days(local_today(), LESSONS_WORKING_DAYS)
    kinds = [TaskKind.LESSONS_REVIEW]
    if case.outcome in (CaseOutcome.FALSE, CaseOutcome.UNFOUNDED, CaseOutcome.MALICIOUS):
        kinds.append(TaskKind.CONSIDER_CHILD_SUPPORT)
    if case.outcome is CaseOutcome.MALICIOUS and case.source is DisclosureSource.CHILD:
        kinds.append(TaskKind.CONSIDER_PUPIL_ACTION)
    for kind in kinds:
        task_system.create_standard(session, case, kind, assignee=actor, due_on=due)


@dataclass(frozen=True)
class ClosureInput:
    employment_outcome: EmploymentOutcome | None
    mention_in_references: bool | None
    pension_age_on: date | None = None
    # Issue 13, item 4: asked of every case on the closing page (the form requires an answer).
    removed_from_regulated_activity: bool | None = False
    teacher_serious_misconduct: bool | None = False
    # Item 7: malicious or false only; True when the person asked for it to stay on file.
    personnel_file_kept: bool | None = None


def references_refusal(case: Case) -> str | None:
    """Why this case may not be mentioned in references, if it may not (KCSIE Part 4, issue
    13 item 6): of the allegations only a substantiated one is; a low-level concern only when it
    was also misconduct (here: a disciplinary process that concluded)."""
    if case.kind is CaseKind.ALLEGATION and case.outcome is not CaseOutcome.SUBSTANTIATED:
        label = case.outcome.label.lower() if case.outcome else "undecided"
        return (
            f"Only a substantiated allegation may be mentioned in references: this one is {label}"
        )
    if case.kind is CaseKind.LOW_LEVEL_CONCERN and not any(
        p.stage is DisciplinaryStage.CONCLUDED for p in case.disciplinary_processes
    ):
        return (
            "A low-level concern is not mentioned in references unless it was also misconduct "
            "or poor performance dealt with through a disciplinary process"
        )
    return None


def _check_closure(case: Case, data: ClosureInput) -> closure.Retention:
    """The closing answers, checked against the case (for the summary page too): the retention
    they lead to, or InvalidInput."""
    errors = Errors()
    if data.employment_outcome is None:
        errors["employment_outcome"] = "Say whether the person still works or volunteers here"
    if data.mention_in_references is None:
        errors["mention_in_references"] = "Say whether the case will be mentioned in references"
    elif data.mention_in_references and (refusal := references_refusal(case)):
        errors["mention_in_references"] = refusal
    if data.removed_from_regulated_activity is None:
        errors["removed_from_regulated_activity"] = (
            "Say whether the person was removed from work with children because of harm or a "
            "risk of harm"
        )
    if data.teacher_serious_misconduct is None:
        errors["teacher_serious_misconduct"] = (
            "Say whether a teacher was dismissed, or would have been, for serious misconduct"
        )
    if data.personnel_file_kept is None and closure.off_personnel_file(case):
        errors["personnel_file_kept"] = (
            "Say whether the person asked for the allegation to stay on their personnel file"
        )
    retention = None
    try:
        own = settings_of(case, case.school_id)
        retention = closure.retention_for(
            case,
            closed_on=local_today(),
            pension_age_on=data.pension_age_on,
            data_breach_years=own.data_breach_years if own else None,
            policy_breach_years=own.policy_breach_years if own else None,
        )
    except closure.RetentionUnknownError as exc:
        errors["pension_age_on"] = str(exc)
    errors.raise_any()
    assert retention is not None  # noqa: S101 - narrowing: an unknown retention is an error
    return retention


# What the closing page answers, as the closure checklist reads it from the case.
_ANSWERED = (
    "employment_outcome",
    "mention_in_references",
    "retention_until",
    "retention_rule",
    "removed_from_regulated_activity",
    "teacher_serious_misconduct",
    "personnel_file_kept",
)


def _put(case: Case, values: tuple[object, ...]) -> tuple[object, ...]:
    """Set the closing answers on the case; returns what they replaced, to put back."""
    before = tuple(getattr(case, name) for name in _ANSWERED)
    for name, value in zip(_ANSWERED, values, strict=True):
        setattr(case, name, value)
    return before


def _answers(case: Case, data: ClosureInput, retention: closure.Retention) -> tuple[object, ...]:
    kept = data.personnel_file_kept if closure.off_personnel_file(case) else None
    return (
        data.employment_outcome,
        data.mention_in_references,
        retention.until,
        retention.rule,
        data.removed_from_regulated_activity,
        data.teacher_serious_misconduct,
        kept,
    )


def preview_closure(actor: User, case: Case, data: ClosureInput) -> closure.Retention:
    """For the check-your-answers page: the retention the answers lead to, or InvalidInput,
    also when the checklist refuses them (a duty that follows from them, like the DBS referral,
    or an answer the disciplinary outcome contradicts). The page is offered only once all else
    on the checklist is done, so what fails here is the answers'. Changes nothing."""
    visible(actor, case)
    workflow.check(case, "close", actor, with_guard=False)
    retention = _check_closure(case, data)
    before = _put(case, _answers(case, data, retention))
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
    before = _put(case, _answers(case, data, retention))
    try:
        workflow.advance(case, "close", actor)
    except workflow.TransitionNotAllowedError:
        _put(case, before)
        raise
    case.closed_at = utcnow()
    record(session, case, actor, audit.Action.CASE_CLOSE)
