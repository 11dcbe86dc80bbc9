"""Everything published for one period protected as one system (issue 18): the trust's page,
every school's page and the releases a reader already holds. Pure Python.

A reader who holds the trust's page and a school's page knows trust = sum of the schools, cell
by cell; one who holds two releases knows the term columns they share, and the lines of both.
So every page's cells go into one `disclosure.protect` call, named by scope ("trust" or the
school's id), with a line from each trust cell to the same cell of every school. An earlier
release's cells are `fixed` at the status they were published with: a term column it published
is the very same cell here (a later release can only add to what is hidden around it); its
other cells (say its "year so far" column) are renamed, still tied to the terms by their lines.
A revision's cells are all new, each tied to the cell it replaces by a `signed` difference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from incidents.stats.disclosure import (
    SUPPRESSED_SYMBOL,
    WITHHELD_SYMBOL,
    CellId,
    Line,
    Protection,
    Status,
    protect,
)
from incidents.stats.events import derive
from incidents.stats.figures import Figures
from incidents.stats.layout import CASES, TERMS, TOTAL, Builder, Table
from incidents.stats.tables import Page, assemble
from incidents.stats.terms import TermCalendar, terms

TRUST = "trust"
SEP = "|"
# Tables of dated events: published once a year, in the release made when the year ends
# (a term's release would let two releases' "so far" figures be subtracted).
YEAR_ONLY = ("outcomes", "referrals", "closing", "open")
YEAR_PERIOD = "summer"  # the summer term's release is also the whole year's
DERIVED = ":derived"  # a stored page's percentages and medians, as cells of their own


@dataclass
class System:
    """A release's cells and lines, as a reader who holds it (and those before it) knows
    them: the values are the true counts behind it, the statuses what it showed."""

    values: dict[CellId, int] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    status: dict[CellId, Status] = field(default_factory=dict)
    signed: set[CellId] = field(default_factory=set)

    def merge(self, other: System) -> None:
        self.values.update(other.values)
        self.lines += other.lines
        self.status.update(other.status)
        self.signed |= other.signed


@dataclass
class Joint:
    pages: dict[str, Page]
    protection: Protection
    # The system this release adds to what readers hold: the next release freezes it.
    system: System


def scoped(scope: str, cell: CellId) -> CellId:
    return (f"{scope}{SEP}{cell[0]}", cell[1], cell[2])


def unscoped(cell: CellId) -> tuple[str, CellId]:
    scope, _sep, table = cell[0].partition(SEP)
    return scope, (table, cell[1], cell[2])


def status_of(text: str) -> Status:
    if text == SUPPRESSED_SYMBOL:
        return Status.SUPPRESSED
    if text == WITHHELD_SYMBOL:
        return Status.WITHHELD
    return Status.PUBLISHED


@dataclass
class _Assembled:
    tables: dict[str, list[Table]]
    own_cells: set[CellId]  # this release's own cells ("last year" copies included)
    values: dict[CellId, int]
    lines: list[Line]
    withheld: set[CellId]
    floors: dict[CellId, int]
    fixed: dict[CellId, Status]
    signed: set[CellId]
    # A revision's cells that are the same as the release it replaces: new name -> old.
    alias: dict[CellId, CellId] = field(default_factory=dict)


def _assemble(
    figures: Mapping[str, Figures],
    calendar: TermCalendar,
    period: str,
    before: System | None,
    revising: System | None,
) -> _Assembled:
    b_all = Builder()
    tables: dict[str, list[Table]] = {}
    for scope, figs in figures.items():
        b, scope_tables = assemble(figs, calendar)
        if period != YEAR_PERIOD:
            scope_tables = [t for t in scope_tables if t.key not in YEAR_ONLY]
        kept = {c for t in scope_tables for c in t.cells.values()}
        for t in scope_tables:
            t.cells = {k: scoped(scope, c) for k, c in t.cells.items()}
        tables[scope] = scope_tables
        _absorb(b_all, b, scope, kept.__contains__)
    lines = [ln for ln in b_all.lines if not any(c[2] == "last" for c in ln.cells())]
    values = {c: v for c, v in b_all.values.items() if c[2] != "last"}
    fixed: dict[CellId, Status] = {}
    signed: set[CellId] = set()
    alias: dict[CellId, CellId] = {}
    for held in (before, revising):
        if held is not None:
            for cell, value in held.values.items():
                values.setdefault(cell, value)
            lines += held.lines
            fixed.update(held.status)
            signed |= held.signed
    withheld = {c for c in b_all.withheld if c[2] != "last"}
    floors = {c: v for c, v in b_all.floors.items() if c in values}
    if revising is not None:
        # A count the revision leaves as it was is the same cell, shown as before (a reader
        # comparing the two sees no change there); a changed one is a new cell,
        # tied to the one it replaces by the difference, which is protected like a count.
        own = [c for c in b_all.values if c[2] != "last"]
        changed = {
            c
            for c in own
            if revised(c) in revising.values and values[c] != revising.values[revised(c)]
        }
        # Zeros beside a changed count are new cells too (an unchanged difference of 0,
        # hidden): kept as the old release's published zeros, they would say that every late
        # case in that column is in the one category that changed (issue 18, item 3).
        beside = {c for ln in lines if ln.group and changed & set(ln.cells()) for c in ln.cells()}
        for cell in own:
            old = revised(cell)
            if old not in revising.values:
                continue
            if values[cell] == revising.values[old] and cell not in beside:
                alias[cell] = old
                continue
            diff = (f"{cell[0]}~diff", cell[1], cell[2])
            values[diff] = values[cell] - revising.values[old]
            signed.add(diff)
            lines.append(Line(totals=(cell,), members=(old, diff), group=False))

        def name(cell: CellId) -> CellId:
            return alias.get(cell, cell)

        for cell in alias:
            del values[cell]
        lines = [
            Line(tuple(map(name, ln.totals)), tuple(map(name, ln.members)), ln.group)
            for ln in lines
        ]
        withheld = {name(c) for c in withheld}
        floors = {name(c): v for c, v in floors.items()}
        for scope_tables in tables.values():
            for t in scope_tables:
                t.cells = {k: name(c) for k, c in t.cells.items()}
    return _Assembled(
        tables,
        {c for t in (x for ts in tables.values() for x in ts) for c in t.cells.values()}
        | {c for c in b_all.values if c[2] == "last"},
        values,
        lines,
        withheld,
        floors,
        fixed,
        signed,
        alias,
    )


def build_joint(
    figures: Mapping[str, Figures],
    *,
    calendar: TermCalendar,
    threshold: int,
    minimum_base: int,
    period: str,
    before: System | None = None,
    revising: System | None = None,
    last_year: Callable[[str, CellId], str | None] = lambda _scope, _cell: None,
) -> Joint:
    """Protect every page of one period at once. `figures`: by scope, TRUST for all schools
    (present only when there are several). `before`: the releases readers already hold, with
    the cells this release shares (published term columns) under the same names. `revising`:
    the release this one replaces, every cell renamed. `last_year`: the text the year
    before's release showed for a cell of a scope (the "last year" column is its copy).

    Each school is protected with its own releases (its lines never reach another school's),
    and the trust's page is worked out from the schools' pages: a trust cell is shown only
    when every school's cell under it is shown (it is then their sum, which a reader could
    add up anyway); otherwise it is hidden. So the trust's page tells a reader nothing the
    schools' pages do not, and "trust minus school" has nothing to subtract. The cost is
    detail on the trust's page (docs/statistics.md); the gain is that protection grows
    with the number of schools, not with its power (one search over every page took minutes
    for four schools)."""
    schools = [s for s in figures if s != TRUST]
    protection = Protection(values={}, status={}, lines=[], threshold=threshold)
    tables: dict[str, list[Table]] = {}
    own_cells: set[CellId] = set()
    system = System()
    shown_plain: dict[str, Callable[[CellId], Status]] = {}
    for scope in schools:
        a = _assemble(
            {scope: figures[scope]}, calendar, period, _only(before, scope), _only(revising, scope)
        )
        part = protect(
            a.values,
            a.lines,
            withheld=a.withheld,
            floors=a.floors,
            threshold=threshold,
            fixed=a.fixed,
            signed=a.signed,
        )
        _absorb_protection(protection, part)
        tables[scope] = a.tables[scope]
        own_cells |= a.own_cells
        system.merge(
            System(
                values=dict(a.values),
                lines=list(a.lines),
                status={c: part.status[c] for c in a.values},
                signed=set(a.signed),
            )
        )
        shown_plain[scope] = _status_lookup(scope, a.alias, part)
    if TRUST in figures:
        trust = _assemble({TRUST: figures[TRUST]}, calendar, period, None, None)
        tables[TRUST] = trust.tables[TRUST]
        own_cells |= trust.own_cells
        for cell, value in trust.values.items():
            protection.values[cell] = value
            protection.status[cell] = _trust_status(unscoped(cell)[1], schools, shown_plain)
        for cell in trust.own_cells:
            if cell[2] == "last":
                protection.values.setdefault(cell, 0)
    for cell in own_cells:
        if cell[2] == "last":
            scope, plain = unscoped(cell)
            text = last_year(scope, (plain[0], plain[1], "year"))
            protection.values[cell] = 0
            protection.status[cell] = status_of(text) if text is not None else Status.WITHHELD
            if text is not None and text.isdigit():
                protection.values[cell] = int(text)
    pages = {
        scope: _page(figs, tables[scope], protection, calendar, threshold, minimum_base, period)
        for scope, figs in figures.items()
    }
    for scope, page in pages.items():
        for key, row in (("referrals", "share"), ("closing", "median")):
            if any(t.key == key for t in page.tables):
                text = last_year(scope, (f"{key}{DERIVED}", row, "year"))
                page.table(key).derived[(row, "last")] = text or WITHHELD_SYMBOL
    return Joint(pages, protection, system)


def _absorb_protection(into: Protection, part: Protection) -> None:
    into.values.update(part.values)
    into.status.update(part.status)
    into.lines += part.lines
    into.floors.update(part.floors)
    into.fixed |= part.fixed
    into.signed |= part.signed
    into.group_zeros |= part.group_zeros
    into.unavoidable |= part.unavoidable
    into.blanked |= part.blanked


def _status_lookup(
    scope: str, alias: Mapping[CellId, CellId], part: Protection
) -> Callable[[CellId], Status]:
    """A school's status for a cell by its plain name (a revision may have renamed it)."""

    def status(plain: CellId) -> Status:
        cell = scoped(scope, plain)
        cell = alias.get(cell, cell)
        # A cell the school's page does not have (a policy area none of its cases cited) is a
        # zero every reader can see.
        return part.status.get(cell, Status.PUBLISHED)

    return status


