"""Admin: the school's own procedures, through the page pipeline."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.admin.procedures import commands as procedures
from incidents.admin.procedures.forms import ProceduresForm
from incidents.extensions import db_session
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.pipeline import back_to, form_page

bp = Blueprint("admin_procedures", __name__, url_prefix="/admin/procedures")


@bp.route("", methods=["GET", "POST"])
@requires(Permission.CLAUSE_MANAGE)
def edit() -> str | Response:
    back_to(url_for("admin_procedures.edit"))
    db = db_session()
    form = ProceduresForm()
    if request.method == "GET":
        current = procedures.settings_for(db, current_user.school_id)
        told = current.tell_before_monitoring
        form.tell_before_monitoring.data = None if told is None else ("yes" if told else "no")
        form.lado_working_days.data = current.lado_working_days
        form.data_breach_years.data = current.data_breach_years
        form.policy_breach_years.data = current.policy_breach_years
    answer = form.tell_before_monitoring.data
    return form_page(
        form,
        command=lambda: procedures.save_procedures(
            db,
            actor=current_user,
            data=procedures.ProceduresInput(
                tell_before_monitoring=None if not answer else answer == "yes",
                lado_working_days=form.lado_working_days.data,
                data_breach_years=form.data_breach_years.data,
                policy_breach_years=form.policy_breach_years.data,
            ),
        ),
        done_message="The school's procedures are saved",
        show=lambda: render_template("admin/procedures.html", form=form),
    )
