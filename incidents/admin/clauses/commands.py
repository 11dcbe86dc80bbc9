"""Policy clauses: let an admin add, edit, retire and restore them (loading the default catalogue
for a new school is `system.py`'s). A retired clause is only hidden from new cases; cases that
cited it keep it."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.catalogue import default_catalogue
from incidents.errors import Forbidden, InvalidInput, NotFound
from incidents.models import PolicyClause, PolicyClauseVersion, User
from incidents.models.base import utcnow
from incidents.permissions import Permission, has_permission

MAX_CODE = 20
CODE_PATTERN = re.compile(rf"^[A-Z0-9][A-Z0-9-]{{0,{MAX_CODE - 1}}}$")
MAX_TEXT = 1_000
MAX_SOURCE = 120


@dataclass(frozen=True)
class ClauseInput:
    code: str
    source: str
    category: str
    text: str


def list_clauses(
    session: Session, school_id: uuid.UUID, *, include_retired: bool = False
) -> list[PolicyClause]:
    query = select(PolicyClause).where(PolicyClause.school_id == school_id)
    if not include_retired:
        query = query.where(PolicyClause.retired_at.is_(None))
    return list(session.scalars(query.order_by(PolicyClause.code)))


def active_clauses_by_id(
    session: Session, school_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> list[PolicyClause]:
    """The clauses a new case may cite: this school's and not retired; anything else is refused."""
    wanted = set(ids)
    if not wanted:
        return []
    found = list(
        session.scalars(
            select(PolicyClause).where(
                PolicyClause.id.in_(wanted),
                PolicyClause.school_id == school_id,
                PolicyClause.retired_at.is_(None),
            )
        )
    )
    if len(found) != len(wanted):
        raise InvalidInput({"clauses": "Choose clauses from the list"})
    return found


def versions_in_force(
    session: Session, clauses: Iterable[PolicyClause]
) -> dict[uuid.UUID, PolicyClauseVersion]:
    """Each clause's latest version, read from the database rather than from a collection this
    session may have loaded before an edit: what a case recorded now cites."""
    ids = [c.id for c in clauses]
    if not ids:
        return {}
    rows = session.scalars(
        select(PolicyClauseVersion)
        .where(PolicyClauseVersion.clause_id.in_(ids))
        .order_by(PolicyClauseVersion.number)
    )
    return {version.clause_id: version for version in rows}


def get_clause(session: Session, *, actor: User, clause_id: uuid.UUID) -> PolicyClause:
    _require_admin(actor)
    clause = session.get(PolicyClause, clause_id)
    if clause is None or clause.school_id != actor.school_id:
        raise NotFound("Clause not found")
    return clause


def _validate(
    session: Session, school_id: uuid.UUID, data: ClauseInput, current: PolicyClause | None
) -> ClauseInput:
    code = data.code.strip().upper()
    cleaned = ClauseInput(
        code=code,
        source=data.source.strip(),
        category=data.category.strip(),
        text=data.text.strip(),
    )
    errors: dict[str, str] = {}
    if not CODE_PATTERN.match(code):
        errors["code"] = f"Enter a code of up to {MAX_CODE} capital letters, digits and hyphens"
    else:
        clash = session.scalar(
            select(PolicyClause.id).where(
                PolicyClause.school_id == school_id, PolicyClause.code == code
            )
        )
        if clash is not None and (current is None or clash != current.id):
            errors["code"] = "Another clause already has this code"
    if not cleaned.source:
        errors["source"] = "Enter where the clause comes from"
    elif len(cleaned.source) > MAX_SOURCE:
        errors["source"] = f"Source must be {MAX_SOURCE:,} characters or fewer"
    if cleaned.category not in default_catalogue().categories:
        errors["category"] = "Choose a category"
    if not cleaned.text:
        errors["text"] = "Enter the clause"
    elif len(cleaned.text) > MAX_TEXT:
        errors["text"] = f"Clause must be {MAX_TEXT:,} characters or fewer"
    if errors:
        raise InvalidInput(errors)
    return cleaned


def create_clause(session: Session, *, actor: User, data: ClauseInput) -> PolicyClause:
    _require_admin(actor)
    cleaned = _validate(session, actor.school_id, data, None)
    clause = PolicyClause(
        school_id=actor.school_id,
        code=cleaned.code,
        source=cleaned.source,
        category=cleaned.category,
    )
    clause.revise(cleaned.text)
    session.add(clause)
    session.flush()
    _audit(
        session,
        actor,
        audit.Action.CLAUSE_CREATE,
        clause,
        detail={"version": 1, "new_text_sha256": _digest(cleaned.text)},
    )
    return clause


def update_clause(
    session: Session, *, actor: User, clause_id: uuid.UUID, data: ClauseInput
) -> PolicyClause:
    clause = get_clause(session, actor=actor, clause_id=clause_id)
    cleaned = _validate(session, actor.school_id, data, clause)
    old_text = clause.text
    clause.code, clause.source, clause.category = cleaned.code, cleaned.source, cleaned.category
    if cleaned.text != old_text:
        # New words are a new version: cases recorded before go on citing the old ones.
        clause.revise(cleaned.text)
    # The digests of the words before and after (the texts themselves are in the versions):
    # enough to prove later which wording was in force, and encrypted like any entry's detail.
    detail = {
        "version": clause.current_version.number,
        "old_text_sha256": _digest(old_text),
        "new_text_sha256": _digest(clause.text),
    }
    _audit(session, actor, audit.Action.CLAUSE_UPDATE, clause, detail=detail)
    return clause


def set_retired(
    session: Session, *, actor: User, clause_id: uuid.UUID, retired: bool
) -> PolicyClause:
    clause = get_clause(session, actor=actor, clause_id=clause_id)
    if retired and clause.retired_at is None:
        clause.retired_at = utcnow()
        _audit(session, actor, audit.Action.CLAUSE_RETIRE, clause)
    elif not retired and clause.retired_at is not None:
        clause.retired_at = None
        _audit(session, actor, audit.Action.CLAUSE_RESTORE, clause)
    return clause


def _require_admin(actor: User) -> None:
    if not has_permission(actor, Permission.CLAUSE_MANAGE):
        raise Forbidden("Only an administrator can change policy clauses")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _audit(
    session: Session,
    actor: User,
    action: audit.Action,
    clause: PolicyClause,
    detail: dict[str, object] | None = None,
) -> None:
    session.flush()
    audit.record(
        session,
        school_id=clause.school_id,
        action=action,
        actor=actor,
        object_type="policy_clause",
        object_id=clause.id,
        detail=detail,
    )
