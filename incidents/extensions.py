"""Flask extensions and the request-scoped database session."""

from __future__ import annotations

from typing import cast

from flask import current_app, g, has_request_context, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session, sessionmaker

from incidents.db import set_reads_first

login_manager = LoginManager()
csrf = CSRFProtect()
# No default limits: sign-in and similar routes declare their own.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def db_session() -> Session:
    """The session for this request, opened on first use and closed at teardown."""
    if "db_session" not in g:
        factory = cast(sessionmaker[Session], current_app.extensions["incidents.sessions"])
        # A page that only shows (GET) reads without queuing for SQLite's write lock; its
        # audit entry or any other write takes the lock then (`db.set_reads_first`).
        set_reads_first(has_request_context() and request.method in ("GET", "HEAD"))
        g.db_session = factory(info={"audit_source": "web"})  # audit.log.SOURCE_KEY
    return cast(Session, g.db_session)


def close_db_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        set_reads_first(False)
        # Anything not committed by the view is rolled back: nothing half-written survives.
        session.close()
