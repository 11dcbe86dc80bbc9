"""The idle-timeout warning's one endpoint (issue 17, item 9): "Stay signed in" starts the idle
clock again. The page learns how long it has from `data-session-seconds` (base.html) and warns
two minutes before the end (static/session-timeout.js)."""

from __future__ import annotations

from flask import Blueprint, jsonify, session
from flask.wrappers import Response

from incidents.accounts import sessions as login_sessions
from incidents.accounts.login import limits
from incidents.extensions import db_session
from incidents.web.access import signed_in

bp = Blueprint("session", __name__)


@bp.route("/session/extend", methods=["POST"])
@signed_in
def extend() -> tuple[Response, int]:
    # The CSRF token is checked before any view runs (Flask-WTF's CSRFProtect); the button
    # sends nothing else. The answer is how long the session now has: less than the idle
    # limit when the absolute limit comes first, which no button may extend.
    db = db_session()
    login_sessions.extend(db, token=session.get("sid"))
    db.commit()
    left = login_sessions.time_left(db, token=session.get("sid"), limits=limits())
    return jsonify({"seconds_left": int(left.total_seconds())}), 200
