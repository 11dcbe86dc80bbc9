"""The application factory: settings, keys and the signer, the database session factory, and
the web layer, assembled into one Flask app."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.middleware.proxy_fix import ProxyFix

from config import ConfigError, Settings, load_settings
from incidents.crypto.keys import KeyFileError
from incidents.crypto.setup import UnavailableKeyring, build_keyring, load_signer
from incidents.db import make_engine, make_session_factory


def create_app(
    overrides: dict[str, Any] | None = None,
    settings: Settings | None = None,
    session_factory: sessionmaker[Session] | None = None,
    allow_missing_keys: bool = False,
) -> Flask:
    """The application factory. It never migrates the database: run `incidents db upgrade`.
    Tests pass a session factory bound to their own transaction. In production a missing or
    unreadable key file stops start-up; the CLI allows it so `incidents keys init` can run."""
    from incidents.web import init_web  # the web layer imports models; keep the top light

    settings = settings or load_settings()
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder="../templates",
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
        signer = load_signer(settings)
        if settings.is_production and isinstance(signer, KeyFileError) and not allow_missing_keys:
            raise ConfigError(str(signer))
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["incidents.engine"] = engine
        app.extensions["incidents.sessions"] = make_session_factory(
            engine,
            keyring=keyring,
            signer=None if isinstance(signer, KeyFileError) else signer,
            audit_origin_base=settings.audit_origin_base,
        )
    init_web(app)
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies:
        # Behind a TLS-terminating proxy: trust its X-Forwarded-For/-Proto, so rate limits see
        # each user's address and HSTS and Secure cookies see https.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies
        )
    return app
