"""Referral pages: add a referral to an agency, then one page per step of its lifecycle (made,
acknowledged, advice received, closed) or the recorded decision not to refer. Their reference,
advice and reasons are stored encrypted by the service, never echoed in a flash."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import Blueprint, abort, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from incidents.casework import page as case_step
from incidents.casework.referrals import commands as referral_service
from incidents.casework.referrals.forms import (
    AddReferralForm,
    NotReferringForm,
    ReferralAcknowledgedForm,
    ReferralAdviceForm,
    ReferralClosedForm,
    ReferralMadeForm,
)
from incidents.errors import NotFound
from incidents.extensions import db_session
from incidents.models import Agency, Case, Referral, ReferralMethod
from incidents.models import ReferralStatus as Status
from incidents.permissions import Permission
from incidents.web.access import requires

bp = Blueprint("referrals", __name__, url_prefix="/cases/<uuid:case_id>/referrals")


@dataclass(frozen=True)
class Step:
    status: Status
    form: type[FlaskForm]
    title: str  # "{agency}" is the agency's name, never personal data
    done: str


STEPS: dict[str, Step] = {
    "made": Step(
        Status.MADE, ReferralMadeForm, "Record the referral to {agency}", "Referral recorded"
    ),
    "acknowledged": Step(
        Status.ACKNOWLEDGED,
        ReferralAcknowledgedForm,
        "Record that {agency} acknowledged the referral",
        "Acknowledgement recorded",
    ),
    "advice": Step(
        Status.ADVICE_RECEIVED,
        ReferralAdviceForm,
        "Record the advice from {agency}",
        "Advice recorded",
    ),
    "closed": Step(
        Status.CLOSED, ReferralClosedForm, "Close the referral to {agency}", "Referral closed"
    ),
    "not-made": Step(
        Status.NOT_MADE,
        NotReferringForm,
        "Record a decision not to refer to {agency}",
        "Decision not to refer recorded",
    ),
}


@bp.app_template_global("referral_next_steps")
def next_steps(referral: Referral) -> list[tuple[str, str]]:
    """(step name, link text) for what may be recorded next about `referral`."""
    links = {
        "made": "Record that it was made",
        "acknowledged": "Record an acknowledgement",
        "advice": "Record their advice",
        "closed": "Close it",
        "not-made": "Record a decision not to refer",
    }
    allowed = referral_service.NEXT[referral.status]
    return [(name, links[name]) for name, step in STEPS.items() if step.status in allowed]


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CASE_PROGRESS)
def new(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id)
    refused = case_step.refusal(case, "manage_referrals")
    if refused:
        return case_step.back(case_id, refused)
    form = AddReferralForm()
    if form.validate_on_submit():
        sent = case_step.submit(
            case_id,
            form,
            lambda: referral_service.add_referral(
                db_session(), actor=current_user, case=case, agency=Agency(form.agency.data)
            ),
            lambda referral: f"Referral to {referral.agency.label} added",
            anchor="referrals",
        )
        if sent:
            return sent
    return render_template("casework/referral_new.html", case=case, form=form)


def _find(case: Case, referral_id: uuid.UUID) -> Referral:
    referral = next((r for r in case.referrals if r.id == referral_id), None)
    if referral is None:
        raise NotFound("Referral not found")
    return referral


def _update(form: FlaskForm, step: Step) -> referral_service.ReferralUpdate:
    def text(name: str) -> str:
        field = form._fields.get(name)
        return (field.data or "") if field is not None else ""

    method = form._fields.get("method")
    made_on = form._fields.get("made_on")
    return referral_service.ReferralUpdate(
        status=step.status,
        method=ReferralMethod(method.data) if method is not None and method.data else None,
        made_on=made_on.data if made_on is not None else None,
        their_reference=text("their_reference"),
        advice=text("advice"),
        reasons=text("reasons"),
    )


@bp.route("/<uuid:referral_id>/<step_name>", methods=["GET", "POST"])
@requires(Permission.CASE_PROGRESS)
def update(case_id: uuid.UUID, referral_id: uuid.UUID, step_name: str) -> str | Response:
    step = STEPS.get(step_name)
    if step is None:
        abort(404)
    case = case_step.load(case_id)
    referral = _find(case, referral_id)
    refused = case_step.refusal(case, "manage_referrals")
    if refused:
        return case_step.back(case_id, refused)
    if step.status not in referral_service.NEXT[referral.status]:
        return case_step.back(
            case_id,
            f"That cannot be recorded for a referral that is {referral.status.label.lower()}",
            anchor="referrals",
        )
    form = step.form()
    if form.validate_on_submit():
        sent = case_step.submit(
            case_id,
            form,
            lambda: referral_service.update_referral(
                db_session(),
                actor=current_user,
                case=case,
                referral_id=referral.id,
                data=_update(form, step),
            ),
            step.done,
            anchor="referrals",
        )
        if sent:
            return sent
    return render_template(
        "casework/referral_step.html",
        case=case,
        referral=referral,
        form=form,
        title=step.title.format(agency=referral.agency.label),
    )