def _trust_status(
    plain: CellId, schools: list[str], shown: Mapping[str, Callable[[CellId], Status]]
) -> Status:
    """Shown when every school's cell under it is shown; else `c` when one of them is a `c`
    (so the trust's is at least 1, which that `c` already says), else `x`."""
    if plain[0] == "schools":
        # "Cases by school": the school's row is that school's all-cases count.
        members = [(plain[1], (CASES, TOTAL, plain[2]))]
    else:
        members = [(s, plain) for s in schools]
    statuses = [shown[s](cell) if s in shown else Status.PUBLISHED for s, cell in members]
    if all(st is Status.PUBLISHED for st in statuses):
        return Status.PUBLISHED
    if any(st is Status.SUPPRESSED for st in statuses):
        return Status.SUPPRESSED
    return Status.WITHHELD


def _only(system: System | None, scope: str) -> System | None:
    """The part of what readers hold that is about one school's pages."""
    if system is None:
        return None
    prefix = f"{scope}{SEP}"

    def mine(cell: CellId) -> bool:
        return cell[0].startswith(prefix)

    return System(
        values={c: v for c, v in system.values.items() if mine(c)},
        lines=[ln for ln in system.lines if all(mine(c) for c in ln.cells())],
        status={c: s for c, s in system.status.items() if mine(c)},
        signed={c for c in system.signed if mine(c)},
    )


