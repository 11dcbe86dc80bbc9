"""Your account: password, sessions, recovery codes and recent sign-ins."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.accounts import own_account, two_factor
from incidents.accounts import sessions as login_sessions
from incidents.accounts.forms import ChangePasswordForm, PasswordCheckForm, show_errors
from incidents.extensions import db_session, limiter
from incidents.web.access import signed_in
from incidents.web.forms import ConfirmForm
from incidents.web.pipeline import back_to, button, form_page

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("")
@signed_in
def show() -> str:
    db = db_session()
    sid = session.get("sid")
    return render_template(
        "account/show.html",
        sessions=login_sessions.live(db, user=current_user),
        is_this=lambda row: login_sessions.is_this(row, sid),
        sign_ins=own_account.recent_sign_ins(db, current_user),
        codes_left=two_factor.remaining_recovery_codes(db, user=current_user)
        if current_user.has_second_factor
        else None,
        form=ConfirmForm(formdata=None),
    )


@bp.route("/password", methods=["GET", "POST"])
@signed_in
@limiter.limit("10 per minute; 30 per hour", methods=["POST"])
def password() -> str | Response:
    back_to(url_for("account.show"))
    form = ChangePasswordForm()
    return form_page(
        form,
        command=lambda: own_account.change_password(
            db_session(),
            actor=current_user,
            login_token=session.get("sid"),
            current=form.current.data or "",
            password=form.password.data or "",
            confirm=form.confirm.data or "",
        ),
        done_message="Your password has been changed. Your other sessions have been signed out",
        show=lambda: render_template("account/password.html", form=form),
    )


@bp.route("/sessions/<uuid:session_id>/end", methods=["POST"])
@signed_in
def end_session(session_id: uuid.UUID) -> Response:
    back_to(url_for("account.show"))
    return button(
        lambda: own_account.end_session(
            db_session(),
            actor=current_user,
            session_id=session_id,
            login_token=session.get("sid"),
        ),
        "That session has been signed out",
    )


@bp.route("/sessions/end-others", methods=["POST"])
@signed_in
def end_others() -> Response:
    back_to(url_for("account.show"))
    return button(
        lambda: own_account.end_other_sessions(
            db_session(), actor=current_user, login_token=session.get("sid")
        ),
        "Your other sessions have been signed out",
    )


@bp.route("/recovery-codes", methods=["GET", "POST"])
@signed_in
@limiter.limit("10 per minute; 30 per hour", methods=["POST"])
def recovery_codes() -> str | Response:
    back_to(url_for("account.show"))
    form = PasswordCheckForm()
    # Not the pipeline's form page: the new codes are shown in this response, once.
    if form.validate_on_submit():
        db = db_session()
        codes = own_account.try_new_recovery_codes(
            db, actor=current_user, password=form.password.data or ""
        )
        if isinstance(codes, dict):
            show_errors(form, codes)  # a wrong password changed nothing
        else:
            db.commit()
            # Shown in this response only, like the codes made at enrolment.
            return render_template("two_factor/recovery_codes.html", codes=codes, regenerated=True)
    return render_template("account/recovery_codes.html", form=form)
