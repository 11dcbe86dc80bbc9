"""The subject access register: logging, the one-month clock and its extension, the reply with
the exemptions relied on, closing without a reply, bad input, the audit trail, and who may."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.clock import local_today
from incidents.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowedError
from incidents.models import (
    AuditEntry,
    Exemption,
    Requester,
    RequestState,
    Role,
    SubjectAccessRequest,
    User,
)
from incidents.registers.subject_access import commands as sar
from tests import factories
from tests.conftest import count, date_parts, post_form, problem, success_banner

MARKER = "Quillon Marchbanks-Zed"


def _log(db: Session, head: User, received: date | None = None) -> SubjectAccessRequest:
    request = sar.log_request(
        db,
        actor=head,
        data=sar.NewRequest(MARKER, Requester.DATA_SUBJECT, received or local_today()),
    )
    db.commit()
    return request


def _actions(db: Session, request: SubjectAccessRequest) -> list[str]:
    return list(
        db.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_id == request.id)
            .order_by(AuditEntry.seq)
        )
    )


def test_a_request_gets_a_reference_and_a_one_month_deadline(db, users):
    head = users[Role.HEADTEACHER]
    # Received Fri 30 Jan 2026: one calendar month is Sat 28 Feb, so the reply is due Mon 2 Mar.
    first = _log(db, head, date(2026, 1, 30))
    second = _log(db, head, date(2026, 2, 2))
    assert (first.reference, second.reference) == ("SAR-2026-001", "SAR-2026-002")
    assert first.due_on == date(2026, 3, 2)
    assert first.state is RequestState.OPEN
    assert _actions(db, first) == ["sar.log"]


def test_who_asked_is_encrypted_at_rest(db, users):
    request = _log(db, users[Role.HEADTEACHER])
    raw = db.execute(
        select(SubjectAccessRequest.__table__.c.requester_ct).where(
            SubjectAccessRequest.__table__.c.id == request.id
        )
    ).scalar_one()
    assert MARKER.encode() not in bytes(raw)
    assert request.requester.reveal() == MARKER


def test_extending_moves_the_deadline_to_three_months_once(db, users):
    head = users[Role.HEADTEACHER]
    request = _log(db, head, local_today() - timedelta(days=3))
    sar.extend(db, actor=head, request=request, reason="Many records across several cases")
    db.commit()
    assert request.extended
    assert request.due_on >= request.received_on + timedelta(days=89)
    with pytest.raises(InvalidInput) as exc:
        sar.extend(db, actor=head, request=request, reason="Again")
    assert exc.value.errors == {"reason": "This request has already been extended"}
    assert _actions(db, request) == ["sar.log", "sar.extend"]


def test_an_extension_after_the_first_month_is_refused(db, users):
    head = users[Role.HEADTEACHER]
    request = _log(db, head, local_today() - timedelta(days=70))
    due = request.due_on
    with pytest.raises(InvalidInput) as exc:
        sar.extend(db, actor=head, request=request, reason="Complex")
    db.rollback()
    assert "first month has passed" in exc.value.errors["reason"]
    db.refresh(request)
    assert (request.extended, request.due_on) == (False, due)
    assert _actions(db, request) == ["sar.log"]


def test_the_reply_records_each_exemption_and_why(db, users):
    head = users[Role.HEADTEACHER]
    request = _log(db, head, local_today() - timedelta(days=10))
    sar.respond(
        db,
        actor=head,
        request=request,
        responded_on=local_today(),
        exemptions=[Exemption.SOURCE_IDENTITY, Exemption.THIRD_PARTY, Exemption.THIRD_PARTY],
        note="Withheld the name of the member of staff who reported",
    )
    db.commit()
    assert request.state is RequestState.RESPONDED
    # Each exemption once, however often it was ticked.
    assert sorted(request.exemptions) == [Exemption.SOURCE_IDENTITY, Exemption.THIRD_PARTY]
    assert _actions(db, request) == ["sar.log", "sar.respond"]
    # The table refuses it: a refusal, not bad input (nothing on the form could fix it).
    with pytest.raises(TransitionNotAllowedError, match="answered: it cannot be changed"):
        sar.close(db, actor=head, request=request, state=RequestState.WITHDRAWN, reason="x")


@pytest.mark.parametrize(
    ("responded_on", "exemptions", "note", "field", "message"),
    [
        (None, [], "", "responded_on", "Enter the date the reply was sent"),
        (date(2099, 1, 1), [], "", "responded_on", "must be today or in the past"),
        (date(2000, 1, 1), [], "", "responded_on", "on or after it was received"),
        ("today", [Exemption.CRIME], "  ", "note", "Say what was withheld or redacted, and why"),
        ("today", [], "x" * (sar.MAX_NOTE + 1), "note", "5,000 characters or fewer"),
    ],
)
def test_a_bad_reply_is_refused_and_changes_nothing(
    db, users, responded_on, exemptions, note, field, message
):
    head = users[Role.HEADTEACHER]
    request = _log(db, head)
    when = local_today() if responded_on == "today" else responded_on
    with pytest.raises(InvalidInput) as exc:
        sar.respond(
            db, actor=head, request=request, responded_on=when, exemptions=exemptions, note=note
        )
    db.rollback()
    assert message in exc.value.errors[field]
    db.refresh(request)
    assert request.state is RequestState.OPEN and request.exemptions == []
    assert _actions(db, request) == ["sar.log"]


@pytest.mark.parametrize(
    ("requester", "kind", "received", "field", "message"),
    [
        ("  ", Requester.OTHER, date(2026, 1, 5), "requester", "Enter who made the request"),
        ("x" * 201, Requester.OTHER, date(2026, 1, 5), "requester", "200 characters or fewer"),
        ("A Parent", None, date(2026, 1, 5), "requester_kind", "Choose who made the request"),
        ("A Parent", Requester.OTHER, None, "received_on", "Enter the date the request was"),
        ("A Parent", Requester.OTHER, date(2099, 1, 5), "received_on", "today or in the past"),
    ],
)
def test_logging_bad_input_is_refused(db, users, requester, kind, received, field, message):
    before = count(db, SubjectAccessRequest)
    with pytest.raises(InvalidInput) as exc:
        sar.log_request(
            db,
            actor=users[Role.HEADTEACHER],
            data=sar.NewRequest(requester, kind, received),
        )
    db.rollback()
    assert message in exc.value.errors[field]
    assert count(db, SubjectAccessRequest) == before


def test_closing_needs_a_reason_and_a_kind(db, users):
    head = users[Role.HEADTEACHER]
    request = _log(db, head)
    with pytest.raises(InvalidInput) as exc:
        sar.close(db, actor=head, request=request, state=RequestState.RESPONDED, reason=" ")
    assert set(exc.value.errors) == {"state", "reason"}
    db.rollback()
    sar.close(db, actor=head, request=request, state=RequestState.REFUSED, reason="Excessive")
    db.commit()
    assert request.state is RequestState.REFUSED
    assert _actions(db, request) == ["sar.log", "sar.close"]


def test_only_the_headteacher_keeps_the_register(db, users, school):
    request = _log(db, users[Role.HEADTEACHER])
    for role in (Role.DSL, Role.GOVERNOR, Role.ADMIN, Role.STAFF, Role.TRUST_OFFICER):
        with pytest.raises(Forbidden):
            sar.get_request(db, actor=users[role], request_id=request.id)
    other_school = factories.make_school(db, urn="654321", name="Other School")
    other_head = factories.make_user(db, other_school, Role.HEADTEACHER)
    with pytest.raises(NotFound):
        sar.get_request(db, actor=other_head, request_id=request.id)
    assert sar.register(db, actor=other_head) == []


def test_due_and_overdue_requests_reach_the_home_page(db, users, login_as):
    head = users[Role.HEADTEACHER]
    overdue = _log(db, head, local_today() - timedelta(days=40))
    later = _log(db, head, local_today())
    due = sar.due_requests(db, actor=head)
    assert [d.reference for d in due] == [overdue.reference]
    assert due[0].overdue
    page = login_as(Role.HEADTEACHER).get("/").get_data(as_text=True)
    assert overdue.reference in page and later.reference not in page
    assert MARKER not in page  # the home page names no requester


def _web_request(client: FlaskClient, **fields: object):
    return post_form(
        client,
        "/subject-access-requests/new",
        {"requester": MARKER, "requester_kind": "data_subject", **fields},
    )


def test_the_pages_log_open_and_answer_a_request(db, login_as):
    client = login_as(Role.HEADTEACHER)
    response = _web_request(client, received_on=date_parts(local_today()))
    assert response.status_code == 302
    request = db.scalars(select(SubjectAccessRequest)).one()
    # The URL carries an opaque id, never who asked.
    assert str(request.id) in response.location and "Quillon" not in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert MARKER in page and request.reference in page
    assert "sar.view" in _actions(db, request)
    register = client.get("/subject-access-requests/").get_data(as_text=True)
    assert request.reference in register and MARKER not in register

    url = f"/subject-access-requests/{request.id}/reply"
    bad = post_form(client, url, {"responded_on": ["31", "2", "2026"], "exemptions": ["crime"]})
    assert bad.status_code == 200
    assert "must be a real date" in bad.get_data(as_text=True)
    odd = post_form(client, url, {"responded_on": date_parts(local_today()), "exemptions": ["x"]})
    assert odd.status_code == 200
    assert "Choose exemptions from the list" in odd.get_data(as_text=True)
    db.refresh(request)
    assert request.state is RequestState.OPEN
    done = post_form(
        client,
        url,
        {
            "responded_on": date_parts(local_today()),
            "exemptions": ["crime"],
            "note": "Police asked us to hold back the interview notes",
        },
    )
    assert done.status_code == 302
    db.refresh(request)
    assert request.state is RequestState.RESPONDED
    # A closed request offers no more steps and refuses them.
    again = client.get(f"/subject-access-requests/{request.id}/close", follow_redirects=True)
    assert "cannot be changed" in again.get_data(as_text=True)
    assert "cannot be changed" in problem(again.get_data(as_text=True))


@pytest.mark.parametrize(
    ("step", "fields"),
    [
        ("close", {"state": "withdrawn", "reason": "They withdrew it"}),
        ("extend", {"reason": "Complex"}),
        ("reply", {"responded_on": "today", "note": "Sent again"}),
    ],
)
def test_a_step_on_a_closed_request_is_refused_as_an_error_and_saves_nothing(
    db, users, login_as, step, fields
):
    head = users[Role.HEADTEACHER]
    request = _log(db, head)
    sar.close(db, actor=head, request=request, state=RequestState.REFUSED, reason="Excessive")
    db.commit()
    client = login_as(Role.HEADTEACHER)
    if fields.get("responded_on") == "today":
        fields = {**fields, "responded_on": date_parts(local_today())}
    base = f"/subject-access-requests/{request.id}"
    response = post_form(client, f"{base}/{step}", fields, token_from=base)
    assert response.status_code == 302
    assert response.location.endswith(f"/subject-access-requests/{request.id}")
    page = client.get(response.location).get_data(as_text=True)
    reason = "This request is refused: it cannot be changed"
    assert reason in problem(page)
    assert reason not in success_banner(page) and success_banner(page) == ""
    db.refresh(request)
    assert (request.state, request.extended, request.responded_on) == (
        RequestState.REFUSED,
        False,
        None,
    )
    assert request.closing_reason is not None
    assert request.closing_reason.reveal() == "Excessive"
    assert [a for a in _actions(db, request) if a != "sar.view"] == ["sar.log", "sar.close"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"received_on": ["", "", ""]}, "Enter the date the request was received"),
        ({"received_on": ["1", "", "2026"]}, "must include a month"),
        ({"received_on": date_parts(date(2099, 1, 1))}, "must be today or in the past"),
        ({"requester_kind": "king", "received_on": ["1", "1", "2026"]}, "Choose who made"),
        ({"requester": "", "received_on": ["1", "1", "2026"]}, "Enter who made the request"),
    ],
)
def test_the_log_page_explains_bad_input(db, login_as, fields, message):
    response = _web_request(login_as(Role.HEADTEACHER), **fields)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(db, SubjectAccessRequest) == 0


def test_the_extend_and_close_pages_explain_bad_input(db, users, login_as):
    request = _log(db, users[Role.HEADTEACHER])
    client = login_as(Role.HEADTEACHER)
    base = f"/subject-access-requests/{request.id}"
    response = post_form(client, f"{base}/extend", {"reason": ""})
    assert "Enter why the request needs longer" in response.get_data(as_text=True)
    response = post_form(client, f"{base}/close", {"state": "responded", "reason": "x"})
    assert "Choose whether the request was withdrawn or refused" in response.get_data(as_text=True)
    db.refresh(request)
    assert (request.state, request.extended) == (RequestState.OPEN, False)
    extended = post_form(client, f"{base}/extend", {"reason": "Complex"})
    assert extended.status_code == 302 and extended.location.endswith(base)
    db.refresh(request)
    assert request.extended
    page = client.get(extended.location).get_data(as_text=True)
    assert "Deadline extended by two months" in success_banner(page) and problem(page) == ""


def test_the_register_lists_open_requests_by_deadline_then_the_newest_closed(db, users):
    head = users[Role.HEADTEACHER]
    old = [_log(db, head, date(2025, 12, d)) for d in (1, 2)]  # SAR-2025-001, -002
    new = _log(db, head, date(2026, 1, 5))  # SAR-2026-001: a lower number, a later year
    for request in (*old, new):
        sar.close(db, actor=head, request=request, state=RequestState.WITHDRAWN, reason="W")
    later, sooner = _log(db, head, local_today()), _log(db, head, local_today() - timedelta(9))
    listed = [r.reference for r in sar.register(db, actor=head)]
    assert listed == [
        sooner.reference,
        later.reference,
        "SAR-2026-001",
        "SAR-2025-002",
        "SAR-2025-001",
    ]
