"""Case work on the case page: one-button workflow steps, marking tasks done, revealing a
sealed reporter (after re-authentication) and the printable letter to a parent."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents import workflow
from incidents.casework.cases import commands as case_service
from incidents.casework.cases import steps as casework
from incidents.extensions import db_session
from incidents.models import DisclosureSource, User
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.forms import ConfirmForm

bp = Blueprint("casework", __name__, url_prefix="/cases/<uuid:case_id>")


def _back(case_id: uuid.UUID) -> Response:
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/steps/<action>", methods=["POST"])
@requires(Permission.CASE_DECIDE)
def step(case_id: uuid.UUID, action: str) -> Response:
    if action not in casework.SIMPLE_STEPS:
        abort(404)
    db = db_session()
    case = case_service.get_case(db, actor=current_user, case_id=case_id, audited=False)
    if ConfirmForm().validate_on_submit():
        try:
            casework.take_step(db, actor=current_user, case=case, action=action)
        except workflow.TransitionNotAllowedError as exc:
            db.rollback()
            flash(str(exc))
        else:
            db.commit()
            flash(f"Done: {workflow.transition(action).label.lower()}")
    return _back(case_id)


@bp.route("/letter")
@requires(Permission.CASE_READ)
def parent_letter(case_id: uuid.UUID) -> str | Response:
    db = db_session()
    case = case_service.get_case(db, actor=current_user, case_id=case_id, audited=False)
    if case.source is not DisclosureSource.PARENT:
        flash("A letter to the parent is only for a concern raised by a parent or carer")
        return _back(case_id)
    manager = db.get(User, case.case_manager_id) if case.case_manager_id else None
    return render_template("cases/letter.html", case=case, manager=manager)
