"""An empty database of a test's own, for tests that commit for real (crash, concurrency and
worker-process tests, migrations): they cannot share the session's test database, whose
tests roll back. SQLite: a file in `folder`. PostgreSQL (TEST_DATABASE_URL): a database
named after the test one with `suffix` and the pytest-xdist worker, dropped afterwards even if
a worker process still holds it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text


def worker_suffix() -> str:
    """`gw0_` under pytest-xdist, empty otherwise: two workers never share a database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"{worker}_" if worker else ""


def create_fresh(url: str) -> None:
    """Drop and create the PostgreSQL database `url` names (a worker's own test database)."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


@contextmanager
def own_database(folder: Path, suffix: str) -> Iterator[str]:
    server = os.environ.get("TEST_DATABASE_URL", "")
    if not server.startswith("postgresql"):
        yield f"sqlite:///{folder / f'{suffix}.db'}"
        return
    url = make_url(server)
    name = f"{url.database}_{worker_suffix()}{suffix}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with admin.connect() as conn:
        conn.execute(drop)
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(drop)
        admin.dispose()
