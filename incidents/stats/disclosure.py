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
* Linked tables and releases (issue 18): the trust's page, every school's page and the
  releases before are one system. Cells a reader already holds (an earlier release) are
  `fixed`: their status never changes and they are never chosen to hide. A difference between
  a revision and the release it replaces is a `signed` cell (it may be negative), never shown
  but protected like a count.
* Zeros and groups: where a line's only non-zero member is hidden and the rest are shown as
  zeros, a reader learns that every case in the total is in that member ("all outcomes were
  dismissal"). The zero members are then withheld (`x`), and at least one of them must be
  able to be more than zero. A withheld count must be able to be 0 or above the threshold: a
  reader who can prove it is between 1 and the threshold has learned what `c` would hide.
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
_SEARCH_BUDGET = 600
# How many nearby cells to try, one at a time, before hiding the nearest smallest.
_LOOKAHEAD = 24
_TRIAL_BUDGET = 200
_UNBOUNDED = 10**9

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
    # Members are categories of one group (outcomes, sources): the zeros-and-groups rule
    # applies. Not for terms of a year or schools of a trust.
    group: bool = True

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
    fixed: set[CellId] = field(default_factory=set)
    signed: set[CellId] = field(default_factory=set)
    threshold: int = DEFAULT_THRESHOLD
    # Zeros withheld so a lone hidden count does not tell every member of its group.
    group_zeros: set[CellId] = field(default_factory=set)
    index_cache: tuple[int, dict[CellId, list[Line]]] | None = field(default=None, repr=False)
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
        if cell in self.signed:
            return -_UNBOUNDED
        base = 1 if self.status[cell] is Status.SUPPRESSED else 0
        return max(base, self.floors.get(cell, 0))


def protect(
    values: Mapping[CellId, int],
    lines: Iterable[Line],
    *,
    withheld: Iterable[CellId] = (),
    floors: Mapping[CellId, int] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    fixed: Mapping[CellId, Status] | None = None,
    signed: Iterable[CellId] = (),
) -> Protection:
    """Suppress small counts, then hide more until every hidden cell is safe.

    `floors`: lower bounds a reader could know from elsewhere on the page (say, a total is at
    least the largest count in a table that does not add up to it); the search respects them.
    `fixed`: cells already published (an earlier release) with the status they were shown
    with. `signed`: differences between versions of a cell, which may be negative.
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
    signed_set = set(signed)
    for cell in signed_set:
        # A difference is never shown: a small one is protected like a count; no difference
        # at all hides no one but is no more known than the cells it lies between.
        if 1 <= abs(values[cell]) <= threshold:
            status[cell] = Status.SUPPRESSED
        elif values[cell] == 0:
            status[cell] = Status.WITHHELD
    status.update(fixed or {})
    result = Protection(dict(values), status, all_lines, dict(floors or {}))
    result.fixed = set(fixed or {}) | signed_set
    result.signed = signed_set
    result.threshold = threshold
    lines_of = _index(all_lines)
    work = [c for c in result.status if _needs_protection(result, c) and c in lines_of]
    _settle(result, lines_of, work)
    # Zeros beside a lone hidden count: withhold them, then make sure one can be above zero.
    while True:
        exposed = _group_exposed(result)
        if not exposed:
            break
        _settle(result, lines_of, exposed)
    # Cells hidden later may have given an early "unavoidable" cell its cover after all.
    result.unavoidable = {c for c in result.unavoidable if not is_safe(result, c)}
    for cell in sorted(result.unavoidable):
        _blank(result, lines_of, cell)
    return result


def _settle(result: Protection, lines_of: dict[CellId, list[Line]], work: list[CellId]) -> None:
    # Safety only grows as more cells are hidden (a witness stays a witness: hiding a cell
    # removes a fact the reader knew, never adds one), so each cell is settled once.
    work = list(work)
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


def _group_exposed(result: Protection) -> list[CellId]:
    """Lines whose only non-zero member is hidden beside zeros a reader can see: withhold
    those zeros and return one of them to be made able to exceed zero. A line already
    answered (some zero in it withheld and able to exceed zero) is left alone."""
    found: list[CellId] = []
    for line in result.lines:
        if not line.group or any(c in result.signed for c in line.cells()):
            continue
        nonzero = [m for m in line.members if result.values[m]]
        if len(nonzero) != 1 or result.status[nonzero[0]] is Status.PUBLISHED:
            continue
        zeros = [m for m in line.members if not result.values[m] and m not in result.fixed]
        if not zeros or any(z in result.group_zeros and is_safe(result, z) for z in zeros):
            continue
        for zero in zeros:
            if result.status[zero] is Status.PUBLISHED:
                result.status[zero] = Status.WITHHELD
            result.group_zeros.add(zero)
        if not is_safe(result, zeros[0]):
            found.append(zeros[0])
    return found


def is_safe(result: Protection, cell: CellId, budget: int = _SEARCH_BUDGET) -> bool:
    if witness(result, cell, budget=budget) is None:
        return False
    if (
        budget == _SEARCH_BUDGET
        and result.status[cell] is Status.WITHHELD
        and result.values[cell] > 0
    ):
        # `x` says "not published", not "1 to the threshold": the reader must not be able to
        # prove it is in that range, so it must be able to be 0 or above the threshold.
        # A true count above the threshold is itself such a value (the truth fits every
        # line): no need to walk it there a unit at a time, which for a large count was most
        # of the time a release took.
        return (
            result.values[cell] > result.threshold
            or _reaches(result, cell, 0)
            or _reaches(result, cell, result.threshold + 1)
        )
    return True


def _reaches(result: Protection, cell: CellId, target: int) -> bool:
    """Whether unit moves, one after another, take `cell` to `target` while every line still
    holds and every cell stays above its floor: a feasible point a reader cannot rule out."""
    saved = dict(result.values)
    try:
        while result.values[cell] != target:
            step = witness(result, cell, direction=1 if target > result.values[cell] else -1)
            if step is None:
                return False
            for moved, delta in step.items():
                result.values[moved] += delta
        return True
    finally:
        result.values.clear()
        result.values.update(saved)


def witness(
    result: Protection, cell: CellId, direction: int = 0, budget: int = _SEARCH_BUDGET
) -> dict[CellId, int] | None:
    """Moves (+1/-1 per hidden cell) that keep every line true and every cell above its floor
    while changing `cell`: proof that a reader cannot pin the cell down. None if none found.
    `direction`: only that way (-1 or 1); 0 tries both."""
    lines_of = _indexed(result)
    for delta in (-1, 1) if direction == 0 else (direction,):
        if result.values[cell] + delta < result.floor(cell):
            continue
        moves = {cell: delta}
        if _balance(result, lines_of, moves, [budget]):
            return moves
    return None


# --- internals ---------------------------------------------------------------------------------


def _indexed(result: Protection) -> dict[CellId, list[Line]]:
    """The lines of each cell, kept while the lines stay the same (the search runs often)."""
    cached = result.index_cache
    if cached is None or cached[0] != len(result.lines):
        cached = (len(result.lines), _index(result.lines))
        result.index_cache = cached
    return cached[1]


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
        if result.status[member] is Status.PUBLISHED and member not in result.fixed:
            result.status[member] = Status.SUPPRESSED
            result.blanked.add(member)


def _needs_protection(result: Protection, cell: CellId) -> bool:
    status = result.status[cell]
    if status is Status.PUBLISHED or cell in result.unavoidable:
        return False
    # A withheld zero hides no one: "no allegations this term" is never protected by hiding
    # real figures around it. A withheld count above zero always is.
    return status is Status.SUPPRESSED or result.values[cell] != 0 or cell in result.group_zeros


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
        result.status[candidate] = _hidden_status(result, candidate)
        # A short search per trial: a long one that fails, 24 times over, is what is slow.
        if is_safe(result, cell, budget=_TRIAL_BUDGET):
            return candidate
        result.status[candidate] = Status.PUBLISHED
    result.status[candidates[0]] = _hidden_status(result, candidates[0])
    return candidates[0]


def _hidden_status(result: Protection, cell: CellId) -> Status:
    # `c` says "at least 1": a zero hidden beside a group's zeros is shown as not published.
    return Status.SUPPRESSED if result.values[cell] else Status.WITHHELD


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
        # A zero withheld for a group's sake may need other zeros withheld beside it (a row
        # whose year is a published 0 pins each of its terms to 0): zeros are candidates then.
        zeros_too = cell in result.group_zeros
        level = {
            c
            for line in lines
            for c in line.cells()
            if result.status[c] is Status.PUBLISHED
            and (result.values[c] or zeros_too)
            and c not in found
            and c not in result.fixed
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


def _balance(
    result: Protection,
    lines_of: dict[CellId, list[Line]],
    moves: dict[CellId, int],
    budget: list[int],
) -> bool:
    """Depth-first: while some line touched by the moves does not balance, move one more
    hidden cell of the line with fewest ways to balance it. Each line's imbalance is kept as
    the moves change (recounting every line at every step made large systems crawl)."""
    gaps: dict[int, int] = {}
    by_id: dict[int, Line] = {}
    floors: dict[CellId, int] = {}  # statuses do not change during one search

    def shift(cell: CellId, step: int) -> None:
        for line in lines_of.get(cell, []):
            key = id(line)
            by_id[key] = line
            gaps[key] = gaps.get(key, 0) + line.coefficient(cell) * step
            if gaps[key] == 0:
                del gaps[key]

    for cell, step in moves.items():
        shift(cell, step)

    def search() -> bool:
        budget[0] -= 1
        if budget[0] < 0:
            return False
        if not gaps:
            return True  # every line balances
        best: list[tuple[CellId, int]] | None = None
        # The most constrained open line first: fewest ways to balance it.
        for key, gap in gaps.items():
            line = by_id[key]
            options = []
            limit = len(best) if best is not None else None
            for other in line.cells():
                if other in moves or result.status[other] is Status.PUBLISHED:
                    continue
                # Choose the step that brings this line one nearer to balance.
                step = -line.coefficient(other) * (1 if gap > 0 else -1)
                low = floors.get(other)
                if low is None:
                    low = floors[other] = result.floor(other)
                if result.values[other] + step >= low:
                    options.append((other, step))
                    if limit is not None and len(options) >= limit:
                        break  # no better than the best line found: stop counting
            if not options:
                return False
            if best is None or len(options) < len(best):
                best = options
                if len(best) == 1:
                    break
        for other, step in best or []:
            moves[other] = step
            shift(other, step)
            if search():
                return True
            shift(other, -step)
            del moves[other]
        return False

    return search()