def reconstruct(
    figures: Mapping[str, Figures],
    *,
    calendar: TermCalendar,
    period: str,
    shown: Callable[[str, CellId], str | None],
    before: System | None = None,
    revising: System | None = None,
) -> System:
    """The system of a stored release, for the releases after it: the counts recomputed as
    they stood at its cut-off, the statuses as it showed them (`shown`: a scope's cell's
    text, None if the release did not have it). Raises Drift if a published count no longer
    comes out the same: the figures changed after all, and need a revision first. The
    trust's page is left out: it is worked out from the schools' pages."""
    system = System()
    for scope in [s for s in figures if s != TRUST]:
        a = _assemble(
            {scope: figures[scope]}, calendar, period, _only(before, scope), _only(revising, scope)
        )
        own = [c for c in a.values if c not in a.fixed and c not in a.signed]
        if own and all(shown(*unscoped(c)) is None for c in own):
            continue  # a school added since: that release had no page for it
        status = dict(a.fixed)
        for cell in a.values:
            if cell in status or cell in a.signed:
                continue
            cell_scope, plain = unscoped(cell)
            text = shown(cell_scope, plain)
            if text is None:
                raise Drift(f"the stored release has no figure for {plain}")
            if text.isdigit() and int(text) != a.values[cell]:
                raise Drift("a published figure no longer matches the cases counted in it")
            status[cell] = status_of(text)
        for cell in a.signed:
            status.setdefault(cell, Status.SUPPRESSED)
        system.merge(System(dict(a.values), list(a.lines), status, set(a.signed)))
    return system


