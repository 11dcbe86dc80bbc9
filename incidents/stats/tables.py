"""The published tables of a statistics page, built from the raw counts and protected as one
system by `disclosure.protect`: the page, its charts, the CSV and the PDF all show these.

Tables that break the same cases down in different ways (by track, by source, by school) share
one set of total cells, so a total hidden in one is hidden in all, and a line running from one
table to another is known to the suppression. For a single school, allegations are never split
by term: those cells are withheld whatever their value.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from incidents.catalogue import category_label
from incidents.models import CaseKind, CaseOutcome, DisclosureSource
from incidents.stats.disclosure import CellId, Line, Protection, median_of, protect, share
from incidents.stats.figures import AGE_BANDS, UNASSESSED, Figures
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


def period_columns(year: int, calendar: TermCalendar) -> list[Heading]:
    named = terms(year, calendar)
    return [
        *(Heading(t.name, f"{t.label} {t.start.year}") for t in named),
        Heading("year", f"Whole year {year_label(year)}"),
        Heading("last", f"Last year, {year_label(year - 1)}"),
    ]


def year_columns(year: int) -> list[Heading]:
    return [Heading("year", year_label(year)), Heading("last", f"{year_label(year - 1)}")]


class _Builder:
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
            self.lines.append(Line(totals=((table, r, "year"),), members=terms_))


def build_page(figures: Figures, *, calendar: TermCalendar, threshold: int) -> Page:
    b = _Builder()
    school_level = len(figures.schools) == 1
    # Allegations by term only where they cannot be pinned on one school: at trust level,
    # and only when at least two schools had allegations in the year.
    with_allegations = {
        school
        for (school, kind, _source, when), n in figures.cases.items()
        if kind == CaseKind.ALLEGATION.value and when in TERMS and n
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
        _outcomes(b, figures),
        _referrals(b, figures),
        _closing(b, figures),
        _open(b, figures),
    ]
    # The shared totals' own line: the terms add up to the year.
    b.lines.append(
        Line(totals=((CASES, TOTAL, "year"),), members=tuple((CASES, TOTAL, t) for t in TERMS))
    )
    protection = protect(
        b.values, b.lines, withheld=b.withheld, floors=b.floors, threshold=threshold
    )
    page = Page(
        year=figures.year,
        school_level=school_level,
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
    _derive(page, figures)
    return page


def _tally(figures: Figures) -> Counter[tuple[str, str, str]]:
    """One pass over the counts: (dimension, value, period) -> cases, "year" included."""
    tally: Counter[tuple[str, str, str]] = Counter()
    for (school, kind, source, when), n in figures.cases.items():
        for period in (when, "year") if when in TERMS else (when,):
            for key in (("track", kind), ("source", source), ("school", str(school)), ("", "")):
                tally[(*key, period)] += n
    return tally


def _breakdown(
    b: _Builder,
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


def _by_school(b: _Builder, figures: Figures, tally: Counter[tuple[str, str, str]]) -> Table:
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


def _categories(b: _Builder, figures: Figures, calendar: TermCalendar) -> Table:
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


def _outcomes(b: _Builder, figures: Figures) -> Table:
    rows = [Heading(o.value, o.label) for o in CaseOutcome]
    table = Table(
        "outcomes",
        "Outcomes recorded",
        "Outcomes recorded in each year, whenever the case began.",
        [*rows, Heading(TOTAL, "All outcomes")],
        year_columns(figures.year),
        {},
        total_row=TOTAL,
        row_heading="Outcome",
    )
    for row in rows:
        for col in YEARS:
            value = figures.outcomes[(row.key, col)]
            table.cells[(row.key, col)] = b.cell(("outcomes", row.key, col), value)
    for col in YEARS:
        total = sum(figures.outcomes[(r.key, col)] for r in rows)
        table.cells[(TOTAL, col)] = b.cell(("outcomes", TOTAL, col), total)
    b.column_lines("outcomes", [r.key for r in rows], YEARS, "outcomes")
    return table


def _referrals(b: _Builder, figures: Figures) -> Table:
    rows = [
        Heading("within", "Made within the statutory time limit"),
        Heading("late", "Made after the statutory time limit"),
        Heading("no_limit", "Made, with no statutory time limit"),
    ]
    table = Table(
        "referrals",
        "Referrals to other agencies",
        "Referrals made in each year (to the LADO, police, children's social care and others). "
        "Referrals to the LADO and the ICO have a statutory time limit.",
        [*rows, Heading(TOTAL, "All referrals made"), Heading("share", "Share made in time")],
        year_columns(figures.year),
        {},
        total_row=TOTAL,
        row_heading="Referrals",
    )
    for row in rows:
        for col in YEARS:
            value = figures.referrals[(row.key, col)]
            table.cells[(row.key, col)] = b.cell(("referrals", row.key, col), value)
    for col in YEARS:
        total = sum(figures.referrals[(r.key, col)] for r in rows)
        table.cells[(TOTAL, col)] = b.cell(("referrals", TOTAL, col), total)
    b.column_lines("referrals", [r.key for r in rows], YEARS, "referrals")
    return table


def _closing(b: _Builder, figures: Figures) -> Table:
    table = Table(
        "closing",
        "Cases closed",
        "Cases closed in each year, and the median number of days from the school becoming "
        "aware to closing the case.",
        [Heading("closed", "Cases closed"), Heading("median", "Median days to close")],
        year_columns(figures.year),
        {},
        row_heading="Measure",
    )
    for col in YEARS:
        closed = sum(figures.days_to_close.get(col, {}).values())
        table.cells[("closed", col)] = b.cell(("closing", "closed", col), closed)
    return table


def _open(b: _Builder, figures: Figures) -> Table:
    rows = [Heading(key, label) for key, label, _low in AGE_BANDS]
    table = Table(
        "open",
        "Open cases by age",
        "Cases not yet closed today, by how long ago the school became aware.",
        [*rows, Heading(TOTAL, "All open cases")],
        [Heading("now", "Open today")],
        {},
        total_row=TOTAL,
        row_heading="Time since the school became aware",
    )
    for row in rows:
        value = figures.open_by_age[row.key]
        table.cells[(row.key, "now")] = b.cell(("open", row.key, "now"), value)
    total = sum(figures.open_by_age.values())
    table.cells[(TOTAL, "now")] = b.cell(("open", TOTAL, "now"), total)
    b.column_lines("open", [r.key for r in rows], ("now",), "open")
    return table


def _derive(page: Page, figures: Figures) -> None:
    """Percentages and medians, each worked out only from enough published cases."""
    prot = page.protection
    referrals = page.table("referrals")
    closing = page.table("closing")
    for col in YEARS:
        within = prot.published(("referrals", "within", col))
        late = prot.published(("referrals", "late", col))
        referrals.derived[("share", col)] = share(
            within or 0,
            (within or 0) + (late or 0),
            counts_published=within is not None and late is not None,
        )
        closing.derived[("median", col)] = median_of(figures.days_to_close.get(col, {}))
