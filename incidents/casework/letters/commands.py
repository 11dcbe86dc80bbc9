"""Changing letters: the school's wording and letterhead (an administrator's, like the school's
procedures: no case content is reachable from them), and recording a letter sent from a case
(the case manager's or a DSL's), each with its audit entry in the same transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.casework.guard import visible
from incidents.casework.letters import language
from incidents.casework.letters import queries as letters
from incidents.errors import Forbidden, InvalidInput, Refused
from incidents.models import (
    Case,
    LetterKind,
    LetterMethod,
    LetterTemplate,
    Person,
    SchoolSettings,
    SentLetter,
    User,
)
from incidents.models.base import utcnow
from incidents.permissions import Permission, has_permission
from incidents.sensitive import Sensitive
from incidents.validation import Errors
from incidents.web.filters import long_date

MAX_NAME = 200
MAX_ADDRESS = 1_000
MAX_EXTRA = 3_000
# Editing the wording is the school's procedure text, so it takes the permission that already
# governs the school's own policy and procedures (CLAUSE_MANAGE, the administrator's): the
# least privilege that fits, as it grants no case content; the editor previews sample data.
EDIT_PERMISSION = Permission.CLAUSE_MANAGE
ONLY_ADMIN = "Only an administrator can change the school's letters"
CHOOSE_SUBJECT = "Choose who the letter is to"
NAMES_ANOTHER = (
    "Remove the name of the other person this case is about: a letter to one of them must not "
    "name the others"
)


def save_template(session: Session, *, actor: User, kind: LetterKind, body: str) -> LetterTemplate:
    """Save the school's wording for `kind`, refused (naming the placeholder) unless it uses
    only this kind's placeholders. The audit entry keeps the old and the new text."""
    if not has_permission(actor, EDIT_PERMISSION):
        raise Forbidden(ONLY_ADMIN)
    body = body.replace("\r\n", "\n")
    problem = language.problem(kind, body)
    if problem is not None:
        raise InvalidInput({"body": problem})
    row = session.scalar(
        select(LetterTemplate).where(
            LetterTemplate.school_id == actor.school_id, LetterTemplate.kind == kind
        )
    )
    before = row.body if row is not None else None
    if row is None:
        row = LetterTemplate(school_id=actor.school_id, kind=kind)
        session.add(row)
    row.body = body
    row.updated_at = utcnow()
    row.updated_by_id = actor.id
    session.flush()
    audit.record(
        session,
        school_id=actor.school_id,
        action=audit.Action.LETTER_TEMPLATE_CHANGE,
        actor=actor,
        object_type="letter_template",
        object_id=row.id,
        detail={"kind": kind.value, "before": before, "after": body},
    )
    return row


def save_letterhead(session: Session, *, actor: User, address: str) -> SchoolSettings:
    """The school's postal address printed under its name on every letter."""
    if not has_permission(actor, EDIT_PERMISSION):
        raise Forbidden(ONLY_ADMIN)
    errors = Errors()
    address = errors.text(
        "address",
        address.replace("\r\n", "\n"),
        label="The address",
        limit=MAX_ADDRESS,
        empty="Enter the school's postal address",
    )
    errors.raise_any()
    row = session.get(SchoolSettings, actor.school_id)
    if row is None:
        row = SchoolSettings(school_id=actor.school_id, lado_working_days=1)
        session.add(row)
    before = row.letter_address
    row.letter_address = address
    session.flush()
    audit.record(
        session,
        school_id=actor.school_id,
        action=audit.Action.LETTERHEAD_CHANGE,
        actor=actor,
        object_type="school",
        object_id=actor.school_id,
        detail={"before": before, "after": address},
    )
    return row


@dataclass(frozen=True)
class LetterInput:
    kind: LetterKind
    recipient_name: str = ""
    recipient_address: str = ""
    contact_name: str = ""
    extra_paragraph: str = ""
    method: LetterMethod | None = None
    sent_on: date | None = None
    # Which of the people the case is about the letter is to (a kind in TO_A_SUBJECT); may be
    # left out when there is only one. Last, so the positional callers are unchanged.
    subject_id: uuid.UUID | None = None


def _check_may_write(actor: User, case: Case, kind: LetterKind) -> None:
    visible(actor, case)
    if not letters.may_write(actor, case):
        raise Forbidden("Only the case manager or a designated safeguarding lead can write letters")
    reason = letters.why_not(case, kind)
    if reason is not None:
        raise Refused(f"{kind.label}: {reason.lower()}")


def _subject(case: Case, data: LetterInput, errors: Errors) -> Person | None:
    """The one person the case is about that this letter is to: chosen from this case's own
    subjects (any other id, another case's person included, is refused), or the only one."""
    if data.kind not in letters.TO_A_SUBJECT or not case.subjects:
        return None
    people = letters.subjects(case)
    chosen = data.subject_id
    if chosen is None and len(people) == 1:
        return people[0]
    person = next((p for p in people if p.id == chosen), None)
    if person is None:
        errors["subject"] = CHOOSE_SUBJECT
    return person


