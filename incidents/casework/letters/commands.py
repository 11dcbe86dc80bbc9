"""Changing letters: the school's wording and letterhead (an administrator's, like the school's
procedures: no case content is reachable from them), and recording a letter sent from a case
(the case manager's or a DSL's), each with its audit entry in the same transaction."""

from __future__ import annotations

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


def _check_may_write(actor: User, case: Case, kind: LetterKind) -> None:
    visible(actor, case)
    if not letters.may_write(actor, case):
        raise Forbidden("Only the case manager or a designated safeguarding lead can write letters")
    reason = letters.why_not(case, kind)
    if reason is not None:
        raise Refused(f"{kind.label}: {reason.lower()}")


def compose(session: Session, *, actor: User, case: Case, data: LetterInput) -> letters.LetterText:
    """The letter as it would be sent, from this case only, or InvalidInput naming each answer
    to put right. Saves nothing: the preview and the record both use it."""
    _check_may_write(actor, case, data.kind)
    errors = Errors()
    name = errors.text(
        "recipient_name",
        data.recipient_name,
        label="Who the letter is to",
        limit=MAX_NAME,
        empty="Enter who the letter is to",
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
    errors.raise_any()
    assert data.sent_on is not None  # noqa: S101 - checked above
    head = letters.letterhead(session, case.school_id)
    values = {
        **letters.case_values(case, data.kind),
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
    )


def _tidy(body: str) -> str:
    """An empty placeholder (no extra paragraph) leaves no gap of blank lines behind."""
    paragraphs = [p.strip("\n") for p in body.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p.strip()) + "\n"


def send_letter(session: Session, *, actor: User, case: Case, data: LetterInput) -> SentLetter:
    """Record the letter as sent (who, kind, date, how) with the letter as sent sealed under
    the case's key; the audit entry puts it in the case's timeline."""
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
