"""Signing in with the school's identity provider, against a real OpenID provider: who gets in,
when the second factor is still asked for, and every refusal's message and audit entry."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from joserfc.jwk import RSAKey
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from incidents import audit
from incidents.accounts.oidc import client as oidc_client
from incidents.accounts.oidc.views import FLOW
from incidents.models import AuditEntry, ProviderLink, Role, School, SignInSettings, User
from tests import factories
from tests.accounts.oidc.conftest import Provider, domain_of, through_provider
from tests.conftest import csrf_token, forget_last_code

NOT_INVITED = "There is no account for you in this service"
NOT_CHECKED = "could not be checked, so you have not been signed in"


def _failures(db: Session) -> list[dict[str, Any]]:
    """The sealed details of the failed sign-in entries, oldest first."""
    db.expire_all()
    entries = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == audit.Action.SIGN_IN_FAILED.value)
        .order_by(AuditEntry.seq)
    )
    return [json.loads(e.detail.reveal()) if e.detail else {} for e in entries]


def _entries(db: Session, action: audit.Action) -> list[AuditEntry]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action.value)))


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


def _enter_code(app: Flask, client: FlaskClient, user: User) -> None:
    forget_last_code(app, user.email)
    response = client.post(
        "/sign-in/code",
        data={
            "csrf_token": csrf_token(client, "/sign-in/code"),
            "code": pyotp.TOTP(factories.TOTP_SECRET).now(),
        },
    )
    assert response.status_code == 302


def _refused(response: TestResponse, words: str, code: int = 403) -> None:
    assert response.status_code == code
    page = response.get_data(as_text=True)
    assert "You have not been signed in" in page
    assert words in page


@pytest.fixture
def dsl(users: dict[Role, User], provider: Provider, provider_settings: SignInSettings) -> User:
    """The DSL, with a verified account at the provider (subject "dsl-1")."""
    user = users[Role.DSL]
    provider.account("dsl-1", user.email)
    return user


# --- who gets in ------------------------------------------------------------------------------


def test_a_good_sign_in_still_asks_for_the_second_factor(
    app: Flask, db: Session, school: School, provider: Provider, dsl: User
) -> None:
    client = app.test_client()

    response = through_provider(client, provider, school, sub="dsl-1")

    assert response.status_code == 302
    assert response.location.endswith("/sign-in/code")
    assert not _signed_in(client)
    _enter_code(app, client, dsl)
    assert _signed_in(client)
    assert db.scalar(select(ProviderLink.user_id)) == dsl.id
    assert [e.actor_id for e in _entries(db, audit.Action.PROVIDER_LINK)] == [dsl.id]
    [entry] = [e for e in _entries(db, audit.Action.SIGN_IN) if e.actor_id == dsl.id]
    assert json.loads(entry.detail.reveal())["via"] == "provider"


def test_provider_mfa_skips_the_code_only_when_the_school_trusts_it(
    app: Flask,
    db: Session,
    school: School,
    provider: Provider,
    dsl: User,
    provider_settings: SignInSettings,
) -> None:
    # Not trusted (the default): the code is asked for even after the provider's MFA.
    first = through_provider(app.test_client(), provider, school, sub="dsl-1", amr=["pwd", "mfa"])
    assert first.location.endswith("/sign-in/code")

    provider_settings.trust_provider_mfa = True
    db.commit()
    # Trusted, but this sign-in used a password only: the code is still asked for.
    second = through_provider(app.test_client(), provider, school, sub="dsl-1", amr=["pwd"])
    assert second.location.endswith("/sign-in/code")

    client = app.test_client()
    third = through_provider(client, provider, school, sub="dsl-1", amr=["pwd", "mfa"])
    assert third.status_code == 302
    assert urlsplit(third.location).path == "/"
    assert _signed_in(client)


def test_trusted_provider_mfa_stands_in_for_enrolment_too(
    app: Flask,
    db: Session,
    school: School,
    provider: Provider,
    provider_settings: SignInSettings,
) -> None:
    # A new DSL who has never set up this service's second factor.
    newcomer = factories.make_user(db, school, Role.DSL)
    provider_settings.trust_provider_mfa = True
    db.commit()
    provider.account("newcomer", newcomer.email)

    trusted = app.test_client()
    through_provider(trusted, provider, school, sub="newcomer", amr=["pwd", "mfa"])
    assert trusted.get("/").status_code == 200

    password_only = app.test_client()
    through_provider(password_only, provider, school, sub="newcomer", amr=["pwd"])
    assert password_only.get("/").location.endswith("/two-factor/set-up")


def test_after_the_first_sign_in_the_subject_counts_not_the_email(
    app: Flask, db: Session, school: School, provider: Provider, dsl: User, users: dict[Role, User]
) -> None:
    through_provider(app.test_client(), provider, school, sub="dsl-1")  # links dsl-1 to the DSL
    # The DSL's address is given to someone else's provider account (a reused address): it
    # does not sign in as the DSL.
    provider.account("someone-new", dsl.email)

    response = through_provider(app.test_client(), provider, school, sub="someone-new")

    _refused(response, "already linked to another Microsoft account")
    assert _failures(db)[-1]["reason"] == "linked_elsewhere"


# --- who is refused ---------------------------------------------------------------------------


def test_someone_not_invited_is_refused(
    app: Flask, db: Session, school: School, provider: Provider, provider_settings: SignInSettings
) -> None:
    provider.account("stranger", f"new.teacher@{domain_of(school)}")

    response = through_provider(app.test_client(), provider, school, sub="stranger")

    _refused(response, NOT_INVITED)
    assert _failures(db)[-1] == {"via": "provider", "reason": "unknown_user"}
    assert db.scalar(select(ProviderLink.id)) is None
    assert db.scalar(select(User.id).where(User.email.like("new.teacher@%"))) is None


def test_a_deactivated_user_is_refused(
    app: Flask, db: Session, school: School, provider: Provider, dsl: User
) -> None:
    dsl.is_active = False
    db.commit()

    response = through_provider(app.test_client(), provider, school, sub="dsl-1")

    _refused(response, "Your account has been deactivated")
    entry = _entries(db, audit.Action.SIGN_IN_FAILED)[-1]
    assert entry.actor_id == dsl.id
    assert _failures(db)[-1]["reason"] == "deactivated"


def test_an_email_the_provider_has_not_verified_is_refused(
    app: Flask, db: Session, school: School, provider: Provider, dsl: User
) -> None:
    provider.account("unverified", dsl.email, verified=False)

    response = through_provider(app.test_client(), provider, school, sub="unverified")

    _refused(response, "has not confirmed the email address")
    assert _failures(db)[-1]["reason"] == "email_not_verified"


def test_entra_ids_verified_domain_claim_counts_as_verified(
    app: Flask, db: Session, school: School, provider: Provider, dsl: User
) -> None:
    # Entra ID sends no email_verified; with the optional claim xms_edov it says the address is
    # in a domain the tenant has verified.
    provider.account("entra-1", dsl.email, email_verified=None, xms_edov=True)
    response = through_provider(app.test_client(), provider, school, sub="entra-1")
    assert response.location.endswith("/sign-in/code")

    provider.account("entra-2", dsl.email, email_verified=None, xms_edov=False)
    refused = through_provider(app.test_client(), provider, school, sub="entra-2")
    _refused(refused, "has not confirmed the email address")


def test_an_email_domain_the_school_does_not_allow_is_refused(
    app: Flask, db: Session, school: School, provider: Provider, provider_settings: SignInSettings
) -> None:
    user = factories.make_user(db, school, Role.STAFF, email="teacher@gmail.com")
    db.commit()
    provider.account("personal", user.email)

    response = through_provider(app.test_client(), provider, school, sub="personal")

    _refused(response, "not one your school allows")
    assert _failures(db)[-1]["reason"] == "domain"


def test_a_wrong_state_is_refused(
    app: Flask, db: Session, school: School, provider: Provider, dsl: User
) -> None:
    def other_state(url: str) -> str:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        query["state"] = f"{school.id}.someone-elses-state"
        return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"

    response = through_provider(
        app.test_client(), provider, school, sub="dsl-1", before_callback=other_state
    )

    _refused(response, "started in another window, was already used", 400)
    assert _failures(db)[-1]["reason"] == "state"
    assert db.scalar(select(ProviderLink.id)) is None


def test_a_replayed_answer_is_refused(
    app: Flask, db: Session, school: School, provider: Provider, dsl: User
) -> None:
    seen: list[str] = []

    def keep(url: str) -> str:
        seen.append(url)
        return url

    client = app.test_client()
    first = through_provider(client, provider, school, sub="dsl-1", before_callback=keep)
    assert first.location.endswith("/sign-in/code")
    parts = urlsplit(seen[0])

    again = client.get(f"{parts.path}?{parts.query}")  # the same browser
    elsewhere = app.test_client().get(f"{parts.path}?{parts.query}")  # a stolen address

    _refused(again, "was already used", 400)
    _refused(elsewhere, "was already used", 400)
    assert [f["reason"] for f in _failures(db)[-2:]] == ["state", "state"]


def test_a_wrong_nonce_is_refused(
    app: Flask, db: Session, school: School, provider: Provider, dsl: User
) -> None:
    client = app.test_client()

    def another_nonce(url: str) -> str:
        # As if the token answered another sign-in than the one this browser started.
        with client.session_transaction() as session:
            flow = session[FLOW]
            flow["nonce"] = "a-different-nonce"
            session[FLOW] = flow
        return url

    response = through_provider(
        client, provider, school, sub="dsl-1", before_callback=another_nonce
    )

    _refused(response, NOT_CHECKED)
    assert _failures(db)[-1]["reason"] == "token"
    assert "nonce" in _failures(db)[-1]["check"]


# --- tokens that are not what the provider signed ----------------------------------------------


def _token_replaced(monkeypatch: pytest.MonkeyPatch, change: Callable[[str], str]) -> None:
    """The real token response, with its ID token changed on the way (what an attacker in
    the middle, or a provider that went wrong, would hand the app)."""
    real = oidc_client.exchange_code

    def exchange(*args: Any, **kwargs: Any) -> dict[str, Any]:
        token = real(*args, **kwargs)
        return {**token, "id_token": change(token["id_token"])}

    monkeypatch.setattr(oidc_client, "exchange_code", exchange)


def _tampered(id_token: str) -> str:
    """The payload changed, the provider's signature kept."""
    header, payload, signature = id_token.split(".")
    import base64

    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "headteacher@elsewhere.example"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("tampered", lambda p: _tampered),
        (
            "another key, same key id",
            lambda p: (
                lambda t: p.forge(t, key=RSAKey.generate_key(2048, parameters={"kid": p.key.kid}))
            ),
        ),
        (
            "another key, unknown key id",
            lambda p: (
                lambda t: p.forge(t, key=RSAKey.generate_key(2048, parameters={"kid": "attacker"}))
            ),
        ),
        ("wrong audience", lambda p: lambda t: p.forge(t, aud="another-application")),
        ("wrong issuer", lambda p: lambda t: p.forge(t, iss="https://evil.example")),
        (
            "expired",
            lambda p: (
                lambda t: p.forge(t, exp=int(time.time()) - 3600, iat=int(time.time()) - 7200)
            ),
        ),
        ("issued long ago", lambda p: lambda t: p.forge(t, iat=int(time.time()) - 3000)),
        ("no signature", lambda p: lambda t: t.rsplit(".", 1)[0] + "."),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_token_that_fails_a_check_is_refused(
    app: Flask,
    db: Session,
    school: School,
    provider: Provider,
    dsl: User,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    change: Callable[[Provider], Callable[[str], str]],
) -> None:
    _token_replaced(monkeypatch, change(provider))
    client = app.test_client()

    response = through_provider(client, provider, school, sub="dsl-1")

    _refused(response, NOT_CHECKED)
    assert not _signed_in(client)
    assert _failures(db)[-1]["reason"] == "token"
    assert db.scalar(select(ProviderLink.id)) is None


