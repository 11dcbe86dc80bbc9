"""Revealing a sealed reporter to the case manager, after re-authentication and a reason. The
identity is shown on this page only: never stored in the session, a flash or a URL."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.accounts.elevation_views import require_elevation
from incidents.casework import page as case_step
from incidents.casework.reporter import commands as reporter
from incidents.extensions import db_session
from incidents.models import ElevationPurpose
from incidents.permissions import Permission
from incidents.web.access import requires

bp = Blueprint("reporter", __name__, url_prefix="/cases/<uuid:case_id>")


@bp.route("/reporter")
@requires(Permission.CASE_DECIDE)
def reveal_reporter(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "reveal_reporter")
    grant = require_elevation(ElevationPurpose.REVEAL_REPORTER, case.id)
    if isinstance(grant, Response):
        return grant
    db = db_session()
    identity = reporter.reveal(db, actor=current_user, case=case, grant=grant)
    db.commit()
    return render_template("cases/reporter.html", case=case, identity=identity)
