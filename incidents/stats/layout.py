"""The shape every statistics table shares: headings, the table itself, and the builder
that collects a page's cells and lines before disclosure control protects them."""

from __future__ import annotations

from dataclasses import dataclass, field

from incidents.stats.disclosure import CellId, Line
from incidents.stats.terms import TERM_NAMES, TermCalendar, terms, year_label

TERMS = TERM_NAMES
PERIODS = (*TERMS, "year", "last")
YEARS = ("year", "last")
TOTAL = "total"
CASES = "cases"  # the shared totals: cases the school(s) became aware of, per period


@dataclass(frozen=True)
class Heading:
    key: str
    label: str


@dataclass
class Table:
    key: str
    title: str
    description: str
    rows: list[Heading]
    columns: list[Heading]
    # (row, column) -> the page-wide cell it shows; a row not here is a derived row
    cells: dict[tuple[str, str], CellId]
    derived: dict[tuple[str, str], str] = field(default_factory=dict)
    total_row: str | None = None
    row_heading: str = ""


def period_columns(year: int, calendar: TermCalendar) -> list[Heading]:
    named = terms(year, calendar)
    return [
        *(Heading(t.name, f"{t.label} {t.start.year}") for t in named),
        Heading("year", f"Whole year {year_label(year)}"),
        Heading("last", f"Last year, {year_label(year - 1)}"),
    ]


def year_columns(year: int) -> list[Heading]:
    return [Heading("year", year_label(year)), Heading("last", f"{year_label(year - 1)}")]


class Builder:
    def __init__(self) -> None:
        self.values: dict[CellId, int] = {}
        self.lines: list[Line] = []
        self.withheld: set[CellId] = set()
        self.floors: dict[CellId, int] = {}

    def cell(self, cell: CellId, value: int) -> CellId:
        self.values.setdefault(cell, value)
        return cell

    def column_lines(
        self, table: str, rows: list[str], columns: tuple[str, ...], total: str
    ) -> None:
        for col in columns:
            members = tuple((table, r, col) for r in rows)
            self.lines.append(Line(totals=((total, TOTAL, col),), members=members))

    def term_lines(self, table: str, rows: list[str]) -> None:
        for r in rows:
            terms_ = tuple((table, r, t) for t in TERMS)
            self.lines.append(Line(totals=((table, r, "year"),), members=terms_, group=False))
