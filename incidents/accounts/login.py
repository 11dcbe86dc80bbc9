"""Flask-Login's user loader: the signed-in user, only while their server-side session is alive."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Flask, current_app, session

from incidents.accounts import sessions as login_sessions
from incidents.extensions import db_session, login_manager
from incidents.models import User


def init_login(app: Flask) -> None:
    login_manager.user_loader(_resume_session)


def _resume_session(user_id: str) -> User | None:
    """The signed-in user, only while their server-side session is alive: idle or too-long
    sessions end here, and a copied cookie of an ended session is worth nothing."""
    db = db_session()
    try:
        key = uuid.UUID(user_id)
    except ValueError:
        return None
    limits = login_sessions.Limits(
        idle=timedelta(minutes=int(current_app.config["IDLE_TIMEOUT_MINUTES"])),
        absolute=timedelta(hours=int(current_app.config["ABSOLUTE_SESSION_HOURS"])),
    )
    outcome, user = login_sessions.resume_user(
        db, user_id=key, token=session.get("sid"), limits=limits
    )
    if user is not None and not user.is_active:
        db.rollback()  # as before: an inactive user is refused, their session left as it is
        return None
    db.commit()
    if outcome is login_sessions.Resume.OK:
        return user
    session.clear()
    if outcome is login_sessions.Resume.EXPIRED:
        session["expired"] = True
    return None
