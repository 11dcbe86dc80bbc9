"""Case work on the case page: the one-button workflow steps (accepting a staff report,
starting the school's investigation) and the printable letter to a parent."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents import workflow
from incidents.casework import page as case_step
from incidents.casework.cases import queries as case_queries
from incidents.casework.cases import steps as casework
from incidents.extensions import db_session
from incidents.models import DisclosureSource
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.pipeline import button, refuse

bp = Blueprint("casework", __name__, url_prefix="/cases/<uuid:case_id>")


@bp.route("/steps/<action>", methods=["POST"])
@requires(Permission.CASE_DECIDE)
def step(case_id: uuid.UUID, action: str) -> Response:
    if action not in casework.SIMPLE_STEPS:
        abort(404)
    case = case_step.load(case_id, action)
    return button(
        lambda: casework.take_step(db_session(), actor=current_user, case=case, action=action),
        f"Done: {workflow.transition(action).label.lower()}",
    )


@bp.route("/letter")
@requires(Permission.CASE_READ)
def parent_letter(case_id: uuid.UUID) -> str:
    case = case_step.load(case_id)
    case_step.closed_case_grant(case)
    if case.source is not DisclosureSource.PARENT:
        refuse("A letter to the parent is only for a concern raised by a parent or carer")
    manager = case_queries.case_manager(db_session(), case)
    return render_template("cases/letter.html", case=case, manager=manager)