def test_the_provider_saying_no_is_refused(
    app: Flask, db: Session, school: School, provider: Provider, dsl: User
) -> None:
    def denied(url: str) -> str:
        state = dict(parse_qsl(urlsplit(url).query))["state"]
        return f"/sign-in/provider/callback?{urlencode({'error': 'access_denied', 'state': state})}"

    response = through_provider(
        app.test_client(), provider, school, sub="dsl-1", before_callback=denied
    )

    _refused(response, "Microsoft did not complete the sign-in")
    assert _failures(db)[-1]["reason"] == "provider"


def test_nothing_personal_reaches_the_log_or_the_page(
    app: Flask,
    school: School,
    provider: Provider,
    provider_settings: SignInSettings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    email = f"not.invited@{domain_of(school)}"
    provider.account("stranger-2", email)

    response = through_provider(app.test_client(), provider, school, sub="stranger-2")

    assert email not in response.get_data(as_text=True)
    assert email not in caplog.text
    assert "stranger-2" not in caplog.text
    assert "id_token" not in caplog.text


# --- passwords switched off ---------------------------------------------------------------------


def test_password_sign_in_is_refused_when_the_school_switched_it_off(
    app: Flask, db: Session, users: dict[Role, User], provider_settings: SignInSettings
) -> None:
    provider_settings.passwords_off = True
    db.commit()
    client = app.test_client()

    response = client.post(
        "/sign-in",
        data={
            "csrf_token": csrf_token(client, "/sign-in"),
            "email": users[Role.DSL].email,
            "password": factories.PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "switched off signing in with a password" in response.get_data(as_text=True)
    assert not _signed_in(client)
    assert _failures(db)[-1] == {"reason": "passwords_off"}


def test_the_sign_in_page_offers_the_provider(
    client: FlaskClient, school: School, provider_settings: SignInSettings
) -> None:
    page = client.get("/sign-in").get_data(as_text=True)

    assert "Sign in with Microsoft" in page
    assert f"/sign-in/provider/{school.id}" in page
