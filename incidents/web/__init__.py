"""The page kit every feature's pages share: templates, CSRF, rate limits, the sign-in gate,
security headers, date filters, the error pages and the one page pipeline. It registers no
feature: `app.py` lists the features' pages."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from flask_login import current_user
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.exceptions import HTTPException
from werkzeug.sansio.response import Response as BaseResponse

from incidents.crypto.envelope import CryptoError
from incidents.errors import Forbidden, NotFound
from incidents.extensions import close_db_session, csrf, limiter, login_manager
from incidents.permissions import Permission, has_permission
from incidents.web import access
from incidents.web.filters import init_filters
from incidents.web.pipeline import init_pipeline
from incidents.web.restored_forms import init_restored_forms
from incidents.web.security import init_security
from incidents.web.upload_progress import init_upload_progress

ERROR_PAGES: dict[int, tuple[str, str]] = {
    400: (
        "Sorry, there is a problem with your request",
        "Go back and try again. If you were filling in a form, your session may have timed out.",
    ),
    403: (
        "You do not have permission to see this page",
        "If you think you should have access, speak to your school's administrator.",
    ),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("Page not found", "If you typed the web address, check it is correct."),
    413: ("The information you sent is too large", "Go back and send less."),
    429: ("Too many attempts", "Wait a few minutes before you try again."),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you entered on the page that failed has been saved.",
    ),
}


def init_web(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(app.root_path + "/templates"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    # Our Referrer-Policy is no-referrer, so browsers send no Referer with a form; Flask-WTF's
    # strict referrer check on https would refuse every POST. The session-bound CSRF token and
    # the SameSite=Lax cookie still guard every form.
    app.config.setdefault("WTF_CSRF_SSL_STRICT", False)
    app.before_request(access.file_limit)  # before CSRF reads the body
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue"
    login_manager.session_protection = "strong"

    app.teardown_appcontext(close_db_session)
    app.before_request(access.gate)
    init_security(app)
    init_filters(app)
    app.context_processor(_template_context)
    _register_errors(app)
    init_pipeline(app)
    init_upload_progress(app)
    init_restored_forms(app)


def _template_context() -> dict[str, Any]:
    # The user object itself, not Flask-Login's proxy: a page reads it hundreds of times, and
    # each read through the proxy looks the user up again (issue 21).
    signed_in = current_user._get_current_object()
    user = signed_in if signed_in.is_authenticated else None
    return {
        "current_user": signed_in,
        "school_name": user.school.name if user else None,
        "can": (lambda p: user is not None and has_permission(user, Permission(p))),
    }


def _register_errors(app: Flask) -> None:
    def render_error(code: int) -> tuple[str, int]:
        title, body = ERROR_PAGES.get(code, ERROR_PAGES[500])
        return render_template("error.html", title=title, body=body, code=code), code

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[str, int] | BaseResponse:
        if exc.response is not None:
            return exc.response  # a page made for this case (the second-factor lock-out)
        return render_error(exc.code or 500)

    @app.errorhandler(NotFound)
    def _not_found(_exc: NotFound) -> tuple[str, int]:
        return render_error(404)

    @app.errorhandler(Forbidden)
    def _forbidden(_exc: Forbidden) -> tuple[str, int]:
        return render_error(403)

    @app.errorhandler(CryptoError)
    def _crypto(exc: CryptoError) -> tuple[str, int]:
        # The message names what is wrong and where (table, column, row id), never content.
        app.logger.error("encrypted record unreadable: %s", exc)
        return render_template(
            "error.html",
            title="This record cannot be read",
            body=f"The system stopped because {exc}. Nothing was changed. "
            "Tell your school's IT support, quoting this message.",
            code=500,
        ), 500

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[str, int]:
        if app.testing and not app.config.get("RENDER_500_IN_TESTS"):
            raise exc  # let the test see the real failure
        # No request data is logged, and the engine hides SQL parameters, so no personal data.
        app.logger.exception("unhandled %s", type(exc).__name__)
        return render_error(500)
