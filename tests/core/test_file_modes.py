"""The SQLite database holds every case: it, its -wal and -shm files and the folder made for it
are readable by this user only, whatever the umask (they were once created 0644)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from incidents.config import load_settings
from incidents.db import make_engine


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the usual default: files 0644, folders 0755
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_its_journal_and_its_folder_are_private(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "instance" / "incidents.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:  # WAL mode: the -wal and -shm files appear on the first write
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
        files = [path, path.with_name("incidents.db-wal"), path.with_name("incidents.db-shm")]
        assert all(f.exists() for f in files)
        assert [_mode(f) for f in files] == [0o600, 0o600, 0o600]
    engine.dispose()
    assert _mode(path.parent) == 0o700


def test_an_existing_readable_database_is_made_private(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "incidents.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o600


def test_the_instance_folder_made_for_development_is_private(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("INCIDENTS_ENV", "SECRET_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INCIDENTS_INSTANCE_PATH", str(tmp_path / "new" / "instance"))
    load_settings()
    assert _mode(tmp_path / "new" / "instance") == 0o700
    assert _mode(tmp_path / "new" / "instance" / "secret_key") == 0o600
