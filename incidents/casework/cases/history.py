"""A case's history for its case manager: who viewed or changed it, when, in what role, newest
first, read from the audit log. Reading it is not logged again (the case view already is), and
the person who reported the case is never named: their identity stays sealed."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.audit import Action
from incidents.audit.actions import label
from incidents.audit.log import actor_pseudonym
from incidents.models import Case, Role, User
from incidents.models.audit import AuditEntry
from incidents.permissions import is_case_manager

LIMIT = 100  # a long case stays one quick query; the count says how many more there are

SYSTEM = "The system"
SEALED = "The reporter (identity sealed)"
SUBJECT = "A subject of this case"
FORMER = "A former user"
HIDDEN = "Not shown"


@dataclass(frozen=True)
class HistoryItem:
    at: datetime
    who: str
    roles: str
    what: str


@dataclass(frozen=True)
class History:
    items: list[HistoryItem]
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.items)


def _roles(leaf: bytes) -> str:
    """The actor's roles when the entry was written, as the leaf recorded them."""
    try:
        stored = json.loads(leaf).get("role") or ""
    except (ValueError, AttributeError):
        return ""
    labels = []
    for value in str(stored).split(","):
        try:
            labels.append(Role(value).label)
        except ValueError:
            if value:
                labels.append(value)
    return ", ".join(labels)


def openers(session: Session, case: Case) -> dict[str, list[uuid.UUID | None]]:
    """Who reported and who recorded the case (their CASE_REPORT and CASE_RECORD entries'
    actors, in log order): the history and the summary both ask, so the case page reads them
    in one query (issue 21)."""
    found: dict[str, list[uuid.UUID | None]] = {Action.CASE_REPORT: [], Action.CASE_RECORD: []}
    rows = session.execute(
        select(AuditEntry.seq, AuditEntry.action, AuditEntry.actor_id).where(
            AuditEntry.school_id == case.school_id,
            AuditEntry.case_id == case.id,
            AuditEntry.action.in_((Action.CASE_REPORT, Action.CASE_RECORD)),
        )
    ).all()
    # Put in log order here, not by ORDER BY seq: SQLite, which keeps no statistics, then read
    # the school's whole log through its (school_id, seq) index to spare sorting a row or two
    # (1 s a case page at 2 million entries, issue 21); unordered, it reads the case's entries.
    for _, action, actor_id in sorted(rows, key=lambda row: row[0]):
        found[action].append(actor_id)
    return found


def case_history(
    session: Session,
    *,
    actor: User,
    case: Case,
    limit: int = LIMIT,
    names: dict[uuid.UUID, str] | None = None,
    opened_by: dict[str, list[uuid.UUID | None]] | None = None,
) -> History | None:
    """The latest `limit` entries about `case`, or None when `actor` is not its case manager
    (least privilege: the history shows colleagues' activity, which is the manager's to
    oversee; case workers who progress the case do not need it)."""
    if not is_case_manager(actor, case):
        return None
    where = (AuditEntry.school_id == case.school_id, AuditEntry.case_id == case.id)
    # The total comes with the rows (a window count), not in a query of its own (issue 21).
    found = session.execute(
        select(
            AuditEntry.at,
            AuditEntry.actor_id,
            AuditEntry.action,
            AuditEntry.leaf,
            func.count().over().label("total"),
        )
        .where(*where)
        .order_by(AuditEntry.seq.desc())
        .limit(limit)
    ).all()
    total = found[0].total if found else 0
    rows = [(at, actor_id, action, leaf) for at, actor_id, action, leaf, _ in found]
    # Whoever reported the case is its sealed reporter: every entry of theirs on this case is
    # unnamed, and their role is hidden too (one DSL in a school is as good as a name).
    sealed = (
        set(opened_by[Action.CASE_REPORT])
        if opened_by is not None
        else set(
            session.scalars(
                select(AuditEntry.actor_id).where(*where, AuditEntry.action == Action.CASE_REPORT)
            )
        )
    )
    subjects = {p.user_id for p in case.subjects if p.user_id is not None}
    actor_ids = {actor_id for _, actor_id, _, _ in rows if actor_id is not None}
    # A report's entry holds the reporter's per-case pseudonym (issue 19, item 9): their
    # other entries on the case, under their own id, are theirs if the pseudonym matches.
    # (Not once the case's keys are shredded: nobody can link it then, by design.)
    if sealed and not case.is_erased:
        sealed |= {
            user_id
            for user_id in actor_ids - sealed
            if actor_pseudonym(session, case.school_id, case.id, user_id) in sealed
        }
    if names is None:
        names = _names(session, case, actor_ids)
    items = []
    for at, actor_id, action, leaf in rows:
        if actor_id is None:
            who, roles = SYSTEM, "Automatic"
        elif actor_id in sealed:
            who, roles = SEALED, HIDDEN
        elif actor_id in subjects:
            who, roles = SUBJECT, HIDDEN
        else:
            who, roles = names.get(actor_id, FORMER), _roles(bytes(leaf)) or HIDDEN
        items.append(HistoryItem(at=at, who=who, roles=roles, what=label(action)))
    return History(items=items, total=total)


def _names(session: Session, case: Case, actor_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The display names of these users, of the case's own school only."""
    if not actor_ids:
        return {}
    found = session.execute(
        select(User.id, User.display_name).where(
            User.id.in_(actor_ids), User.school_id == case.school_id
        )
    )
    return {user_id: name for user_id, name in found}
