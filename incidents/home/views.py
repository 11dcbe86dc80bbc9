"""The home page: what each role can do, and for a case worker their caseload."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from incidents.extensions import db_session
from incidents.home.caseload import Sort
from incidents.home.queries import due_for
from incidents.models import Role
from incidents.web.access import signed_in

bp = Blueprint("home", __name__)


@bp.route("/")
@signed_in
def index() -> str:
    roles = sorted(current_user.roles, key=list(Role).index)
    # The case list's order comes in the query string: an order is not personal data.
    sort = Sort.read(request.args.get("sort"))
    due = due_for(db_session(), actor=current_user, sort=sort)
    return render_template(
        "home.html",
        roles=roles,
        caseload=due.caseload,
        sorts={s.value: s for s in Sort},
        sar_due=due.requests,
        attention=due.attention,
    )
