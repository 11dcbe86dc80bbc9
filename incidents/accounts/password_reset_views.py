"""Forgotten password pages. The request page answers in the same words and (padded to a
fixed floor) the same time whether or not the address has an account; it is rate-limited per
client address and per address typed. The link's token moves into the session cookie at once."""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.accounts import password_reset
from incidents.accounts.forms import ForgotPasswordForm, ResetPasswordForm
from incidents.accounts.tokens import MAX_TOKEN
from incidents.extensions import close_db_session, db_session, limiter
from incidents.web.access import public
from incidents.web.pipeline import form_page

bp = Blueprint("password_reset", __name__)
KEY = "reset_token"
# Every answer to a request takes at least this long, so the time does not say whether an
# email was queued (bench/forgot_password_timing.py measures what is left).
FLOOR_SECONDS = 0.25
# Per address typed: a few emails an hour is plenty for a real person, and it stops anyone
# filling a colleague's inbox. Keyed (HMAC), never the address in clear; an unknown address is
# limited the same way, so the limit says nothing about who has an account.
PER_ACCOUNT = "3 per hour"
PER_CLIENT = "5 per minute; 20 per hour"


def _typed_address() -> str:
    typed = (request.form.get("email") or "").strip().casefold()
    key = str(current_app.config["SECRET_KEY"]).encode()
    account = hmac.new(key, b"reset:" + typed.encode(), hashlib.sha256).hexdigest()[:32]
    return f"reset:{account}"


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit(PER_CLIENT, methods=["POST"], key_func=get_remote_address)
@limiter.limit(PER_ACCOUNT, methods=["POST"], key_func=_typed_address)
def forgot() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("account.show"))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        started = time.monotonic()
        db = db_session()
        password_reset.request_reset(db, email=form.email.data or "")
        db.commit()
        # Everything that differs is done before the wait: the rows written are let go now,
        # not at teardown, and the page (the same for both) is made before it too.
        close_db_session()
        page = render_template("auth/reset_sent.html")
        time.sleep(max(0.0, FLOOR_SECONDS - (time.monotonic() - started)))
        return page
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset-password/<token>")
@public
@limiter.limit("20 per minute")
def link(token: str) -> Response:
    session[KEY] = token[:MAX_TOKEN]
    return redirect(url_for("password_reset.reset"))


@bp.route("/reset-password", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def reset() -> str | Response:
    db = db_session()
    found = password_reset.reset_link(db, session.get(KEY))
    if found is None:
        session.pop(KEY, None)
        return render_template("auth/link_expired.html", what="reset")
    row, user = found
    form = ResetPasswordForm()
    return form_page(
        form,
        command=lambda: password_reset.reset_password(
            db,
            row=row,
            user=user,
            password=form.password.data or "",
            confirm=form.confirm.data or "",
        ),
        done_message="Your password has been changed. Sign in with your new password.",
        show=lambda: render_template("auth/reset_password.html", form=form),
        then=_signed_out,
    )


def _signed_out(_: object) -> str:
    """Signed out everywhere, this browser too: sign in again, second factor and all. Called
    once the new password is committed; the message is flashed into the fresh session."""
    session.clear()
    return url_for("auth.sign_in")
