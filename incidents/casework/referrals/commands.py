"""Referrals to outside agencies: opening one (or a prompt the workflow creates), then the steps
of `lifecycle.REFERRAL` (draft -> made -> acknowledged -> advice received -> closed, or the
recorded decision not to refer). Making the first referral on an assessed case moves the case
to "referred"."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from incidents import audit, deadlines, workflow
from incidents.casework.guard import progressable, record
from incidents.casework.referrals.system import create_prompt, due_for, high_stakes
from incidents.clock import SCHOOL_TZ, local_today
from incidents.errors import InvalidInput, NotFound
from incidents.lifecycle import REFERRAL
from incidents.models import Agency, Case, CaseState, Referral, ReferralMethod, User
from incidents.models import ReferralStatus as Status
from incidents.models.base import utcnow
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_REFERENCE = 100
MAX_ADVICE = 10_000
MAX_REASONS = 2_000


def add_referral(session: Session, *, actor: User, case: Case, agency: Agency) -> Referral:
    progressable(actor, case)
    workflow.check(case, "manage_referrals", actor)
    if any(r.agency is agency and r.is_open for r in case.referrals):
        raise InvalidInput({"agency": "There is already an open referral to this agency"})
    return create_prompt(session, case, agency, due_at=due_for(case, agency), actor=actor)


@dataclass(frozen=True)
class ReferralUpdate:
    status: Status | None
    method: ReferralMethod | None = None
    made_on: date | None = None
    their_reference: str = ""
    advice: str = ""
    reasons: str = ""


def open_referral(
    actor: User, case: Case, referral_id: uuid.UUID, action: str | None = None
) -> Referral:
    """The referral, if this user may record on the case's referrals now and, with `action`
    (one of `lifecycle.REFERRAL`'s), if that step is possible for it now; otherwise NotFound,
    or Refused with the reason."""
    progressable(actor, case)
    referral = next((r for r in case.referrals if r.id == referral_id), None)
    if referral is None:
        raise NotFound("Referral not found")
    workflow.check(case, "manage_referrals", actor)
    if action is not None:
        REFERRAL.check(referral, action)
    return referral


def _validate(
    referral: Referral, data: ReferralUpdate, today: date, action: str | None
) -> tuple[str, str, str]:
    """The answers as they will be stored; `action` is None when `data.status` is not a step
    the referral can take now."""
    errors = Errors()
    if action is None:
        errors["status"] = "Choose what has happened from the list"
    reference = errors.text(
        "their_reference", data.their_reference, label="Their reference", limit=MAX_REFERENCE
    )
    advice = errors.text(
        "advice",
        data.advice,
        label="The advice",
        limit=MAX_ADVICE,
        empty="Enter the advice they gave" if data.status is Status.ADVICE_RECEIVED else "",
    )
    reasons = errors.text(
        "reasons",
        data.reasons,
        label="The reasons",
        limit=MAX_REASONS,
        empty="Enter why it is not being referred" if data.status is Status.NOT_MADE else "",
    )
    if data.status is Status.MADE:
        if data.method is None:
            errors["method"] = "Choose how the referral was made"
        if data.made_on is None:
            errors["made_on"] = "Enter the date the referral was made"
        errors.past_date("made_on", data.made_on, called="The date it was made", today=today)
        due = referral.due_at
        late = (
            due is not None
            and data.made_on is not None
            and data.made_on > due.astimezone(SCHOOL_TZ).date()
        )
        if late and not reasons and "reasons" not in errors:
            errors["reasons"] = "Enter why the referral was made after its deadline"
    errors.raise_any()
    return reference, advice, reasons


def update_referral(
    session: Session, *, actor: User, case: Case, referral_id: uuid.UUID, data: ReferralUpdate
) -> Referral:
    """Record what has happened: a step of `lifecycle.REFERRAL`, found from the new status."""
    referral = open_referral(actor, case, referral_id)
    today = local_today()
    action = REFERRAL.action_to(referral.status, data.status) if data.status else None
    reference, advice, reasons = _validate(referral, data, today, action)
    assert action is not None  # noqa: S101 - narrowing: checked in _validate
    REFERRAL.advance(referral, action)
    if data.status is Status.MADE:
        referral.method = data.method
        made_on = data.made_on or today
        referral.made_at = utcnow() if made_on == today else deadlines.start_of_day(made_on)
    if reference:
        referral.their_reference = Sensitive(reference)
    if advice:
        referral.advice = Sensitive(advice)
    if reasons:
        referral.reasons = Sensitive(reasons)
    referral.updated_at = utcnow()
    referral.updated_by_id = actor.id
    entry = (
        audit.Action.REFERRAL_NOT_MADE
        if data.status is Status.NOT_MADE
        else audit.Action.REFERRAL_UPDATE
    )
    record(
        session,
        case,
        actor,
        entry,
        object_type="referral",
        object_id=referral.id,
        checkpoint=high_stakes(referral),
    )
    if data.status is Status.MADE and case.state is CaseState.ASSESSED:
        workflow.advance(case, "refer", actor)
    return referral
