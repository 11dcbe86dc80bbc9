"""Two-factor sign-in, part two: rate limits on the code step (per account and per address, with
an audit entry) and the administrator's reset."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from urllib.parse import urlsplit

import pyotp
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from incidents import create_app
from incidents.accounts import two_factor
from incidents.cli import cli
from incidents.config import Settings
from incidents.models import AuditEntry, Role, User
from tests import factories
from tests.conftest import csrf_token, share_templates


def _password(client: FlaskClient, email: str) -> TestResponse:
    token = csrf_token(client, "/sign-in")
    return client.post(
        "/sign-in", data={"csrf_token": token, "email": email, "password": factories.PASSWORD}
    )


def _code(client: FlaskClient, code: str) -> TestResponse:
    token = csrf_token(client, "/sign-in/code")
    return client.post("/sign-in/code", data={"csrf_token": token, "code": code})


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


def _actions(db: Session, user: User, action: str) -> int:
    query = select(func.count()).where(AuditEntry.actor_id == user.id, AuditEntry.action == action)
    return db.scalar(query) or 0


# --- rate limits --------------------------------------------------------------------------------


def _limited_app(settings: Settings, session_factory: sessionmaker[Session]) -> Flask:
    app = create_app(
        settings=dataclasses.replace(settings, ratelimit_enabled=True),
        session_factory=session_factory,
        overrides={"TESTING": True},
    )
    return share_templates(app)


def test_the_sixth_code_for_one_account_is_refused_audited_and_explained(
    settings: Settings, session_factory: sessionmaker[Session], db: Session, users: dict[Role, User]
) -> None:
    app = _limited_app(settings, session_factory)
    user = users[Role.HEADTEACHER]
    client = app.test_client()
    _password(client, user.email)
    for attempt in range(5):
        assert _code(client, "000000").status_code == 200, attempt
    response = _code(client, pyotp.TOTP(factories.TOTP_SECRET).now())
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert "Too many attempts" in body
    assert "Wait 10 minutes" in body
    assert not _signed_in(client)  # even the right code does not get through
    assert _actions(db, user, "auth.second_factor_locked") == 1


def test_the_account_limit_holds_across_addresses(
    settings: Settings, session_factory: sessionmaker[Session], db: Session, users: dict[Role, User]
) -> None:
    app = _limited_app(settings, session_factory)
    user = users[Role.DSL]
    for n in range(6):
        client = app.test_client()
        address = {"REMOTE_ADDR": f"10.0.0.{n + 1}"}
        token = csrf_token(client, "/sign-in")
        client.post(
            "/sign-in",
            data={"csrf_token": token, "email": user.email, "password": factories.PASSWORD},
            environ_base=address,
        )
        token = csrf_token(client, "/sign-in/code")
        response = client.post(
            "/sign-in/code", data={"csrf_token": token, "code": "000000"}, environ_base=address
        )
    assert response.status_code == 429


def test_the_address_limit_holds_across_accounts(
    settings: Settings, session_factory: sessionmaker[Session], db: Session, school: object
) -> None:
    app = _limited_app(settings, session_factory)
    people = [factories.make_user(db, school, Role.DSL) for _ in range(4)]  # type: ignore[arg-type]
    for person in people:
        factories.enrol_two_factor(db, person)
    db.commit()
    answers = []
    for n in range(11):
        client = app.test_client()
        token = csrf_token(client, "/sign-in")
        email = people[n % 4].email
        # Each account's own limit (5) is not reached: 11 attempts over 4 accounts.
        client.post(
            "/sign-in",
            data={"csrf_token": token, "email": email, "password": factories.PASSWORD},
        )
        answers.append(_code(client, "000000").status_code)
    assert answers[:10] == [200] * 10
    assert answers[10] == 429


# --- the administrator's reset ------------------------------------------------------------------


def test_reset_2fa_removes_the_factor_ends_sessions_and_is_audited(
    app: Flask, db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    user = users[Role.HEADTEACHER]
    client = login_as(Role.HEADTEACHER)
    assert _signed_in(client)
    result = CliRunner().invoke(
        cli,
        ["reset-2fa", "--email", user.email.upper(), "--yes"],
        obj=ScriptInfo(create_app=lambda: app),
    )
    assert result.exit_code == 0, result.output
    db.expire_all()
    fresh = db.get_one(User, user.id)
    assert not fresh.has_second_factor
    assert fresh.totp_secret is None
    assert two_factor.remaining_recovery_codes(db, user=fresh) == 0
    assert not _signed_in(client)  # their open session ended
    assert db.scalar(
        select(func.count()).where(
            AuditEntry.action == "auth.two_factor_reset", AuditEntry.object_id == user.id
        )
    )
    # At the next sign-in they are sent to set it up again.
    again = app.test_client()
    _password(again, user.email)
    assert urlsplit(again.get("/").location).path == "/two-factor/set-up"


@pytest.mark.parametrize(
    ("email", "message"),
    [("nobody@unknown.example", "No user has that email address"), ("not an email", "email")],
)
def test_reset_2fa_bad_input(app: Flask, users: dict[Role, User], email: str, message: str) -> None:
    result = CliRunner().invoke(
        cli, ["reset-2fa", "--email", email, "--yes"], obj=ScriptInfo(create_app=lambda: app)
    )
    assert result.exit_code != 0
    assert message in result.output


def test_only_failed_attempts_count_towards_the_limits(
    settings: Settings, session_factory: sessionmaker[Session], db: Session, users: dict[Role, User]
) -> None:
    """A DSL whose idle timeout ends more than 20 times a day signs in again every time: only
    wrong passwords and wrong codes count (once, every attempt did, and locked them out)."""
    app = _limited_app(settings, session_factory)
    user = users[Role.DSL]
    for n in range(25):  # past "5 per 10 minutes; 20 per day" for the account and "10 a minute"
        client = app.test_client()
        assert _password(client, user.email).status_code == 302, n
        db.execute(update(User).where(User.id == user.id).values(totp_last_step=None))
        db.commit()
        assert _code(client, pyotp.TOTP(factories.TOTP_SECRET).now()).status_code == 302, n
        assert _signed_in(client), n
    # Failures still count: five wrong codes, and the sixth attempt is refused.
    client = app.test_client()
    _password(client, user.email)
    for attempt in range(5):
        assert _code(client, "000000").status_code == 200, attempt
    assert _code(client, pyotp.TOTP(factories.TOTP_SECRET).now()).status_code == 429