def _keep_others_out(
    case: Case, subject: Person | None, answers: dict[str, str], errors: Errors
) -> None:
    """The writer's own answers in a letter to one person the case is about name none of the
    others (the case's own text, such as the outcome's reasons, is shown on the check page)."""
    if subject is None:
        return
    for field, value in answers.items():
        if letters.others_named(case, subject, value):
            errors.setdefault(field, NAMES_ANOTHER)


def compose(session: Session, *, actor: User, case: Case, data: LetterInput) -> letters.LetterText:
    """The letter as it would be sent, from this case only, or InvalidInput naming each answer
    to put right. Saves nothing: the preview and the record both use it."""
    _check_may_write(actor, case, data.kind)
    errors = Errors()
    subject = _subject(case, data, errors)
    asked = data.kind in letters.TO_A_SUBJECT and bool(case.subjects)
    recipient = data.recipient_name
    if subject is not None and not recipient.strip():
        recipient = subject.name.reveal()  # left empty: the person chosen, by their name
    name = errors.text(
        "recipient_name",
        recipient,
        label="Who the letter is to",
        limit=MAX_NAME,
        # Where the person is chosen, an empty name is theirs: only the choice is asked for.
        empty="" if asked else "Enter who the letter is to",
    )
    address = errors.text(
        "recipient_address",
        data.recipient_address.replace("\r\n", "\n"),
        label="The address",
        limit=MAX_ADDRESS,
    )
    contact = errors.text(
        "contact_name",
        data.contact_name,
        label="The named contact",
        limit=MAX_NAME,
        empty="Enter the name of the contact for questions",
    )
    extra = errors.text(
        "extra_paragraph",
        data.extra_paragraph.replace("\r\n", "\n"),
        label="The extra paragraph",
        limit=MAX_EXTRA,
    )
    if data.method is None:
        errors["method"] = "Choose how the letter is sent"
    errors.day(
        "sent_on",
        data.sent_on,
        called="The date it is sent",
        missing="Enter the date the letter is sent",
        since=case.became_aware_on,
        too_early="The letter cannot be sent before the school became aware",
    )
    answers = {
        "recipient_name": name,
        "recipient_address": address,
        "contact_name": contact,
        "extra_paragraph": extra,
    }
    _keep_others_out(case, subject, answers, errors)
    errors.raise_any()
    assert data.sent_on is not None  # noqa: S101 - checked above
    head = letters.letterhead(session, case.school_id)
    values = {
        **letters.case_values(case, data.kind, subject),
        "school_name": head.school_name,
        "school_address": head.school_address,
        "letter_date": long_date(data.sent_on),
        "recipient_name": name,
        "recipient_address": address,
        "signed_by": actor.display_name,
        "contact_name": contact,
        "extra_paragraph": extra,
    }
    body = language.render(data.kind, letters.wording(session, case.school_id, data.kind), values)
    return letters.LetterText(
        school_name=head.school_name,
        school_address=head.school_address,
        recipient_name=name,
        recipient_address=address,
        date=long_date(data.sent_on),
        reference=case.reference,
        body=_tidy(body),
        subject_id=str(subject.id) if subject is not None else None,
    )


def _tidy(body: str) -> str:
    """An empty placeholder (no extra paragraph) leaves no gap of blank lines behind."""
    paragraphs = [p.strip("\n") for p in body.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p.strip()) + "\n"


def send_letter(session: Session, *, actor: User, case: Case, data: LetterInput) -> SentLetter:
    """Record the letter as sent (who, kind, date, how) with the letter as sent sealed under
    the case's key; the audit entry puts it in the case's timeline and, for a letter to one of
    the people the case is about, says which (their opaque id, in the sealed detail)."""
    text = compose(session, actor=actor, case=case, data=data)
    assert data.method is not None and data.sent_on is not None  # noqa: S101 - checked
    letter = SentLetter(
        case=case,
        kind=data.kind,
        method=data.method,
        sent_on=data.sent_on,
        sent_by_id=actor.id,
        content=Sensitive(text.dumps()),
    )
    session.add(letter)
    session.flush()
    audit.record(
        session,
        school_id=case.school_id,
        action=audit.Action.LETTER_SEND,
        actor=actor,
        case_id=case.id,
        object_type="letter",
        object_id=letter.id,
        target=letter,
        detail={
            "kind": data.kind.value,
            "method": data.method.value,
            "sent_on": data.sent_on.isoformat(),
            **({"subject_id": text.subject_id} if text.subject_id is not None else {}),
        },
    )
    return letter


def record_download(session: Session, *, actor: User, case: Case, letter: SentLetter) -> None:
    """A letter's PDF leaves the service: who took a copy, and when."""
    visible(actor, case)
    if not letters.may_write(actor, case) or letter.case_id != case.id:
        raise Forbidden("Only the case manager or a designated safeguarding lead can see letters")
    audit.record(
        session,
        school_id=case.school_id,
        action=audit.Action.LETTER_DOWNLOAD,
        actor=actor,
        case_id=case.id,
        object_type="letter",
        object_id=letter.id,
        target=letter,
        detail={"kind": letter.kind.value},
    )
