"""Referrals to outside agencies: opening one (or a prompt the workflow creates), then the steps
of `lifecycle.REFERRAL` (draft -> made -> acknowledged -> advice received -> closed, or the
recorded decision not to refer). Making the first referral on an assessed case moves the case
to "referred"."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from incidents import audit, deadlines, workflow
from incidents.casework.guard import progressable, record
from incidents.casework.referrals.system import create_prompt, due_for, high_stakes
from incidents.clock import SCHOOL_TZ, local_today
from incidents.errors import InvalidInput, NotFound
from incidents.lifecycle import REFERRAL
from incidents.models import (
    Agency,
    Case,
    CaseState,
    Investigation,
    Referral,
    ReferralMethod,
    User,
)
from incidents.models import ReferralStatus as Status
from incidents.models.base import utcnow
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_REFERENCE = 100
MAX_ADVICE = 10_000
MAX_REASONS = 2_000
MAX_OFFICER = 200


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
    # The time it was made, "14:30": the ICO's 72 hours are judged by the instant (item 8).
    made_time: str = ""
    # The LADO's side (items 1 and 2): who spoke for the LADO, when, their threshold decision
    # and who they agreed investigates.
    officer: str = ""
    spoke_on: date | None = None
    spoke_time: str = ""
    threshold_met: bool | None = None
    investigation: Investigation | None = None


@dataclass(frozen=True)
class _Checked:
    reference: str
    advice: str
    reasons: str
    made_at: datetime | None = None
    officer: str = ""
    spoke_at: datetime | None = None
    threshold_met: bool | None = None


def asks_lado(referral: Referral, status: Status | None) -> bool:
    """The LADO's decision is asked for when its advice is recorded, and when an allegation's
    LADO referral is settled without a referral (only the LADO can say the threshold is not
    met: issue 13, item 1)."""
    return (
        referral.agency is Agency.LADO
        and referral.case.lado_required
        and status in (Status.ADVICE_RECEIVED, Status.NOT_MADE)
    )


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


def _lado_answers(
    errors: Errors, referral: Referral, data: ReferralUpdate, reference: str
) -> tuple[str, datetime | None, bool | None]:
    not_made = data.status is Status.NOT_MADE
    officer = errors.text(
        "officer",
        data.officer,
        label="The LADO officer's name",
        limit=MAX_OFFICER,
        empty=(
            "An allegation that meets the harm threshold is always referred to the LADO: "
            "record this only when the LADO says it does not meet the threshold, and enter the "
            "name of the LADO officer who said so"
            if not_made
            else "Enter the name of the LADO officer"
        ),
    )
    errors.day(
        "spoke_on",
        data.spoke_on,
        called="The date the LADO said so",
        missing="Enter the date the LADO gave their decision",
        since=referral.case.became_aware_on,
        too_early="The LADO's decision cannot be before the school became aware",
    )
    spoke_at = errors.moment(
        "spoke_time",
        data.spoke_on,
        data.spoke_time,
        called="The time the LADO said so",
        missing="Enter the time the LADO gave their decision, like 14:30",
    )
    threshold = False if not_made else data.threshold_met
    if threshold is None:
        errors["threshold_met"] = "Say whether the LADO says the harm threshold is met"
    elif threshold and data.investigation is None:
        errors["investigation"] = "Choose who the LADO agreed investigates"
    if threshold is False and not reference:
        errors.setdefault(
            "their_reference",
            "Enter the LADO's reference for their decision that the threshold is not met",
        )
    return officer, spoke_at, threshold


def _validate(
    referral: Referral, data: ReferralUpdate, today: date, action: str | None
) -> _Checked:
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
    made_at = None
    if data.status is Status.MADE:
        if data.method is None:
            errors["method"] = "Choose how the referral was made"
        if data.made_on is None:
            errors["made_on"] = "Enter the date the referral was made"
        errors.past_date("made_on", data.made_on, called="The date it was made", today=today)
        made_at = errors.moment(
            "made_time",
            data.made_on,
            data.made_time,
            called="The time it was made",
            missing=(
                "Enter the time the report was made, like 14:30: the ICO's 72 hours are "
                "counted to the minute"
                if referral.agency is Agency.ICO
                else ""
            ),
        )
        due = referral.due_at
        if due is None or data.made_on is None:
            late = False
        elif made_at is not None:
            late = made_at > due  # judged by the instant (issue 13, item 8)
        else:
            late = data.made_on > due.astimezone(SCHOOL_TZ).date()
        if late and not reasons and "reasons" not in errors:
            errors["reasons"] = "Enter why the referral was made after its deadline"
    checked = _Checked(reference, advice, reasons, made_at)
    if asks_lado(referral, data.status):
        officer, spoke_at, threshold = _lado_answers(errors, referral, data, reference)
        checked = _Checked(reference, advice, reasons, made_at, officer, spoke_at, threshold)
    errors.raise_any()
    return checked


def update_referral(
    session: Session, *, actor: User, case: Case, referral_id: uuid.UUID, data: ReferralUpdate
) -> Referral:
    """Record what has happened: a step of `lifecycle.REFERRAL`, found from the new status."""
    referral = open_referral(actor, case, referral_id)
    today = local_today()
    action = REFERRAL.action_to(referral.status, data.status) if data.status else None
    checked = _validate(referral, data, today, action)
    assert action is not None  # noqa: S101 - narrowing: checked in _validate
    REFERRAL.advance(referral, action)
    if data.status is Status.MADE:
        referral.method = data.method
        made_on = data.made_on or today
        if checked.made_at is not None:
            referral.made_at = checked.made_at
        else:
            referral.made_at = utcnow() if made_on == today else deadlines.start_of_day(made_on)
    if checked.reference:
        referral.their_reference = Sensitive(checked.reference)
    if checked.advice:
        referral.advice = Sensitive(checked.advice)
    if checked.reasons:
        referral.reasons = Sensitive(checked.reasons)
    if asks_lado(referral, data.status):
        referral.officer = Sensitive(checked.officer)
        referral.spoke_at = checked.spoke_at
        referral.threshold_met = checked.threshold_met
        referral.investigation = data.investigation if checked.threshold_met else None
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
