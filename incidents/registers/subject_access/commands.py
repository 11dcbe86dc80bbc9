"""The subject access register: logging a request, extending it, answering it (with the
exemptions relied on) or closing it as withdrawn or refused. Every step is audited in the
caller's transaction; the caller commits.

Who may: the headteacher (Permission.SAR_MANAGE), who answers for the school as controller.
The register holds who asked, so opening a request is audited like opening a case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents import audit, deadlines
from incidents.alerts import system as alerts
from incidents.clock import local_today
from incidents.errors import Forbidden, NotFound
from incidents.lifecycle import SUBJECT_ACCESS
from incidents.models import (
    Exemption,
    Requester,
    RequestState,
    SarExemption,
    SubjectAccessRequest,
    User,
)
from incidents.permissions import Permission, has_permission
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_REQUESTER = 200
MAX_NOTE = 5_000
# The states a request closes in without a reply (the close page offers both).
CLOSING = (RequestState.WITHDRAWN, RequestState.REFUSED)


def _allowed(actor: User) -> None:
    if not has_permission(actor, Permission.SAR_MANAGE):
        raise Forbidden("Only the headteacher keeps the subject access register")


def _record(
    session: Session,
    actor: User,
    request: SubjectAccessRequest,
    action: audit.Action,
    detail: dict[str, str] | None = None,
) -> None:
    audit.record(
        session,
        school_id=request.school_id,
        action=action,
        actor=actor,
        object_type="sar",
        object_id=request.id,
        target=request,
        detail=detail,
    )


def register(session: Session, *, actor: User) -> list[SubjectAccessRequest]:
    """The school's requests, open ones first by due date. Names are not decrypted here."""
    _allowed(actor)
    rows = session.scalars(
        select(SubjectAccessRequest).where(SubjectAccessRequest.school_id == actor.school_id)
    ).all()
    still_open = sorted((r for r in rows if r.is_open), key=lambda r: r.due_on)
    # Numbers restart each year: the newest closed request is the highest (year, number).
    closed = sorted((r for r in rows if not r.is_open), key=lambda r: (-r.year, -r.number))
    return still_open + closed


def get_request(
    session: Session, *, actor: User, request_id: uuid.UUID, audited: bool = True
) -> SubjectAccessRequest:
    """One request; another school's is reported as missing. Opening it is audited."""
    _allowed(actor)
    request = session.get(SubjectAccessRequest, request_id)
    if request is None or request.school_id != actor.school_id:
        raise NotFound("Request not found")
    if audited:
        _record(session, actor, request, audit.Action.SAR_VIEW)
        alerts.object_seen(session, actor, "sar", request.id)  # issue 15: its alerts are read
    return request


@dataclass(frozen=True)
class NewRequest:
    requester: str
    requester_kind: Requester | None
    received_on: date | None


def log_request(session: Session, *, actor: User, data: NewRequest) -> SubjectAccessRequest:
    _allowed(actor)
    errors = Errors()
    requester = errors.text(
        "requester",
        data.requester,
        label="Who made the request",
        limit=MAX_REQUESTER,
        empty="Enter who made the request",
    )
    if data.requester_kind is None:
        errors["requester_kind"] = "Choose who made the request"
    today = local_today()
    if data.received_on is None:
        errors["received_on"] = "Enter the date the request was received"
    else:
        errors.past_date(
            "received_on", data.received_on, called="The date it was received", today=today
        )
    errors.raise_any()
    assert data.received_on is not None and data.requester_kind is not None  # noqa: S101
    year = data.received_on.year
    # Numbers run per school and year; the unique constraint catches a concurrent clash.
    last = session.scalar(
        select(func.max(SubjectAccessRequest.number)).where(
            SubjectAccessRequest.school_id == actor.school_id,
            SubjectAccessRequest.year == year,
        )
    )
    request = SubjectAccessRequest(
        school_id=actor.school_id,
        year=year,
        number=(last or 0) + 1,
        requester_kind=data.requester_kind,
        requester=Sensitive(requester),
        received_on=data.received_on,
        due_on=deadlines.subject_access_due(data.received_on),
        extended=False,
        state=RequestState.OPEN,
        created_by_id=actor.id,
    )
    session.add(request)
    session.flush()
    _record(session, actor, request, audit.Action.SAR_LOG)
    return request


