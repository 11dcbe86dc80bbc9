"""Flask-Login's user loader: the signed-in user, only while their server-side session is alive.
Also where a form sent just after the session ended is kept for its owner, and given back once
they have signed in again (issue 17, item 9: `drafts.py`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app, g, request, session
from flask_login import current_user

from incidents.accounts import drafts
from incidents.accounts import sessions as login_sessions
from incidents.extensions import db_session, login_manager
from incidents.models import User
from incidents.models.base import utcnow
from incidents.web.access import page_for
from incidents.web.restored_forms import restore

# In the Flask session: set at sign-in while one of the user's drafts is waiting (its expiry,
# as a timestamp), so pages need not look for drafts otherwise.
DRAFTS_UNTIL = "drafts_until"
# In the Flask session between the ended session and the sign-in page, which then says so.
KEPT = "kept_draft"


def init_login(app: Flask) -> None:
    login_manager.user_loader(_resume_session)
    app.before_request(_give_back_a_draft)


def limits() -> login_sessions.Limits:
    return login_sessions.Limits(
        idle=timedelta(minutes=int(current_app.config["IDLE_TIMEOUT_MINUTES"])),
        absolute=timedelta(hours=int(current_app.config["ABSOLUTE_SESSION_HOURS"])),
    )


def _resume_session(user_id: str) -> User | None:
    """The signed-in user, only while their server-side session is alive: idle or too-long
    sessions end here, and a copied cookie of an ended session is worth nothing."""
    db = db_session()
    try:
        key = uuid.UUID(user_id)
    except ValueError:
        return None
    outcome, user, left = login_sessions.resume_user(
        db, user_id=key, token=session.get("sid"), limits=limits()
    )
    if user is not None and not user.is_active:
        db.rollback()  # as before: an inactive user is refused, their session left as it is
        return None
    db.commit()
    if outcome is login_sessions.Resume.OK:
        g.session_seconds_left = int(left.total_seconds())  # for the timeout warning
        return user
    session.clear()
    if outcome is login_sessions.Resume.EXPIRED:
        session["expired"] = True
        if user is not None and _keep_what_was_sent(user):
            session[KEPT] = True
    return None


def _keep_what_was_sent(user: User) -> bool:
    """The session ended on this very request: if it carries a form (the user typed for longer
    than the idle limit, then pressed the button), keep what they typed for them: only once
    the CSRF check has passed, so it is their own page's form, sent from their browser."""
    if request.method != "POST" or not drafts.keeps(request.endpoint):
        return False
    if not g.get("csrf_valid"):
        # Flask-WTF marks a request whose token it has checked; the error page for a bad token
        # also asks who is signed in, and must not keep what a forged form sent.
        return False
    db = db_session()
    kept = drafts.keep(
        db,
        user=user,
        page=page_for(request.full_path if request.query_string else request.path),
        fields=list(request.form.items(multi=True)),
        files_dropped=any(f.filename for f in request.files.values()),
    )
    if kept is None:
        return False
    db.commit()
    return True


def note_waiting_drafts(user: User) -> None:
    """At sign-in: remember, in the fresh session, until when a draft of this user's waits."""
    until = drafts.waiting_until(db_session(), user=user)
    if until is not None:
        session[DRAFTS_UNTIL] = until.timestamp()


def _give_back_a_draft() -> None:
    """before_request, after the gate: on a page, give the signed-in user back the draft they
    left there, once. Only looked for while the sign-in said one was waiting."""
    until = session.get(DRAFTS_UNTIL)

    if until is None or request.method != "GET" or request.endpoint == "static":
        return
    if not current_user.is_authenticated:
        return
    now = utcnow()
    if not isinstance(until, int | float) or now >= datetime.fromtimestamp(until, UTC):
        session.pop(DRAFTS_UNTIL, None)
        return
    page = request.full_path if request.query_string else request.path
    db = db_session()
    found = drafts.take(db, user=current_user, page=page, now=now)
    db.commit()
    if found is not None:
        restore(found.fields, files_dropped=found.files_dropped)
        remaining = drafts.waiting_until(db, user=current_user, now=now)
        if remaining is None:
            session.pop(DRAFTS_UNTIL, None)
