"""Signing in with the school's identity provider: the button's start (off to the provider with
state, nonce and PKCE) and the callback (check everything, then the same sign-in as a password:
the rate limits, the session, the audit entries and, unless trusted, the second factor)."""

from __future__ import annotations

import hmac
import time
import uuid

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.accounts import sessions as login_sessions
from incidents.accounts.oidc import client as oidc
from incidents.accounts.oidc.matching import Refusal, SignInRefused, match, record_refusal
from incidents.accounts.oidc.settings import settings_of
from incidents.accounts.sign_in_views import PENDING, complete_sign_in, failed_attempt, safe_next
from incidents.extensions import db_session, limiter
from incidents.models import SignInSettings
from incidents.web.access import PROVIDER_MFA, public

bp = Blueprint("provider_sign_in", __name__, url_prefix="/sign-in/provider")

# The browser's request in flight: state, nonce, PKCE verifier, school, when, where next.
FLOW = "provider_flow"
# Time allowed at the provider (typing a password, approving on a phone).
FLOW_SECONDS = 600

MESSAGES = {
    Refusal.STATE: "The sign-in could not be finished because it was started in another window, "
    "was already used, or took too long. Go back to the sign-in page and try again.",
    Refusal.PROVIDER: "{provider} did not complete the sign-in. Go back to the sign-in page and "
    "try again. If it keeps happening, tell your school's administrator.",
    Refusal.TOKEN: "The answer from {provider} could not be checked, so you have not been signed "
    "in. Try again. If it keeps happening, tell your school's administrator.",
    Refusal.EMAIL_NOT_VERIFIED: "{provider} has not confirmed the email address of the account "
    "you used. Sign in with your school account.",
    Refusal.DOMAIN: "The account you used is not one your school allows here. Sign in with your "
    "school account.",
    Refusal.UNKNOWN_USER: "There is no account for you in this service. Ask your school's "
    "administrator to invite you.",
    Refusal.DEACTIVATED: "Your account has been deactivated. If you think this is wrong, speak "
    "to your school's administrator.",
    Refusal.LINKED_ELSEWHERE: "Your account here is already linked to another {provider} account. "
    "Sign in with that account, or ask your school's administrator for help.",
}


def _client(settings: SignInSettings) -> oidc.Client:
    base = current_app.extensions["incidents.settings"].base_url
    return oidc.Client(
        issuer=settings.issuer,
        client_id=settings.client_id,
        client_secret=settings.client_secret.reveal(),
        redirect_uri=base + url_for("provider_sign_in.callback"),
    )


def _allow_http() -> bool:
    return current_app.config.get("ENV_NAME") != "production"


@bp.route("/<uuid:school_id>")
@public
# Generous: a whole staff room signs in at 8.30 from the school's one address, and a start
# only redirects (the discovery document is cached). The callback's limit counts failures.
@limiter.limit("120 per minute")
def start(school_id: uuid.UUID) -> Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    settings = settings_of(db_session(), school_id)
    if settings is None:
        abort(404)
    if not oidc.is_allowed_issuer(settings.issuer, allow_http=_allow_http()):
        abort(404)  # saved in development, now running in production: never over http
    try:
        flow = oidc.start(_client(settings), state_prefix=str(school_id))
    except oidc.ProviderError as exc:
        current_app.logger.warning("identity provider unavailable: %s", exc)
        return _refused(Refusal.PROVIDER, settings.provider_name, 502)
    session[FLOW] = {
        "state": flow.state,
        "nonce": flow.nonce,
        "verifier": flow.code_verifier,
        "school": str(school_id),
        "at": int(time.time()),
        "next": safe_next(request.args.get("next")),
    }
    return redirect(flow.url)


def _refused(refusal: Refusal, provider: str, code: int = 403) -> tuple[str, int]:
    message = MESSAGES[refusal].format(provider=provider or "Your identity provider")
    return render_template("auth/provider_refused.html", message=message), code


def _school_in_state(state: str) -> SignInSettings | None:
    """The school named at the front of a returned state, for the refusal's audit entry only:
    nothing is trusted from it until it matches the state this browser was given."""
    try:
        school_id = uuid.UUID(state.partition(".")[0])
    except ValueError:
        return None
    return settings_of(db_session(), school_id)


@bp.route("/callback")
@public
@limiter.limit("10 per minute; 50 per hour", deduct_when=failed_attempt)
def callback() -> Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    # One use: the request in flight leaves the session now, so the same answer replayed, or
    # a second answer to it, finds nothing to match.
    flow = session.pop(FLOW, None)
    returned = request.args.get("state", "")
    db = db_session()
    if (
        not isinstance(flow, dict)
        or not returned
        or not hmac.compare_digest(str(flow.get("state", "")), returned)
        or time.time() - float(flow.get("at", 0)) > FLOW_SECONDS
    ):
        named = _school_in_state(returned)
        if named is not None:
            record_refusal(db, school_id=named.school_id, refusal=Refusal.STATE)
            db.commit()
        return _refused(Refusal.STATE, named.provider_name if named else "", 400)
    settings = settings_of(db, uuid.UUID(flow["school"]))
    if settings is None:
        return _refused(Refusal.STATE, "", 400)
    return _finish(settings, flow)


def _finish(settings: SignInSettings, flow: dict[str, str]) -> Response | tuple[str, int]:
    db = db_session()
    name = settings.provider_name
    code = request.args.get("code", "")
    if request.args.get("error") or not code:
        record_refusal(db, school_id=settings.school_id, refusal=Refusal.PROVIDER)
        db.commit()
        return _refused(Refusal.PROVIDER, name)
    client = _client(settings)
    try:
        token = oidc.exchange_code(client, code=code, code_verifier=flow["verifier"])
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise oidc.ProviderError("no ID token in the token response")
        claims = oidc.verify_id_token(
            client, id_token, nonce=flow["nonce"], now=lambda: int(time.time())
        )
    except oidc.ProviderError as exc:
        current_app.logger.warning("identity provider sign-in failed: %s", exc)
        record_refusal(db, school_id=settings.school_id, refusal=Refusal.PROVIDER)
        db.commit()
        return _refused(Refusal.PROVIDER, name)
    except oidc.TokenRefused as exc:
        record_refusal(db, school_id=settings.school_id, refusal=Refusal.TOKEN, detail=exc.reason)
        db.commit()
        return _refused(Refusal.TOKEN, name)
    try:
        matched = match(db, settings=settings, claims=claims)
    except SignInRefused as exc:  # raised before anything is written
        record_refusal(db, school_id=settings.school_id, refusal=exc.refusal, user=exc.user)
        db.commit()
        return _refused(exc.refusal, name)
    user = matched.user
    trusted = settings.trust_provider_mfa and matched.provider_mfa
    needs_code = user.has_second_factor and not trusted
    token_for_cookie = None if needs_code else login_sessions.start(db, user=user)
    db.commit()
    next_url = safe_next(flow.get("next"))
    if needs_code:
        # As after a correct password: half-way, nobody signed in until the code is right.
        session.clear()
        session[PENDING] = {"user": str(user.id), "at": int(time.time()), "next": next_url}
        return redirect(url_for("auth.second_factor"))
    complete_sign_in(user, token_for_cookie, next_url)
    if trusted:
        session[PROVIDER_MFA] = True
    return redirect(next_url)
