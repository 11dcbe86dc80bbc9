"""The catalogue's internal step: copying the default clauses into a new school's catalogue, as
part of creating the school (`admin/schools.py`). It checks nothing: the caller has."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.catalogue import default_catalogue
from incidents.errors import InvalidInput
from incidents.models import PolicyClause, School, User


def load_catalogue(
    session: Session, *, actor: User | None, school: School, policies: Iterable[str] | None = None
) -> int:
    """Copy the default clauses (optionally only some policies) into the school's catalogue."""
    catalogue = default_catalogue()
    wanted = set(policies) if policies is not None else None
    known = {c.policy for c in catalogue.clauses}
    if wanted is not None and not wanted <= known:
        unknown = ", ".join(sorted(wanted - known))
        raise InvalidInput({"policies": f"Unknown policy in the catalogue: {unknown}"})
    existing = set(
        session.scalars(select(PolicyClause.code).where(PolicyClause.school_id == school.id))
    )
    added = 0
    for clause in catalogue.clauses:
        if (wanted is not None and clause.policy not in wanted) or clause.code in existing:
            continue
        added_clause = PolicyClause(
            school_id=school.id, code=clause.code, source=clause.source, category=clause.category
        )
        added_clause.revise(clause.text)  # version 1
        session.add(added_clause)
        added += 1
    session.flush()
    audit.record(
        session, school_id=school.id, action=audit.Action.CLAUSE_LOAD_CATALOGUE, actor=actor
    )
    return added
