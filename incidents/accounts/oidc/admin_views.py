"""Admin: the school's identity-provider settings page. Every change needs the admin's password
and a reason (an elevation grant), like giving access to cases; a wrong password's audit entry is
kept even though nothing else is saved."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.accounts import elevation
from incidents.accounts.oidc import client as oidc
from incidents.accounts.oidc import settings as sign_in_settings
from incidents.accounts.oidc.forms import SignInSettingsForm
from incidents.extensions import db_session, limiter
from incidents.models import Elevation, ElevationPurpose
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.pipeline import back_to, form_page

bp = Blueprint("sign_in_settings", __name__, url_prefix="/admin/sign-in")


@bp.route("", methods=["GET", "POST"])
@requires(Permission.USER_MANAGE)
@limiter.limit("30 per hour", methods=["POST"])
def edit() -> str | Response:
    back_to(url_for("sign_in_settings.edit"))
    db = db_session()
    current = sign_in_settings.settings_of(db, current_user.school_id)
    form = SignInSettingsForm(obj=current if request.method == "GET" else None)
    if request.method == "GET" and current is not None:
        form.allowed_domains.data = current.allowed_domains

    def show() -> str:
        return render_template(
            "admin/sign_in_settings.html",
            form=form,
            current=current,
            secret_hint=sign_in_settings.secret_hint(current),
            redirect_uri=current_app.extensions["incidents.settings"].base_url
            + url_for("provider_sign_in.callback"),
        )

    grant: Elevation | None = None
    if form.validate_on_submit():
        result = elevation.attempt(
            db,
            actor=current_user,
            login_token=session.get("sid"),
            purpose=ElevationPurpose.SIGN_IN_SETTINGS,
            password=form.password.data or "",
            reason=form.reason.data or "",
            record_id=current_user.school_id,
        )
        if isinstance(result, dict):
            db.commit()  # only the audit entry of a wrong password, if there was one
            for name, message in result.items():
                getattr(form, name).errors = [message]
            return show()
        grant = result
    return form_page(
        form,
        command=lambda: sign_in_settings.save(
            db,
            actor=current_user,
            elevation=grant,
            answers=sign_in_settings.Answers(
                provider_name=form.provider_name.data or "",
                issuer=form.issuer.data or "",
                client_id=form.client_id.data or "",
                client_secret=form.client_secret.data or "",
                allowed_domains=form.allowed_domains.data or "",
                trust_provider_mfa=bool(form.trust_provider_mfa.data),
                passwords_off=bool(form.passwords_off.data),
            ),
            allow_http=current_app.config.get("ENV_NAME") != "production",
            discover=oidc.metadata,
        ),
        done_message="Sign-in settings saved",
        show=show,
    )
