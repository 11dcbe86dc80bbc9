"""Accepting an invitation (issue 16; issue 19 item 18): the emailed link, once, within 72 hours,
sets the password and, for a role that needs it, enrols the second factor in the same step."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.accounts import mail, tokens
from incidents.admin.users import commands as user_admin
from incidents.audit import Action
from incidents.models import (
    AuditEntry,
    Elevation,
    ElevationPurpose,
    LoginSession,
    Role,
    School,
    TokenPurpose,
    User,
)
from incidents.models.base import utcnow
from incidents.sensitive import Sensitive
from tests.conftest import csrf_token, problem, run_cli

NEW_PASSWORD = "a brand new passphrase"


def _invited(db: Session, users: dict[Role, User], role: str = "staff") -> tuple[User, str]:
    """An invited user and the token of their emailed link (admin-made, as the page does)."""
    admin = users[Role.ADMIN]
    user = user_admin.invite(
        db,
        actor=admin,
        email=f"new.{role}@school.example",
        display_name="New Person",
        roles=[role],
        elevation=_grant(db, admin) if role in ("dsl", "headteacher") else None,
    )
    token = tokens.issue(db, user=user, purpose=TokenPurpose.INVITATION)
    db.commit()
    return user, token


def _grant(db: Session, admin: User) -> Elevation:
    """A re-authentication grant, as the invite page's password and reason make."""
    login = LoginSession(user_id=admin.id, token_hash=b"x" * 32)
    db.add(login)
    db.flush()
    grant = Elevation(
        school_id=admin.school_id,
        user_id=admin.id,
        login_session_id=login.id,
        purpose=ElevationPurpose.GRANT_CASE_ACCESS,
        reason=Sensitive("test"),
    )
    db.add(grant)
    db.flush()
    return grant


def _open(client: FlaskClient, token: str) -> str:
    response = client.get(f"/invitation/{token}")
    assert response.status_code == 302 and response.location.endswith("/invitation")
    return client.get("/invitation").get_data(as_text=True)


def _accept(client: FlaskClient, **data: str):  # type: ignore[no-untyped-def]
    form = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "code": ""}
    form.update(data)
    return client.post(
        "/invitation", data={"csrf_token": csrf_token(client, "/invitation"), **form}
    )


def test_staff_accept_with_a_password_and_are_signed_in(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    user, token = _invited(db, users)
    client = app.test_client()
    page = _open(client, token)
    assert "Choose a password" in page and "QR code" not in page
    response = _accept(client)
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # signed in
    db.expire_all()
    assert db.get(User, user.id).password_hash  # type: ignore[union-attr]
    assert db.scalar(
        select(AuditEntry).where(AuditEntry.action == Action.USER_INVITATION_ACCEPT.value)
    )
    # The link worked once.
    again = app.test_client()
    assert "This link has expired" in _open(again, token)


def test_a_dsl_must_enrol_the_second_factor_with_the_link(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    user, token = _invited(db, users, "dsl")
    client = app.test_client()
    page = _open(client, token)
    assert "Set up two-factor sign-in" in page and "QR code" in page
    # Without the code nothing is saved: the password alone does not open the account.
    page = _accept(client).get_data(as_text=True)
    assert "Enter a correct security code" in problem(page)
    db.expire_all()
    assert db.get(User, user.id).password_hash == ""  # type: ignore[union-attr]
    secret = db.get(User, user.id).totp_secret  # type: ignore[union-attr]
    assert secret is not None
    page = _accept(client, code=pyotp.TOTP(secret.reveal()).now()).get_data(as_text=True)
    assert "Save your recovery codes" in page
    db.expire_all()
    fresh = db.get(User, user.id)
    assert fresh is not None and fresh.has_second_factor and fresh.password_hash
    assert client.get("/cases/").status_code == 200


def test_bad_answers_on_the_invitation_page_save_nothing(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    user, token = _invited(db, users)
    client = app.test_client()
    _open(client, token)
    cases = [
        ({"password": ""}, "Enter a new password"),
        ({"password": "short", "confirm": "short"}, "12 characters or more"),
        ({"confirm": "something else entirely"}, "The passwords do not match"),
        ({"password": "x" * 201, "confirm": "x" * 201}, "200 characters or fewer"),
        ({"code": "1" * 13}, "Enter the 6-digit code"),
    ]
    for data, message in cases:
        page = _accept(client, **data).get_data(as_text=True)
        assert message in problem(page), (data, problem(page))
    db.expire_all()
    assert db.get(User, user.id).password_hash == ""  # type: ignore[union-attr]
    assert tokens.find(db, token=token, purpose=TokenPurpose.INVITATION) is not None


def test_an_invitation_link_expires_after_72_hours(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    _, token = _invited(db, users)
    with time_machine.travel(utcnow() + timedelta(hours=72, minutes=1)):
        assert "This link has expired" in _open(app.test_client(), token)
    with time_machine.travel(utcnow() + timedelta(hours=71)):
        assert "Choose a password" in _open(app.test_client(), token)


def test_an_invited_user_cannot_sign_in_before_accepting(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    user, _ = _invited(db, users)
    client = app.test_client()
    response = client.post(
        "/sign-in",
        data={"csrf_token": csrf_token(client, "/sign-in"), "email": user.email, "password": ""},
    )
    assert response.status_code == 200
    # Nor can an unknown or garbage token open anything.
    assert "This link has expired" in _open(app.test_client(), "x" * 500)


def test_the_invitation_email_links_to_the_page(
    db: Session, users: dict[Role, User], school: School
) -> None:
    user, token = _invited(db, users)
    message = mail.send_invitation(db, user=user, token=token)
    assert message.link_path + message.link_secret.reveal() == f"/invitation/{token}"  # type: ignore[union-attr]


def test_the_first_admin_can_be_made_with_an_invitation_link_from_the_command_line(
    app: Flask, db: Session, school: School
) -> None:
    args = ["create-user", "--school", school.urn, "--email", "first@school.example"]
    args += ["--name", "First Admin", "--role", "admin"]
    refused = run_cli(app, *args, "--invite", "--generate-password")
    assert refused.exit_code != 0 and "not both" in refused.output
    result = run_cli(app, *args, "--invite")
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert "/invitation/" in link
    client = app.test_client()
    page = _open(client, link.split("/invitation/")[1])
    # An admin needs two-factor: it is set up with the link, never with a password alone.
    assert "Set up two-factor sign-in" in page
    user = db.scalar(select(User).where(User.email == "first@school.example"))
    assert user is not None and user.password_hash == ""
