"""Two-factor sign-in: who must have it, enrolment, codes used once, recovery codes used once,
rate limits with an audit entry, the administrator's reset, and the secret never in clear."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from incidents.accounts import two_factor
from incidents.errors import InvalidInput
from incidents.models import AuditEntry, LoginSession, RecoveryCode, Role, User
from tests import factories
from tests.conftest import csrf_token, problem, success_banner

NEEDS_2FA = sorted(two_factor.REQUIRED_FOR)
NO_2FA_NEEDED = sorted(set(Role) - two_factor.REQUIRED_FOR)


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


def test_the_roles_that_must_have_a_second_factor() -> None:
    assert {
        Role.HEADTEACHER,
        Role.CHAIR_OF_GOVERNORS,
        Role.DSL,
        Role.DEPUTY_DSL,
        Role.TRUST_OFFICER,
        Role.ADMIN,
    } == two_factor.REQUIRED_FOR


@pytest.mark.parametrize("role", NEEDS_2FA, ids=str)
def test_a_role_that_needs_it_can_reach_only_enrolment_until_enrolled(
    app: Flask, db: Session, school: object, role: Role
) -> None:
    user = factories.make_user(db, school, role)  # type: ignore[arg-type]
    db.commit()
    client = app.test_client()
    response = _password(client, user.email)
    assert urlsplit(response.location).path == "/"
    for path in ("/", "/cases/", "/admin/clauses", "/report/"):
        answer = client.get(path)
        assert answer.status_code == 302, path
        assert urlsplit(answer.location).path == "/two-factor/set-up", path
    assert client.get("/two-factor/set-up").status_code == 200
    # Signing out still works.
    token = csrf_token(client, "/two-factor/set-up")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302


@pytest.mark.parametrize("role", NO_2FA_NEEDED, ids=str)
def test_other_roles_are_not_forced_to_enrol(
    app: Flask, db: Session, school: object, role: Role
) -> None:
    user = factories.make_user(db, school, role)  # type: ignore[arg-type]
    db.commit()
    client = app.test_client()
    _password(client, user.email)
    assert client.get("/").status_code == 200


def test_enrolment_through_the_pages(app: Flask, db: Session, school: object) -> None:
    user = factories.make_user(db, school, Role.DSL)  # type: ignore[arg-type]
    db.commit()
    client = app.test_client()
    _password(client, user.email)
    page = client.get("/two-factor/set-up").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code is drawn here, not fetched
    db.expire_all()
    secret = db.get_one(User, user.id).totp_secret
    assert secret is not None
    token = csrf_token(client, "/two-factor/set-up")

    bad = client.post("/two-factor/set-up", data={"csrf_token": token, "code": "12345x"})
    assert bad.status_code == 200
    assert "Enter a correct security code" in bad.get_data(as_text=True)
    empty = client.post("/two-factor/set-up", data={"csrf_token": token, "code": ""})
    assert "Enter the 6-digit code from your authenticator app" in empty.get_data(as_text=True)

    good = client.post(
        "/two-factor/set-up",
        data={"csrf_token": token, "code": pyotp.TOTP(secret.reveal()).now()},
    )
    body = good.get_data(as_text=True)
    assert "Save your recovery codes" in body
    assert body.count("<li><code>") == two_factor.RECOVERY_CODE_COUNT
    assert client.get("/cases/").status_code == 200
    db.expire_all()
    assert db.get_one(User, user.id).has_second_factor
    assert _actions(db, user, "auth.two_factor_enrol") == 1


def test_enrolment_needs_a_csrf_token(login_as: Callable[[Role], FlaskClient]) -> None:
    client = login_as(Role.STAFF)
    client.get("/two-factor/set-up")
    assert client.post("/two-factor/set-up", data={"code": "123456"}).status_code == 400


def test_the_code_step_needs_a_csrf_token(app: Flask, users: dict[Role, User]) -> None:
    client = app.test_client()
    _password(client, users[Role.HEADTEACHER].email)
    response = client.post("/sign-in/code", data={"code": pyotp.TOTP(factories.TOTP_SECRET).now()})
    assert response.status_code == 400
    assert not _signed_in(client)


def test_a_correct_password_alone_does_not_sign_in_an_enrolled_user(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    client = app.test_client()
    response = _password(client, users[Role.ADMIN].email)
    assert response.location == "/sign-in/code"
    assert not _signed_in(client)
    assert db.scalar(select(func.count()).select_from(LoginSession)) == 0


@pytest.mark.parametrize(
    "code", ["", "000000", "12345", "1234567", "abcdef", "x" * 41, "١٢٣٤٥٦"], ids=repr
)
def test_a_wrong_or_malformed_code_is_refused_and_audited(
    app: Flask, db: Session, users: dict[Role, User], code: str
) -> None:
    user = users[Role.HEADTEACHER]
    client = app.test_client()
    _password(client, user.email)
    response = _code(client, code)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "govuk-error-summary" in body
    assert not _signed_in(client)
    if code and len(code) <= 40:  # longer is refused by the form, before any check
        assert _actions(db, user, "auth.second_factor_failed") == 1


def test_a_code_is_refused_the_second_time(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    user = users[Role.HEADTEACHER]
    code = pyotp.TOTP(factories.TOTP_SECRET).now()
    first = app.test_client()
    _password(first, user.email)
    assert _code(first, code).status_code == 302
    assert _signed_in(first)

    second = app.test_client()  # someone who saw the code over a shoulder
    _password(second, user.email)
    response = _code(second, code)
    assert response.status_code == 200
    assert "Enter a correct security code" in response.get_data(as_text=True)
    assert not _signed_in(second)


def test_the_service_refuses_an_older_step_and_accepts_a_later_one(
    db: Session, users: dict[Role, User]
) -> None:
    user = users[Role.DSL]
    totp = pyotp.TOTP(factories.TOTP_SECRET)
    now = time.time()
    assert two_factor.verify(db, user=user, code=totp.at(now), now=now)
    assert not two_factor.verify(db, user=user, code=totp.at(now), now=now)
    assert not two_factor.verify(db, user=user, code=totp.at(now - 30), now=now)
    assert two_factor.verify(db, user=user, code=totp.at(now + 30), now=now + 30)
    # A code far outside the allowed drift is refused.
    assert not two_factor.verify(db, user=user, code=totp.at(now + 600), now=now + 60)


def test_a_recovery_code_works_once(app: Flask, db: Session, school: object) -> None:
    user = factories.make_user(db, school, Role.DEPUTY_DSL)  # type: ignore[arg-type]
    codes = factories.enrol_two_factor(db, user)
    db.commit()
    assert len(set(codes)) == two_factor.RECOVERY_CODE_COUNT
    first = app.test_client()
    _password(first, user.email)
    # Typed carelessly: upper case, spaces instead of dashes.
    assert _code(first, codes[0].upper().replace("-", " ")).status_code == 302
    assert _signed_in(first)
    assert _actions(db, user, "auth.recovery_code_used") == 1

    again = app.test_client()
    _password(again, user.email)
    assert _code(again, codes[0]).status_code == 200
    assert not _signed_in(again)
    assert two_factor.remaining_recovery_codes(db, user=user) == 9


def test_recovery_codes_are_stored_hashed(db: Session, school: object) -> None:
    user = factories.make_user(db, school, Role.ADMIN)  # type: ignore[arg-type]
    codes = factories.enrol_two_factor(db, user)
    db.commit()
    stored = list(db.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
    assert len(stored) == 10
    for code in codes:
        assert code.encode() not in b"".join(stored)
        assert code.replace("-", "").encode() not in b"".join(stored)


def test_the_totp_secret_is_sealed_in_the_database(db: Session, school: object) -> None:
    user = factories.make_user(db, school, Role.ADMIN)  # type: ignore[arg-type]
    factories.enrol_two_factor(db, user)
    db.commit()
    raw = db.scalar(select(User.totp_secret_ct).where(User.id == user.id))
    assert raw is not None
    assert factories.TOTP_SECRET.encode() not in raw
    assert factories.TOTP_SECRET.encode() not in repr(user).encode()


def test_an_enrolled_user_cannot_enrol_again(db: Session, users: dict[Role, User]) -> None:
    with pytest.raises(InvalidInput):
        two_factor.begin_enrolment(db, user=users[Role.ADMIN])


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/sign-in/code")
    assert urlsplit(response.location).path == "/sign-in"


def test_a_stale_half_sign_in_is_not_accepted(
    app: Flask, users: dict[Role, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app.test_client()
    _password(client, users[Role.HEADTEACHER].email)
    later = time.time() + 301
    monkeypatch.setattr("incidents.accounts.sign_in_views.time.time", lambda: later)
    response = _code(client, pyotp.TOTP(factories.TOTP_SECRET).at(later))
    assert urlsplit(response.location).path == "/sign-in"
    assert not _signed_in(client)


def test_a_stale_half_sign_in_is_refused_as_an_error_and_saves_nothing(
    app: Flask, db: Session, users: dict[Role, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    user = users[Role.HEADTEACHER]
    client = app.test_client()
    _password(client, user.email)
    token = csrf_token(client, "/sign-in")
    later = time.time() + 301
    monkeypatch.setattr("incidents.accounts.sign_in_views.time.time", lambda: later)
    code = pyotp.TOTP(factories.TOTP_SECRET).at(later)
    response = client.post("/sign-in/code", data={"csrf_token": token, "code": code})
    assert urlsplit(response.location).path == "/sign-in"
    page = client.get(response.location).get_data(as_text=True)
    assert "Sign in again to continue" in problem(page)
    assert success_banner(page) == ""
    assert not _signed_in(client)
    assert db.scalar(select(func.count()).select_from(LoginSession)) == 0
    assert _actions(db, user, "auth.second_factor_ok") == 0
    with client.session_transaction() as session:
        assert "pending_2fa" not in session
