"""The idle-timeout warning (issue 17, item 9): every signed-in page says how long its session
has left, for the warning two minutes before the end; "Stay signed in" (a POST with the CSRF
token) starts the idle clock again, never beyond the absolute limit."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.models import LoginSession, Role, User
from incidents.models.base import utcnow
from tests.conftest import csrf_token, sign_in

SECONDS = re.compile(r'data-session-seconds="(\d+)"')


def _session_row(db: Session, user: User) -> LoginSession:
    db.expire_all()
    row = db.scalar(
        select(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    )
    assert row is not None
    return row


def test_a_signed_in_page_says_how_long_its_session_has(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    app.config["IDLE_TIMEOUT_MINUTES"] = 20
    client = app.test_client()
    sign_in(client, users[Role.DSL].email)
    row = _session_row(db, users[Role.DSL])
    # Last used 30 seconds ago: too recent to be written again, so the page counts from then.
    row.last_seen_at = utcnow() - timedelta(seconds=30)
    db.commit()

    page = client.get("/").get_data(as_text=True)

    match = SECONDS.search(page)
    assert match, "no timeout warning on a signed-in page"
    assert 20 * 60 - 40 <= int(match.group(1)) <= 20 * 60 - 30
    assert "Stay signed in" in page and 'src="/static/session-timeout.js"' in page


def test_no_warning_for_nobody_signed_in(app: Flask) -> None:
    page = app.test_client().get("/sign-in").get_data(as_text=True)
    assert "data-session-seconds" not in page and "session-timeout.js" not in page


def test_stay_signed_in_starts_the_idle_clock_again(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    app.config["IDLE_TIMEOUT_MINUTES"] = 20
    client = app.test_client()
    sign_in(client, users[Role.HEADTEACHER].email)
    token = csrf_token(client, "/")
    row = _session_row(db, users[Role.HEADTEACHER])
    row.last_seen_at = utcnow() - timedelta(minutes=18, seconds=30)  # the warning is showing
    db.commit()

    response = client.post("/session/extend", data={"csrf_token": token})

    assert response.status_code == 200
    assert 20 * 60 - 5 <= response.get_json()["seconds_left"] <= 20 * 60
    assert utcnow() - _session_row(db, users[Role.HEADTEACHER]).last_seen_at < timedelta(seconds=5)


def test_stay_signed_in_never_goes_past_the_absolute_limit(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    app.config["ABSOLUTE_SESSION_HOURS"] = 10
    client = app.test_client()
    sign_in(client, users[Role.DSL].email)
    token = csrf_token(client, "/")
    row = _session_row(db, users[Role.DSL])
    row.created_at = utcnow() - timedelta(hours=10) + timedelta(minutes=1)
    db.commit()

    left = client.post("/session/extend", data={"csrf_token": token}).get_json()["seconds_left"]

    assert 50 <= left <= 60


def test_stay_signed_in_needs_the_token_and_a_live_session(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    app.config["IDLE_TIMEOUT_MINUTES"] = 20
    client = app.test_client()
    sign_in(client, users[Role.DSL].email)
    before = _session_row(db, users[Role.DSL]).last_seen_at

    assert client.post("/session/extend", data={}).status_code == 400
    assert client.post("/session/extend", data={"csrf_token": "forged"}).status_code == 400
    assert _session_row(db, users[Role.DSL]).last_seen_at == before

    # Too late: the session has ended, and the button cannot bring it back.
    token = csrf_token(client, "/")
    row = _session_row(db, users[Role.DSL])
    row.last_seen_at = utcnow() - timedelta(minutes=21)
    db.commit()
    response = client.post("/session/extend", data={"csrf_token": token})
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/sign-in"
