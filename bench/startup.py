"""Start-up time of the `incidents` command (issue 21: target under 0.5 s on a quiet machine),
next to `flask --help` and a bare `python -c pass` in the same run.

Every gunicorn worker start and every cron job (`incidents jobs run`, `incidents audit
checkpoint`) pays the import of the application, so this is what it costs.

Run:  .venv/bin/python bench/startup.py [--runs 7]
The figures are wall-clock times of whole processes: on a busy machine they are noisy, and the
minimum is the fairest figure (the one least disturbed by other work).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess  # nosec B404 - runs this checkout's own commands
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _time(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock seconds of each run, and the CPU seconds (user + system) each run used: on
    a machine shared with other work the CPU time is the steadier figure."""
    env = {**os.environ, "DATABASE_URL": "sqlite:////tmp/incidents-startup-bench.db"}
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(  # noqa: S603  # nosec B603 - fixed commands
            command, check=True, capture_output=True, cwd=tempfile.gettempdir(), env=env
        )
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    rows = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("flask --help", [str(BIN / "flask"), "--help"]),
        ("incidents --help", [str(BIN / "incidents"), "--help"]),
        ("import incidents.wsgi (a worker)", [sys.executable, "-c", "import incidents.app"]),
    ]
    print(f"{'command':<36} {'min s':>7} {'median s':>9} {'CPU min s':>10}   ({runs} runs)")
    for name, command in rows:
        times, cpu = _time(command, runs)
        print(f"{name:<36} {min(times):>7.3f} {statistics.median(times):>9.3f} {min(cpu):>10.3f}")
    print("target: incidents --help under 0.5 s on a quiet 2-core machine")


if __name__ == "__main__":
    main()
