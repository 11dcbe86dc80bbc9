"""An attacker for the disclosure tests, written independently of the suppression code: it
knows every published number, every linear fact a reader knows (the lines), that `c` is at
least 1 and `x` at least 0, and that a table which is not a breakdown never exceeds its total;
and it searches for a second set of whole numbers that fits all of that. A hidden cell with no
such second set could be worked out by subtraction: a disclosure.
"""

from __future__ import annotations

from collections.abc import Iterable

from incidents.stats.disclosure import CellId, Protection, Status

Bounds = dict[CellId, list[int]]


class Inconclusive(Exception):
    """The search ran out of steps: treated as a failure, never as safe."""


class Attacker:
    def __init__(
        self,
        protection: Protection,
        at_most: Iterable[tuple[CellId, CellId]] = (),
        max_steps: int = 200_000,
    ) -> None:
        self.p = protection
        self.hidden = [c for c, s in protection.status.items() if s is not Status.PUBLISHED]
        self.hidden_set = set(self.hidden)
        big = sum(protection.values.values()) + 5
        self.start: Bounds = {
            c: [1 if protection.status[c] is Status.SUPPRESSED else 0, big] for c in self.hidden
        }
        # Each line as (the published part's sum, [(hidden cell, coefficient)]).
        self.lines = []
        for line in protection.lines:
            const = sum(
                line.coefficient(c) * protection.values[c]
                for c in line.cells()
                if c not in self.hidden_set
            )
            terms = [(c, line.coefficient(c)) for c in line.cells() if c in self.hidden_set]
            if terms:
                self.lines.append((const, terms))
        self.at_most = list(at_most)  # (a, b): a <= b
        self.max_steps = max_steps
        self.steps = 0

    def _value(self, b: Bounds, cell: CellId) -> tuple[int, int]:
        if cell in self.hidden_set:
            return b[cell][0], b[cell][1]
        v = self.p.values[cell]
        return v, v

    def _propagate(self, b: Bounds) -> bool:
        changed = True
        while changed:
            changed = False
            for const, line in self.lines:
                lo_sum = const + sum(coef * b[c][0 if coef > 0 else 1] for c, coef in line)
                hi_sum = const + sum(coef * b[c][1 if coef > 0 else 0] for c, coef in line)
                if lo_sum > 0 or hi_sum < 0:
                    return False
                for c, coef in line:
                    lo, hi = b[c]
                    # coef*c + rest = 0, rest in [lo_sum - coef-part, hi_sum - coef-part]
                    own_lo, own_hi = (coef * lo, coef * hi) if coef > 0 else (coef * hi, coef * lo)
                    rest_lo, rest_hi = lo_sum - own_lo, hi_sum - own_hi
                    if coef > 0:
                        new_lo, new_hi = max(lo, -rest_hi), min(hi, -rest_lo)
                    else:
                        new_lo, new_hi = max(lo, rest_lo), min(hi, rest_hi)
                    if new_lo > new_hi:
                        return False
                    if (new_lo, new_hi) != (lo, hi):
                        b[c] = [new_lo, new_hi]
                        changed = True
                        own = (
                            (coef * new_lo, coef * new_hi)
                            if coef > 0
                            else (coef * new_hi, coef * new_lo)
                        )
                        lo_sum, hi_sum = rest_lo + own[0], rest_hi + own[1]
            for a, c in self.at_most:
                a_lo, a_hi = self._value(b, a)
                c_lo, c_hi = self._value(b, c)
                if a_lo > c_hi:
                    return False
                if a in self.hidden_set and a_hi > c_hi:
                    b[a][1] = c_hi
                    changed = True
                if c in self.hidden_set and c_lo < a_lo:
                    b[c][0] = a_lo
                    changed = True
        return True

    def _feasible(self, b: Bounds) -> bool:
        self.steps += 1
        if self.steps > self.max_steps:
            raise Inconclusive
        if not self._propagate(b):
            return False
        open_ = [c for c in self.hidden if b[c][0] < b[c][1]]
        if not open_:
            return True
        cell = min(open_, key=lambda c: b[c][1] - b[c][0])
        lo, hi = b[cell]
        true = self.p.values[cell]
        # Values near the truth first: a second solution is usually close to the first.
        order = sorted(range(lo, hi + 1), key=lambda v: abs(v - true))
        for v in order:
            trial = {c: list(r) for c, r in b.items()}
            trial[cell] = [v, v]
            if self._feasible(trial):
                return True
        return False

    def other_value_possible(self, cell: CellId) -> bool:
        true = self.p.values[cell]
        for lo, hi in ((None, true - 1), (true + 1, None)):
            b = {c: list(r) for c, r in self.start.items()}
            if lo is not None:
                b[cell][0] = max(b[cell][0], lo)
            if hi is not None:
                b[cell][1] = min(b[cell][1], hi)
            if b[cell][0] <= b[cell][1] and self._feasible(b):
                return True
        return False

    def disclosed(self) -> list[CellId]:
        """Hidden cells whose value a reader could work out (withheld true zeros excepted:
        when everything around them is zero, nothing can hide them, and they hide no one)."""
        found = []
        for cell in self.hidden:
            if self.p.status[cell] is Status.WITHHELD and self.p.values[cell] == 0:
                continue
            if not self.other_value_possible(cell):
                found.append(cell)
        return found
