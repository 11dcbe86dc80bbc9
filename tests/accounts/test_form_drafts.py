"""Sessions that don't lose work (issue 17, item 9): a form sent after the session ended is kept
sealed for the user whose session it was, and after they sign in again (with the second factor)
they land back on the form with what they typed, once. Another user never gets it; it expires;
the landing page is always a page on this site."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from incidents.accounts import drafts
from incidents.models import FormDraft, LoginSession, Role, User
from incidents.models.base import utcnow
from tests import factories
from tests.conftest import count, csrf_token, forget_last_code, sign_in
from tests.core.test_encryption import _every_stored_value

TYPED = "Canary-typed-narrative-Zq: a pupil was sent a friend request"
KEPT_MESSAGE = "What you typed into the form has been kept"
FILLED_MESSAGE = "We have filled in the form with what you typed"


def _end_by_idling(db: Session, user: User) -> None:
    """As if the user had typed for 25 minutes without sending anything."""
    for row in db.scalars(
        select(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    ):
        row.last_seen_at = utcnow() - timedelta(minutes=25)
    db.commit()


def _sign_in_at(client: FlaskClient, location: str, email: str) -> str:
    """Sign in on the page the service sent us to (it carries `next`); where it lands next."""
    response = client.post(
        location,
        data={
            "csrf_token": csrf_token(client, location),
            "email": email,
            "password": factories.PASSWORD,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    if response.location.endswith("/sign-in/code"):
        forget_last_code(client.application, email)
        response = client.post(
            "/sign-in/code",
            data={
                "csrf_token": csrf_token(client, "/sign-in/code"),
                "code": pyotp.TOTP(factories.TOTP_SECRET).now(),
            },
        )
        assert response.status_code == 302
    return str(response.location)


def _report_after_idling(client: FlaskClient, db: Session, user: User) -> TestResponse:
    token = csrf_token(client, "/report/")
    _end_by_idling(db, user)
    return client.post(
        "/report/",
        data={"csrf_token": token, "narrative": TYPED, "new_subject_name": "Mr Canary-Subject"},
    )


def test_a_report_sent_after_the_session_ended_is_given_back_after_signing_in(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    staff = users[Role.STAFF]
    client = app.test_client()
    sign_in(client, staff.email)

    response = _report_after_idling(client, db, staff)

    assert urlsplit(response.location).path == "/sign-in"
    assert parse_qs(urlsplit(response.location).query)["next"] == ["/report/"]
    assert count(db, FormDraft) == 1
    assert TYPED.encode() not in _every_stored_value(db), "kept in clear"
    assert KEPT_MESSAGE in client.get(response.location).get_data(as_text=True)

    landed = _sign_in_at(client, response.location, staff.email)
    assert urlsplit(landed).path == "/report/"
    page = client.get(landed).get_data(as_text=True)
    assert FILLED_MESSAGE in page
    assert TYPED in page and "Mr Canary-Subject" in page
    assert "Files you chose were not kept" not in page
    # Given back once, then gone: nothing left lying around, and nothing was saved for them.
    assert count(db, FormDraft) == 0
    assert TYPED not in client.get("/report/").get_data(as_text=True)


def test_a_form_is_filled_in_never_sent_for_the_user(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    """Restoring a state change's form must not make the change: the user sends it again."""
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head)
    db.commit()
    client = app.test_client()
    sign_in(client, head.email)
    page = f"/cases/{case.id}"
    token = csrf_token(client, page)
    notes_before = len(case.notes)
    _end_by_idling(db, head)

    # The note form's own address takes only POST: signing in lands on the case page it is on.
    response = client.post(f"{page}/notes", data={"csrf_token": token, "body": TYPED})
    landed = _sign_in_at(client, response.location, head.email)
    assert urlsplit(landed).path == page
    answer = client.get(landed)
    assert answer.status_code == 200, "never Page not found"
    assert TYPED in answer.get_data(as_text=True)
    db.expire_all()
    assert len(case.notes) == notes_before


