"""The home page: what each role can do, in one place."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from incidents.extensions import db_session
from incidents.home.queries import due_items
from incidents.models import Role
from incidents.permissions import Permission, has_permission
from incidents.registers.subject_access import commands as subject_access
from incidents.web.access import signed_in

bp = Blueprint("home", __name__)


@bp.route("/")
@signed_in
def index() -> str:
    roles = sorted(current_user.roles, key=list(Role).index)
    due = (
        due_items(db_session(), actor=current_user)
        if has_permission(current_user, Permission.CASE_PROGRESS)
        else []
    )
    sar_due = subject_access.due_requests(db_session(), actor=current_user)
    return render_template("home.html", roles=roles, due=due, sar_due=sar_due)
