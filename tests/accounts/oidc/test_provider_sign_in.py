"""Signing in with the school's identity provider, against a real OpenID provider: who gets in,
when the second factor is still asked for, and every refusal's message and audit entry."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from joserfc.jwk import RSAKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.accounts.oidc import client as oidc_client
from incidents.accounts.oidc.views import FLOW
from incidents.models import AuditEntry, ProviderLink, Role, School, SignInSettings, User
from tests import factories
from tests.accounts.oidc.conftest import DOMAIN, Provider, through_provider
from tests.conftest import csrf_token, forget_last_code

pytestmark = pytest.mark.usefixtures("provider_settings")


def _entries(db: Session, action: audit.Action) -> list[AuditEntry]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action.value)))


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


def _user(db: Session, school: School, role: Role, email: str) -> User:
    user = factories.make_user(db, school, role)
    user.email = email
    db.commit()
    return user


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


def test_a_good_sign_in_still_asks_for_the_second_factor(
    app: Flask, db: Session, users: dict[Role, User], school: School, provider: Provider
) -> None:
    dsl = users[Role.DSL]
    provider.account("dsl-1", dsl.email.replace(dsl.email.rpartition("@")[2], DOMAIN))
    dsl.email = dsl.email.replace(dsl.email.rpartition("@")[2], DOMAIN)
    db.commit()
    client = app.test_client()

    response = through_provider(client, provider, school, sub="dsl-1")

    assert response.status_code == 302
    assert response.location.endswith("/sign-in/code")
    assert not _signed_in(client)
    _enter_code(app, client, dsl)
    assert _signed_in(client)
    assert db.scalar(select(ProviderLink.user_id)) == dsl.id
    [sign_in] = [e for e in _entries(db, audit.Action.SIGN_IN) if e.actor_id == dsl.id]
    assert _entries(db, audit.Action.PROVIDER_LINK)
