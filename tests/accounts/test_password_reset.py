"""Forgotten password (issue 16), end to end through a real SMTP server: the same answer for a
known and an unknown address, a single-use link valid 30 minutes, every session ended, and the
second factor still asked for afterwards."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from typing import Any

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from incidents import create_app
from incidents.accounts import password_reset
from incidents.config import Settings
from incidents.models import AccountToken, AlertKind, OutboxMessage, Role, User
from incidents.models.base import utcnow
from tests.alerts.conftest import SmtpServer
from tests.conftest import csrf_token, problem, share_templates, sign_in

NEW_PASSWORD = "a completely new passphrase"
LINK = re.compile(r"https://incidents\.hilltop\.example(/reset-password/\S+)")


def _ask(client: FlaskClient, email: str, address: str = "127.0.0.1") -> str:
    token = csrf_token(client, "/forgot-password")
    response = client.post(
        "/forgot-password",
        data={"csrf_token": token, "email": email},
        environ_base={"REMOTE_ADDR": address},
    )
    assert response.status_code in (200, 429)
    return response.get_data(as_text=True)


def _reset_messages(db: Session) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == AlertKind.PASSWORD_RESET)
        )
        or 0
    )


def test_forgotten_password_end_to_end_through_smtp(
    app: Flask, db: Session, users: dict[Role, User], smtp_server: SmtpServer, flush: Any
) -> None:
    dsl = users[Role.DSL]
    elsewhere = app.test_client()
    sign_in(elsewhere, dsl.email)
    assert elsewhere.get("/cases/").status_code == 200

    client = app.test_client()
    known = _ask(client, dsl.email.upper())
    unknown = _ask(app.test_client(), "nobody.here@school.example")
    strip = re.compile(r'name="csrf_token"[^>]*>|nonce="[^"]*"')
    assert strip.sub("", known) == strip.sub("", unknown)  # the same answer, word for word

    assert flush().sent == 1
    [received] = smtp_server.mailbox.to(dsl.email)
    body = received.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "30 minutes" in body
    path = LINK.search(body).group(1)  # type: ignore[union-attr]

    response = client.get(path)
    assert response.status_code == 302 and response.location.endswith("/reset-password")
    page = client.get("/reset-password").get_data(as_text=True)
    assert "Choose a new password" in page
    response = client.post(
        "/reset-password",
        data={
            "csrf_token": csrf_token(client, "/reset-password"),
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302 and response.location.endswith("/sign-in")

    # Every session ended, the other browser's too.
    assert elsewhere.get("/cases/").status_code == 302
    # The link worked once.
    again = app.test_client()
    again.get(path)
    assert "This link has expired" in again.get("/reset-password").get_data(as_text=True)
    # The new password works, and the second factor is still asked for.
    fresh = app.test_client()
    response = fresh.post(
        "/sign-in",
        data={
            "csrf_token": csrf_token(fresh, "/sign-in"),
            "email": dsl.email,
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302 and response.location.endswith("/sign-in/code")


def test_no_email_for_an_unknown_a_deactivated_or_an_invited_address(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    leaver = users[Role.STAFF]
    leaver.is_active = False
    db.commit()
    for email in ("nobody@school.example", leaver.email, "not an email"):
        assert "Check your email" in _ask(app.test_client(), email)
    assert _reset_messages(db) == 0


def test_the_link_expires_after_30_minutes(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    password_reset.request_reset(db, email=users[Role.STAFF].email)
    db.commit()
    row = db.scalar(select(AccountToken))
    assert row is not None
    assert row.expires_at - row.created_at == timedelta(minutes=30)
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == AlertKind.PASSWORD_RESET))
    token = message.link_secret.reveal()  # type: ignore[union-attr]
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        client = app.test_client()
        client.get(f"/reset-password/{token}")
        assert "This link has expired" in client.get("/reset-password").get_data(as_text=True)


def test_bad_new_passwords_are_refused_and_the_link_still_works(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    staff = users[Role.STAFF]
    password_reset.request_reset(db, email=staff.email)
    db.commit()
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == AlertKind.PASSWORD_RESET))
    token = message.link_secret.reveal()  # type: ignore[union-attr]
    client = app.test_client()
    client.get(f"/reset-password/{token}")
    before = staff.password_hash
    for data, text in [
        ({"password": "", "confirm": ""}, "Enter a new password"),
        ({"password": "short", "confirm": "short"}, "12 characters or more"),
        ({"password": NEW_PASSWORD, "confirm": "different"}, "The passwords do not match"),
    ]:
        page = client.post(
            "/reset-password", data={"csrf_token": csrf_token(client, "/reset-password"), **data}
        ).get_data(as_text=True)
        assert text in problem(page)
    db.expire_all()
    assert db.get(User, staff.id).password_hash == before  # type: ignore[union-attr]
    assert "Choose a new password" in client.get("/reset-password").get_data(as_text=True)


def test_requests_are_limited_per_address_typed_and_per_client(
    settings: Settings, session_factory: sessionmaker, users: dict[Role, User], db: Session
) -> None:
    app = share_templates(
        create_app(
            settings=dataclasses.replace(settings, ratelimit_enabled=True),
            session_factory=session_factory,
            overrides={"TESTING": True},
        )
    )
    email = users[Role.STAFF].email
    # Per address typed: three an hour, from anywhere.
    for n in range(3):
        assert "Check your email" in _ask(app.test_client(), email, f"198.51.100.{n}")
    assert "Too many" in _ask(app.test_client(), email, "198.51.100.9")
    assert _reset_messages(db) == 3
    # An unknown address is limited the same way: the limit says nothing about accounts.
    for n in range(3):
        _ask(app.test_client(), "nobody@school.example", f"198.51.100.{20 + n}")
    assert "Too many" in _ask(app.test_client(), "nobody@school.example", "198.51.100.30")
    # Per client: five a minute, whatever the addresses.
    for n in range(5):
        assert "Check your email" in _ask(app.test_client(), f"x{n}@school.example", "203.0.113.5")
    assert "Too many" in _ask(app.test_client(), "x9@school.example", "203.0.113.5")
