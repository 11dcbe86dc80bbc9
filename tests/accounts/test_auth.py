"""Signing in and out: one generic failure message, audit of failed attempts, CSRF on both forms,
safe redirects after sign-in, session cookie flags, idle timeout, rate limit, no fixation."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from incidents import create_app
from incidents.accounts import two_factor
from incidents.accounts import users as user_service
from incidents.accounts.sign_in_views import GENERIC_FAILURE
from incidents.config import Settings
from incidents.models import AuditEntry, LoginSession, Role, User
from tests import factories
from tests.conftest import csrf_token, share_templates, sign_in

UNKNOWN_EMAIL = "nobody.here@unknown.example"
WRONG_PASSWORD = "not the right password at all"
EXPIRED_MESSAGE = "You were signed out because you had not used the service for a while"


def _app_with(
    settings: Settings, session_factory: sessionmaker[Session], **changes: object
) -> Flask:
    app = create_app(
        settings=dataclasses.replace(settings, **changes),  # type: ignore[arg-type]
        session_factory=session_factory,
        overrides={"TESTING": True},
    )
    return share_templates(app)


def _attempt(
    client: FlaskClient, email: str, password: str, path: str = "/sign-in"
) -> TestResponse:
    token = csrf_token(client, "/sign-in")
    return client.post(path, data={"csrf_token": token, "email": email, "password": password})


def _is_signed_in(client: FlaskClient) -> bool:
    response = client.get("/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/sign-in"
    return False


def _error_summary(response: TestResponse) -> str:
    body = response.get_data(as_text=True)
    match = re.search(r'<div class="govuk-error-summary".*?</div>\s*</div>', body, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


def _failed_sign_ins(db: Session, user: User) -> int:
    events = db.scalars(
        select(AuditEntry).where(
            AuditEntry.actor_id == user.id, AuditEntry.action == "auth.sign_in_failed"
        )
    )
    return len(list(events))


# --- signing in ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_can_sign_in(
    app: Flask, users: dict[Role, User], db: Session, role: Role
) -> None:
    client = app.test_client()
    user = users[role]

    response = _attempt(client, user.email, factories.PASSWORD)

    assert response.status_code == 302
    if role in two_factor.REQUIRED_FOR:
        assert urlsplit(response.location).path == "/sign-in/code"
        assert client.get("/").status_code == 302  # not signed in until the code is entered
        response = _enter_code(client)
    assert urlsplit(response.location).path == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert f"Signed in as {user.display_name}" in home.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, user.id).last_sign_in_at is not None  # type: ignore[union-attr]


def _enter_code(client: FlaskClient) -> TestResponse:
    code = pyotp.TOTP(factories.TOTP_SECRET).now()
    token = csrf_token(client, "/sign-in/code")
    return client.post("/sign-in/code", data={"csrf_token": token, "code": code})


def test_email_is_not_case_sensitive_at_sign_in(app: Flask, users: dict[Role, User]) -> None:
    client = app.test_client()
    response = _attempt(client, users[Role.STAFF].email.upper(), factories.PASSWORD)
    assert response.status_code == 302
    assert _is_signed_in(client)


@pytest.mark.parametrize("attempt", ["wrong password", "unknown email", "badly formed email"])
def test_failed_sign_in_gives_the_generic_message(
    app: Flask, users: dict[Role, User], attempt: str
) -> None:
    client = app.test_client()
    email, password = {
        "wrong password": (users[Role.HEADTEACHER].email, WRONG_PASSWORD),
        "unknown email": (UNKNOWN_EMAIL, factories.PASSWORD),
        "badly formed email": ("not-an-email", factories.PASSWORD),
    }[attempt]

    response = _attempt(client, email, password)

    assert response.status_code == 200
    summary = _error_summary(response)
    assert GENERIC_FAILURE in summary
    assert email not in summary
    # The only place the email may appear is the field it was typed into, kept for a retry.
    page = response.get_data(as_text=True).replace(f'value="{email}"', "")
    assert email not in page
    assert not _is_signed_in(client)


def test_wrong_password_and_unknown_email_look_the_same(
    app: Flask, users: dict[Role, User]
) -> None:
    """Nothing on the page tells an attacker whether the account exists."""
    known = users[Role.HEADTEACHER].email

    def normalised(email: str, password: str) -> str:
        response = _attempt(app.test_client(), email, password)
        assert response.status_code == 200
        body = response.get_data(as_text=True).replace(email, "EMAIL")
        body = re.sub(r'nonce="[^"]+"', 'nonce="N"', body)
        return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "TOKEN", body)

    assert normalised(known, WRONG_PASSWORD) == normalised(UNKNOWN_EMAIL, WRONG_PASSWORD)


def test_an_inactive_user_cannot_sign_in(app: Flask, db: Session, users: dict[Role, User]) -> None:
    user = users[Role.DSL]
    user.is_active = False
    db.commit()
    client = app.test_client()

    response = _attempt(client, user.email, factories.PASSWORD)

    assert response.status_code == 200
    assert GENERIC_FAILURE in _error_summary(response)
    assert not _is_signed_in(client)
    assert _failed_sign_ins(db, user) == 1


def test_deactivating_a_user_ends_their_session(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    client = app.test_client()
    sign_in(client, users[Role.DSL].email)
    users[Role.DSL].is_active = False
    db.commit()
    assert not _is_signed_in(client)


def test_a_failed_attempt_on_a_known_account_is_audited(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    user = users[Role.HEADTEACHER]
    assert _failed_sign_ins(db, user) == 0

    _attempt(app.test_client(), user.email, WRONG_PASSWORD)

    db.expire_all()
    events = list(
        db.scalars(
            select(AuditEntry).where(
                AuditEntry.actor_id == user.id, AuditEntry.action == "auth.sign_in_failed"
            )
        )
    )
    assert len(events) == 1
    assert events[0].school_id == user.school_id


def test_an_unknown_email_still_runs_one_password_check(
    app: Flask, users: dict[Role, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timing defence: an Argon2 verification runs whether or not the account exists."""
    calls: list[tuple[str | None, str]] = []
    real = user_service.verify_password

    def recording(password_hash: str | None, password: str) -> bool:
        calls.append((password_hash, password))
        return real(password_hash, password)

    monkeypatch.setattr(user_service, "verify_password", recording)

    _attempt(app.test_client(), UNKNOWN_EMAIL, WRONG_PASSWORD)
    assert calls == [(None, WRONG_PASSWORD)]

    calls.clear()
    _attempt(app.test_client(), users[Role.STAFF].email, WRONG_PASSWORD)
    assert calls == [(users[Role.STAFF].password_hash, WRONG_PASSWORD)]


