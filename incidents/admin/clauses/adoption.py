"""The school adopts its policy (issue 13): an administrator chooses which of the shipped seed
policies (or none) make the school's catalogue, previews the clauses each brings, and can change
that later. Dropping a policy retires its clauses (cases that cited them keep them); choosing it
again restores them. A new school gets no seed policy unless it is chosen."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.admin.clauses import commands as clause_service
from incidents.admin.clauses.system import load_catalogue
from incidents.catalogue import CatalogueClause, default_catalogue, policy_titles
from incidents.errors import Forbidden, InvalidInput
from incidents.models import PolicyClause, School, User
from incidents.permissions import Permission, has_permission


@dataclass(frozen=True)
class SeedPolicy:
    id: str
    title: str
    clauses: tuple[CatalogueClause, ...]


@dataclass(frozen=True)
class Adoption:
    added: int
    retired: int
    restored: int


def seed_policies() -> list[SeedPolicy]:
    catalogue = default_catalogue()
    titles = policy_titles()
    return [
        SeedPolicy(pid, titles[pid], tuple(c for c in catalogue.clauses if c.policy == pid))
        for pid in sorted(titles)
    ]


def _policy_of() -> dict[str, str]:
    return {c.code: c.policy for c in default_catalogue().clauses}


def adopted(session: Session, school_id: uuid.UUID) -> set[str]:
    """The seed policies with at least one clause in force in the school's catalogue."""
    policy_of = _policy_of()
    codes = session.scalars(
        select(PolicyClause.code).where(
            PolicyClause.school_id == school_id, PolicyClause.retired_at.is_(None)
        )
    )
    return {policy_of[code] for code in codes if code in policy_of}


def adopt_policies(session: Session, *, actor: User, policies: Iterable[str]) -> Adoption:
    """Make the school's catalogue hold exactly the chosen seed policies' clauses (its own
    clauses are untouched). Each clause retired or restored is an audit entry of its own."""
    if not has_permission(actor, Permission.CLAUSE_MANAGE):
        raise Forbidden("Only an administrator can change policy clauses")
    wanted = set(policies)
    known = {p.id for p in seed_policies()}
    if not wanted <= known:
        raise InvalidInput({"policies": "Choose policies from the list"})
    school = session.get(School, actor.school_id)
    assert school is not None  # noqa: S101 - a foreign key
    policy_of = _policy_of()
    retired = restored = 0
    for clause in clause_service.list_clauses(session, school.id, include_retired=True):
        policy = policy_of.get(clause.code)
        if policy is None:
            continue  # the school's own clause: not the seed's to change
        keep = policy in wanted
        if keep == clause.is_retired:
            clause_service.set_retired(session, actor=actor, clause_id=clause.id, retired=not keep)
            retired += not keep
            restored += keep
    added = load_catalogue(session, actor=actor, school=school, policies=wanted) if wanted else 0
    return Adoption(added, retired, restored)
