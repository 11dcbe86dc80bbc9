"""A statistics page as published and stored in a release: headings and the text of every
cell (a number, `c` or `x`), and nothing else. The page, its charts, the CSV and the PDF are
drawn from this, so a stored release renders without a query over cases or any protection."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from incidents.stats.layout import Heading
from incidents.stats.tables import Page

DERIVED = ":derived"


@dataclass
class PublishedTable:
    key: str
    title: str
    description: str
    rows: list[Heading]
    columns: list[Heading]
    texts: dict[tuple[str, str], str]
    total_row: str | None = None
    row_heading: str = ""


@dataclass
class PublishedPage:
    year: int
    period: str
    school_level: bool
    schools: list[str]
    tables: list[PublishedTable]
    threshold: int
    minimum_base: int
    future_terms: tuple[str, ...] = ()
    revision: int = 1
    note: str = ""
    # The text of every cell by its page-wide name "table|row|column" (shared totals once),
    # so the next release can hold this one's statuses fixed.
    cells: dict[str, str] = field(default_factory=dict)

    def table(self, key: str) -> PublishedTable:
        return next(t for t in self.tables if t.key == key)

    def has_table(self, key: str) -> bool:
        return any(t.key == key for t in self.tables)

    def text(self, table: PublishedTable, row: str, column: str) -> str:
        return table.texts.get((row, column), "x")

    def number(self, table: PublishedTable, row: str, column: str) -> int | None:
        text = table.texts.get((row, column))
        return int(text) if text is not None and text.isdigit() else None

    def to_json(self) -> str:
        return json.dumps(
            {
                "year": self.year,
                "period": self.period,
                "school_level": self.school_level,
                "schools": self.schools,
                "threshold": self.threshold,
                "minimum_base": self.minimum_base,
                "future_terms": list(self.future_terms),
                "revision": self.revision,
                "note": self.note,
                "cells": self.cells,
                "tables": [
                    {
                        "key": t.key,
                        "title": t.title,
                        "description": t.description,
                        "rows": [[h.key, h.label] for h in t.rows],
                        "columns": [[h.key, h.label] for h in t.columns],
                        "texts": [[r, c, v] for (r, c), v in t.texts.items()],
                        "total_row": t.total_row,
                        "row_heading": t.row_heading,
                    }
                    for t in self.tables
                ],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str) -> PublishedPage:
        data: dict[str, Any] = json.loads(raw)
        return cls(
            year=int(data["year"]),
            period=str(data["period"]),
            school_level=bool(data["school_level"]),
            schools=[str(s) for s in data["schools"]],
            threshold=int(data["threshold"]),
            minimum_base=int(data["minimum_base"]),
            future_terms=tuple(data["future_terms"]),
            revision=int(data["revision"]),
            note=str(data["note"]),
            cells={str(k): str(v) for k, v in data["cells"].items()},
            tables=[
                PublishedTable(
                    key=t["key"],
                    title=t["title"],
                    description=t["description"],
                    rows=[Heading(k, label) for k, label in t["rows"]],
                    columns=[Heading(k, label) for k, label in t["columns"]],
                    texts={(r, c): v for r, c, v in t["texts"]},
                    total_row=t["total_row"],
                    row_heading=t["row_heading"],
                )
                for t in data["tables"]
            ],
        )


def publish(
    page: Page, *, period: str, minimum_base: int, revision: int = 1, note: str = ""
) -> PublishedPage:
    """The page as it will be shown, for good: every cell's text, hidden ones as `c` or `x`."""
    tables = []
    cells: dict[str, str] = {}
    for t in page.tables:
        texts = {}
        for row in t.rows:
            for col in t.columns:
                if (row.key, col.key) in t.cells or (row.key, col.key) in t.derived:
                    texts[(row.key, col.key)] = page.text(t, row.key, col.key)
        for cell in t.cells.values():
            plain = cell[0].partition("|")[2] or cell[0]
            cells[f"{plain}|{cell[1]}|{cell[2]}"] = page.protection.shown(cell)
        for (row_key, col_key), text in t.derived.items():
            cells[f"{t.key}{DERIVED}|{row_key}|{col_key}"] = text
        tables.append(
            PublishedTable(
                t.key,
                t.title,
                t.description,
                list(t.rows),
                list(t.columns),
                texts,
                t.total_row,
                t.row_heading,
            )
        )
    return PublishedPage(
        year=page.year,
        period=period,
        school_level=page.school_level,
        schools=list(page.schools),
        tables=tables,
        threshold=page.threshold,
        minimum_base=minimum_base,
        future_terms=page.future_terms,
        revision=revision,
        note=note,
        cells=cells,
    )
