"""Elevated access in the web layer: the "re-enter your password" page, and `require_elevation`,
which a view calls before showing or doing something that needs it.

    grant = require_elevation(ElevationPurpose.REVEAL_REPORTER, case.id)
    if isinstance(grant, Response):
        return grant  # off to /reauthenticate, then back to this page
    ... use grant.id in the service call / audit entry ...
"""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.accounts import elevation
from incidents.accounts.forms import ReauthenticateForm
from incidents.accounts.sign_in_views import safe_next
from incidents.extensions import db_session, limiter
from incidents.models import Elevation, ElevationPurpose
from incidents.models.base import utcnow
from incidents.web.access import signed_in

bp = Blueprint("elevation", __name__)
# In the signed session cookie: until when a grant given in this sign-in session may be live.
GRANTED_UNTIL = "elevated_until"


def require_elevation(
    purpose: ElevationPurpose, record_id: uuid.UUID, back: str | None = None
) -> Elevation | Response:
    """The live grant for `purpose` on this record, or a redirect to the re-authentication
    page that comes back afterwards to `back`, by default this request's page (GET)."""
    grant = elevation.current(
        db_session(),
        actor=current_user,
        login_token=session.get("sid"),
        purpose=purpose,
        record_id=record_id,
    )
    if grant is not None:
        return grant
    if back is None:
        back = request.full_path if request.query_string else request.path
    return redirect(
        url_for(
            "elevation.reauthenticate",
            purpose_name=purpose.value,
            record=str(record_id),
            next=back,
        )
    )


def grant_until(purpose: ElevationPurpose, record_id: uuid.UUID) -> datetime | None:
    """When the live grant for `purpose` on this record ends, or None: for a page that says
    whether the next step will ask for the password. A sign-in session that has had no grant
    lately is not asked (issue 21: every case page would pay a query for a rare grant); the
    step itself always asks the database (`require_elevation`)."""
    until = session.get(GRANTED_UNTIL)
    if not isinstance(until, int | float) or until <= utcnow().timestamp():
        return None
    grant = elevation.current(
        db_session(),
        actor=current_user,
        login_token=session.get("sid"),
        purpose=purpose,
        record_id=record_id,
    )
    return None if grant is None else grant.created_at + elevation.WINDOW


@bp.route(
    "/reauthenticate/<any(reveal_reporter, open_closed_case, export):purpose_name>",
    methods=["GET", "POST"],
)
@signed_in
@limiter.limit("10 per minute; 30 per hour", methods=["POST"])
def reauthenticate(purpose_name: str) -> str | Response:
    purpose = ElevationPurpose(purpose_name)
    record_id = _record_arg()
    next_url = safe_next(request.args.get("next"))
    form = ReauthenticateForm()
    # Not the pipeline's form page: a wrong password's audit entry is kept, not rolled back.
    if form.validate_on_submit():
        db = db_session()
        grant = elevation.attempt(
            db,
            actor=current_user,
            login_token=session.get("sid"),
            purpose=purpose,
            password=form.password.data or "",
            reason=form.reason.data or "",
            record_id=record_id,
        )
        db.commit()  # the grant, or the audit entry of a wrong password
        if isinstance(grant, Elevation):
            # Only a hint that a grant may be live: `grant_until` then asks the database.
            session[GRANTED_UNTIL] = (grant.created_at + elevation.WINDOW).timestamp()
            return redirect(next_url)
        for name, message in grant.items():
            getattr(form, name).errors = [message]
    minutes = int(elevation.WINDOW.total_seconds() // 60)
    return render_template("auth/reauthenticate.html", form=form, purpose=purpose, minutes=minutes)


def _record_arg() -> uuid.UUID:
    """The record the grant is for: an opaque id in the link `require_elevation` made. A link
    without one, or with anything else, is not a page of this service."""
    try:
        return uuid.UUID(request.args.get("record", ""))
    except ValueError:
        abort(404)