def test_another_user_signing_in_never_gets_the_draft(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    staff, governor = users[Role.STAFF], users[Role.GOVERNOR]
    client = app.test_client()
    sign_in(client, staff.email)
    response = _report_after_idling(client, db, staff)

    # Someone else at the same computer signs in from the same page, going to the same form.
    landed = _sign_in_at(client, response.location, governor.email)
    page = client.get(landed).get_data(as_text=True)

    assert TYPED not in page and FILLED_MESSAGE not in page
    assert count(db, FormDraft) == 1  # still the staff member's, until it expires
    assert drafts.take(db, user=governor, page="/report/") is None


def test_a_draft_expires_after_thirty_minutes_and_is_purged(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    staff = users[Role.STAFF]
    client = app.test_client()
    sign_in(client, staff.email)
    response = _report_after_idling(client, db, staff)

    with time_machine.travel(datetime.now(UTC) + drafts.LIFETIME + timedelta(minutes=1)):
        landed = _sign_in_at(client, response.location, staff.email)
        assert TYPED not in client.get(landed).get_data(as_text=True)
        assert drafts.purge_expired(db) == 1
    assert count(db, FormDraft) == 0


def test_expired_drafts_are_deleted_when_the_user_next_reads_theirs(
    db: Session, users: dict[Role, User]
) -> None:
    staff = users[Role.STAFF]
    then = utcnow() - timedelta(hours=1)
    drafts.keep(
        db, user=staff, page="/report/", fields=[("narrative", "x")], files_dropped=False, now=then
    )
    db.flush()
    assert drafts.take(db, user=staff, page="/report/") is None
    db.flush()
    assert count(db, FormDraft) == 0


def test_files_are_not_kept_and_the_page_says_so(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    staff = users[Role.STAFF]
    drafts.keep(db, user=staff, page="/report/", fields=[("narrative", TYPED)], files_dropped=True)
    db.commit()
    client = app.test_client()
    sign_in(client, staff.email)
    page = client.get("/report/").get_data(as_text=True)
    assert TYPED in page
    assert "Files you chose were not kept: choose them again." in page


def test_the_landing_page_is_always_on_this_site(app: Flask, users: dict[Role, User]) -> None:
    """An open redirect through `next` or a draft's page is refused."""
    staff = users[Role.STAFF]
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil"):
        client = app.test_client()
        landed = _sign_in_at(client, f"/sign-in?next={evil}", staff.email)
        assert urlsplit(landed).netloc in ("", "localhost"), evil
        assert urlsplit(landed).path == "/", evil


def test_a_draft_for_a_page_off_this_site_is_never_kept(
    db: Session, users: dict[Role, User]
) -> None:
    staff = users[Role.STAFF]
    for page in ("//evil.example/", "https://evil.example/", "/\\evil", "report"):
        assert (
            drafts.keep(db, user=staff, page=page, fields=[("narrative", "x")], files_dropped=False)
            is None
        )


def test_what_is_not_worth_keeping_is_not_kept(db: Session, users: dict[Role, User]) -> None:
    staff = users[Role.STAFF]

    def keep(fields: list[tuple[str, str]]) -> FormDraft | None:
        return drafts.keep(db, user=staff, page="/report/", fields=fields, files_dropped=False)

    assert keep([("csrf_token", "t"), ("submit", "Record")]) is None  # a button: nothing typed
    assert keep([(f"f{i}", "x") for i in range(drafts.MAX_FIELDS + 1)]) is None
    assert keep([("narrative", "x" * (drafts.MAX_BYTES + 1))]) is None
    kept = keep(
        [
            ("narrative", "n"),
            ("password", "hunter2"),
            ("new_password", "p"),
            ("confirmed", "yes"),
            ("csrf_token", "t"),
        ]
    )
    assert kept is not None
    db.flush()
    restored = drafts.take(db, user=staff, page="/report/")
    assert restored is not None
    assert restored.fields == [("narrative", "n")], "passwords and controls are never kept"


def test_account_pages_and_bad_tokens_keep_nothing(
    app: Flask, db: Session, users: dict[Role, User]
) -> None:
    head = users[Role.HEADTEACHER]
    client = app.test_client()
    sign_in(client, head.email)
    token = csrf_token(client, "/account/password")
    _end_by_idling(db, head)
    response = client.post(
        "/account/password",
        data={"csrf_token": token, "current": factories.PASSWORD, "password": "p" * 20},
    )
    assert urlsplit(response.location).path == "/sign-in"
    assert count(db, FormDraft) == 0

    # A form without its CSRF token is refused before anything is kept.
    client = app.test_client()
    sign_in(client, head.email)
    _end_by_idling(db, head)
    response = client.post("/report/", data={"narrative": TYPED})
    assert response.status_code == 400
    assert count(db, FormDraft) == 0


def test_a_stored_draft_that_is_not_what_keep_wrote_is_never_shown(
    db: Session, users: dict[Role, User]
) -> None:
    from incidents.sensitive import Sensitive

    staff = users[Role.STAFF]
    kept = drafts.keep(
        db, user=staff, page="/report/", fields=[("narrative", "n")], files_dropped=False
    )
    assert kept is not None
    kept.content = Sensitive("not json")
    db.flush()
    assert drafts.take(db, user=staff, page="/report/") is None
