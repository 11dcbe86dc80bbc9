"""What a letter is made from: the school's wording (or the shipped default), the letterhead,
which letters a case can have now (and why not), the values a case fills in, sample values for
the editor's preview, and the letters a case has sent. Only the case's own records are read:
every value comes from the one case passed in, never from a query across cases."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.casework.letters.defaults import DEFAULTS
from incidents.models import (
    Agency,
    Case,
    DisclosureSource,
    LetterKind,
    LetterTemplate,
    Person,
    Role,
    School,
    SchoolSettings,
    SentLetter,
    User,
)
from incidents.models.case_parts import Part, may_have
from incidents.models.disciplinary import DisciplinaryKind, DisciplinaryMeasure
from incidents.models.suspension import SuspensionDecision
from incidents.permissions import Permission, can_view_case, has_permission, is_case_manager
from incidents.web.filters import london_date, long_date

NOT_GIVEN = "Not recorded"


def may_write(actor: User, case: Case) -> bool:
    """The case manager and the DSLs write letters: they hold the discloser's contact (item 1)
    and the decisions; a governor or a member of staff never reaches a case at all."""
    return (
        has_permission(actor, Permission.CASE_PROGRESS)
        and can_view_case(actor, case)
        and (is_case_manager(actor, case) or actor.has_role(Role.DSL, Role.DEPUTY_DSL))
    )


def case_manager(session: Session, case: Case) -> User | None:
    """The case manager: the letter's contact for questions unless the writer names another."""
    return session.get(User, case.case_manager_id) if case.case_manager_id else None


def wording(session: Session, school_id: uuid.UUID, kind: LetterKind) -> str:
    """The school's saved wording for this kind, else the shipped default."""
    saved = session.scalar(
        select(LetterTemplate.body).where(
            LetterTemplate.school_id == school_id, LetterTemplate.kind == kind
        )
    )
    return saved if saved is not None else DEFAULTS[kind]


def customised(session: Session, school_id: uuid.UUID) -> set[LetterKind]:
    return set(
        session.scalars(select(LetterTemplate.kind).where(LetterTemplate.school_id == school_id))
    )


@dataclass(frozen=True)
class Letterhead:
    school_name: str
    school_address: str


def letterhead(session: Session, school_id: uuid.UUID) -> Letterhead:
    school = session.get(School, school_id)
    settings = session.get(SchoolSettings, school_id)
    return Letterhead(
        school_name=school.name if school is not None else "",
        school_address=(settings.letter_address or "") if settings is not None else "",
    )


def _suspension(case: Case) -> SuspensionDecision | None:
    return next((d for d in reversed(case.suspension_decisions) if d.suspended), None)


def _sanction(case: Case) -> DisciplinaryMeasure | None:
    measures = [
        m
        for p in case.disciplinary_processes
        if p.kind is DisciplinaryKind.PARENT_CARER
        for m in p.measures
    ]
    return measures[-1] if measures else None


def why_not(case: Case, kind: LetterKind) -> str | None:
    """Why this case cannot have this letter now; None when it can."""
    if kind is LetterKind.PARENT and case.source is not DisclosureSource.PARENT:
        return "Only for a concern raised by a parent or carer"
    if kind is LetterKind.SUSPENSION and _suspension(case) is None:
        return "Only once a suspension has been recorded"
    if kind is LetterKind.OUTCOME and case.outcome is None:
        return "Only once the outcome has been recorded"
    if kind is LetterKind.SANCTION and _sanction(case) is None:
        return "Only once a sanction for a parent or carer has been recorded"
    if kind is LetterKind.LADO_SUMMARY and not case.lado_required:
        return "Only for an allegation that meets the harm threshold"
    return None


def _names(case: Case) -> str:
    return " and ".join(p.name.reveal() for p in case.subjects) or NOT_GIVEN


# Letters that go to one of the people the case is about, who is chosen when there are several:
# one letter to "A and B" would tell each the other's name and outcome (a personal-data
# disclosure). A suspension and a sanction take their person from the decision; the LADO is
# entitled to every name; the parent's letter names nobody.
TO_A_SUBJECT = frozenset({LetterKind.OUTCOME})


