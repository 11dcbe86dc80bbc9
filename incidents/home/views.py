"""The home page: what each role can do, in one place."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from incidents.extensions import db_session
from incidents.home.queries import due_for
from incidents.models import Role
from incidents.web.access import signed_in

bp = Blueprint("home", __name__)


@bp.route("/")
@signed_in
def index() -> str:
    roles = sorted(current_user.roles, key=list(Role).index)
    due = due_for(db_session(), actor=current_user)
    return render_template(
        "home.html",
        roles=roles,
        due=due.case_work,
        sar_due=due.requests,
        attention=due.attention,
    )
