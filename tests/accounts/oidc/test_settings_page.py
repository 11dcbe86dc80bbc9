"""The admin's identity-provider settings: saved only with the admin's password and a reason,
audited, the secret sealed and never shown back, every bad answer refused in plain words, and
password sign-in switched off only once an administrator can sign in with the provider."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from incidents import audit, create_app
from incidents.accounts.oidc import client as oidc_client
from incidents.config import Settings
from incidents.models import AuditEntry, Role, School, SignInSettings, User
from tests import factories
from tests.accounts.oidc.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    Provider,
    domain_of,
    through_provider,
)
from tests.conftest import csrf_token, problem, run_cli, share_templates, sign_in, success_banner

PAGE = "/admin/sign-in"


def _answers(provider: Provider, school: School, **changes: str) -> dict[str, str]:
    return {
        "provider_name": "Microsoft",
        "issuer": provider.issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "allowed_domains": domain_of(school),
        "password": factories.PASSWORD,
        "reason": "Moving staff to Microsoft sign-in",
        **changes,
    }


def _post(client: FlaskClient, answers: dict[str, str]) -> str:
    response = client.post(PAGE, data={"csrf_token": csrf_token(client, PAGE), **answers})
    if response.status_code == 302:
        return client.get(response.location).get_data(as_text=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _settings(db: Session, school: School) -> SignInSettings | None:
    db.expire_all()
    return db.scalar(select(SignInSettings).where(SignInSettings.school_id == school.id))


@pytest.fixture
def admin(login_as: Callable[[Role], FlaskClient]) -> FlaskClient:
    oidc_client.CACHE.clear()
    return login_as(Role.ADMIN)


def test_an_admin_sets_up_the_provider_with_their_password_and_a_reason(
    admin: FlaskClient, db: Session, school: School, provider: Provider
) -> None:
    page = _post(admin, _answers(provider, school, trust_provider_mfa="y"))

    assert "Sign-in settings saved" in success_banner(page)
    saved = _settings(db, school)
    assert saved is not None
    assert saved.issuer == provider.issuer
    assert saved.client_secret.reveal() == CLIENT_SECRET
    assert saved.trust_provider_mfa and not saved.passwords_off
    # The secret is sealed at rest and shown back only by its last characters.
    raw = db.execute(text("SELECT client_secret_ct FROM sign_in_settings")).scalar_one()
    assert CLIENT_SECRET.encode() not in raw
    again = admin.get(PAGE).get_data(as_text=True)
    assert CLIENT_SECRET not in again
    assert f"ending {CLIENT_SECRET[-4:]}" in again
    [entry] = db.scalars(
        select(AuditEntry).where(AuditEntry.action == audit.Action.SIGN_IN_SETTINGS_CHANGE.value)
    ).all()
    detail = json.loads(entry.detail.reveal())
    assert "client_secret" in detail["changed"]
    assert CLIENT_SECRET not in entry.detail.reveal()


def test_an_empty_secret_keeps_the_one_saved(
    admin: FlaskClient, db: Session, school: School, provider: Provider
) -> None:
    _post(admin, _answers(provider, school))
    page = _post(admin, _answers(provider, school, client_secret="", provider_name="Office 365"))

    assert "Sign-in settings saved" in success_banner(page)
    saved = _settings(db, school)
    assert saved is not None and saved.provider_name == "Office 365"
    assert saved.client_secret.reveal() == CLIENT_SECRET


def test_a_wrong_password_saves_nothing_and_is_audited(
    admin: FlaskClient, db: Session, school: School, provider: Provider
) -> None:
    page = _post(admin, _answers(provider, school, password="not-my-password"))

    assert "Enter your correct password" in problem(page)
    assert _settings(db, school) is None
    failed = db.scalars(
        select(AuditEntry).where(AuditEntry.action == audit.Action.REAUTHENTICATE_FAILED.value)
    ).all()
    assert len(failed) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("issuer", "not a web address", "Enter the issuer as a web address"),
        ("issuer", "ftp://idp.example", "Enter the issuer as a web address"),
        ("issuer", "https://idp.example/?x=1", "Enter the issuer as a web address"),
        ("issuer", "", "Enter the issuer address your provider gives you"),
        ("issuer", "https://" + "a" * 300 + ".example", "too long"),
        ("client_id", "", "Enter the client ID"),
        ("client_id", "two words", "Enter the client ID exactly as your provider shows it"),
        ("client_secret", "", "Enter the client secret"),
        ("provider_name", "", "like Microsoft or Google"),
        ("allowed_domains", "", "Enter at least one email domain"),
        ("allowed_domains", "not a domain", "Enter each email domain like"),
        ("allowed_domains", "oak.sch.uk\n<script>", "Enter each email domain like"),
        ("allowed_domains", "=cmd|'/c calc'!A1", "Enter each email domain like"),
        ("reason", "", "Enter why you are making this change"),
        ("password", "", "Enter your password"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(
    admin: FlaskClient,
    db: Session,
    school: School,
    provider: Provider,
    field: str,
    value: str,
    message: str,
) -> None:
    page = _post(admin, _answers(provider, school, **{field: value}))

    assert message in problem(page)
    assert _settings(db, school) is None


def test_an_issuer_that_publishes_no_settings_is_refused(
    admin: FlaskClient, db: Session, school: School, provider: Provider
) -> None:
    page = _post(admin, _answers(provider, school, issuer=provider.issuer + "/nothing-here"))

    assert "could not be read" in problem(page)
    assert _settings(db, school) is None


def test_production_refuses_an_http_issuer(
    settings: Settings, session_factory: object, db: Session, school: School, provider: Provider
) -> None:
    production = dataclasses.replace(settings, env="production")
    app = share_templates(
        create_app(
            overrides={"TESTING": True, "SERVER_NAME": "localhost", "SESSION_COOKIE_SECURE": False},
            settings=production,
            session_factory=session_factory,  # type: ignore[arg-type]
        )
    )
    admin = factories.make_user(db, school, Role.ADMIN)
    factories.enrol_two_factor(db, admin)
    db.commit()
    client = app.test_client()
    sign_in(client, admin.email)

    page = _post(client, _answers(provider, school))

    assert "The issuer address must start with https://" in problem(page)
    assert _settings(db, school) is None


def test_passwords_stay_on_until_an_admin_has_signed_in_with_the_provider(
    app: Flask,
    admin: FlaskClient,
    db: Session,
    school: School,
    provider: Provider,
    users: dict[Role, User],
) -> None:
    refused = _post(admin, _answers(provider, school, passwords_off="y"))
    assert "until at least one active administrator has signed in" in problem(refused)
    assert _settings(db, school) is None

    _post(admin, _answers(provider, school))
    provider.account("admin-1", users[Role.ADMIN].email)
    through_provider(app.test_client(), provider, school, sub="admin-1")  # links the admin

    page = _post(admin, _answers(provider, school, passwords_off="y"))

    assert "Sign-in settings saved" in success_banner(page)
    saved = _settings(db, school)
    assert saved is not None and saved.passwords_off


def test_the_break_glass_command_puts_passwords_back_on(
    app: Flask, db: Session, school: School, provider_settings: SignInSettings
) -> None:
    provider_settings.passwords_off = True
    db.commit()

    result = run_cli(app, "sign-in", "passwords-on", "--urn", school.urn)

    assert result.exit_code == 0, result.output
    assert "Password sign-in is on again" in result.output
    saved = _settings(db, school)
    assert saved is not None and not saved.passwords_off
    assert db.scalars(
        select(AuditEntry).where(AuditEntry.action == audit.Action.PASSWORDS_BACK_ON.value)
    ).all()


def test_the_break_glass_command_names_an_unknown_school(app: Flask) -> None:
    result = run_cli(app, "sign-in", "passwords-on", "--urn", "999999")

    assert result.exit_code != 0
    assert "No school has that URN" in result.output
