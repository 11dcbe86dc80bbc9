"""The chronology: adding a note, and correcting one by a new note that gives its reason."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from incidents import audit
from incidents.casework.guard import record
from incidents.errors import NotFound
from incidents.models import Case, Note, User
from incidents.permissions import can_add_note
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_NOTE = 10_000
MAX_REASON = 1_000


def add_note(
    session: Session,
    *,
    actor: User,
    case: Case,
    body: str,
    corrects_id: uuid.UUID | None = None,
    reason: str = "",
) -> Note:
    """A new entry in the chronology; with `corrects_id`, a correction of that entry (which is
    kept as it was), with the reason for it."""
    if not can_add_note(actor, case):
        raise NotFound("Case not found")
    if corrects_id is not None and not any(n.id == corrects_id for n in case.notes):
        raise NotFound("Note not found")
    errors = Errors()
    correcting = corrects_id is not None
    body = errors.text(
        "body",
        body,
        label="The corrected entry" if correcting else "The note",
        limit=MAX_NOTE,
        empty="Enter the corrected entry" if correcting else "Enter the note",
    )
    if correcting:
        reason = errors.text(
            "reason",
            reason,
            label="The reason",
            limit=MAX_REASON,
            empty="Enter why the entry is being corrected",
        )
    errors.raise_any()
    note = Note(
        case=case,
        author_id=actor.id,
        body=Sensitive(body),
        corrects_id=corrects_id,
        reason=Sensitive(reason) if correcting else None,
    )
    session.add(note)
    session.flush()
    record(
        session,
        case,
        actor,
        audit.Action.NOTE_CORRECT if correcting else audit.Action.NOTE_ADD,
        object_type="note",
        object_id=note.id,
    )
    return note
