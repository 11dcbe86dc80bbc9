"""Police pages: record that the police are investigating (the school's own investigation waits
for them), and their result when they finish (which lifts the hold)."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents import workflow
from incidents.casework import page as case_step
from incidents.casework.police import commands as police
from incidents.casework.police.forms import PoliceResultForm
from incidents.extensions import db_session
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.pipeline import button, form_page

bp = Blueprint("police", __name__, url_prefix="/cases/<uuid:case_id>")


@bp.route("/police-result", methods=["GET", "POST"])
@requires(Permission.CASE_PROGRESS)
def police_result(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id)
    case_step.check(case, police.result_action(case))
    form = PoliceResultForm()
    return form_page(
        form,
        command=lambda: police.record_result(
            db_session(),
            actor=current_user,
            case=case,
            result=form.result.data or "",
            teacher_charged=bool(form.teacher_charged.data),
        ),
        done_message="Police result recorded: the hold is lifted",
        show=lambda: render_template(
            "casework/police_result.html",
            case=case,
            form=form,
            restricted=workflow.reporting_restriction_applies(case),
        ),
    )


@bp.route("/police-investigating", methods=["POST"])
@requires(Permission.CASE_PROGRESS)
def await_police(case_id: uuid.UUID) -> Response:
    case = case_step.load(case_id)
    return button(
        lambda: police.await_police(db_session(), actor=current_user, case=case),
        "Recorded: the school's own investigation waits for the police",
    )
