"""Issue 21: do the case list, the case page and the statistics stay flat as the data grows?
Printed as figures, for two sizes of the same trust (default 10,000 and 100,000 cases over 50
schools, on PostgreSQL):

- the case list (plain, filtered by state and a later page, a surname search) and a case page
  of school 0, for its headteacher: median and 90th percentile over RUNS requests in process
  (the test client: routing, sign-in check, queries, templates, headers; no network), and the
  SQL statements each runs. Target: the larger size at most 1.2x the smaller.
- the headteacher's own statistics (live, counted from the school's cases): at most linear;
- publishing a term's release for the whole trust (every school counted and protected
  together, `releases.publish_release`, rolled back so each run starts alike): at most linear
  (10x the data, at most 10x the time).

The databases are built by bench/load.py's `build` (its FAST PATH, said there: real sealed
fields and real audit entries, the routing a disclosure runs skipped). Every case of the bench
is open, so the headteacher's home page holds every case of the school: it is printed for
information; its statements are bounded (a test holds them), its time grows with the rows.

Run:  .venv/bin/python bench/scale.py [--sizes 10000 100000] [--schools 50] [--reuse]
`--reuse` uses databases already built (`bench_scale_<size>`; the instance folders hold their
keys). Building 100,000 cases takes about 10 minutes on a quiet 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess  # nosec B404 - runs this script again, one size per process
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import load  # bench/load.py, beside this file

BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_scale"
PAGES = (
    ("case list", "/cases/"),
    ("case list filtered", "/cases/?state=recorded&page=3"),
    ("case list search", "/cases/?surname=Surname3"),
    ("case page", "{case}"),
    ("home", "/"),
    ("own statistics", "/statistics/"),
)
FLAT = {"case list", "case list filtered", "case list search", "case page"}
LINEAR = {"own statistics", "publish releases"}


def measure(url: str, instance: Path, runs: int) -> dict[str, Any]:
    """In this process: the figures of one size (the app reads its settings at start)."""
    # No cached statistics: each run counts, as the first reader after a change does.
    os.environ.update({**load._env(url, instance), "STATS_CACHE_SECONDS": "0"})
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from incidents import create_app

    app = create_app()
    app.config["RATELIMIT_ENABLED"] = False
    client = load.signed_in_client(app, "headteacher.0@bench.example")
    listing = client.get("/cases/").get_data(as_text=True)
    case = f"/cases/{load.CASE_LINK.findall(listing)[0]}"
    said: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        said.append(statement)

    figures: dict[str, Any] = {}
    for name, path in PAGES:
        path = path.format(case=case)
        for _ in range(3):  # warm: templates compiled, statements prepared
            client.get(path)
        times, cpu = [], []
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            status = client.get(path).status_code
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            if status != 200:
                raise SystemExit(f"{name}: {status}")
        event.listen(Engine, "before_cursor_execute", count)
        said.clear()
        client.get(path)
        event.remove(Engine, "before_cursor_execute", count)
        figures[name] = {"times": times, "cpu": cpu, "statements": len(said)}
    figures["publish releases"] = {"times": _publish_times(app, max(3, runs // 10))}
    return figures


def _publish_times(app: Any, runs: int) -> list[float]:
    """Publishing every ended term not yet released for the whole trust, in order, as the
    scheduled job does (`releases.publish_due`), rolled back after each run so the next run
    publishes the same releases again."""
    from incidents.clock import local_today
    from incidents.governance import releases
    from incidents.governance.settings import read_settings
    from incidents.models.base import utcnow

    times = []
    with app.app_context():
        factory = app.extensions["incidents.sessions"]
        for _ in range(runs):
            with factory(info={"audit_source": "cli"}) as session:
                settings = read_settings(app)
                start = time.perf_counter()
                done = releases.publish_due(
                    session, actor=None, today=local_today(), now=utcnow(), settings=settings
                )
                session.flush()
                times.append(time.perf_counter() - start)
                session.rollback()
                if not done:
                    raise SystemExit("no ended term to publish")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 100_000])
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)  # url, instance
    args = parser.parse_args()
    if args.measure:
        url, instance = args.measure
        print(json.dumps(measure(url, Path(instance), args.runs)))
        return
    results = {}
    for size in args.sizes:
        url = f"{BASE}_{size}"
        instance = Path(tempfile.gettempdir()) / f"incidents-bench-scale-{size}"
        if not args.reuse:
            instance.mkdir(parents=True, exist_ok=True)
            for stale in ("keys.json", "audit-signing.key"):
                (instance / stale).unlink(missing_ok=True)
            print(f"building {size} cases over {args.schools} schools ...", flush=True)
            load.build(url, instance, args.schools, size)
        answer = subprocess.run(  # noqa: S603 # nosec B603 - this script, one size per process
            [sys.executable, __file__, "--runs", str(args.runs), "--measure", url, str(instance)],
            check=True,
            capture_output=True,
            text=True,
        )
        results[size] = json.loads(answer.stdout.strip().splitlines()[-1])
    small, large = args.sizes
    factor = large / small
    print(f"\n{args.schools} schools; {small} and {large} cases ({factor:g}x); in process")
    # Wall time is the target; this process's CPU time beside it (the app's own work, whatever
    # else the machine is doing) says whether a difference is the app's or the machine's.
    head = ("page", f"p50@{small}", f"p50@{large}", "ratio", "cpu ratio", "stmts", "target")
    print(
        f"{head[0]:<20}{head[1]:>12}{head[2]:>13}{head[3]:>8}{head[4]:>11}{head[5]:>7}  {head[6]}"
    )
    for name in [p[0] for p in PAGES] + ["publish releases"]:
        a, b = results[small][name], results[large][name]
        p50a, p50b = statistics.median(a["times"]) * 1000, statistics.median(b["times"]) * 1000
        ratio = p50b / p50a
        if name in FLAT:
            target = f"<= 1.2x: {'met' if ratio <= 1.2 else 'MISSED'}"
        elif name in LINEAR:
            target = f"<= {factor:g}x: {'met' if ratio <= factor else 'MISSED'}"
        else:
            target = "(for information)"
        stmts = f"{a.get('statements', '')}/{b.get('statements', '')}" if "statements" in a else ""
        cpu = (
            f"{statistics.median(b['cpu']) / statistics.median(a['cpu']):.2f}" if "cpu" in a else ""
        )
        print(f"{name:<20}{p50a:>10.1f}ms{p50b:>11.1f}ms{ratio:>8.2f}{cpu:>11}{stmts:>7}  {target}")


if __name__ == "__main__":
    main()
