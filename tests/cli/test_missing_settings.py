"""A missing setting in production stops the command and the server with one line naming it,
and no traceback to bury it (issue 20, item 2)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests import REPO


def _production(without: str) -> dict[str, str]:
    env = {
        **os.environ,
        "INCIDENTS_ENV": "production",
        "SECRET_KEY": "x" * 48,
        "DATABASE_URL": "sqlite:////nonexistent/incidents.db",
        "INCIDENTS_KEY_FILE": "/nonexistent/keys.json",
        "INCIDENTS_SIGNING_KEY_FILE": "/nonexistent/audit-signing.key",
    }
    env.pop(without)
    return env


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "INCIDENTS_KEY_FILE"])
def test_the_command_names_the_missing_setting_in_one_line(missing: str) -> None:
    run = subprocess.run(
        [sys.executable, "-c", "from incidents.cli import cli; cli()", "db", "current"],
        cwd=REPO,
        env=_production(missing),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith(f"incidents: {missing}")
    assert "Traceback" not in run.stdout + run.stderr


def test_the_server_names_the_missing_setting_in_one_line() -> None:
    run = subprocess.run(
        [sys.executable, "-c", "import incidents.wsgi"],
        cwd=REPO,
        env=_production("SECRET_KEY"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    # 3 is gunicorn's "worker failed to boot": its master stops rather than respawn workers.
    assert run.returncode == 3
    assert run.stderr.startswith("incidents: SECRET_KEY is missing")
    assert run.stderr.count("\n") == 1
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("setting", "value"),
    [("STATS_CACHE_SECONDS", "a minute"), ("STATS_SPRING_TERM_STARTS", "2027-01-04")],
)
def test_a_bad_statistics_setting_is_one_line_naming_it(setting: str, value: str) -> None:
    env = {**os.environ, "INCIDENTS_ENV": "development", setting: value}
    env.pop("SECRET_KEY", None)
    run = subprocess.run(
        [sys.executable, "-c", "from incidents.cli import cli; cli()", "db", "current"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stderr.startswith(f"incidents: {setting}") and value in run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stdout + run.stderr