class Drift(Exception):
    """A stored release's figures cannot be reproduced: a case was reassessed or removed."""


def revised(cell: CellId) -> CellId:
    """The name a cell of the release being revised takes in the revision's system."""
    return (f"{cell[0]}~old", cell[1], cell[2])


def renamed(system: System, keep: Callable[[CellId], bool], suffix: str) -> System:
    """A copy with every cell `keep` refuses renamed (by `suffix` on its table)."""

    def name(cell: CellId) -> CellId:
        return cell if keep(cell) else (f"{cell[0]}{suffix}", cell[1], cell[2])

    return System(
        values={name(c): v for c, v in system.values.items()},
        lines=[
            Line(tuple(map(name, ln.totals)), tuple(map(name, ln.members)), ln.group)
            for ln in system.lines
        ],
        status={name(c): s for c, s in system.status.items()},
        signed={name(c) for c in system.signed},
    )


def shared_terms(period: str) -> tuple[str, ...]:
    """The term columns a release of `period` publishes for good."""
    return TERMS[: TERMS.index(period) + 1]


def _absorb(into: Builder, b: Builder, scope: str, kept: Callable[[CellId], bool]) -> None:
    into.values.update({scoped(scope, c): v for c, v in b.values.items() if kept(c)})
    into.withheld |= {scoped(scope, c) for c in b.withheld if kept(c)}
    into.floors.update({scoped(scope, c): v for c, v in b.floors.items() if kept(c)})
    for line in b.lines:
        if all(kept(c) for c in line.cells()):
            into.lines.append(
                Line(
                    tuple(scoped(scope, c) for c in line.totals),
                    tuple(scoped(scope, c) for c in line.members),
                    line.group,
                )
            )


def _page(
    figures: Figures,
    tables: list[Table],
    protection: Protection,
    calendar: TermCalendar,
    threshold: int,
    minimum_base: int,
    period: str,
) -> Page:
    last_term = TERMS.index(period)
    page = Page(
        year=figures.year,
        school_level=len(figures.schools) == 1,
        schools=[name for _id, name in figures.schools],
        tables=tables,
        protection=protection,
        threshold=threshold,
        future_terms=tuple(
            t.name for i, t in enumerate(terms(figures.year, calendar)) if i > last_term
        ),
    )
    if period == YEAR_PERIOD:
        derive(page.table("referrals"), page.table("closing"), protection, figures, minimum_base)
    return page


def cells_of(pages: Iterable[Page]) -> set[CellId]:
    return {c for page in pages for t in page.tables for c in t.cells.values()}


def merge_terms(new: Figures, old: Figures, held: Iterable[str]) -> None:
    """Count the `held` terms as an earlier release counted them: those terms are published
    for good, and a case recorded for them since waits for a revision."""
    keep = set(held)
    for counter in (new.cases, new.categories):
        for key in [k for k in counter if k[-1] in keep]:
            del counter[key]
    for key in [k for k in new.allegations if k[-1] in keep]:
        del new.allegations[key]
    new.cases.update({k: n for k, n in old.cases.items() if k[-1] in keep})
    new.categories.update({k: n for k, n in old.categories.items() if k[-1] in keep})
    new.allegations.update({k: n for k, n in old.allegations.items() if k[-1] in keep})


def held_after(system: System, period: str) -> System:
    """What readers hold once a release of `period` is out, as the next release of the same
    year sees it: its published term columns are the next release's own cells, the rest
    (its "year so far", its future terms) renamed apart but still tied in by their lines."""
    shared = shared_terms(period)
    return renamed(system, lambda c: c[2] in shared and "~" not in c[0], f"~{period}")


def replaced(system: System) -> System:
    """The release a revision replaces: every cell renamed (see `revised`)."""
    return renamed(system, lambda _c: False, "~old")
