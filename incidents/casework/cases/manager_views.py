"""Changing the case manager (KCSIE Part 4): the headteacher or the chair gives the case to
someone else who can manage cases, never to a subject, with a reason."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from incidents.casework import page as case_step
from incidents.casework.cases import managers
from incidents.casework.cases.forms import CaseManagerForm
from incidents.extensions import db_session
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.pipeline import form_page

bp = Blueprint("case_manager", __name__, url_prefix="/cases/<uuid:case_id>")


@bp.route("/case-manager", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def change(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "change_case_manager")
    db = db_session()
    form = CaseManagerForm()
    form.manager.choices = [
        SelectChoice(str(u.id), f"{u.display_name} ({', '.join(sorted(r.label for r in u.roles))})")
        for u in managers.eligible_managers(db, case)
    ]
    return form_page(
        form,
        command=lambda: managers.change_case_manager(
            db,
            actor=current_user,
            case=case,
            manager_id=uuid.UUID(form.manager.data),
            reason=form.reason.data or "",
        ),
        done_message="Case manager changed",
        show=lambda: render_template("casework/case_manager.html", case=case, form=form),
    )
