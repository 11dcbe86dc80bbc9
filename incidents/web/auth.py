"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from incidents.extensions import db_session, limiter
from incidents.services import login_sessions
from incidents.services.users import authenticate, record_sign_out
from incidents.web.access import public, signed_in
from incidents.web.forms import ConfirmForm, SignInForm

bp = Blueprint("auth", __name__)

GENERIC_FAILURE = "Enter a correct email address and password. The password is case sensitive."


def _safe_next(target: str | None) -> str:
    """Only a path on this site. Browsers drop tabs and newlines inside a URL and read a
    backslash as a slash, so "/<tab>/evil.example" would otherwise leave the site."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not any(ch == "\\" or ch.isspace() or not ch.isprintable() for ch in target)
    ):
        return target
    return url_for("home.index")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        db = db_session()
        user = authenticate(db, email=form.email.data or "", password=form.password.data or "")
        token = login_sessions.start(db, user=user) if user is not None else None
        db.commit()  # commits the audit entry for a failed attempt too
        if user is not None:
            next_url = _safe_next(request.args.get("next"))
            session.clear()  # a fresh session at sign-in: no fixation
            login_user(user)
            session["sid"] = token
            session.permanent = True
            return redirect(next_url)
        failed = True
    expired = session.pop("expired", False)
    return render_template(
        "auth/sign_in.html", form=form, failed=failed, expired=expired, message=GENERIC_FAILURE
    )


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out() -> Response:
    form = ConfirmForm()
    if form.validate_on_submit():
        db = db_session()
        record_sign_out(db, user=current_user)
        login_sessions.end(db, token=session.get("sid"))
        db.commit()
        logout_user()
        session.clear()
        flash("You have signed out")
    return redirect(url_for("auth.sign_in"))
