"""Staff: report a concern on one page, then see a receipt. Staff never see cases afterwards."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.casework.cases.choices import case_input, fill_case_choices
from incidents.casework.cases.commands import report_concern
from incidents.casework.cases.forms import CaseForm
from incidents.errors import InvalidInput
from incidents.extensions import db_session
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.forms import apply_service_errors

bp = Blueprint("report", __name__, url_prefix="/report")


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.CONCERN_REPORT)
def new() -> str | Response:
    form = CaseForm()
    fill_case_choices(form, current_user)
    if form.validate_on_submit():
        db = db_session()
        try:
            case = report_concern(db, actor=current_user, data=case_input(form))
        except InvalidInput as exc:
            db.rollback()
            apply_service_errors(form, exc)
        else:
            db.commit()
            # The receipt is shown once, from the session: the reporter has no case page.
            session["receipt"] = {
                "reference": case.reference,
                "at": case.recorded_at.isoformat(),
            }
            return redirect(url_for("report.receipt"))
    return render_template("report/new.html", form=form)


@bp.route("/receipt")
@requires(Permission.CONCERN_REPORT)
def receipt() -> str:
    data = session.get("receipt")
    if not isinstance(data, dict):
        abort(404)
    return render_template("report/receipt.html", receipt=data)
