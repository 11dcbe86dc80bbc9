"""The shipped default catalogue of policy clauses, built from the five seed policies, with
each policy's consequences: for each kind of person it binds, the route a breach leads to
(a staff disciplinary, parents' sanctions, governors' or volunteers' measures) and its words."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class CatalogueClause:
    code: str
    policy: str
    source: str
    category: str
    text: str


@dataclass(frozen=True)
class Consequence:
    """What a policy says follows a breach by one kind of person (a PersonKind value)."""

    # A DisciplinaryKind value: staff, parent_carer, governor or volunteer.
    route: str
    # Measure values the policy names (e.g. photography and mobile phones withdrawn).
    measures: tuple[str, ...]
    says: str


@dataclass(frozen=True)
class Catalogue:
    version: int
    categories: dict[str, str]
    clauses: tuple[CatalogueClause, ...]
    # policy id -> person kind -> consequence
    consequences: dict[str, dict[str, Consequence]]
    applies_to: dict[str, tuple[str, ...]]


@cache
def default_catalogue() -> Catalogue:
    raw = json.loads(
        resources.files("incidents.catalogue").joinpath("default_clauses.json").read_text("utf-8")
    )
    categories = {c["code"]: c["label"] for c in raw["categories"]}
    clauses = tuple(
        CatalogueClause(
            code=c["code"],
            policy=c["policy"],
            source=c["source"],
            category=c["category"],
            text=c["text"],
        )
        for c in raw["clauses"]
    )
    consequences = {
        p["id"]: {
            kind: Consequence(route=c["route"], measures=tuple(c["measures"]), says=c["says"])
            for kind, c in p.get("consequences", {}).items()
        }
        for p in raw["policies"]
    }
    applies_to = {c["code"]: tuple(c["applies_to"]) for c in raw["clauses"]}
    return Catalogue(
        version=int(raw["version"]),
        categories=categories,
        clauses=clauses,
        consequences=consequences,
        applies_to=applies_to,
    )


@cache
def policy_titles() -> dict[str, str]:
    """Each seed policy's id and title, for the page where a school adopts its policy."""
    raw = json.loads(
        resources.files("incidents.catalogue").joinpath("default_clauses.json").read_text("utf-8")
    )
    return {p["id"]: p["title"] for p in raw["policies"]}


def consequence_for(code: str, person_kind: str) -> Consequence | None:
    """What the policy behind a catalogue clause says follows a breach by this kind of person;
    None for a local clause, or a person the clause's policy does not bind."""
    catalogue = default_catalogue()
    clause = next((c for c in catalogue.clauses if c.code == code), None)
    if clause is None or person_kind not in catalogue.applies_to.get(code, ()):
        return None
    return catalogue.consequences.get(clause.policy, {}).get(person_kind)


def category_label(code: str) -> str:
    return default_catalogue().categories.get(code, code.replace("_", " ").capitalize())
