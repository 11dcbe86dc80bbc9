"""A health check for load balancers and monitoring: no data, no session."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text

from incidents.extensions import db_session
from incidents.web.access import public

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
def healthz() -> tuple[dict[str, str], int]:
    db_session().execute(text("SELECT 1"))
    return {"status": "ok"}, 200
