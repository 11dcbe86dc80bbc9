"""Low-level concerns and the pattern across cases (KCSIE Part 4 s.2): the earlier cases about
the same adult shown at triage ("3 earlier concerns in 12 months"), one page per adult listing
every case, process and suspension about them, and a periodic review prompt. Only cases the
viewer may open are counted or listed: a count must not reveal a case they may not see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from incidents import audit, deadlines
from incidents.alerts import system as alerts
from incidents.casework.allegation.system import open_task
from incidents.casework.guard import record
from incidents.errors import NotFound
from incidents.models import (
    ADULT_KINDS,
    Case,
    CaseKind,
    CaseState,
    DisciplinaryProcess,
    Person,
    SuspensionDecision,
    Task,
    TaskKind,
    User,
)
from incidents.models.case import case_subject
from incidents.permissions import can_view_case

WINDOW = timedelta(days=365)
# KCSIE asks for low-level concerns to be reviewed periodically; once a term is the usual rule.
REVIEW_EVERY = timedelta(days=91)
REVIEW_TITLE = (
    "Review the low-level concerns about this person together: is there a pattern that should "
    "be referred to the LADO, or dealt with as misconduct? Note the decision and the reasons"
)


@dataclass(frozen=True)
class Earlier:
    """What the viewer may see of the other cases about one subject of this case."""

    person: Person
    concerns_in_window: int
    cases: int


@dataclass(frozen=True)
class PersonHistory:
    person: Person
    cases: list[Case]
    processes: list[DisciplinaryProcess]
    suspensions: list[SuspensionDecision]


def _cases_about(session: Session, person_id: uuid.UUID) -> list[Case]:
    # With their subjects, which `can_view_case` reads: one query, not one per case (issue 21).
    return list(
        session.scalars(
            select(Case)
            .join(case_subject, case_subject.c.case_id == Case.id)
            .where(case_subject.c.person_id == person_id, Case.erased_at.is_(None))
            .options(joinedload(Case.subjects))
            .order_by(Case.became_aware_on)
        ).unique()
    )


def earlier_concerns(session: Session, *, actor: User, case: Case) -> list[Earlier]:
    """For each adult the case is about: the other cases about them the actor may open, and
    how many of those were low-level concerns in the 12 months before this case."""
    found = []
    since = case.became_aware_on - WINDOW
    for person in case.subjects:
        if person.kind not in ADULT_KINDS:
            continue
        others = [
            c
            for c in _cases_about(session, person.id)
            if c.id != case.id and can_view_case(actor, c)
        ]
        if not others:
            continue
        concerns = sum(
            1
            for c in others
            if c.kind is CaseKind.LOW_LEVEL_CONCERN
            and since <= c.became_aware_on <= case.became_aware_on
        )
        found.append(Earlier(person, concerns, len(others)))
    return found


def person_history(session: Session, *, actor: User, person_id: uuid.UUID) -> PersonHistory:
    """Everything the actor may open about one adult, oldest first. A person of another school,
    or one with no case the actor may open (their own, say), is reported as missing."""
    person = session.get(Person, person_id)
    if person is None or person.school_id != actor.school_id:
        raise NotFound("Person not found")
    cases = [c for c in _cases_about(session, person.id) if can_view_case(actor, c)]
    if not cases:
        raise NotFound("Person not found")
    ids = [c.id for c in cases]
    processes = list(
        session.scalars(
            select(DisciplinaryProcess).where(
                DisciplinaryProcess.person_id == person.id, DisciplinaryProcess.case_id.in_(ids)
            )
        )
    )
    suspensions = list(
        session.scalars(
            select(SuspensionDecision).where(
                SuspensionDecision.person_id == person.id, SuspensionDecision.case_id.in_(ids)
            )
        )
    )
    return PersonHistory(person, cases, processes, suspensions)


def open_person_page(session: Session, *, actor: User, person_id: uuid.UUID) -> PersonHistory:
    """The person's history, with the audit entry for opening it (like opening a case)."""
    history = person_history(session, actor=actor, person_id=person_id)
    audit.record(
        session,
        school_id=actor.school_id,
        action=audit.Action.PERSON_VIEW,
        actor=actor,
        object_type="person",
        object_id=person_id,
    )
    return history


def prompt_reviews(session: Session, today: date) -> int:
    """For the periodic review (run by `incidents jobs run`): each adult with a low-level
    concern in the last 12 months gets a review task, on their latest open low-level concern,
    unless one was opened in the last term. Returns how many were opened."""
    opened = 0
    recent = session.scalars(
        select(Case).where(
            Case.kind == CaseKind.LOW_LEVEL_CONCERN,
            Case.became_aware_on >= today - WINDOW,
            Case.state.not_in((CaseState.CLOSED, CaseState.ERASED)),
        )
    )
    latest: dict[uuid.UUID, Case] = {}
    for case in recent:
        for person in case.subjects:
            seen = latest.get(person.id)
            if seen is None or seen.became_aware_on < case.became_aware_on:
                latest[person.id] = case
    for case in {c.id: c for c in latest.values()}.values():
        if _reviewed_lately(session, case, today):
            continue
        manager = alerts.case_manager(session, case)
        if manager is None:
            continue
        open_task(
            session,
            case,
            None,
            title=REVIEW_TITLE,
            owner=manager,
            due_on=deadlines.add_working_days(today, 5),
        )
        record(session, case, None, audit.Action.CONCERN_REVIEW_PROMPT)
        opened += 1
    return opened


def _reviewed_lately(session: Session, case: Case, today: date) -> bool:
    """A review task opened in the last term on any case about the same people."""
    since = today - REVIEW_EVERY
    people = [p.id for p in case.subjects]
    about = {c.id for pid in people for c in _cases_about(session, pid)}
    tasks = session.scalars(
        select(Task).where(Task.case_id.in_(about), Task.kind == TaskKind.CUSTOM)
    )
    return any(
        t.title is not None and t.title.reveal() == REVIEW_TITLE and t.created_at.date() >= since
        for t in tasks
    )
