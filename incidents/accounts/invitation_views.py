"""The invitation link's pages. The link's token is moved into the signed session cookie at
once and the browser sent to a clean address, so it never stays in history or a log line."""

from __future__ import annotations

import segno
from flask import Blueprint, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.accounts import invitation, two_factor
from incidents.accounts import sessions as login_sessions
from incidents.accounts.forms import AcceptInvitationForm, show_errors
from incidents.accounts.sign_in_views import complete_sign_in
from incidents.accounts.tokens import MAX_TOKEN
from incidents.extensions import db_session, limiter
from incidents.permissions import needs_second_factor
from incidents.web.access import public

bp = Blueprint("invitation", __name__)
KEY = "invitation_token"


@bp.route("/invitation/<token>")
@public
@limiter.limit("20 per minute")
def link(token: str) -> Response:
    session[KEY] = token[:MAX_TOKEN]
    return redirect(url_for("invitation.accept"))


@bp.route("/invitation", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def accept() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    db = db_session()
    found = invitation.invited_user(db, session.get(KEY))
    if found is None:
        session.pop(KEY, None)
        return render_template("auth/link_expired.html", what="invitation")
    row, user = found
    enrol = needs_second_factor(user)
    secret = two_factor.pending_secret(user) if enrol else None
    if enrol and secret is None:
        secret = two_factor.begin_enrolment(db, user=user)
        db.commit()
    form = AcceptInvitationForm()
    # Not the pipeline's form page: the recovery codes are shown in this response, once.
    if form.validate_on_submit():
        codes = invitation.try_accept(
            db,
            row=row,
            user=user,
            password=form.password.data or "",
            confirm=form.confirm.data or "",
            code=form.code.data or "",
        )
        if isinstance(codes, dict):
            show_errors(form, codes)  # bad answers changed nothing
        else:
            token = login_sessions.start(db, user=user)
            db.commit()
            complete_sign_in(user, token, url_for("home.index"))
            if codes:
                return render_template("two_factor/recovery_codes.html", codes=codes)
            return redirect(url_for("home.index"))
    qr = secret_groups = None
    if secret is not None:
        qr = two_factor_qr(two_factor.provisioning_uri(user, secret))
        secret_groups = [secret[i : i + 4] for i in range(0, len(secret), 4)]
    return render_template(
        "auth/accept_invitation.html",
        form=form,
        user=user,
        enrol=enrol,
        qr=qr,
        secret_groups=secret_groups,
    )


def two_factor_qr(uri: str) -> str:
    # As on the set-up page: an SVG data URI, drawn here, allowed by the CSP's img-src.
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=4))
