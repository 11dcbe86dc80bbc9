"""Signing in and out: the password, then (for an enrolled user) the second factor."""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.wrappers import Response as FlaskResponse
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from incidents.accounts import drafts, two_factor
from incidents.accounts import sessions as login_sessions
from incidents.accounts.forms import CodeForm, SignInForm
from incidents.accounts.login import KEPT, note_waiting_drafts
from incidents.accounts.oidc import settings as provider_settings
from incidents.accounts.users import authenticate, load_user, record_sign_out
from incidents.errors import Refused
from incidents.extensions import db_session, limiter
from incidents.models import User
from incidents.web.access import public, signed_in
from incidents.web.pipeline import back_to, button

bp = Blueprint("auth", __name__)

GENERIC_FAILURE = "Enter a correct email address and password. The password is case sensitive."
PASSWORDS_OFF = (
    "Your school has switched off signing in with a password. Use the button to sign in with "
    "your school account."
)


def safe_next(target: str | None) -> str:
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


def failed_attempt(response: FlaskResponse) -> bool:
    """Only a failed attempt counts towards a limit: a success moves on (a redirect), so a DSL
    whose idle timeout ends twenty times a day is never locked out for signing in again."""
    return response.status_code != 302


# Password attempts on one account (issue 19, item 15). Not a limit on the account alone: staff
# email addresses are public (the school website, every email they send), so anyone could keep
# a headteacher, or every DSL in a school, out of the service by typing wrong passwords for
# them, from anywhere. Instead the account and the address it is tried from together: a
# guesser is slowed to 5 wrong passwords per 10 minutes and 20 an hour on any one account (the
# address limit above allows 50 an hour), while the owner, signing in from anywhere else, is
# never refused. The worst an insider on the school's own shared address can do is what the
# address limit already allows: keep one account out, from that address, for up to an hour.
# Only failures count, as for the second factor.
ACCOUNT_ATTEMPTS = "5 per 10 minutes; 20 per hour"
ACCOUNT_LIMITED = (
    "You have entered a wrong password for this account too many times. "
    "Wait 10 minutes, then try again."
)


def _account_and_address() -> str:
    """Rate-limit key for the account typed in and the client's address. The email address is
    keyed (HMAC under the secret key), never stored in the limiter's storage in clear; an
    unknown address is limited the same way, so the limit says nothing about who has an
    account."""
    typed = (request.form.get("email") or "").strip().casefold()
    key = str(current_app.config["SECRET_KEY"]).encode()
    account = hmac.new(key, typed.encode(), hashlib.sha256).hexdigest()[:32]
    return f"sign-in:{account}:{get_remote_address()}"


def _account_limited(_limit: RequestLimit) -> FlaskResponse:
    return make_response(
        render_template("error.html", title="Too many attempts", body=ACCOUNT_LIMITED, code=429),
        429,
    )


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute; 50 per hour", methods=["POST"], deduct_when=failed_attempt)
@limiter.limit(
    ACCOUNT_ATTEMPTS,
    methods=["POST"],
    key_func=_account_and_address,
    on_breach=_account_limited,
    deduct_when=failed_attempt,
)
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    failed = False
    message = GENERIC_FAILURE
    if form.validate_on_submit():
        db = db_session()
        refused_by_school: list[bool] = []

        def passwords_refused(user: User) -> bool:
            # Asked only after a correct password: the message then says nothing about who
            # has an account.
            refused_by_school.append(provider_settings.passwords_off(db, user.school_id))
            return refused_by_school[-1]

        user = authenticate(
            db,
            email=form.email.data or "",
            password=form.password.data or "",
            passwords_refused=passwords_refused,
        )
        if any(refused_by_school):
            message = PASSWORDS_OFF
        needs_code = user is not None and user.has_second_factor
        token = login_sessions.start(db, user=user) if user and not needs_code else None
        db.commit()  # commits the audit entry for a failed attempt too
        next_url = safe_next(request.args.get("next"))
        if user is not None and needs_code:
            session.clear()
            # Half-way: the password is right, nobody is signed in until the code is too.
            session[PENDING] = {"user": str(user.id), "at": int(time.time()), "next": next_url}
            return redirect(url_for("auth.second_factor"))
        if user is not None:
            complete_sign_in(user, token, next_url)
            return redirect(next_url)
        failed = True
    expired = session.pop("expired", False)
    kept = session.pop(KEPT, False)
    return render_template(
        "auth/sign_in.html",
        form=form,
        failed=failed,
        expired=expired,
        kept=kept,
        kept_minutes=int(drafts.LIFETIME.total_seconds() // 60),
        message=message,
        providers=provider_settings.offered(db_session()),
    )


def complete_sign_in(user: User, token: str | None, next_url: str) -> None:
    session.clear()  # a fresh session at sign-in: no fixation
    login_user(user)
    session["sid"] = token
    session.permanent = True
    note_waiting_drafts(user)  # a form sent after the last session ended is given back


# --- the second factor --------------------------------------------------------------------------

PENDING = "pending_2fa"
# Time allowed between a correct password and the code: long enough to find the phone.
PENDING_SECONDS = 300
SIGN_IN_AGAIN = "Sign in again to continue"
LOCKED_OUT = (
    "You have entered a security code too many times. Wait 10 minutes, then sign in again. "
    "If you have lost your phone, ask your school's administrator to reset your two-factor sign-in."
)


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    return load_user(db_session(), str(pending.get("user", "")))


def _account_key() -> str:
    """Rate-limit key for the account being signed in to (an opaque id, not the email)."""
    pending = session.get(PENDING)
    if isinstance(pending, dict) and pending.get("user"):
        return f"account:{pending['user']}"
    return f"address:{get_remote_address()}"


def _locked_out(_limit: RequestLimit) -> FlaskResponse:
    pending = session.get(PENDING)
    if isinstance(pending, dict):
        db = db_session()
        user = load_user(db, str(pending.get("user", "")))
        if user is not None:
            two_factor.record_lockout(db, user=user)
            db.commit()
    # A flask (not werkzeug) Response: Flask-Limiter only uses a callback's answer if it is one.
    return make_response(render_template("auth/locked_out.html", message=LOCKED_OUT), 429)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
@limiter.limit(
    "10 per minute; 50 per hour",
    methods=["POST"],
    on_breach=_locked_out,
    deduct_when=failed_attempt,
)
@limiter.limit(
    "5 per 10 minutes; 20 per day",
    methods=["POST"],
    key_func=_account_key,
    on_breach=_locked_out,
    deduct_when=failed_attempt,
)
def second_factor() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        back_to(url_for("auth.sign_in"))
        raise Refused(SIGN_IN_AGAIN)
    form = CodeForm()
    if form.validate_on_submit():
        db = db_session()
        ok = two_factor.verify(db, user=user, code=form.code.data or "")
        token = login_sessions.start(db, user=user) if ok else None
        db.commit()  # the failed attempt's audit entry too
        if ok:
            next_url = safe_next(session[PENDING].get("next"))
            complete_sign_in(user, token, next_url)
            return redirect(next_url)
        form.code.errors = [two_factor.CODE_ERROR]
    return render_template("auth/second_factor.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out() -> Response:
    back_to(url_for("auth.sign_in"))
    return button(_sign_out, "You have signed out")


def _sign_out() -> None:
    db = db_session()
    record_sign_out(db, user=current_user)
    login_sessions.end(db, token=session.get("sid"))
    logout_user()
    session.clear()  # the pipeline commits, then says "signed out" in the fresh session
