"""The page for recording a review of a parent's, governor's, volunteer's or contractor's
sanction or measure (continue, end or change it, with reasons), for the case manager while the
measure is in force. Flashes are fixed wording: never the measure or the reasons."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.casework import page as case_step
from incidents.casework.disciplinary import reviews as service
from incidents.casework.disciplinary.forms import MeasureReviewForm
from incidents.extensions import db_session
from incidents.models import ReviewDecision
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.pipeline import form_page

bp = Blueprint("measure_reviews", __name__, url_prefix="/cases/<uuid:case_id>/measures")
ANCHOR = "disciplinary"


@bp.route("/<uuid:measure_id>/review", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def review(case_id: uuid.UUID, measure_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, anchor=ANCHOR)
    measure = service.open_measure(current_user, case, measure_id)
    form = MeasureReviewForm()
    return form_page(
        form,
        command=lambda: service.record_review(
            db_session(),
            actor=current_user,
            case=case,
            measure_id=measure.id,
            data=service.ReviewInput(
                decision=ReviewDecision(form.decision.data),
                reviewed_on=form.reviewed_on.data,
                reasons=form.reasons.data or "",
                changes=form.changes.data or "",
                ends_on=form.ends_on.data,
                next_review_on=form.next_review_on.data,
            ),
        ),
        done_message="Review recorded",
        show=lambda: render_template(
            "disciplinary/review.html",
            case=case,
            form=form,
            measure=measure,
            title="Record a review of a sanction or measure",
        ),
    )
