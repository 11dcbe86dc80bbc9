"""The inbox on the home page and the count in the header, read when the case is opened; the
notification preferences page, with bad input refused and nothing half-written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.models import Alert, AlertPreference, Delivery, DisclosureSource, Role, User
from incidents.models.audit import AuditEntry
from tests import factories
from tests.conftest import post_form, problem, success_banner

Login = Callable[[Role], FlaskClient]


def _inbox(page: str) -> str:
    """The home page's inbox list alone."""
    start = page.index('class="govuk-list govuk-list--spaced app-attention"')
    return page[start : page.index("</ul>", start)]


def test_the_inbox_lists_new_alerts_newest_first_and_opening_the_case_reads_them(
    db: Session, users: dict[Role, User], login_as: Login
) -> None:
    first = factories.make_case(db, users[Role.STAFF], source=DisclosureSource.STAFF)
    second = factories.make_case(db, users[Role.STAFF], source=DisclosureSource.STAFF)
    db.commit()
    dsl = login_as(Role.DSL)
    page = dsl.get("/").get_data(as_text=True)
    assert "Needs your attention" in page
    assert page.index(second.reference) < page.index(first.reference)  # newest first
    assert 'app-alert-count">2<' in page  # the header's count
    assert "friended" not in page  # no narrative, ever

    # The case page that reads the alert already counts it read in its own header (the count
    # read with the sign-in check is forgotten when the alerts are marked read).
    opened = dsl.get(f"/cases/{first.id}").get_data(as_text=True)
    assert 'app-alert-count">1<' in opened

    page = dsl.get("/").get_data(as_text=True)
    assert 'app-alert-count">1<' in page
    # The caseload below the inbox lists both cases still: only the inbox forgets the first.
    assert first.reference not in _inbox(page) and second.reference in _inbox(page)
    read = db.scalar(
        select(func.count())
        .select_from(Alert)
        .where(Alert.user_id == users[Role.DSL].id, Alert.read_at.is_not(None))
    )
    assert read == 1


def test_the_header_count_shows_on_every_page_only_when_something_waits(
    db: Session, users: dict[Role, User], login_as: Login
) -> None:
    head = login_as(Role.HEADTEACHER)
    assert "app-alert-count" not in head.get("/cases/").get_data(as_text=True)
    factories.make_case(db, users[Role.STAFF], source=DisclosureSource.STAFF)
    db.commit()
    assert 'app-alert-count">1<' in head.get("/cases/").get_data(as_text=True)


def test_choosing_the_daily_digest_is_saved_and_audited(
    db: Session, users: dict[Role, User], login_as: Login
) -> None:
    client = login_as(Role.DEPUTY_DSL)
    page = client.get("/alerts/preferences").get_data(as_text=True)
    assert 'value="immediate" checked' in page
    response = post_form(client, "/alerts/preferences", {"delivery": "digest"})
    assert response.status_code == 302
    landed = client.get(response.location).get_data(as_text=True)
    assert "Your email preference has been saved" in success_banner(landed)
    chosen = db.get(AlertPreference, users[Role.DEPUTY_DSL].id)
    assert chosen is not None and chosen.delivery is Delivery.DIGEST
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.action == "alert.preference",
                AuditEntry.actor_id == users[Role.DEPUTY_DSL].id,
            )
        )
        == 1
    )
    # Now new cases wait for the digest, but a child's disclosure clock does not.
    case = factories.make_case(db, users[Role.STAFF], source=DisclosureSource.STAFF)
    alert = db.scalars(select(Alert).where(Alert.case_id == case.id)).all()
    assert all(a.outbox_id is not None for a in alert if a.user_id != users[Role.DEPUTY_DSL].id)


@pytest.mark.parametrize(
    "value", ["", "weekly", "immediate\x00", "x" * 5000, "<script>alert(1)</script>"]
)
def test_a_bad_preference_is_refused_with_a_message_and_nothing_saved(
    db: Session, users: dict[Role, User], login_as: Login, value: str
) -> None:
    client = login_as(Role.DSL)
    response = post_form(client, "/alerts/preferences", {"delivery": value})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Choose how you want to be emailed" in problem(page)
    assert "<script>alert(1)</script>" not in page
    assert db.get(AlertPreference, users[Role.DSL].id) is None


def test_a_missing_preference_field_is_refused(
    db: Session, users: dict[Role, User], login_as: Login
) -> None:
    client = login_as(Role.DSL)
    response = post_form(client, "/alerts/preferences", {})
    assert "Choose how you want to be emailed" in problem(response.get_data(as_text=True))
    assert db.get(AlertPreference, users[Role.DSL].id) is None


def test_the_preferences_page_needs_sign_in_and_changes_only_your_own(
    app: object, db: Session, users: dict[Role, User], login_as: Login
) -> None:
    anonymous = app.test_client()  # type: ignore[attr-defined]
    assert anonymous.get("/alerts/preferences").status_code == 302
    staff = login_as(Role.STAFF)
    post_form(
        staff, "/alerts/preferences", {"delivery": "digest", "user_id": str(users[Role.DSL].id)}
    )
    assert db.get(AlertPreference, users[Role.DSL].id) is None
    assert db.get(AlertPreference, users[Role.STAFF].id) is not None


@pytest.mark.parametrize("token", ["", "not-a-real-token"])
def test_a_preference_without_a_valid_csrf_token_is_refused(
    db: Session, users: dict[Role, User], login_as: Login, token: str
) -> None:
    client = login_as(Role.DSL)
    response = client.post("/alerts/preferences", data={"csrf_token": token, "delivery": "digest"})
    assert response.status_code in (200, 400)
    assert db.get(AlertPreference, users[Role.DSL].id) is None


def test_a_subject_access_reminder_is_read_when_the_request_is_opened(
    db: Session, users: dict[Role, User], login_as: Login
) -> None:
    from datetime import timedelta

    import time_machine

    from incidents.alerts import clocks
    from incidents.clock import local_today
    from incidents.models import Requester
    from incidents.models.base import utcnow
    from incidents.registers.subject_access import commands as sar

    request = sar.log_request(
        db,
        actor=users[Role.HEADTEACHER],
        data=sar.NewRequest("A Requester", Requester.DATA_SUBJECT, local_today()),
    )
    db.commit()
    with time_machine.travel(utcnow() + timedelta(days=60), tick=False):
        assert clocks.raise_due(db) == 1  # overdue: the headteacher, who answers requests
        db.commit()
    head = login_as(Role.HEADTEACHER)
    page = head.get("/").get_data(as_text=True)
    assert "A deadline has passed: a subject access request" in page
    assert "A Requester" not in page
    head.get(f"/subject-access-requests/{request.id}")
    assert "A deadline has passed" not in head.get("/").get_data(as_text=True)
