"""How long protecting a release takes (issue 18), printed as figures.

Publishing a term's release protects every page of the trust and its schools, with the
releases before it, as one system (incidents/stats/joint.py). This times that protection for
random trusts, from a small one to 50 schools with 100,000 cases in the year: the autumn,
spring and summer (whole-year) releases, then a revision of the summer one after a late
case. The counting queries are timed with the database in bench/stats_bench.py.

Targets: a 4-school trust under 5 s; 50 schools and 100,000 cases under 60 s.

Run:  .venv/bin/python bench/stats_publish_bench.py
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incidents.stats.disclosure import Status
from incidents.stats.joint import TRUST, build_joint, held_after, replaced
from incidents.stats.terms import TermCalendar
from tests.stats_release_cases import random_trust

COMMON = {"calendar": TermCalendar(), "threshold": 5, "minimum_base": 10}
SIZES = [(2, 40), (4, 200), (4, 2_000), (10, 10_000), (50, 100_000)]


def year_of_releases(schools: int, cases: int) -> None:
    trust = random_trust(random.Random(schools * cases), schools=schools, cases=cases)
    times = []
    start = time.perf_counter()
    autumn = build_joint(trust.scopes("autumn"), period="autumn", **COMMON)  # type: ignore[arg-type]
    times.append(time.perf_counter() - start)
    start = time.perf_counter()
    spring = build_joint(
        trust.scopes("spring"),
        period="spring",
        before=held_after(autumn.system, "autumn"),
        **COMMON,  # type: ignore[arg-type]
    )
    times.append(time.perf_counter() - start)
    start = time.perf_counter()
    summer = build_joint(
        trust.scopes("summer"),
        period="summer",
        before=held_after(spring.system, "spring"),
        **COMMON,  # type: ignore[arg-type]
    )
    times.append(time.perf_counter() - start)
    trust.cases.append((0, "allegation", "parent", "autumn", frozenset()))  # recorded late
    start = time.perf_counter()
    build_joint(
        trust.scopes("summer"),
        period="summer",
        revising=replaced(summer.system),
        **COMMON,  # type: ignore[arg-type]
    )
    times.append(time.perf_counter() - start)
    trust_page = summer.pages.get(TRUST)
    shown = hidden = 0
    if trust_page is not None:
        for table in trust_page.tables:
            for (_row, col), cell in table.cells.items():
                if col == "last":
                    continue  # last year's copies: no release last year here
                if summer.protection.status[cell] is Status.PUBLISHED:
                    shown += 1
                else:
                    hidden += 1
    print(
        f"{schools:3d} schools, {cases:7,d} cases: autumn {times[0]:5.1f} s, spring "
        f"{times[1]:5.1f} s, summer {times[2]:5.1f} s, revision {times[3]:5.1f} s; "
        f"slowest release {max(times):5.1f} s; trust page (summer): {shown} cells shown, "
        f"{hidden} hidden",
        flush=True,
    )


def main() -> None:
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    for schools, cases in SIZES:
        year_of_releases(schools, cases)


if __name__ == "__main__":
    main()
