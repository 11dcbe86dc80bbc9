"""Issue 21: `incidents audit verify` on a 2,000,000-entry log never holds a page up for more
than a second, on SQLite or PostgreSQL. Prints, for school 0's users, the p50, p99 and max of
case pages (audited reads: each appends to the very log being verified) and of adding a note
(an audited write), served alone and while the verification runs, how many waited over 1 s,
the verification's duration, and the load average.

The database is small on purpose (default 2 schools, 2,000 cases, built by `load.build`): the
size of the log is what matters, and `load.grow_log` grows school 0's log to ENTRIES with a
FAST PATH, said plainly: real leaves (the application's format, salt and hash), tree nodes,
frontier and root, written by Core executemany in batches of 20,000 rather than 2 million
`audit.record` calls, recording school 0's cases viewed in turn a microsecond apart, with no
encrypted detail. `audit verify` checks them as it checks any entry (the build leaves the
checkpoints to a signer it does not run, so no signed checkpoint anchors the log: hence
`--unanchored`, which the bench passes; it changes nothing of what is read). On PostgreSQL
the grow ends with ANALYZE, as autovacuum would soon after; SQLite gets none (in production
the scheduled jobs gather them every ten minutes: this is the harder case).

Then gunicorn (WORKERS sync workers) serves USERS of school 0 (heads and DSLs), each opening a
case page after another and adding a note every NOTE_EVERY-th request, pausing about PAUSE
seconds between requests (real users pause: without it the figures measure a saturated
server's queue, not what verification adds). First ALONE seconds without verification, then
once per `--verify-options` while `incidents audit verify` runs with those options.

Run:  .venv/bin/python bench/verify_blocking.py --database-url sqlite:////tmp/bv/verify.db
      .venv/bin/python bench/verify_blocking.py   # PostgreSQL database bench_verify
      [--entries 2000000] [--reuse] [--verify-options "--nice 0" --verify-options ""]
On SQLite it also prints the write-ahead log's size before and after each run: a long read
keeps the writers' checkpoints from resetting it, so it grows while verification runs.
"""

from __future__ import annotations

import argparse
import os
import shlex
import tempfile
import time
from pathlib import Path

import load
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

HEADER = ("run", "page", "n", "p50 ms", "p99 ms", "max ms", "> 1 s")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _wal(url: str) -> int | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    wal = Path(f"{parsed.database}-wal")
    return wal.stat().st_size if wal.exists() else 0


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def _rows(run: load.VerifyRun) -> list[tuple[str, ...]]:
    rows = []
    for page in ("case page", "add note"):
        values = run.pages.get(page, [])
        if not values:
            continue
        slow = sum(1 for v in values if v > 1.0)
        rows.append(
            (
                run.label,
                page,
                str(len(values)),
                f"{_pct(values, 0.5):.0f}",
                f"{_pct(values, 0.99):.0f}",
                f"{max(values) * 1000:.0f}",
                str(slow),
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_verify"
    )
    parser.add_argument("--entries", type=int, default=2_000_000)
    parser.add_argument("--schools", type=int, default=2)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between requests")
    parser.add_argument("--note-every", type=int, default=4)
    parser.add_argument("--alone", type=float, default=30.0, help="seconds without verify")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument(
        "--verify-options",
        action="append",
        help="options for `incidents audit verify` (repeatable: one run each); default: none",
    )
    parser.add_argument("--instance", default="")
    parser.add_argument("--reuse", action="store_true", help="use the database as it is")
    args = parser.parse_args()
    url = args.database_url
    backend = make_url(url).get_backend_name()
    instance = Path(
        args.instance or Path(tempfile.gettempdir()) / f"incidents-bench-verify-{backend}"
    )
    print(f"{backend}, load average at start {_load()}", flush=True)
    if not args.reuse:
        instance.mkdir(parents=True, exist_ok=True)
        for stale in ("keys.json", "audit-signing.key"):
            (instance / stale).unlink(missing_ok=True)
        load.build(url, instance, args.schools, args.cases)
    started = time.perf_counter()
    load.grow_log(url, args.entries)
    print(f"(grow: {time.perf_counter() - started:.0f} s)", flush=True)
    if backend == "sqlite":
        # The grown log went through the write-ahead log in one transaction: copied into the
        # database now, or the first page to commit would pay for copying a gigabyte.
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        print(f"WAL after checkpoint: {_wal(url):,} bytes", flush=True)
    env = load._env(url, instance)
    base = f"http://127.0.0.1:{args.port}"
    server = load.start("incidents.wsgi:app", args.port, args.workers, env)
    runs: list[load.VerifyRun] = []
    notes: list[str] = []
    try:
        users = load.school0_users(base, env, args.users)
        # Unmeasured: each gunicorn worker's first pages load templates and fill caches.
        load.alone(users, 5, args.pause, args.note_every)
        runs.append(load.alone(users, args.alone, args.pause, args.note_every))
        notes.append(f"alone: {args.alone:.0f} s, load average after {_load()}")
        for options in args.verify_options or [""]:
            split = shlex.split(options)
            label = f"verify {options}".strip()
            wal_before = _wal(url)
            run = load.during_verify(users, env, split, args.pause, args.note_every, label)
            runs.append(run)
            said = run.said.strip().splitlines()
            wal = "" if wal_before is None else f"; WAL {wal_before:,} -> {_wal(url):,} bytes"
            notes.append(
                f"{label}: {run.took:.1f} s, exit {run.exit}, load average after {_load()}{wal}"
                + (f"\n    {said[-1][:150]}" if said else "")
            )
            print(notes[-1], flush=True)
    finally:
        load.stop(server)
    print(
        f"\n{backend}: school 0's log {args.entries:,} entries; {args.users} users, "
        f"pause ~{args.pause} s, a note every {args.note_every}th request; "
        f"gunicorn {args.workers} sync workers; {os.cpu_count()} cores"
    )
    widths = (22, 10, 6, 8, 8, 8, 6)
    print(
        "".join(
            f"{h:<{w}}" if i < 2 else f"{h:>{w}}"
            for i, (h, w) in enumerate(zip(HEADER, widths, strict=True))
        )
    )
    for run in runs:
        for row in _rows(run):
            print(
                "".join(
                    f"{c:<{w}}" if i < 2 else f"{c:>{w}}"
                    for i, (c, w) in enumerate(zip(row, widths, strict=True))
                )
            )
    for note in notes:
        print(note)
    for run in runs[1:]:
        waited = sum(v > 1.0 for values in run.pages.values() for v in values)
        print(f"pages over 1 s during {run.label}: {waited or 'none'}")


if __name__ == "__main__":
    main()
