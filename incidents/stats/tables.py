"""The published tables of a statistics page, built from the raw counts and protected as one
system by `disclosure.protect`: the page, its charts, the CSV and the PDF all show these.

Tables that break the same cases down in different ways (by track, by source, by school) share
one set of total cells, so a total hidden in one is hidden in all, and a line running from one
table to another is known to the suppression. Allegations are split by term only across two
or more schools that had them: otherwise those cells are withheld whatever their value. The
tables of dated events (outcomes, referrals, closing, open cases) are in `events`.

The "last year" column is never protected here: it is a copy of what the year before's own page
publishes in its "year" column, so every page showing a year shows the same figures for it
(protected on their own, two pages could hide different cells, and together give one away).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from incidents.catalogue import category_label
from incidents.models import CaseKind, DisclosureSource
from incidents.stats.disclosure import (
    WITHHELD_SYMBOL,
    CellId,
    Line,
    Protection,
    Status,
    protect,
)
from incidents.stats.events import (
    closing_table,
    derive,
    open_table,
    outcomes_table,
    referrals_table,
)
from incidents.stats.figures import UNASSESSED, Figures
from incidents.stats.layout import (
    CASES,
    PERIODS,
    TERMS,
    TOTAL,
    YEARS,
    Builder,
    Heading,
    Table,
    period_columns,
    year_columns,
)
from incidents.stats.terms import TermCalendar, terms


@dataclass
class Page:
    year: int
    school_level: bool
    schools: list[str]
    tables: list[Table]
    protection: Protection
    threshold: int
    # Terms that had not started when the figures were taken (their zeros are "not yet").
    future_terms: tuple[str, ...] = ()

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def text(self, table: Table, row: str, column: str) -> str:
        if (row, column) in table.derived:
            return table.derived[(row, column)]
        return self.protection.shown(table.cells[(row, column)])

    def number(self, table: Table, row: str, column: str) -> int | None:
        """The published count, or None when hidden (charts plot nothing there)."""
        cell = table.cells.get((row, column))
        return None if cell is None else self.protection.published(cell)


def build_page(figures: Figures, *, calendar: TermCalendar, threshold: int) -> Page:
    previous = (
        None
        if figures.previous is None
        else build_page(figures.previous, calendar=calendar, threshold=threshold)
    )
    b, tables = assemble(figures, calendar)
    protection = _protect_year(b, previous, threshold)
    page = Page(
        year=figures.year,
        school_level=len(figures.schools) == 1,
        schools=[name for _id, name in figures.schools],
        tables=tables,
        protection=protection,
        threshold=threshold,
        future_terms=tuple(
            t.name
            for t in terms(figures.year, calendar)
            if figures.today is not None and t.start > figures.today
        ),
    )
    derive(page.table("referrals"), page.table("closing"), protection, figures)
    for key, row in (("referrals", "share"), ("closing", "median")):
        page.table(key).derived[(row, "last")] = (
            WITHHELD_SYMBOL if previous is None else previous.table(key).derived[(row, "year")]
        )
    return page


def assemble(figures: Figures, calendar: TermCalendar) -> tuple[Builder, list[Table]]:
    """Every table of one page with its cells and lines, not yet protected."""
    b = Builder()
    school_level = len(figures.schools) == 1
    # Allegations by term only where they cannot be pinned on one school: at trust level,
    # and only when at least two schools had allegations in the year.
    with_allegations = {
        school for (school, when), n in figures.allegations.items() if when in TERMS and n
    }
    split_allegations = not school_level and len(with_allegations) >= 2
    tally = _tally(figures)
    tables = [
        _breakdown(b, figures, tally, calendar, "tracks", split_allegations),
        _breakdown(b, figures, tally, calendar, "sources", split_allegations),
    ]
    if not school_level:
        tables.append(_by_school(b, figures, tally))
    tables += [
        _categories(b, figures, calendar),
        outcomes_table(b, figures),
        referrals_table(b, figures),
        closing_table(b, figures),
        open_table(b, figures),
    ]
    # The shared totals' own line: the terms add up to the year.
    b.lines.append(
        Line(
            totals=((CASES, TOTAL, "year"),),
            members=tuple((CASES, TOTAL, t) for t in TERMS),
            group=False,
        )
    )
    return b, tables


def _last(cell: CellId) -> bool:
    return cell[2] == "last"


def _protect_year(b: Builder, previous: Page | None, threshold: int) -> Protection:
    """Protect the chosen year's cells as one system, then copy the "last year" column from
    the year before's page. No line joins the two (the last year has no term lines), so
    leaving it out changes nothing else; without the year before's page, it is withheld."""
    crossing = [any(_last(c) for c in line.cells()) for line in b.lines]
    for line, last in zip(b.lines, crossing, strict=True):
        if last and not all(_last(c) for c in line.cells()):
            # Such a line would tie last year's copied cells to this year's protection.
            raise ValueError("a line may not join last year's column to this year's cells")
    own = [line for line, last in zip(b.lines, crossing, strict=True) if not last]
    protection = protect(
        {c: v for c, v in b.values.items() if not _last(c)},
        own,
        withheld={c for c in b.withheld if not _last(c)},
        floors={c: v for c, v in b.floors.items() if not _last(c)},
        threshold=threshold,
    )
    before = previous.protection if previous is not None else None
    for cell, value in b.values.items():
        if not _last(cell):
            continue
        source = (cell[0], cell[1], "year")
        if before is not None and source in before.status:
            protection.values[cell] = before.values[source]
            protection.status[cell] = before.status[source]
            if source in before.floors:
                protection.floors[cell] = before.floors[source]
        else:
            # A row the year before's page does not have is a zero there; anything else
            # unknown is withheld rather than published unprotected.
            protection.values[cell] = value
            known_zero = before is not None and value == 0
            protection.status[cell] = Status.PUBLISHED if known_zero else Status.WITHHELD
    # The reader still knows the last year's column adds up: the attacker tests need them.
    protection.lines += [line for line, last in zip(b.lines, crossing, strict=True) if last]
    return protection


