"""The shipped default catalogue of policy clauses, built from the five seed policies."""

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
class Catalogue:
    version: int
    categories: dict[str, str]
    clauses: tuple[CatalogueClause, ...]


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
    return Catalogue(version=int(raw["version"]), categories=categories, clauses=clauses)


def category_label(code: str) -> str:
    return default_catalogue().categories.get(code, code.replace("_", " ").capitalize())