def test_sign_in_without_a_csrf_token_is_refused(app: Flask, users: dict[Role, User]) -> None:
    client = app.test_client()
    client.get("/sign-in")
    response = client.post(
        "/sign-in", data={"email": users[Role.STAFF].email, "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    assert not _is_signed_in(client)


def test_a_fresh_session_at_sign_in(app: Flask, users: dict[Role, User]) -> None:
    """Anything planted in the session before sign-in (session fixation) does not survive it."""
    client = app.test_client()
    token = csrf_token(client, "/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        before = dict(session)

    client.post(
        "/sign-in",
        data={
            "csrf_token": token,
            "email": users[Role.STAFF].email,
            "password": factories.PASSWORD,
        },
    )

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != before.get("csrf_token")
        assert session.get("_user_id") == str(users[Role.STAFF].id)


# --- where sign-in leads ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/cases/", "/cases/"),
        ("/cases/?state=recorded", "/cases/?state=recorded"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        # Browsers drop tabs and newlines in a URL: these would become //evil.example.
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("/\r\n/evil.example", "/"),
        ("/ /evil.example", "/"),
    ],
    ids=repr,
)
def test_next_is_followed_only_to_a_path_on_this_site(
    app: Flask, users: dict[Role, User], next_url: str, lands_on: str
) -> None:
    client = app.test_client()
    path = f"/sign-in?next={quote(next_url, safe='')}"
    token = csrf_token(client, path)
    response = client.post(
        path,
        data={
            "csrf_token": token,
            "email": users[Role.HEADTEACHER].email,
            "password": factories.PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.location == "/sign-in/code"  # the place to go is kept across the code step
    response = _enter_code(client)
    assert response.location == lands_on


def test_a_signed_out_visitor_comes_back_to_the_page_they_asked_for(
    app: Flask, users: dict[Role, User]
) -> None:
    client = app.test_client()
    first = client.get("/cases/?state=recorded")
    assert first.status_code == 302
    sign_in_page = first.location

    _attempt(client, users[Role.DSL].email, factories.PASSWORD, path=sign_in_page)
    response = _enter_code(client)

    assert response.location == "/cases/?state=recorded"
    assert client.get(response.location).status_code == 200


def test_the_sign_in_page_sends_a_signed_in_user_home(
    login_as: Callable[[Role], FlaskClient],
) -> None:
    response = login_as(Role.STAFF).get("/sign-in")
    assert response.status_code == 302
    assert response.location == "/"


# --- signing out --------------------------------------------------------------------------------


def test_sign_out_cannot_be_triggered_by_a_get(login_as: Callable[[Role], FlaskClient]) -> None:
    client = login_as(Role.STAFF)
    assert client.get("/sign-out").status_code == 405
    assert _is_signed_in(client)


def test_sign_out_without_a_csrf_token_is_refused(
    login_as: Callable[[Role], FlaskClient],
) -> None:
    client = login_as(Role.STAFF)
    assert client.post("/sign-out").status_code == 400
    assert _is_signed_in(client)


def test_sign_out_ends_the_session(
    app: Flask, db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    client = login_as(Role.STAFF)
    token = csrf_token(client, "/")
    with client.session_transaction() as session:  # as after sending a report
        session["receipt"] = {"reference": "2026-0007", "at": "2026-03-27T10:00:00+00:00"}

    response = client.post("/sign-out", data={"csrf_token": token})

    # Session cookies are signed, not encrypted: nothing of the user's may stay in the browser.
    with client.session_transaction() as session:
        assert set(session) <= {"_flashes"}, dict(session)
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/sign-in"
    assert "You have signed out" in client.get(response.location).get_data(as_text=True)
    assert not _is_signed_in(client)
    db.expire_all()
    signed_out = db.scalars(
        select(AuditEntry).where(
            AuditEntry.actor_id == users[Role.STAFF].id, AuditEntry.action == "auth.sign_out"
        )
    )
    assert len(list(signed_out)) == 1


# --- the session cookie -------------------------------------------------------------------------


def test_session_cookie_is_secure_httponly_and_samesite_lax(
    settings: Settings, session_factory: sessionmaker[Session], users: dict[Role, User]
) -> None:
    app = _app_with(settings, session_factory, session_cookie_secure=True)
    client = app.test_client()
    page = client.get("/sign-in", base_url="https://localhost")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    assert token

    response = client.post(
        "/sign-in",
        base_url="https://localhost",
        data={
            "csrf_token": token.group(1),
            "email": users[Role.STAFF].email,
            "password": factories.PASSWORD,
        },
    )

    assert response.status_code == 302
    cookies = [c for c in response.headers.getlist("Set-Cookie") if "incidents_session=" in c]
    assert cookies, response.headers
    flags = {part.strip().lower() for part in cookies[-1].split(";")[1:]}
    assert "secure" in flags
    assert "httponly" in flags
    assert "samesite=lax" in flags


def test_forms_work_over_https_without_a_referer(app: Flask, users: dict[Role, User]) -> None:
    """Our Referrer-Policy (no-referrer) stops browsers sending a Referer, so the CSRF check
    must not demand one; it must still demand the token."""
    client = app.test_client()
    https = "https://localhost"
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get("/sign-in", base_url=https).text,
    )
    assert token
    form = {"email": users[Role.STAFF].email, "password": factories.PASSWORD}

    refused = client.post("/sign-in", base_url=https, data=form)
    assert refused.status_code == 400

    response = client.post("/sign-in", base_url=https, data={"csrf_token": token.group(1), **form})
    assert response.status_code == 302
    assert client.get("/", base_url=https).status_code == 200


# --- idle timeout -------------------------------------------------------------------------------


def _age_session(db: Session, *, idle: timedelta, age: timedelta | None = None) -> None:
    """Pretend the only open server-side session was last used `idle` ago (and began `age` ago)."""
    row = db.scalar(select(LoginSession).where(LoginSession.ended_at.is_(None)))
    assert row is not None
    now = datetime.now(UTC)
    row.last_seen_at = now - idle
    if age is not None:
        row.created_at = now - age
    db.commit()


def test_an_idle_session_is_ended(app: Flask, db: Session, users: dict[Role, User]) -> None:
    app.config["IDLE_TIMEOUT_MINUTES"] = 1
    client = app.test_client()
    sign_in(client, users[Role.HEADTEACHER].email)
    _age_session(db, idle=timedelta(minutes=2))

    response = client.get("/cases/")

    assert response.status_code == 302
    assert urlsplit(response.location).path == "/sign-in"
    page = client.get(response.location).get_data(as_text=True)
    assert EXPIRED_MESSAGE in page
    assert not _is_signed_in(client)
    ended = db.scalar(select(LoginSession).where(LoginSession.end_reason == "idle"))
    assert ended is not None and ended.ended_at is not None


def test_a_recently_used_session_is_kept_and_its_clock_restarts(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    app.config["IDLE_TIMEOUT_MINUTES"] = 5
    client = app.test_client()
    sign_in(client, users[Role.HEADTEACHER].email)
    _age_session(db, idle=timedelta(minutes=4))

    assert client.get("/cases/").status_code == 200
    db.expire_all()
    row = db.scalar(select(LoginSession).where(LoginSession.ended_at.is_(None)))
    assert row is not None
    assert datetime.now(UTC) - row.last_seen_at < timedelta(seconds=30)


def test_a_session_ends_after_the_absolute_limit_however_busy(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    app.config["ABSOLUTE_SESSION_HOURS"] = 10
    client = app.test_client()
    sign_in(client, users[Role.DSL].email)
    _age_session(db, idle=timedelta(seconds=5), age=timedelta(hours=11))
    assert client.get("/cases/").status_code == 302
    assert not _is_signed_in(client)


def test_a_copy_of_the_cookie_is_worthless_after_sign_out(
    app: Flask, users: dict[Role, User]
) -> None:
    client = app.test_client()
    sign_in(client, users[Role.HEADTEACHER].email)
    stolen = client.get_cookie("incidents_session").value
    token = csrf_token(client, "/")
    client.post("/sign-out", data={"csrf_token": token})

    thief = app.test_client()
    thief.set_cookie("incidents_session", stolen)
    response = thief.get("/cases/")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/sign-in"


# --- rate limit ---------------------------------------------------------------------------------


def test_the_eleventh_sign_in_attempt_in_a_minute_is_refused(
    settings: Settings, session_factory: sessionmaker[Session], users: dict[Role, User]
) -> None:
    app = _app_with(settings, session_factory, ratelimit_enabled=True)
    client = app.test_client()
    user = users[Role.STAFF]

    # Two wrong passwords on each of five accounts: under each account's own limit.
    others = [u for u in users.values() if u is not user][:4]
    for attempt in range(10):
        guessed = [user, *others][attempt % 5]
        response = _attempt(client, guessed.email, WRONG_PASSWORD)
        assert response.status_code == 200, f"attempt {attempt + 1}"

    response = _attempt(client, user.email, factories.PASSWORD)

    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert "Too many attempts" in body
    assert "govuk-template" in body
    assert not _is_signed_in(client)  # even the right password does not get through
    assert client.get("/sign-in").status_code == 200  # the form itself is not limited


def _attempt_from(client: FlaskClient, address: str, email: str, password: str) -> TestResponse:
    token = csrf_token(client, "/sign-in")
    return client.post(
        "/sign-in",
        data={"csrf_token": token, "email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_wrong_passwords_on_one_account_are_slowed_from_that_address_only(
    settings: Settings, session_factory: sessionmaker[Session], users: dict[Role, User]
) -> None:
    """Issue 19, item 15: five wrong passwords for one account from one address, and that
    address must wait; the owner, from anywhere else, and other accounts are not refused."""
    app = _app_with(settings, session_factory, ratelimit_enabled=True)
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    guesser = app.test_client()
    for attempt in range(5):
        response = _attempt_from(guesser, "203.0.113.7", head.email.upper(), WRONG_PASSWORD)
        assert response.status_code == 200, f"attempt {attempt + 1}"

    refused = _attempt_from(guesser, "203.0.113.7", head.email, factories.PASSWORD)

    assert refused.status_code == 429
    assert "wrong password for this account too many times" in refused.get_data(as_text=True)
    assert "govuk-template" in refused.get_data(as_text=True)
    # The same address may still try another account (the address limit is separate)...
    assert _attempt_from(guesser, "203.0.113.7", dsl.email, WRONG_PASSWORD).status_code == 200
    # ...and the owner, from their own address, signs in: nobody can lock them out.
    owner = app.test_client()
    response = _attempt_from(owner, "198.51.100.20", head.email, factories.PASSWORD)
    assert response.status_code == 302


def test_an_unknown_account_is_slowed_the_same_way(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    app = _app_with(settings, session_factory, ratelimit_enabled=True)
    client = app.test_client()
    answers = [
        _attempt_from(client, "203.0.113.8", UNKNOWN_EMAIL, WRONG_PASSWORD).status_code
        for _ in range(6)
    ]
    assert answers == [200] * 5 + [429]  # the limit says nothing about who has an account


def test_successful_sign_ins_do_not_count_towards_the_account_limit(
    settings: Settings, session_factory: sessionmaker[Session], users: dict[Role, User]
) -> None:
    app = _app_with(settings, session_factory, ratelimit_enabled=True)
    staff = users[Role.STAFF]
    for attempt in range(8):
        client = app.test_client()
        response = _attempt_from(client, "203.0.113.9", staff.email, factories.PASSWORD)
        assert response.status_code == 302, f"sign-in {attempt + 1}"
