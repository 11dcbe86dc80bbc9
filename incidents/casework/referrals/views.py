"""Referral pages: add a referral to an agency, then one page per step of its lifecycle
(`lifecycle.REFERRAL`: made, acknowledged, advice received, closed, or the recorded decision
not to refer). Their reference, advice and reasons are stored encrypted by the service, never
echoed in a flash."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms.validators import Optional

from incidents.casework import page as case_step
from incidents.casework.referrals import commands as referral_service
from incidents.casework.referrals.forms import (
    LADO_FIELDS,
    AddReferralForm,
    NotReferringForm,
    ReferralAcknowledgedForm,
    ReferralAdviceForm,
    ReferralClosedForm,
    ReferralMadeForm,
)
from incidents.extensions import db_session
from incidents.lifecycle import REFERRAL
from incidents.models import Agency, Investigation, Referral, ReferralMethod
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.pipeline import form_page

bp = Blueprint("referrals", __name__, url_prefix="/cases/<uuid:case_id>/referrals")
ANCHOR = "referrals"


@dataclass(frozen=True)
class Step:
    form: type[FlaskForm]
    title: str  # "{agency}" is the agency's name, never personal data
    done: str


# One page per action of `lifecycle.REFERRAL`, by the action's name.
STEPS: dict[str, Step] = {
    "made": Step(ReferralMadeForm, "Record the referral to {agency}", "Referral recorded"),
    "acknowledged": Step(
        ReferralAcknowledgedForm,
        "Record that {agency} acknowledged the referral",
        "Acknowledgement recorded",
    ),
    "advice": Step(ReferralAdviceForm, "Record the advice from {agency}", "Advice recorded"),
    "closed": Step(ReferralClosedForm, "Close the referral to {agency}", "Referral closed"),
    "not-made": Step(
        NotReferringForm,
        "Record a decision not to refer to {agency}",
        "Decision not to refer recorded",
    ),
}


@bp.app_template_global("referral_next_steps")
def next_steps(referral: Referral) -> list[tuple[str, str]]:
    """(step name, link text) for what may be recorded next about `referral`."""
    return [(move.action, move.label) for move in REFERRAL.offered(referral)]


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CASE_PROGRESS)
def new(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "manage_referrals", anchor=ANCHOR)
    form = AddReferralForm()
    return form_page(
        form,
        command=lambda: referral_service.add_referral(
            db_session(), actor=current_user, case=case, agency=Agency(form.agency.data)
        ),
        done_message=lambda referral: f"Referral to {referral.agency.label} added",
        show=lambda: render_template("casework/referral_new.html", case=case, form=form),
    )


def _update(form: FlaskForm, action: str) -> referral_service.ReferralUpdate:
    def text(name: str) -> str:
        field = form._fields.get(name)
        return (field.data or "") if field is not None else ""

    def data(name: str) -> Any:
        field = form._fields.get(name)
        return field.data if field is not None else None

    method, threshold, investigation = data("method"), data("threshold_met"), data("investigation")
    return referral_service.ReferralUpdate(
        status=REFERRAL.move(action).to_state,
        method=ReferralMethod(method) if method else None,
        made_on=data("made_on"),
        their_reference=text("their_reference"),
        advice=text("advice"),
        reasons=text("reasons"),
        made_time=text("made_time"),
        officer=text("officer"),
        spoke_on=data("spoke_on"),
        spoke_time=text("spoke_time"),
        threshold_met=None if not threshold else threshold == "yes",
        investigation=Investigation(investigation) if investigation else None,
    )


@bp.route("/<uuid:referral_id>/<step_name>", methods=["GET", "POST"])
@requires(Permission.CASE_PROGRESS)
def update(case_id: uuid.UUID, referral_id: uuid.UUID, step_name: str) -> str | Response:
    step = STEPS.get(step_name)
    if step is None:
        abort(404)
    case = case_step.load(case_id, anchor=ANCHOR)
    # Refused here, with the table's reason, when the referral cannot take this step now.
    referral = referral_service.open_referral(current_user, case, referral_id, step_name)
    form = step.form()
    lado = referral_service.asks_lado(referral, REFERRAL.move(step_name).to_state)
    for name in LADO_FIELDS:
        if name in form._fields and not lado:
            del form[name]
    if lado and "investigation" in form._fields:
        # Asked only when the threshold is met: the service says so when it is missing.
        form.investigation.validators = [Optional()]
    return form_page(
        form,
        command=lambda: referral_service.update_referral(
            db_session(),
            actor=current_user,
            case=case,
            referral_id=referral.id,
            data=_update(form, step_name),
        ),
        done_message=step.done,
        show=lambda: render_template(
            "casework/referral_step.html",
            case=case,
            referral=referral,
            form=form,
            title=step.title.format(agency=referral.agency.label),
            lado=lado,
        ),
    )
