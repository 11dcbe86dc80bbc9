"""An adversary for released statistics, written apart from the protection code: it reads only
what a reader holds (the text of every cell on every page of every release) and what any
reader knows about how the tables fit together, and asks an integer-programming solver
(scipy.optimize.milp) for each hidden cell's exact feasible range.

What it knows, from the tables' shapes alone (never from `disclosure.Line`):
* a table with an "All ..." row: that row is the sum of the rows above it, column by column;
* a term table: the whole year is the sum of the three terms, row by row;
* "All cases" is one number wherever it appears (by track, by source, by school), and no
  policy area exceeds it;
* the trust's page is the sum of the schools' pages, cell by cell, and its "Cases by school"
  row for a school is that school's "All cases";
* a term column published by one release is the very same count in the releases after it
  (releases pass a `tag`: cells with the same tag are one unknown);
* `c` is at least 1, `x` at least 0, a published number is exact.

It reports a hidden cell as disclosed when its range is a single value, or when it is shown
as `x` but provably between 1 and the threshold (what `c` would hide); and a group disclosure
where a category column's only non-zero member is hidden and the others provably zero.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_array

from incidents.stats.layout import TERMS, TOTAL
from incidents.stats.tables import Page

Var = tuple[str, str, str, str, str]  # (scope, table, row, column, tag)
_BREAKDOWNS = ("tracks", "sources", "outcomes", "referrals", "open")


@dataclass
class Release:
    """Every page of one release, as a reader holds it. `tag(column)`: which unknown a column
    is (shared by later releases for the term columns they carry over)."""

    pages: dict[str, Page]
    tag: Callable[[str], str]


@dataclass
class Finding:
    cell: Var
    low: int
    high: int
    shown: str
    truth: int


@dataclass
class Model:
    constraints: LinearConstraint | None
    bounds: Bounds
    index: dict[Var, int]


@dataclass
class Report:
    hidden: int = 0
    checked: int = 0
    disclosed: list[Finding] = field(default_factory=list)
    groups: list[tuple[Var, ...]] = field(default_factory=list)
    differences: list[tuple[Var, Var]] = field(default_factory=list)
    narrowest: int | None = None


class Adversary:
    def __init__(
        self,
        releases: Iterable[Release],
        threshold: int,
        *,
        exact: bool = False,
        samples: int = 12,
    ) -> None:
        self.threshold = threshold
        # exact: both ends of every range (the benchmark's narrowest range); otherwise the
        # upper end only where the lower one does not already settle it.
        self.exact = exact
        self.samples = samples
        self.known: dict[Var, int] = {}
        self.shown: dict[Var, str] = {}
        self.truth: dict[Var, int] = {}
        self.equalities: list[dict[Var, int]] = []  # sum(coef * var) == 0
        self.at_most: list[tuple[Var, Var]] = []
        self.groups: list[tuple[Var, list[Var]]] = []
        for release in releases:
            self._read(release)
        self.hidden = sorted(v for v in self.shown if v not in self.known)
        self.index = {v: i for i, v in enumerate(self.hidden)}
        self._cached_rows: list[tuple[dict[Var, int], float, float]] | None = None
        self.big = sum(self.truth.values()) + 10

    # --- reading the pages ------------------------------------------------------------------

    def _cell(self, release: Release, scope: str, table_key: str, row: str, col: str) -> Var:
        var = (scope, table_key, row, col, release.tag(col))
        page = release.pages[scope]
        table = page.table(table_key)
        text = page.text(table, row, col)
        truth = page.protection.values[table.cells[(row, col)]]
        self.shown[var] = text
        self.truth[var] = truth
        if text.isdigit():
            self.known[var] = int(text)
        return var

    def _read(self, release: Release) -> None:
        cells: dict[tuple[str, str, str, str], Var] = {}
        for scope, page in release.pages.items():
            for table in page.tables:
                for row, col in table.cells:
                    cells[(scope, table.key, row, col)] = self._cell(
                        release, scope, table.key, row, col
                    )
        for scope, page in release.pages.items():
            for table in page.tables:
                cols = [c.key for c in table.columns]
                rows = [r.key for r in table.rows if (r.key, cols[0]) in table.cells]
                if table.total_row is not None:
                    for col in cols:
                        total = cells[(scope, table.key, TOTAL, col)]
                        members = [cells[(scope, table.key, r, col)] for r in rows if r != TOTAL]
                        self._sum(total, members)
                        if table.key in _BREAKDOWNS and col != "last":
                            self.groups.append((total, members))
                if "year" in cols and all(t in cols for t in TERMS):
                    for r in rows:
                        year = cells[(scope, table.key, r, "year")]
                        self._sum(year, [cells[(scope, table.key, r, t)] for t in TERMS])
                for col in cols:
                    if table.key in ("sources", "schools"):
                        self._sum(
                            cells[(scope, "tracks", TOTAL, col)],
                            [cells[(scope, table.key, TOTAL, col)]],
                        )
                    if table.key == "categories":
                        for r in rows:
                            self.at_most.append(
                                (
                                    cells[(scope, table.key, r, col)],
                                    cells[(scope, "tracks", TOTAL, col)],
                                )
                            )
        trust = release.pages.get("trust")
        if trust is None:
            return
        schools = [s for s in release.pages if s != "trust"]
        for table in trust.tables:
            for row, col in table.cells:
                whole = cells[("trust", table.key, row, col)]
                if table.key == "schools":
                    if row != TOTAL:
                        self._sum(whole, [cells[(row, "tracks", TOTAL, col)]])
                    continue
                parts = [cells[k] for s in schools if (k := (s, table.key, row, col)) in cells]
                self._sum(whole, parts)

    def _sum(self, total: Var, members: list[Var]) -> None:
        eq: dict[Var, int] = {total: -1}
        for m in members:
            eq[m] = eq.get(m, 0) + 1
        self.equalities.append(eq)

    # --- the solver ---------------------------------------------------------------------------

    def _rows(self) -> list[tuple[dict[Var, int], float, float]]:
        if self._cached_rows is not None:
            return self._cached_rows
        rows: list[tuple[dict[Var, int], float, float]] = []
        for eq in self.equalities:
            const = sum(c * self.known[v] for v, c in eq.items() if v in self.known)
            free = {v: c for v, c in eq.items() if v not in self.known and c}
            if free:
                rows.append((free, -const, -const))
        for low, high in self.at_most:
            expr: dict[Var, int] = {}
            const = 0
            for v, c in ((low, 1), (high, -1)):
                if v in self.known:
                    const += c * self.known[v]
                else:
                    expr[v] = expr.get(v, 0) + c
            if expr:
                rows.append((expr, -np.inf, -const))
        self._cached_rows = rows
        return rows

    def _model(self, only: list[Var] | None = None) -> Model:
        """The integer program over `only` (a set of unknowns no constraint ties to any
        other; default every unknown): solving a part alone gives the same ranges, faster."""
        chosen = self.hidden if only is None else only
        index = {v: i for i, v in enumerate(chosen)}
        rows = [r for r in self._rows() if next(iter(r[0])) in index]
        n = len(chosen)
        lower = np.array([1 if self.shown[v] == "c" else 0 for v in chosen], dtype=float)
        bounds = Bounds(lower, np.full(n, float(self.big)))
        if not rows:
            return Model(None, bounds, index)
        matrix = lil_array((len(rows), n))
        lo, hi = np.empty(len(rows)), np.empty(len(rows))
        for i, (expr, a, b) in enumerate(rows):
            for v, c in expr.items():
                matrix[i, index[v]] = c
            lo[i], hi[i] = a, b
        return Model(LinearConstraint(matrix.tocsr(), lo, hi), bounds, index)

    def _parts(self) -> list[list[Var]]:
        """The unknowns split into groups no constraint joins (union-find)."""
        parent = {v: v for v in self.hidden}

        def root(v: Var) -> Var:
            while parent[v] != v:
                parent[v] = parent[parent[v]]
                v = parent[v]
            return v

        for expr, _lo, _hi in self._rows():
            first, *rest = list(expr)
            for v in rest:
                parent[root(v)] = root(first)
        parts: dict[Var, list[Var]] = {}
        for v in self.hidden:
            parts.setdefault(root(v), []).append(v)
        return list(parts.values())

    def _solution(self, objective: dict[Var, float], model: Model) -> dict[Var, int]:
        c = np.zeros(len(model.index))
        for v, w in objective.items():
            c[model.index[v]] = w
        result = milp(
            c,
            integrality=np.ones(len(model.index)),
            bounds=model.bounds,
            constraints=[model.constraints] if model.constraints is not None else [],
        )
        if result.status != 0:
            raise AssertionError(f"the published figures are inconsistent: {result.message}")
        return {v: round(result.x[i]) for v, i in model.index.items()}

    def _optimum(self, objective: dict[Var, float], model: Model) -> float:
        c = np.zeros(len(model.index))
        for v, w in objective.items():
            c[model.index[v]] = w
        result = milp(
            c,
            integrality=np.ones(len(model.index)),
            bounds=model.bounds,
            constraints=[model.constraints] if model.constraints is not None else [],
        )
        if result.status != 0:
            raise AssertionError(f"the published figures are inconsistent: {result.message}")
        return float(result.fun)

    def check(self, *, skip: Callable[[Var], bool] = lambda _v: False) -> Report:
        report = Report(hidden=len(self.hidden))
        if not self.hidden:
            return report
        models = {}
        seen: dict[Var, set[int]] = {v: {self.truth[v]} for v in self.hidden}
        rng = np.random.default_rng(0)
        for part in self._parts():
            model = self._model(part)
            models.update(dict.fromkeys(part, model))
            if not self.exact:
                # Feasible points found with random objectives: any unknown that takes two
                # values among them (the truth is one point) is not pinned, which saves its
                # two exact solves. Only what they leave open is solved exactly below.
                for _ in range(self.samples):
                    signs = rng.choice((-1, 1), len(part))
                    weights = {v: float(w) for v, w in zip(part, signs, strict=True)}
                    for v, x in self._solution(weights, model).items():
                        seen[v].add(x)
        whole = self._model()
        for var in self.hidden:
            model = models[var]
            shown, truth = self.shown[var], self.truth[var]
            if skip(var) or (shown == "x" and truth == 0):
                continue  # a withheld true zero hides no one
            report.checked += 1
            values = seen[var]
            if len(values) > 1 and (
                shown != "x" or any(x == 0 or x > self.threshold for x in values)
            ):
                width = max(values) - min(values)
                report.narrowest = (
                    width if report.narrowest is None else min(report.narrowest, width)
                )
                continue
            low = round(self._optimum({var: 1.0}, model))
            # The truth fits everything published, so a lower end below it is a second
            # value already: the upper end matters only to say how narrow the range is, or
            # whether an `x` is provably small (which a lower end of 0 rules out).
            if low < truth and (shown != "x" or low == 0) and not self.exact:
                width = truth - low
                report.narrowest = (
                    width if report.narrowest is None else min(report.narrowest, width)
                )
                continue
            high = round(-self._optimum({var: -1.0}, model))
            width = high - low
            report.narrowest = width if report.narrowest is None else min(report.narrowest, width)
            small = shown == "x" and low >= 1 and high <= self.threshold
            if low == high or small:
                report.disclosed.append(Finding(var, low, high, shown, truth))
        for total, members in self.groups:
            nonzero = [m for m in members if self.truth[m]]
            if len(nonzero) != 1 or nonzero[0] in self.known or self.truth[total] == 0:
                continue
            others = [m for m in members if m not in nonzero and m not in self.known]
            if all(self.known.get(m, 1) == 0 for m in members if m not in nonzero):
                report.groups.append((total, *nonzero))
                continue
            if others and -self._optimum({m: -1.0 for m in others}, whole) < 0.5:
                report.groups.append((total, *nonzero))
        return report

    def difference(self, old: Var, new: Var) -> tuple[int, int]:
        """The range of new - old: what a reader learns about the cases that changed."""
        model = self._model()

        def value(objective: dict[Var, float], sign: int) -> float:
            const = sign * (self.known.get(new, 0) - self.known.get(old, 0))
            hidden = {v: w for v, w in objective.items() if v not in self.known}
            return (self._optimum(hidden, model) if hidden else 0.0) + const

        low = value({new: 1.0, old: -1.0}, 1)
        high = -value({new: -1.0, old: 1.0}, -1)
        return round(low), round(high)
