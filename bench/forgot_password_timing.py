"""Forgotten-password timing (issue 16): does the request page take the same time for an
address with an account (a token, an outbox row and an audit entry are written) and one
without (nothing is written)? Prints the per-request times over N requests (default 200,
alternating known and unknown so drift hits both alike), with the fixed answer floor the page
uses and, for comparison, with the floor turned off.

Run:  .venv/bin/python bench/forgot_password_timing.py  [--requests 200]
SQLite in a temporary folder; BENCH_DATABASE_URL names an empty PostgreSQL database instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alembic import command
from flask import Flask
from sqlalchemy import MetaData

from incidents import create_app
from incidents.accounts import password_reset_views
from incidents.cli import alembic_config
from incidents.config import Settings
from incidents.crypto.keyring import Keyring
from incidents.crypto.keys import generate
from incidents.db import make_engine, make_session_factory
from incidents.models import Role
from tests import factories

KNOWN = "known.person@bench.example"
UNKNOWN = "nobody.here@bench.example"


def build(url: str, folder: Path) -> Flask:
    engine = make_engine(url)
    meta = MetaData()
    meta.reflect(bind=engine)
    meta.drop_all(bind=engine)
    command.upgrade(alembic_config(url), "head")
    factory = make_session_factory(
        engine, keyring=Keyring(generate("bench keys")), audit_origin_base="bench.invalid/audit"
    )
    with factory() as db:
        school = factories.make_school(db)
        factories.make_user(db, school, Role.STAFF, email=KNOWN)
        db.commit()
    settings = Settings(
        env="testing",
        secret_key="bench-secret-key-that-is-long-enough-to-use",  # noqa: S106 - a bench
        database_url=url,
        instance_path=folder / "instance",
        session_cookie_secure=False,
        ratelimit_enabled=False,
    )
    return create_app(
        settings=settings,
        session_factory=factory,
        overrides={"TESTING": True, "WTF_CSRF_ENABLED": False},
    )


def measure(app: Flask, requests: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
    client = app.test_client()
    for i in range(requests):
        email = KNOWN if i % 2 == 0 else UNKNOWN
        started = time.perf_counter()
        response = client.post("/forgot-password", data={"email": email})
        times[email].append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return times


def report(title: str, times: dict[str, list[float]]) -> None:
    known, unknown = times[KNOWN], times[UNKNOWN]
    print(f"\n{title} ({len(known)} known, {len(unknown)} unknown requests)")
    for name, values in (("known address", known), ("unknown address", unknown)):
        ordered = sorted(values)
        p95 = ordered[int(len(ordered) * 0.95) - 1]
        print(
            f"  {name:16} median {statistics.median(values) * 1000:7.2f} ms"
            f"  mean {statistics.mean(values) * 1000:7.2f} ms  p95 {p95 * 1000:7.2f} ms"
        )
    diff_median = (statistics.median(known) - statistics.median(unknown)) * 1000
    diff_mean = (statistics.mean(known) - statistics.mean(unknown)) * 1000
    print(f"  difference (known - unknown): median {diff_median:+.2f} ms, mean {diff_mean:+.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
        app = build(url, folder)
        measure(app, 10)  # warm-up: templates compiled, connections open
        floor = password_reset_views.FLOOR_SECONDS
        report(f"With the page's floor of {floor * 1000:.0f} ms", measure(app, args.requests))
        password_reset_views.FLOOR_SECONDS = 0.0
        report("Without the floor (what the floor hides)", measure(app, args.requests))
        password_reset_views.FLOOR_SECONDS = floor


if __name__ == "__main__":
    main()
