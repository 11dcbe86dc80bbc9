"""The release adversary at scale (issue 18), printed as figures.

For random trusts and single schools: the autumn, spring and summer (whole-year) releases of
one year, each protected with every page of the trust and the releases before it, and then a
revision of the summer release after a late case. The adversary (tests/stats_milp.py, written
apart from the protection code) holds every page of all four and works out each hidden
cell's exact range with integer programming. For comparison, the same trusts' pages
protected one page at a time (as before issue 18) are attacked the same way.

Run:  .venv/bin/python bench/stats_release_bench.py [trusts, default 30] [--exact]
(--exact: both ends of every range, about twice as slow; otherwise a cell seen at two values
among sampled feasible points is settled without its exact solves.)
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incidents.stats.joint import TRUST, build_joint, held_after, replaced
from incidents.stats.layout import TERMS
from incidents.stats.tables import build_page
from incidents.stats.terms import TermCalendar
from tests.stats_milp import Adversary, Release
from tests.stats_release_cases import random_trust

CAL = TermCalendar()
THRESHOLD = 5
EXACT = "--exact" in sys.argv


def tag_for(name: str, period: str):  # type: ignore[no-untyped-def]
    shared = TERMS[: TERMS.index(period) + 1]
    return lambda col: f"r1:{col}" if col in shared else f"{name}:{col}"


def main() -> None:
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    runs = int(numbers[0]) if numbers else 30
    totals = {"hidden": 0, "checked": 0, "pinned": 0, "groups": 0, "old_pinned": 0, "cases": 0}
    narrowest: int | None = None
    started = time.perf_counter()
    for seed in range(runs):
        rng = random.Random(seed)
        schools = rng.choice((1, 2, 3, 4))
        cases = rng.randint(8, 30)
        trust = random_trust(rng, schools=schools, cases=cases)
        t0 = time.perf_counter()
        common = {"calendar": CAL, "threshold": THRESHOLD, "minimum_base": 10}
        autumn = build_joint(trust.scopes("autumn"), period="autumn", **common)  # type: ignore[arg-type]
        spring = build_joint(
            trust.scopes("spring"),
            period="spring",
            before=held_after(autumn.system, "autumn"),
            **common,  # type: ignore[arg-type]
        )
        summer = build_joint(
            trust.scopes("summer"),
            period="summer",
            before=held_after(spring.system, "spring"),
            **common,  # type: ignore[arg-type]
        )
        trust.cases.append((0, "allegation", "parent", "autumn", frozenset()))
        revision = build_joint(
            trust.scopes("summer"),
            period="summer",
            revising=replaced(summer.system),
            **common,  # type: ignore[arg-type]
        )
        built = time.perf_counter() - t0
        releases = [
            Release(autumn.pages, tag_for("autumn", "autumn")),
            Release(spring.pages, tag_for("spring", "spring")),
            Release(summer.pages, tag_for("summer", "summer")),
            Release(revision.pages, lambda col: f"rev2:{col}"),
        ]
        t1 = time.perf_counter()
        # exact: both ends of every hidden cell's range (the narrowest range printed is exact).
        report = Adversary(releases, THRESHOLD, exact=EXACT).check(skip=lambda v: v[3] == "last")
        attacked = time.perf_counter() - t1
        # Before issue 18: each page protected on its own, the whole year at once.
        old_pages = {
            scope: build_page(figures, calendar=CAL, threshold=THRESHOLD)
            for scope, figures in trust.scopes("summer").items()
        }
        old = Adversary([Release(old_pages, lambda col: col)], THRESHOLD).check(
            skip=lambda v: v[3] == "last"
        )
        totals["hidden"] += report.hidden
        totals["checked"] += report.checked
        totals["pinned"] += len(report.disclosed)
        totals["groups"] += len(report.groups)
        totals["old_pinned"] += len(old.disclosed) if TRUST in old_pages else 0
        totals["cases"] += cases + 1
        if report.narrowest is not None:
            narrowest = report.narrowest if narrowest is None else min(narrowest, report.narrowest)
        print(
            f"trust {seed:2d}: {schools} school(s), {cases + 1:2d} cases; 4 releases built in "
            f"{built:5.1f} s; {report.hidden:4d} hidden cells, {report.checked:4d} checked in "
            f"{attacked:5.1f} s: pinned {len(report.disclosed)}, group disclosures "
            f"{len(report.groups)}, narrowest range {report.narrowest}; pages protected one "
            f"at a time: {len(old.disclosed)} pinned",
            flush=True,
        )
    print(
        f"\n{runs} trusts and schools, {totals['cases']} cases, "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    print(
        f"  releases (autumn, spring, summer, revision), every page: {totals['hidden']} hidden "
        f"cells, {totals['checked']} checked; pinned: {totals['pinned']}; group disclosures: "
        f"{totals['groups']}; narrowest feasible range: {narrowest} (0 would be pinned)"
    )
    print(f"  the same pages protected one at a time (before): {totals['old_pinned']} pinned")


if __name__ == "__main__":
    main()
