"""Statistical disclosure control for everything the statistics pages publish: primary
suppression of small counts, secondary suppression so no hidden count can be worked out from
the totals or from another table, and a fail-safe for when that cannot be done. Pure Python
(percentages and medians are in `measures`).

No maintained Python library fits (sdcTable and tau-Argus are R and Java, and solve a harder
optimisation than tables this size need), so the algorithm is our own and meant to be read:

* A page is one system of counts ("cells") and the linear facts a reader knows about them
  ("lines": these cells add up to that one, say a column to its total). Tables that share a
  total share its cell, so a line can run across tables.
* Primary suppression: a count from 1 to the threshold is shown as `c`; a true zero is shown.
  A "withheld" cell is never published whatever its value (allegations split by term for one
  school), and is protected like a suppressed one unless it is zero.
* A hidden cell is safe when a reader who knows every published number and every line (and
  that a `c` is at least 1) cannot tell its value: that is, when some other set of values for
  the hidden cells fits everything published. We look for one directly: move the cell by one
  and rebalance every line that moved with other hidden cells (a depth-first search over
  +1/-1 moves; a budget keeps it bounded, and running out counts as "not safe").
* Secondary suppression: while some hidden cell is unsafe, hide one more published non-zero
  cell near it: the first (nearest, then smallest) whose hiding makes it safe, or failing
  that the nearest smallest, and check again. This reaches a fixed
  point because every round hides one more cell. It can hide more than an optimal method
  would; it never hides less than it must (a failed search means more suppression).
* Fail-safe: a hidden cell nothing more could protect ("unavoidable", not expected) has every
  non-zero cell joined to it by lines hidden too: then doubling all of them fits every line,
  so none can be pinned down. Publishing less beats publishing a count that can be derived.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

SUPPRESSED_SYMBOL = "c"
WITHHELD_SYMBOL = "x"
DEFAULT_THRESHOLD = 5
_SEARCH_BUDGET = 4000
# How many nearby cells to try, one at a time, before hiding the nearest smallest.
_LOOKAHEAD = 24

CellId = tuple[str, str, str]  # (table, row, column)


class Status(enum.Enum):
    PUBLISHED = "published"
    SUPPRESSED = "suppressed"
    WITHHELD = "withheld"


@dataclass(frozen=True)
class Line:
    """Known to every reader: the members add up to the sum of the totals."""

    totals: tuple[CellId, ...]
    members: tuple[CellId, ...]

    def cells(self) -> tuple[CellId, ...]:
        return self.totals + self.members

    def coefficient(self, cell: CellId) -> int:
        return -1 if cell in self.totals else 1


@dataclass
class Protection:
    """The outcome: what each cell shows, and why."""

    values: dict[CellId, int]
    status: dict[CellId, Status]
    lines: list[Line]
    floors: dict[CellId, int] = field(default_factory=dict)
    # Cells no further suppression could protect (expected empty; the tests insist), and the
    # cells hidden wholesale around them so that nothing derivable is published anyway.
    unavoidable: set[CellId] = field(default_factory=set)
    blanked: set[CellId] = field(default_factory=set)

    def shown(self, cell: CellId) -> str:
        status = self.status[cell]
        if status is Status.SUPPRESSED:
            return SUPPRESSED_SYMBOL
        if status is Status.WITHHELD:
            return WITHHELD_SYMBOL
        return str(self.values[cell])

    def published(self, cell: CellId) -> int | None:
        return self.values[cell] if self.status[cell] is Status.PUBLISHED else None

    def hidden(self) -> list[CellId]:
        return [c for c, s in self.status.items() if s is not Status.PUBLISHED]

    def floor(self, cell: CellId) -> int:
        """The least a reader knows a hidden cell to be."""
        base = 1 if self.status[cell] is Status.SUPPRESSED else 0
        return max(base, self.floors.get(cell, 0))


def protect(
    values: Mapping[CellId, int],
    lines: Iterable[Line],
    *,
    withheld: Iterable[CellId] = (),
    floors: Mapping[CellId, int] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> Protection:
    """Suppress small counts, then hide more until every hidden cell is safe.

    `floors`: lower bounds a reader could know from elsewhere on the page (say, a total is at
    least the largest count in a table that does not add up to it); the search respects them.
    """
    if threshold < 1:
        raise ValueError("the suppression threshold must be at least 1")
    all_lines = list(lines)
    for line in all_lines:
        for cell in line.cells():
            if cell not in values:
                raise ValueError(f"line refers to an unknown cell {cell}")
    held = set(withheld)
    status = {
        cell: Status.WITHHELD
        if cell in held
        else Status.SUPPRESSED
        if 1 <= v <= threshold
        else Status.PUBLISHED
        for cell, v in values.items()
    }
    result = Protection(dict(values), status, all_lines, dict(floors or {}))
    lines_of = _index(all_lines)
    # Safety only grows as more cells are hidden (a witness stays a witness: hiding a cell
    # removes a fact the reader knew, never adds one), so each cell is settled once.
    work = [c for c in result.status if _needs_protection(result, c) and c in lines_of]
    while work:
        cell = work.pop(0)
        while not is_safe(result, cell):
            hidden = _hide_partner(result, lines_of, cell)
            if hidden is None:
                # Nothing left to hide anywhere near it: record it rather than loop for ever.
                result.unavoidable.add(cell)
                break
            if hidden in lines_of:
                work.append(hidden)
    # Cells hidden later may have given an early "unavoidable" cell its cover after all.
    result.unavoidable = {c for c in result.unavoidable if not is_safe(result, c)}
    for cell in sorted(result.unavoidable):
        _blank(result, lines_of, cell)
    return result


def is_safe(result: Protection, cell: CellId) -> bool:
    return witness(result, cell) is not None


def witness(result: Protection, cell: CellId) -> dict[CellId, int] | None:
    """Moves (+1/-1 per hidden cell) that keep every line true and every cell above its floor
    while changing `cell`: proof that a reader cannot pin the cell down. None if none found."""
    lines_of = _index(result.lines)
    for delta in (-1, 1):
        if result.values[cell] + delta < result.floor(cell):
            continue
        moves = {cell: delta}
        budget = [_SEARCH_BUDGET]
        if _balance(result, lines_of, moves, budget):
            return moves
    return None


# --- internals ---------------------------------------------------------------------------------


def _index(lines: list[Line]) -> dict[CellId, list[Line]]:
    index: dict[CellId, list[Line]] = {}
    for line in lines:
        for cell in line.cells():
            index.setdefault(cell, []).append(line)
    return index


def _blank(result: Protection, lines_of: dict[CellId, list[Line]], cell: CellId) -> None:
    """Hide every non-zero cell joined to `cell` through lines and other non-zero cells. Each
    line touching that group then holds only its cells and zeros, so twice every value in the
    group fits every line (and floor): no count in it is pinned down. Zeros stay shown."""
    group, frontier = {cell}, [cell]
    while frontier:
        joined = {c for f in frontier for ln in lines_of.get(f, []) for c in ln.cells()}
        frontier = sorted(c for c in joined - group if result.values[c])
        group.update(frontier)
    for member in sorted(group):
        if result.status[member] is Status.PUBLISHED:
            result.status[member] = Status.SUPPRESSED
            result.blanked.add(member)


def _needs_protection(result: Protection, cell: CellId) -> bool:
    status = result.status[cell]
    if status is Status.PUBLISHED or cell in result.unavoidable:
        return False
    # A withheld zero hides no one: "no allegations this term" is never protected by hiding
    # real figures around it. A withheld count above zero always is.
    return status is Status.SUPPRESSED or result.values[cell] > 0


def _hide_partner(
    result: Protection, lines_of: dict[CellId, list[Line]], cell: CellId
) -> CellId | None:
    """Hide one more cell near `cell`, and return it. Candidates are the published non-zero
    cells of its own lines, then of the lines reached through other hidden cells, nearest and
    smallest first. The first whose hiding makes `cell` safe is chosen; if none does on its
    own, the first candidate is hidden and the next round looks again from there."""
    candidates = _candidates(result, lines_of, cell)
    if not candidates:
        return None
    for candidate in candidates[:_LOOKAHEAD]:
        result.status[candidate] = Status.SUPPRESSED
        if is_safe(result, cell):
            return candidate
        result.status[candidate] = Status.PUBLISHED
    result.status[candidates[0]] = Status.SUPPRESSED
    return candidates[0]


def _candidates(
    result: Protection, lines_of: dict[CellId, list[Line]], cell: CellId
) -> list[CellId]:
    found: list[CellId] = []
    seen_cells = {cell}
    seen_lines: set[int] = set()
    frontier = [cell]
    while frontier:
        lines = [ln for c in frontier for ln in lines_of.get(c, []) if id(ln) not in seen_lines]
        seen_lines.update(id(ln) for ln in lines)
        level = {
            c
            for line in lines
            for c in line.cells()
            if result.status[c] is Status.PUBLISHED and result.values[c] and c not in found
        }
        # The smallest count loses least; at a tie keep totals visible (members first).
        totals = {c for line in lines for c in line.totals}
        found += sorted(level, key=lambda c: (result.values[c], c in totals, c))
        frontier = [
            c
            for line in lines
            for c in line.cells()
            if c not in seen_cells and result.status[c] is not Status.PUBLISHED
        ]
        seen_cells.update(frontier)
    return found


def _imbalance(line: Line, moves: dict[CellId, int]) -> int:
    return sum(line.coefficient(c) * moves[c] for c in line.cells() if c in moves)


def _balance(
    result: Protection,
    lines_of: dict[CellId, list[Line]],
    moves: dict[CellId, int],
    budget: list[int],
) -> bool:
    budget[0] -= 1
    if budget[0] < 0:
        return False
    best: list[tuple[CellId, int]] | None = None
    for moved in list(moves):
        for line in lines_of.get(moved, []):
            gap = _imbalance(line, moves)
            if gap == 0:
                continue
            options = []
            for other in line.cells():
                if other in moves or result.status[other] is Status.PUBLISHED:
                    continue
                # Choose the step that brings this line one nearer to balance.
                step = -line.coefficient(other) * (1 if gap > 0 else -1)
                if result.values[other] + step >= result.floor(other):
                    options.append((other, step))
            if not options:
                return False
            if best is None or len(options) < len(best):
                best = options
    if best is None:
        return True  # every line balances
    for other, step in best:
        moves[other] = step
        if _balance(result, lines_of, moves, budget):
            return True
        del moves[other]
    return False
