"""Issue 21: `incidents audit verify` is background work. It lowers its CPU priority (and so its
worker processes') before anything starts, unless told otherwise, and can be held to fewer
worker processes where the web app shares the machine (`bench/verify_blocking.py` measured
why: at the same priority, the workers took the cores from the pages being served)."""

from __future__ import annotations

import os
import subprocess  # nosec B404 - this interpreter, a fixed snippet
import sys
from typing import Any

import pytest

import incidents.cli.audit as audit_cli
from incidents.audit import parallel
from tests.conftest import run_cli as run


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch, niceness_asked: list[int]) -> list[dict[str, Any]]:
    """Each school's verification as the command asked for it, with the niceness asked for
    by then (the fixture in tests/conftest.py records it rather than renicing the tests)."""
    calls: list[dict[str, Any]] = []
    real = audit_cli.verify_school

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append({"workers": kwargs.get("workers"), "nice": list(niceness_asked)})
        return real(*args, **kwargs)

    monkeypatch.setattr(audit_cli, "verify_school", spy)
    return calls


def test_verify_lowers_its_priority_before_it_reads(signed_app, school_with_cases, seen):
    school, _ = school_with_cases
    result = run(signed_app, "audit", "verify", "--school", school.urn, "--unanchored")
    assert result.exit_code == 0, result.output
    assert seen == [{"workers": None, "nice": [parallel.NICENESS]}]


def test_verify_can_run_at_normal_priority_and_in_one_process(
    signed_app, school_with_cases, seen, monkeypatch
):
    school, _ = school_with_cases
    started: list[int] = []

    def workers(source: Any, size: int, count: int, marker: bytes) -> None:
        started.append(count)
        return None  # as if a range failed: the one-process pass then runs, and passes

    monkeypatch.setattr(parallel, "MIN_ENTRIES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    monkeypatch.setattr(parallel, "verified_tree", workers)
    args = ["audit", "verify", "--school", school.urn, "--unanchored"]
    assert run(signed_app, *args, "--nice", "0", "--workers", "1").exit_code == 0
    assert seen == [{"workers": 1, "nice": [0]}]
    assert started == []  # one process: no worker started
    assert run(signed_app, *args, "--workers", "2").exit_code == 0
    assert run(signed_app, *args).exit_code == 0
    assert started == [2, 4]


def test_bad_priority_or_worker_counts_are_refused(signed_app):
    for option, value in (("--nice", "-5"), ("--nice", "20"), ("--workers", "0")):
        result = run(signed_app, "audit", "verify", option, value)
        assert result.exit_code == 2 and option in result.output


def test_the_worker_count_respects_a_limit(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    size = parallel.MIN_ENTRIES
    assert parallel.worker_count(size) == parallel.MAX_WORKERS
    assert parallel.worker_count(size, 3) == 3
    assert parallel.worker_count(size, 1) == 0  # one process


def test_a_lowered_priority_is_inherited_by_the_processes_started_after_it():
    """The real call, in a process of its own (it cannot be undone): the workers are started
    as children, so they run at the niceness the command set."""
    snippet = (
        "import os, subprocess, sys\n"
        "from incidents.audit import parallel\n"
        "before = os.nice(0)\n"
        "now = parallel.lower_priority(3)\n"
        "child = subprocess.run([sys.executable, '-c', 'import os; print(os.nice(0))'],"
        " capture_output=True, text=True, check=True).stdout.strip()\n"
        "print(before, now, child, parallel.lower_priority(0))\n"
    )
    out = subprocess.run(  # nosec B603
        [sys.executable, "-c", snippet], capture_output=True, text=True, check=True
    ).stdout.split()
    before, now, child, unchanged = map(int, out)
    assert now == min(before + 3, 19)
    assert child == now and unchanged == now


def test_each_worker_leads_a_session_of_its_own(tmp_path, monkeypatch):
    """With autogroup scheduling, niceness orders processes only within a session: a worker in
    a session of its own gives its group its niceness (`group_priority`)."""
    real = subprocess.Popen
    started: list[dict[str, Any]] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        started.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(parallel.subprocess, "Popen", spy)
    source = parallel.Source("sqlite", (str(tmp_path / "no" / "such.db"),), {}, "x")
    with pytest.raises(parallel.ParallelVerifyError):
        parallel.verified_tree(source, 10, 2, b'"log":"x",')
    assert len(started) == 2 and all(kw.get("start_new_session") for kw in started)


def test_a_group_is_given_the_niceness_where_there_are_groups(tmp_path):
    group = tmp_path / "autogroup"
    group.write_text("/autogroup-1 nice 0\n")
    assert parallel.group_priority(10, group) is True
    assert group.read_text() == "10"
    assert parallel.group_priority(0, group) is False  # 0: left as it is
    assert parallel.group_priority(10, tmp_path / "no" / "autogroup") is False