def subjects(case: Case) -> list[Person]:
    """The people the case is about, in a stable order (by name): the choice of whom a letter
    to one of them is to."""
    return sorted(case.subjects, key=lambda p: (p.name.reveal().casefold(), str(p.id)))


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _has_name(text: str, name: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def others_named(case: Case, subject: Person, text: str) -> list[str]:
    """The other people this case is about whose full name is in `text` (the letter, or an
    answer, to `subject`): each must be kept out of a letter to one of them. Whole names only,
    and not within the subject's own: a shared surname (a couple, a parent and child) or a
    name inside theirs is not another person's name."""
    own = _folded(subject.name.reveal())
    found = _folded(text).replace(own, " ") if own else _folded(text)
    names = (p.name.reveal() for p in case.subjects if p.id != subject.id)
    return [name for name in names if _folded(name) and _has_name(found, _folded(name))]


@dataclass(frozen=True)
class Addressee:
    name: str
    address: str


def addressee(case: Case, kind: LetterKind, subject: Person | None = None) -> Addressee:
    """Who the letter is to, as far as the case says. The parent's name and contact come from
    the disclosure (shown to the same people on the case page); a sealed reporter (a member of
    staff, a governor) is never read here: no letter kind goes to them. A letter to one of the
    people the case is about is to `subject` alone (none chosen yet: no name)."""
    if kind is LetterKind.PARENT and case.source is DisclosureSource.PARENT:
        given = case.reporter_identity.reveal() if case.reporter_identity else ""
        first, _, rest = given.strip().partition("\n")
        return Addressee(first.strip(), rest.strip())
    if kind is LetterKind.SUSPENSION and (decision := _suspension(case)) is not None:
        return Addressee(decision.person.name.reveal() if decision.person else "", "")
    if kind is LetterKind.SANCTION and (measure := _sanction(case)) is not None:
        person = measure.process.person
        return Addressee(person.name.reveal() if person else "", "")
    if kind in TO_A_SUBJECT and subject is not None:
        return Addressee(subject.name.reveal(), "")
    return Addressee("", "")


def case_values(case: Case, kind: LetterKind, subject: Person | None = None) -> dict[str, str]:
    """The values this case gives this kind of letter (the allow-list is applied at render).
    `subject`: the one person a letter to one of the people the case is about is to; only the
    LADO's summary names them all."""
    values: dict[str, str] = {"reference": case.reference}
    if kind is LetterKind.SUSPENSION and (decision := _suspension(case)) is not None:
        values["subject_name"] = decision.person.name.reveal() if decision.person else NOT_GIVEN
        values["suspended_on"] = long_date(decision.decided_on)
        values["suspension_reasons"] = decision.reasons.reveal()
    elif kind is LetterKind.SANCTION and (measure := _sanction(case)) is not None:
        person = measure.process.person
        values["subject_name"] = person.name.reveal() if person else NOT_GIVEN
        values["sanction"] = measure.describe()
        values["sanction_starts"] = long_date(measure.starts_on)
        values["review_date"] = long_date(measure.review_on) if measure.review_on else NOT_GIVEN
    elif kind is LetterKind.LADO_SUMMARY:
        values["subject_name"] = _names(case)
    else:
        values["subject_name"] = subject.name.reveal() if subject is not None else NOT_GIVEN
    if case.outcome is not None:
        values["outcome"] = case.outcome.label
        values["outcome_reasons"] = (
            case.outcome_reasons.reveal() if case.outcome_reasons else NOT_GIVEN
        )
        values["outcome_date"] = london_date(case.outcome_at) if case.outcome_at else NOT_GIVEN
    else:
        values["outcome"] = "Not yet decided"
    if kind is LetterKind.LADO_SUMMARY:
        values["case_kind"] = case.kind.label if case.kind else "Not yet assessed"
        values["became_aware_on"] = long_date(case.became_aware_on)
        values["occurred_on"] = long_date(case.occurred_on) if case.occurred_on else NOT_GIVEN
        values["narrative"] = case.narrative.reveal()
        values["clauses"] = "; ".join(f"{c.clause.code} {c.text}" for c in case.cited) or "None"
        lado = next((r for r in case.referrals if r.agency is Agency.LADO), None)
        reference = lado.their_reference if lado is not None else None
        values["lado_reference"] = reference.reveal() if reference else NOT_GIVEN
    return values


# The editor's preview: made-up values, so an administrator (who never sees case content)
# can see the wording laid out.
SAMPLE: dict[str, str] = {
    "reference": "2026-0001",
    "recipient_name": "Sam Sample",
    "recipient_address": "1 Example Street\nSampletown\nAB1 2CD",
    "signed_by": "A. Headteacher",
    "contact_name": "A. Headteacher",
    "extra_paragraph": "A paragraph written for this letter only.",
    "subject_name": "Alex Example",
    "suspended_on": "2 March 2026",
    "suspension_reasons": "The reasons recorded for the decision.",
    "outcome": "Unsubstantiated",
    "outcome_reasons": "The reasons recorded for the outcome.",
    "outcome_date": "20 March 2026",
    "sanction": "Barred from the school premises",
    "sanction_starts": "3 March 2026",
    "review_date": "3 June 2026",
    "case_kind": "Allegation (harm threshold met)",
    "became_aware_on": "1 March 2026",
    "occurred_on": "28 February 2026",
    "narrative": "What was disclosed, as recorded.",
    "clauses": "SM-1 Staff must not accept pupils as friends",
    "lado_reference": "LADO-123",
}


@dataclass(frozen=True)
class LetterText:
    """A letter as laid out: the letterhead, the recipient, the date, the reference, the body.
    Stored (sealed) as JSON, so the PDF is drawn again from exactly what was sent."""

    school_name: str
    school_address: str
    recipient_name: str
    recipient_address: str
    date: str
    reference: str
    body: str
    # Which of the people the case is about the letter is to (their opaque id), so what was sent
    # says whom it went to without a column; None for other letters, and for those sent before.
    subject_id: str | None = None

    def dumps(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False)

    @classmethod
    def loads(cls, text: str) -> LetterText:
        return cls(**json.loads(text))


def sent_letters(session: Session, case: Case) -> list[tuple[SentLetter, str]]:
    """The case's letters, oldest first, each with who sent it (their display name)."""
    if not may_have(case, Part.LETTERS):
        return []  # the case's own query said there are none (issue 21: no empty round trip)
    rows = session.execute(
        select(SentLetter, User.display_name)
        .join(User, User.id == SentLetter.sent_by_id)
        .where(SentLetter.case_id == case.id)
        .order_by(SentLetter.created_at)
    ).all()
    return [(letter, name) for letter, name in rows]


def get_letter(session: Session, case: Case, letter_id: uuid.UUID) -> SentLetter | None:
    """One letter of this case: another case's letter is missing here, whatever its id."""
    return session.scalar(
        select(SentLetter).where(SentLetter.id == letter_id, SentLetter.case_id == case.id)
    )
