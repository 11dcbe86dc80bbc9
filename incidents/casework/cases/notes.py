"""The chronology: adding a note, and correcting one by a new note that gives its reason."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from incidents import audit
from incidents.errors import InvalidInput, NotFound
from incidents.models import Case, Note, User
from incidents.permissions import can_add_note
from incidents.sensitive import Sensitive

MAX_NOTE = 10_000
MAX_REASON = 1_000


def _check_text(text: str, field: str, empty: str, limit: int, label: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput({field: empty})
    if len(text) > limit:
        raise InvalidInput({field: f"{label} must be {limit:,} characters or fewer"})
    return text


def add_note(
    session: Session,
    *,
    actor: User,
    case: Case,
    body: str,
    corrects_id: uuid.UUID | None = None,
    reason: str = "",
) -> Note:
    if not can_add_note(actor, case):
        raise NotFound("Case not found")
    errors: dict[str, str] = {}
    try:
        body = _check_text(body, "body", "Enter the note", MAX_NOTE, "The note")
    except InvalidInput as exc:
        errors.update(exc.errors)
    if corrects_id is not None:
        if not any(n.id == corrects_id for n in case.notes):
            raise NotFound("Note not found")
        try:
            reason = _check_text(
                reason, "reason", "Enter why the entry is being corrected", MAX_REASON, "The reason"
            )
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    note = Note(
        case=case,
        author_id=actor.id,
        body=Sensitive(body),
        corrects_id=corrects_id,
        reason=Sensitive(reason) if corrects_id is not None else None,
    )
    session.add(note)
    session.flush()
    audit.record(
        session,
        school_id=case.school_id,
        action=audit.Action.NOTE_CORRECT if corrects_id else audit.Action.NOTE_ADD,
        actor=actor,
        case_id=case.id,
        object_type="note",
        object_id=note.id,
    )
    return note