def _tally(figures: Figures) -> Counter[tuple[str, str, str]]:
    """(dimension, value, period) -> cases, with the whole year ("year") added up from the
    terms and the total of all cases ("", "") from the tracks."""
    tally: Counter[tuple[str, str, str]] = Counter()
    for (dimension, value, when), n in figures.cases.items():
        for period in (when, "year") if when in TERMS else (when,):
            tally[dimension, value, period] += n
            if dimension == "track":
                tally["", "", period] += n
    return tally


def _breakdown(
    b: Builder,
    figures: Figures,
    tally: Counter[tuple[str, str, str]],
    calendar: TermCalendar,
    key: str,
    split_allegations: bool,
) -> Table:
    if key == "tracks":
        rows = [Heading(k.value, k.label) for k in CaseKind] + [
            Heading(UNASSESSED, "Not yet assessed")
        ]
        title, what = "Cases by track", "track"
    else:
        rows = [Heading(s.value, s.label) for s in DisclosureSource]
        title, what = "Cases by who told the school", "source"
    table = Table(
        key,
        title,
        "Cases the school became aware of in each period.",
        [*rows, Heading(TOTAL, "All cases")],
        period_columns(figures.year, calendar),
        {},
        total_row=TOTAL,
        row_heading="Track" if key == "tracks" else "Who told the school",
    )
    for row in rows:
        for col in PERIODS:
            value = tally[(what, row.key, col)]
            table.cells[(row.key, col)] = b.cell((key, row.key, col), value)
            if not split_allegations and row.key == CaseKind.ALLEGATION.value and col in TERMS:
                b.withheld.add((key, row.key, col))
    for col in PERIODS:
        table.cells[(TOTAL, col)] = b.cell((CASES, TOTAL, col), tally[("", "", col)])
    row_keys = [r.key for r in rows]
    b.term_lines(key, row_keys)
    b.column_lines(key, row_keys, PERIODS, CASES)
    return table


def _by_school(b: Builder, figures: Figures, tally: Counter[tuple[str, str, str]]) -> Table:
    rows = [Heading(str(school_id), name) for school_id, name in figures.schools]
    table = Table(
        "schools",
        "Cases by school",
        "Cases each school became aware of, this year and last.",
        [*rows, Heading(TOTAL, "All schools")],
        year_columns(figures.year),
        {},
        total_row=TOTAL,
        row_heading="School",
    )
    for (school_id, _name), row in zip(figures.schools, rows, strict=True):
        for col in YEARS:
            value = tally[("school", str(school_id), col)]
            table.cells[(row.key, col)] = b.cell(("schools", row.key, col), value)
    for col in YEARS:
        table.cells[(TOTAL, col)] = b.cell((CASES, TOTAL, col), tally[("", "", col)])
    b.column_lines("schools", [r.key for r in rows], YEARS, CASES)
    return table


def _categories(b: Builder, figures: Figures, calendar: TermCalendar) -> Table:
    codes = sorted({code for code, _when in figures.categories}, key=category_label)
    rows = [Heading(code, category_label(code)) for code in codes]
    table = Table(
        "categories",
        "Cases by policy area",
        "Cases citing at least one clause of the policy in each area. A case can cite "
        "several areas, so these do not add up to the number of cases.",
        rows,
        period_columns(figures.year, calendar),
        {},
        row_heading="Policy area",
    )
    for row in rows:
        for col in PERIODS:
            value = (
                sum(figures.categories[(row.key, t)] for t in TERMS)
                if col == "year"
                else figures.categories[(row.key, col)]
            )
            table.cells[(row.key, col)] = b.cell(("categories", row.key, col), value)
            # Not a breakdown of the total, but never more than it: a reader knows that much.
            total = (CASES, TOTAL, col)
            b.floors[total] = max(b.floors.get(total, 0), value)
    b.term_lines("categories", [r.key for r in rows])
    return table
