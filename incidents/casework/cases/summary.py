"""What the case page (and the printed case file) read back of a case besides its own columns:
who may see the discloser's contact, who recorded the disclosure, what each cited clause's
policy says follows, which deadlines have passed, and "what needs doing" before it can close."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import closure
from incidents.audit import Action
from incidents.catalogue import consequence_for
from incidents.clock import local_today
from incidents.models import Case, DisclosureSource, ReferralStatus, Role, User
from incidents.models.audit import AuditEntry
from incidents.permissions import is_case_manager

# A report's reporter is sealed (seed policy 001): a staff member's, and a governor's, whose
# report carries their name and address the same way. Only the reveal page shows them.
SEALED_SOURCES = frozenset({DisclosureSource.STAFF, DisclosureSource.GOVERNOR})


@dataclass(frozen=True)
class Follows:
    """What a cited clause's policy says follows a breach by one of the case's subjects."""

    clause_code: str
    person_kind: str
    says: str


@dataclass(frozen=True)
class ToDo:
    """One item of the closure checklist, with the page (or section) that does it."""

    label: str
    done: bool
    todo: str
    endpoint: str | None  # a page of its own, for url_for(endpoint, case_id=...)
    anchor: str | None  # else a section of the case page


@dataclass(frozen=True)
class Summary:
    discloser_visible: bool
    discloser_sealed: bool
    recorded_by: str | None
    follows: list[Follows]
    overdue_referrals: set[uuid.UUID]
    overdue_tasks: set[uuid.UUID]
    overdue_suspensions: set[uuid.UUID]
    todo: list[ToDo]

    @property
    def overdue(self) -> bool:
        return bool(self.overdue_referrals or self.overdue_tasks or self.overdue_suspensions)


def may_see_discloser(actor: User, case: Case) -> bool:
    """The discloser's name and contact (a parent, a child, an agency) are for the case manager
    and the DSLs, who call them back or tell children's social care; a sealed reporter is never
    shown here, whoever asks (the reveal page asks for the password and a reason)."""
    if case.source in SEALED_SOURCES:
        return False
    return is_case_manager(actor, case) or actor.has_role(Role.DSL, Role.DEPUTY_DSL)


# Closure checklist label -> (endpoint, anchor): where each item is done. The items answered
# on the closing page itself go there.
_WHERE: dict[str, tuple[str | None, str | None]] = {
    "The outcome is recorded": ("outcomes.record", None),
    "Every referral is closed, or the decision not to refer is recorded": (None, "referrals"),
    "The police investigation has finished and its result is recorded": (
        "police.police_result",
        None,
    ),
    "Every task is done": (None, "tasks"),
    "Every disciplinary process or sanction is concluded, or why it ended is recorded": (
        None,
        "disciplinary",
    ),
    "Every suspension has ended: the person returned to work, left or was dismissed": (
        None,
        "suspension",
    ),
    "The breach record is complete (UK GDPR Art 33(5))": ("breaches.facts", None),
}


def _where(check: closure.Check) -> tuple[str | None, str | None]:
    if check.answered_on_close:
        return "outcomes.close", None
    if check.label.startswith(("A referral to the DBS", "A referral to the Teaching Regulation")):
        return "referrals.new", None
    return _WHERE.get(check.label, (None, None))


def todo_list(case: Case) -> list[ToDo]:
    items = []
    for check in closure.checklist(case):
        endpoint, anchor = _where(check)
        items.append(ToDo(check.label, check.done, check.todo, endpoint, anchor))
    return items


def _recorded_by(
    session: Session, case: Case, recorders: list[uuid.UUID | None] | None = None
) -> str | None:
    """Who received and recorded a disclosure, from the log's CASE_RECORD entry; None for a
    report (its reporter is sealed) or a case whose recorder's account is gone. `recorders`:
    those entries' actors when the caller has read them already (`history.openers`)."""
    if recorders is not None:
        actor_id = recorders[0] if recorders else None
    else:
        # The first in log order, chosen here rather than by ORDER BY seq (`history.openers`
        # says why: SQLite would read the school's whole log).
        first = min(
            session.execute(
                select(AuditEntry.seq, AuditEntry.actor_id).where(
                    AuditEntry.school_id == case.school_id,
                    AuditEntry.case_id == case.id,
                    AuditEntry.action == Action.CASE_RECORD,
                )
            ).all(),
            default=None,
            key=lambda row: row[0],
        )
        actor_id = first[1] if first is not None else None
    if actor_id is None:
        return None
    user = session.get(User, actor_id)
    return user.display_name if user is not None and user.school_id == case.school_id else None


def case_summary(
    session: Session,
    *,
    actor: User,
    case: Case,
    now: datetime | None = None,
    recorders: list[uuid.UUID | None] | None = None,
) -> Summary:
    now = now or datetime.now(UTC)
    today = local_today(now)
    follows = [
        Follows(c.clause.code, p.kind.label, found.says)
        for c in case.cited
        for p in case.subjects
        if (found := consequence_for(c.clause.code, p.kind.value)) is not None
    ]
    return Summary(
        discloser_visible=may_see_discloser(actor, case),
        discloser_sealed=case.source in SEALED_SOURCES,
        recorded_by=_recorded_by(session, case, recorders),
        follows=follows,
        # The deadline is for making the referral (the LADO within one working day): once it is
        # made, acknowledged or waiting for advice, the clock is met, late or not.
        overdue_referrals={
            r.id
            for r in case.referrals
            if r.status is ReferralStatus.DRAFT and r.due_at is not None and r.due_at < now
        },
        overdue_tasks={t.id for t in case.tasks if not t.is_done and t.due_on < today},
        overdue_suspensions={
            d.id
            for d in case.suspension_decisions
            if d.awaits_confirmation
            and d.confirmation_due_at is not None
            and d.confirmation_due_at < now
        },
        todo=todo_list(case),
    )
