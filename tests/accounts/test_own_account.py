"""Your own account (issue 16): change the password (current one required; other sessions
end), see and end sessions, make new recovery codes, see recent sign-ins."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.accounts.passwords import verify_password
from incidents.audit import Action
from incidents.models import AuditEntry, LoginSession, Role, User
from tests import factories
from tests.conftest import (
    csrf_token,
    forget_last_code,
    post_form,
    problem,
    sign_in,
    success_banner,
)

NEW_PASSWORD = "another long passphrase"


def _live(db: Session, user: User) -> list[LoginSession]:
    db.expire_all()
    return list(
        db.scalars(
            select(LoginSession).where(
                LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)
            )
        )
    )


def test_changing_the_password_ends_the_other_sessions_only(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    head = users[Role.HEADTEACHER]
    here, there = app.test_client(), app.test_client()
    sign_in(here, head.email)
    sign_in(there, head.email)
    response = post_form(
        here,
        "/account/password",
        {"current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert "Your password has been changed" in success_banner(
        here.get(response.location).get_data(as_text=True)
    )
    assert here.get("/cases/").status_code == 200
    assert there.get("/cases/").status_code == 302
    db.expire_all()
    assert verify_password(db.get(User, head.id).password_hash, NEW_PASSWORD)  # type: ignore[union-attr]
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == Action.PASSWORD_CHANGE.value))


def test_bad_password_changes_are_refused_and_nothing_changes(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    staff = users[Role.STAFF]
    client = app.test_client()
    sign_in(client, staff.email)
    cases = [
        ({"current": "wrong password"}, "Enter your correct current password"),
        ({"current": ""}, "Enter your current password"),
        ({"current": "x" * 201}, "Enter your correct current password"),
        ({"password": "short", "confirm": "short"}, "12 characters or more"),
        ({"confirm": "not the same"}, "The passwords do not match"),
        ({"password": factories.PASSWORD, "confirm": factories.PASSWORD}, "different from"),
    ]
    for data, message in cases:
        form = {"current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        form.update(data)
        page = post_form(client, "/account/password", form).get_data(as_text=True)
        assert message in problem(page), (data, problem(page))
    db.expire_all()
    assert verify_password(db.get(User, staff.id).password_hash, factories.PASSWORD)  # type: ignore[union-attr]


def test_sessions_are_listed_and_can_be_signed_out(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    dsl = users[Role.DSL]
    here, there = app.test_client(), app.test_client()
    sign_in(here, dsl.email)
    sign_in(there, dsl.email)
    page = here.get("/account").get_data(as_text=True)
    assert "This browser" in page and "Sign out everywhere else" in page
    [other_id] = re.findall(r"/account/sessions/([0-9a-f-]{36})/end", page)
    response = post_form(here, f"/account/sessions/{other_id}/end", {}, token_from="/account")
    assert response.status_code == 302
    assert there.get("/cases/").status_code == 302
    assert len(_live(db, dsl)) == 1
    # Someone else's session (or one already ended) is refused, and nothing changes.
    head = users[Role.HEADTEACHER]
    theirs = app.test_client()
    sign_in(theirs, head.email)
    [their_session] = _live(db, head)
    response = post_form(here, f"/account/sessions/{their_session.id}/end", {}, token_from="/")
    assert "already ended" in problem(here.get(response.location).get_data(as_text=True))
    assert theirs.get("/cases/").status_code == 200


def test_sign_out_everywhere_else(app: Flask, db: Session, users: dict[Role, User]) -> None:
    dsl = users[Role.DSL]
    clients = [app.test_client() for _ in range(3)]
    for client in clients:
        sign_in(client, dsl.email)
        forget_last_code(app, dsl.email)
    post_form(clients[0], "/account/sessions/end-others", {}, token_from="/account")
    assert [c.get("/cases/").status_code for c in clients] == [200, 302, 302]


def test_new_recovery_codes_replace_the_old_ones(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    dsl = users[Role.DSL]
    client = app.test_client()
    sign_in(client, dsl.email)
    assert "10 unused recovery codes" in client.get("/account").get_data(as_text=True)
    page = post_form(client, "/account/recovery-codes", {"password": "wrong"}).get_data(
        as_text=True
    )
    assert "Enter your correct password" in problem(page)
    page = post_form(client, "/account/recovery-codes", {"password": ""}).get_data(as_text=True)
    assert "Enter your password" in problem(page)
    page = post_form(client, "/account/recovery-codes", {"password": factories.PASSWORD}).get_data(
        as_text=True
    )
    assert "New recovery codes made" in page
    assert len(re.findall(r"<li><code>[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}</code></li>", page)) == 10


def test_recent_sign_ins_show_wrong_passwords_too(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    staff = users[Role.STAFF]
    stranger = app.test_client()
    stranger.post(
        "/sign-in",
        data={
            "csrf_token": csrf_token(stranger, "/sign-in"),
            "email": staff.email,
            "password": "guess",
        },
    )
    client = app.test_client()
    sign_in(client, staff.email)
    page = client.get("/account").get_data(as_text=True)
    assert "Wrong password" in page and "Signed in" in page
