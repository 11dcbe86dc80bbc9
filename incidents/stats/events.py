"""The tables of what happened to cases, dated by when it happened rather than when the
case began: outcomes recorded, referrals made (in time or late), cases closed with the median
days to close, and the cases open today by age."""

from __future__ import annotations

from incidents.models import CaseOutcome
from incidents.stats.disclosure import SUPPRESSED_SYMBOL, Protection
from incidents.stats.figures import AGE_BANDS, Figures
from incidents.stats.layout import TOTAL, YEARS, Builder, Heading, Table, year_columns
from incidents.stats.measures import MINIMUM_BASE, median_of, share


def outcomes_table(b: Builder, figures: Figures) -> Table:
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


def referrals_table(b: Builder, figures: Figures) -> Table:
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


def closing_table(b: Builder, figures: Figures) -> Table:
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


def open_table(b: Builder, figures: Figures) -> Table:
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


def derive(
    referrals: Table,
    closing: Table,
    prot: Protection,
    figures: Figures,
    minimum_base: int = MINIMUM_BASE,
) -> None:
    """Percentages and medians, each worked out only from enough published cases."""
    for col in YEARS:
        within = prot.published(referrals.cells[("within", col)])
        late = prot.published(referrals.cells[("late", col)])
        referrals.derived[("share", col)] = share(
            within or 0,
            (within or 0) + (late or 0),
            counts_published=within is not None and late is not None,
            minimum_base=minimum_base,
        )
        # A median beside a hidden count of cases closed would say how many there were not.
        closed = prot.published(closing.cells[("closed", col)])
        closing.derived[("median", col)] = (
            median_of(figures.days_to_close.get(col, {}), minimum_base=minimum_base)
            if closed is not None
            else SUPPRESSED_SYMBOL
        )
