"""Cases and letters for the letters tests, made through the services."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy.orm import Session

from incidents.casework.cases.commands import CaseInput, NewSubject, record_disclosure
from incidents.casework.letters import commands as letters
from incidents.clock import local_today
from incidents.models import (
    Case,
    DisclosureSource,
    LetterKind,
    LetterMethod,
    PersonKind,
    SentLetter,
    User,
)


def parent_case(
    db: Session,
    head: User,
    *,
    parent: str = "Pat Parent",
    address: str = "1 Acacia Avenue\nTowncaster",
    subject: str = "Jo Teacher",
    narrative: str = "A parent said a teacher messaged their child.",
) -> Case:
    case = record_disclosure(
        db,
        actor=head,
        data=CaseInput(
            narrative=narrative,
            became_aware_on=local_today() - timedelta(days=1),
            new_subject=NewSubject(name=subject, kind=PersonKind.STAFF),
            not_listed=True,
            source=DisclosureSource.PARENT,
            reporter=f"{parent}\n{address}",
        ),
    )
    db.commit()
    return case


def send(
    db: Session, actor: User, case: Case, kind: LetterKind = LetterKind.PARENT, **answers: str
) -> SentLetter:
    data = letters.LetterInput(
        kind=kind,
        recipient_name=answers.get("recipient_name", "Pat Parent"),
        recipient_address=answers.get("recipient_address", "1 Acacia Avenue"),
        contact_name=answers.get("contact_name", "Ms Head"),
        extra_paragraph=answers.get("extra_paragraph", ""),
        method=LetterMethod.POST,
        sent_on=local_today(),
    )
    letter = letters.send_letter(db, actor=actor, case=case, data=data)
    db.commit()
    return letter


def pdf_pages(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]