def open_request(
    session: Session, *, actor: User, request_id: uuid.UUID, step: str
) -> SubjectAccessRequest:
    """The request, if `step` (an action of `lifecycle.SUBJECT_ACCESS`) may be taken on it now;
    otherwise NotFound, or Refused with the table's reason ("This request is answered: it
    cannot be changed"). For a step's page: opening it is not audited, the step is."""
    request = get_request(session, actor=actor, request_id=request_id, audited=False)
    SUBJECT_ACCESS.check(request, step)
    return request


def extend(
    session: Session, *, actor: User, request: SubjectAccessRequest, reason: str
) -> SubjectAccessRequest:
    """ICO: a complex or numerous request may take two more months, if the requester is told
    within the first month, so an extension after the first deadline is refused."""
    _allowed(actor)
    SUBJECT_ACCESS.check(request, "extend")
    errors = Errors()
    if request.extended:
        errors["reason"] = "This request has already been extended"
    elif local_today() > request.due_on:
        errors["reason"] = (
            "The first month has passed: an extension must be made, and the requester told, "
            "before the original deadline"
        )
    reason = errors.text(
        "reason",
        reason,
        label="Why it needs longer",
        limit=MAX_NOTE,
        empty="Enter why the request needs longer",
    )
    errors.raise_any()
    request.extended = True
    request.extension_reason = Sensitive(reason)
    request.due_on = deadlines.subject_access_due(request.received_on, extended=True)
    _record(session, actor, request, audit.Action.SAR_EXTEND)
    return request


def respond(
    session: Session,
    *,
    actor: User,
    request: SubjectAccessRequest,
    responded_on: date | None,
    exemptions: list[Exemption],
    note: str,
) -> SubjectAccessRequest:
    _allowed(actor)
    SUBJECT_ACCESS.check(request, "respond")
    errors = Errors()
    errors.day(
        "responded_on",
        responded_on,
        called="The date the reply was sent",
        missing="Enter the date the reply was sent",
        since=request.received_on,
        too_early="The date the reply was sent must be on or after it was received",
    )
    note = errors.text("note", note, label="The note", limit=MAX_NOTE)
    if exemptions and not note:
        # The register must show why each exemption applied, not just that one was used.
        errors["note"] = "Say what was withheld or redacted, and why"
    errors.raise_any()
    SUBJECT_ACCESS.advance(request, "respond")
    request.responded_on = responded_on
    request.response_note = Sensitive(note) if note else None
    request.exemption_rows = [SarExemption(exemption=e) for e in dict.fromkeys(exemptions)]
    _record(
        session,
        actor,
        request,
        audit.Action.SAR_RESPOND,
        detail={"exemptions": ",".join(e.value for e in request.exemptions)},
    )
    return request


def close(
    session: Session,
    *,
    actor: User,
    request: SubjectAccessRequest,
    state: RequestState | None,
    reason: str,
) -> SubjectAccessRequest:
    """Withdrawn by the requester, or refused as manifestly unfounded or excessive."""
    _allowed(actor)
    errors = Errors()
    # The table's move from an open request to the state chosen: refused once it has closed.
    action = SUBJECT_ACCESS.action_to(RequestState.OPEN, state) if state in CLOSING else None
    if action is None:
        errors["state"] = "Choose whether the request was withdrawn or refused"
    else:
        SUBJECT_ACCESS.check(request, action)
    reason = errors.text(
        "reason", reason, label="The reason", limit=MAX_NOTE, empty="Enter the reason"
    )
    errors.raise_any()
    assert action is not None and state is not None  # noqa: S101 - narrowing: checked above
    SUBJECT_ACCESS.advance(request, action)
    request.closing_reason = Sensitive(reason)
    _record(session, actor, request, audit.Action.SAR_CLOSE, detail={"state": state.value})
    return request


@dataclass(frozen=True)
class DueRequest:
    request_id: uuid.UUID
    reference: str
    due_on: date
    overdue: bool


def due_requests(session: Session, *, actor: User, within_days: int = 5) -> list[DueRequest]:
    """Open requests due within `within_days` or overdue: for the headteacher's home page."""
    if not has_permission(actor, Permission.SAR_MANAGE):
        return []
    today = local_today()
    rows = session.scalars(
        select(SubjectAccessRequest)
        .where(
            SubjectAccessRequest.school_id == actor.school_id,
            SubjectAccessRequest.state == RequestState.OPEN,
            SubjectAccessRequest.due_on <= date.fromordinal(today.toordinal() + within_days),
        )
        .order_by(SubjectAccessRequest.due_on)
    )
    return [DueRequest(r.id, r.reference, r.due_on, r.due_on < today) for r in rows]
