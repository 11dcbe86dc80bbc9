"""Elevated access: password again plus a reason, for one purpose, in one sign-in session, for a
few minutes; the reason is sealed and the grant audited."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.accounts import elevation
from incidents.accounts.elevation_views import require_elevation
from incidents.accounts.sessions import start
from incidents.errors import InvalidInput
from incidents.models import AuditEntry, Elevation, ElevationPurpose, LoginSession, Role, User
from incidents.models.base import utcnow
from tests import factories
from tests.conftest import csrf_token, problem, success_banner

REASON = "Marker-elevation-reason-Q7 needed to contact the reporter"
RECORD = "0190a3a4-0000-7000-8000-000000000001"  # the case a reveal is for (an opaque id)
PATH = f"/reauthenticate/reveal_reporter?record={RECORD}"


def _grant(client: FlaskClient, password: str, reason: str, next_url: str = "/cases/") -> object:
    url = f"{PATH}&next={next_url}"
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token, "password": password, "reason": reason})


def test_the_page_grants_access_and_returns_to_the_page(
    login_as: Callable[[Role], FlaskClient], db: Session, users: dict[Role, User]
) -> None:
    client = login_as(Role.HEADTEACHER)
    page = client.get(PATH).get_data(as_text=True)
    assert "Confirm it is you" in page
    assert "see who reported a concern" in page
    response = _grant(client, factories.PASSWORD, REASON)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response.location == "/cases/"  # type: ignore[attr-defined]
    grant = db.scalars(select(Elevation)).one()
    assert grant.purpose is ElevationPurpose.REVEAL_REPORTER
    assert str(grant.record_id) == RECORD
    assert grant.reason.reveal() == REASON
    assert REASON.encode() not in grant.reason_ct
    assert db.scalar(
        select(func.count()).where(
            AuditEntry.action == "auth.reauthenticate", AuditEntry.object_id == grant.id
        )
    )


@pytest.mark.parametrize(
    ("password", "reason", "message"),
    [
        ("wrong password entirely", REASON, "Enter your correct password"),
        ("", REASON, "Enter your password"),
        (factories.PASSWORD, "", "Enter why you need access"),
        (factories.PASSWORD, "   ", "Enter why you need access"),
        (factories.PASSWORD, "x" * 501, "The reason must be 500 characters or fewer"),
    ],
    ids=["wrong", "no-password", "no-reason", "blank-reason", "long-reason"],
)
def test_bad_input_is_refused_and_nothing_is_granted(
    login_as: Callable[[Role], FlaskClient], db: Session, password: str, reason: str, message: str
) -> None:
    client = login_as(Role.HEADTEACHER)
    response = _grant(client, password, reason)
    assert response.status_code == 200  # type: ignore[attr-defined]
    body = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert message in body
    assert "govuk-error-summary" in body
    assert message in problem(body) and success_banner(body) == ""
    assert db.scalar(select(func.count()).select_from(Elevation)) == 0


def test_a_wrong_password_is_audited(
    login_as: Callable[[Role], FlaskClient], db: Session, users: dict[Role, User]
) -> None:
    _grant(login_as(Role.DSL), "wrong password entirely", REASON)
    assert db.scalar(
        select(func.count()).where(
            AuditEntry.action == "auth.reauthenticate_failed",
            AuditEntry.actor_id == users[Role.DSL].id,
        )
    )


def test_next_stays_on_this_site(login_as: Callable[[Role], FlaskClient]) -> None:
    client = login_as(Role.HEADTEACHER)
    response = _grant(client, factories.PASSWORD, REASON, next_url="//evil.example/")
    assert response.location == "/"  # type: ignore[attr-defined]


def test_an_unknown_purpose_is_not_found(login_as: Callable[[Role], FlaskClient]) -> None:
    assert login_as(Role.HEADTEACHER).get("/reauthenticate/everything").status_code == 404


@pytest.mark.parametrize("record", ["", "?record=", "?record=not-an-id", "?record=../cases"])
def test_a_grant_without_its_record_is_not_a_page(
    login_as: Callable[[Role], FlaskClient], record: str
) -> None:
    response = login_as(Role.HEADTEACHER).get(f"/reauthenticate/reveal_reporter{record}")
    assert response.status_code == 404


def test_a_grant_for_one_record_does_not_open_another(db: Session, users: dict[Role, User]) -> None:
    head = users[Role.HEADTEACHER]
    token = _session_token(db, head)
    purpose = ElevationPurpose.REVEAL_REPORTER
    one, other = uuid.uuid4(), uuid.uuid4()
    elevation.grant(
        db,
        actor=head,
        login_token=token,
        purpose=purpose,
        password=factories.PASSWORD,
        reason=REASON,
        record_id=one,
    )
    db.flush()
    current = elevation.current
    assert current(db, actor=head, login_token=token, purpose=purpose, record_id=one) is not None
    assert current(db, actor=head, login_token=token, purpose=purpose, record_id=other) is None
    assert current(db, actor=head, login_token=token, purpose=purpose) is None


def test_the_form_needs_a_csrf_token(login_as: Callable[[Role], FlaskClient]) -> None:
    client = login_as(Role.HEADTEACHER)
    response = client.post(PATH, data={"password": factories.PASSWORD, "reason": REASON})
    assert response.status_code == 400


def _session_token(db: Session, user: User) -> str:
    token = start(db, user=user)
    db.flush()
    return token


def test_a_grant_counts_for_its_purpose_session_and_window_only(
    db: Session, users: dict[Role, User]
) -> None:
    head = users[Role.HEADTEACHER]
    token = _session_token(db, head)
    other_token = _session_token(db, head)
    purpose = ElevationPurpose.OPEN_CLOSED_CASE
    elevation.grant(
        db,
        actor=head,
        login_token=token,
        purpose=purpose,
        password=factories.PASSWORD,
        reason=REASON,
    )
    db.flush()
    assert elevation.current(db, actor=head, login_token=token, purpose=purpose) is not None
    other = ElevationPurpose.EXPORT
    assert elevation.current(db, actor=head, login_token=token, purpose=other) is None
    assert elevation.current(db, actor=head, login_token=other_token, purpose=purpose) is None
    assert elevation.current(db, actor=users[Role.DSL], login_token=token, purpose=purpose) is None
    later = utcnow() + elevation.WINDOW + timedelta(seconds=1)
    assert elevation.current(db, actor=head, login_token=token, purpose=purpose, now=later) is None


def test_a_grant_ends_with_its_sign_in_session(db: Session, users: dict[Role, User]) -> None:
    head = users[Role.HEADTEACHER]
    token = _session_token(db, head)
    purpose = ElevationPurpose.EXPORT
    elevation.grant(
        db,
        actor=head,
        login_token=token,
        purpose=purpose,
        password=factories.PASSWORD,
        reason=REASON,
    )
    for row in db.scalars(select(LoginSession).where(LoginSession.user_id == head.id)):
        row.ended_at = utcnow()
    db.flush()
    assert elevation.current(db, actor=head, login_token=token, purpose=purpose) is None


def test_no_grant_without_a_live_session(db: Session, users: dict[Role, User]) -> None:
    with pytest.raises(InvalidInput):
        elevation.grant(
            db,
            actor=users[Role.HEADTEACHER],
            login_token="made-up",
            purpose=ElevationPurpose.EXPORT,
            password=factories.PASSWORD,
            reason=REASON,
        )


def test_require_elevation_redirects_then_lets_through(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    head = users[Role.HEADTEACHER]
    token = _session_token(db, head)
    db.commit()
    purpose = ElevationPurpose.REVEAL_REPORTER
    with app.test_request_context("/cases/x?tab=1"):
        from flask import session
        from flask_login import login_user

        login_user(head)
        session["sid"] = token
        answer = require_elevation(purpose, uuid.UUID(RECORD))
        assert not isinstance(answer, Elevation)
        assert urlsplit(answer.location).path == PATH.split("?")[0]
        query = parse_qs(urlsplit(answer.location).query)
        assert query["next"] == ["/cases/x?tab=1"] and query["record"] == [RECORD]
    elevation.grant(
        db,
        actor=head,
        login_token=token,
        purpose=purpose,
        password=factories.PASSWORD,
        reason=REASON,
        record_id=uuid.UUID(RECORD),
    )
    db.commit()
    with app.test_request_context("/cases/x"):
        from flask import session
        from flask_login import login_user

        login_user(head)
        session["sid"] = token
        assert isinstance(require_elevation(purpose, uuid.UUID(RECORD)), Elevation)
        # The same purpose on another record asks again.
        assert not isinstance(require_elevation(purpose, uuid.uuid4()), Elevation)
