"""Strategy discussions and allegation management meetings on a case: when, who attended
(by organisation), what was decided, who tells whom what; each action agreed becomes a task
with its owner and due date (KCSIE Part 4 s.1; Working Together 2023, strategy discussions)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit, workflow
from incidents.casework.allegation.system import open_task
from incidents.casework.guard import progressable, record
from incidents.casework.tasks.queries import case_workers
from incidents.clock import local_today
from incidents.models import Case, Meeting, MeetingKind, User
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_TEXT = 5_000
MAX_ACTION = 500
ACTION_SLOTS = 3


@dataclass(frozen=True)
class MeetingAction:
    text: str
    owner_id: uuid.UUID | None
    due_on: date | None


@dataclass(frozen=True)
class MeetingInput:
    kind: MeetingKind | None
    held_on: date | None
    attendees: str
    decisions: str
    who_tells: str
    actions: tuple[MeetingAction, ...] = ()


def meetings_of(session: Session, case: Case) -> list[Meeting]:
    return list(
        session.scalars(select(Meeting).where(Meeting.case_id == case.id).order_by(Meeting.held_on))
    )


def record_meeting(session: Session, *, actor: User, case: Case, data: MeetingInput) -> Meeting:
    progressable(actor, case)
    workflow.check(case, "record_meeting", actor)
    errors = Errors()
    if data.kind is None:
        errors["kind"] = "Choose what kind of meeting it was"
    errors.day(
        "held_on",
        data.held_on,
        called="The date of the meeting",
        missing="Enter the date of the meeting",
        since=case.became_aware_on,
        too_early="The date of the meeting must be on or after the date the school became aware",
    )
    attendees = errors.text(
        "attendees",
        data.attendees,
        label="Who attended",
        limit=MAX_TEXT,
        empty="Enter who attended, and which organisation each represented",
    )
    decisions = errors.text(
        "decisions",
        data.decisions,
        label="The decisions",
        limit=MAX_TEXT,
        empty="Enter what was decided",
    )
    who_tells = errors.text(
        "who_tells",
        data.who_tells,
        label="Who tells whom what",
        limit=MAX_TEXT,
        empty="Enter who will tell whom what (the person, the parents, the employer), or "
        "that nobody is to be told yet",
    )
    workers = {u.id: u for u in case_workers(session, case)}
    for n, action in enumerate(data.actions, start=1):
        text = errors.text(f"action_{n}", action.text, label="The action", limit=MAX_ACTION)
        if not text and action.owner_id is None and action.due_on is None:
            continue
        if not text:
            errors[f"action_{n}"] = "Enter the action, or leave its owner and date blank"
        if action.owner_id is None or action.owner_id not in workers:
            errors[f"owner_{n}"] = "Choose who owns the action from the list"
        if action.due_on is None:
            errors[f"due_{n}"] = "Enter the date the action is due"
        elif action.due_on < local_today():
            errors[f"due_{n}"] = "The date the action is due must be today or in the future"
    errors.raise_any()
    assert data.kind is not None and data.held_on is not None  # noqa: S101 - checked above
    meeting = Meeting(
        case=case,
        kind=data.kind,
        held_on=data.held_on,
        recorded_by_id=actor.id,
        attendees=Sensitive(attendees),
        decisions=Sensitive(decisions),
        who_tells=Sensitive(who_tells),
    )
    session.add(meeting)
    session.flush()
    record(
        session,
        case,
        actor,
        audit.Action.MEETING_RECORD,
        object_type="meeting",
        object_id=meeting.id,
        target=meeting,
    )
    for action in data.actions:
        if action.text.strip():
            assert action.due_on is not None and action.owner_id is not None  # noqa: S101
            open_task(
                session,
                case,
                actor,
                title=f"{data.kind.label} action: {action.text.strip()}",
                owner=workers[action.owner_id],
                due_on=action.due_on,
            )
    return meeting
