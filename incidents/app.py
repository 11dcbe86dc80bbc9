"""The application factory: settings, keys, the database session factory, and the web layer,
assembled into one Flask app. Never the audit signing key: the web process does not read it
(issue 19, item 8; the trust boundary is in docs/security.md)."""

from __future__ import annotations

import importlib
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.middleware.proxy_fix import ProxyFix

from incidents.audit import signer_client
from incidents.config import ConfigError, Settings, load_settings
from incidents.crypto.setup import UnavailableKeyring, build_keyring
from incidents.db import make_engine, make_session_factory

# Every feature's pages (each module has one blueprint, `bp`). A new feature adds its views here;
# the access-control sweep then fails until each of its routes says who may use it.
PAGES = (
    "incidents.accounts.sign_in_views",
    "incidents.accounts.two_factor_views",
    "incidents.accounts.elevation_views",
    "incidents.web.health",
    "incidents.home.views",
    "incidents.casework.cases.report_views",
    "incidents.casework.cases.views",
    "incidents.casework.cases.step_views",
    "incidents.casework.cases.manager_views",
    "incidents.casework.reporter.views",
    "incidents.casework.triage.views",
    "incidents.casework.referrals.views",
    "incidents.casework.tasks.views",
    "incidents.casework.police.views",
    "incidents.casework.outcome.views",
    "incidents.casework.disciplinary.views",
    "incidents.casework.disciplinary.review_views",
    "incidents.casework.suspension.views",
    "incidents.casework.breach.views",
    "incidents.casework.erasure.views",
    "incidents.casework.allegation.views",
    "incidents.casework.allegation.person_views",
    "incidents.casework.evidence.views",
    "incidents.casework.letters.views",
    "incidents.casework.letters.admin_views",
    "incidents.registers.subject_access.views",
    "incidents.governance.views",
    "incidents.admin.clauses.views",
    "incidents.admin.procedures.views",
    "incidents.admin.audit.views",
    "incidents.alerts.views",
    "incidents.admin.users.views",
    "incidents.admin.people.views",
    "incidents.accounts.invitation_views",
    "incidents.accounts.password_reset_views",
    "incidents.accounts.own_account_views",
    "incidents.accounts.session_views",
    "incidents.accounts.oidc.views",
    "incidents.accounts.oidc.admin_views",
)


def create_app(
    overrides: dict[str, Any] | None = None,
    settings: Settings | None = None,
    session_factory: sessionmaker[Session] | None = None,
    allow_missing_keys: bool = False,
) -> Flask:
    """The application factory. It never migrates the database: run `incidents db upgrade`.
    Tests pass a session factory bound to their own transaction. In production a missing or
    unreadable key file stops start-up; the CLI allows it so `incidents keys init` can run."""
    from incidents.accounts.login import init_login  # these import the models: keep the top light
    from incidents.web import init_web
    from incidents.web.request_log import init_request_log

    settings = settings or load_settings()
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder="templates",
        static_folder="static",
    )
    app.config.from_mapping(settings.flask_mapping())
    if overrides:
        app.config.update(overrides)
    app.extensions["incidents.settings"] = settings
    if session_factory is not None:
        app.extensions["incidents.sessions"] = session_factory
    else:
        keyring = build_keyring(settings)
        if (
            settings.is_production
            and isinstance(keyring, UnavailableKeyring)
            and not allow_missing_keys
        ):
            raise ConfigError(str(keyring.error))
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["incidents.engine"] = engine
        sessions = make_session_factory(
            engine,
            keyring=keyring,
            audit_origin_base=settings.audit_origin_base,
        )
        if settings.signer_socket is not None:
            # A high-stakes entry is checkpointed straight away by the signer, which the web
            # app can only ask, never instruct (audit/signer_client.py).
            signer_client.ask_after_commit(sessions, settings.signer_socket)
        app.extensions["incidents.sessions"] = sessions
    init_web(app)
    init_request_log(app)
    init_login(app)
    for pages in PAGES:
        app.register_blueprint(importlib.import_module(pages).bp)
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies:
        # Behind a TLS-terminating proxy: trust its X-Forwarded-For/-Proto, so rate limits see
        # each user's address and HSTS and Secure cookies see https.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies
        )
    return app
