"""Triage pages: the first harm-threshold decision and a later change of track, each with its
reasons, through the page pipeline."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.casework import page as case_step
from incidents.casework.triage import commands as triage_service
from incidents.casework.triage.forms import TriageForm
from incidents.extensions import db_session
from incidents.models import CaseKind, ThresholdAnswer
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.pipeline import form_page

bp = Blueprint("triage", __name__, url_prefix="/cases/<uuid:case_id>")

LIMB_FIELDS = tuple(name for name, _ in triage_service.LIMBS)


def _input(form: TriageForm) -> triage_service.TriageInput:
    def answer(name: str) -> ThresholdAnswer | None:
        raw = form[name].data
        return ThresholdAnswer(raw) if raw else None

    return triage_service.TriageInput(
        harmed_child=answer("harmed_child"),
        criminal_offence=answer("criminal_offence"),
        risk_of_harm=answer("risk_of_harm"),
        unsuitable=answer("unsuitable"),
        kind=CaseKind(form.kind.data) if form.kind.data else None,
        reasons=form.reasons.data or "",
        personal_data_exposed=(
            None
            if not form.personal_data_exposed.data
            else form.personal_data_exposed.data == "yes"
        ),
        breach_aware_on=form.breach_aware_on.data,
        breach_aware_time=form.breach_aware_time.data or "",
    )


def _decide(case_id: uuid.UUID, action: str) -> str | Response:
    case = case_step.load(case_id, action)
    form = TriageForm()
    if request.method == "GET" and action == "change_track" and case.latest_triage:
        # A change of track starts from the last answers; the new track is chosen afresh.
        for name in LIMB_FIELDS:
            form[name].data = getattr(case.latest_triage, name).value
        form.personal_data_exposed.data = "yes" if case.personal_data_exposed else "no"
    decide = triage_service.triage if action == "triage" else triage_service.change_track
    return form_page(
        form,
        command=lambda: decide(db_session(), actor=current_user, case=case, data=_input(form)),
        done_message=lambda decision: f"Decision saved: the case is now {decision.kind.label}",
        show=lambda: render_template(
            "casework/triage.html",
            case=case,
            form=form,
            limbs=LIMB_FIELDS,
            changing=action == "change_track",
        ),
    )


@bp.route("/triage", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def triage(case_id: uuid.UUID) -> str | Response:
    return _decide(case_id, "triage")


@bp.route("/track", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def change_track(case_id: uuid.UUID) -> str | Response:
    return _decide(case_id, "change_track")
