"""Issue 21: on SQLite a page that only reads does not queue for the write lock (a writer, or a
long `audit verify`, holds it), and its one write at the end (the audit entry of an opened
case) still runs under the lock, on a fresh picture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from incidents.db import begin_snapshot, make_engine, set_reads_first


@pytest.fixture
def file_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'reads.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE entry (seq INTEGER PRIMARY KEY)"))
        conn.execute(text("INSERT INTO entry (seq) VALUES (0)"))
    yield engine
    set_reads_first(False)
    engine.dispose()


def _size(session: object) -> int:
    return int(session.execute(text("SELECT count(*) FROM entry")).scalar_one())  # type: ignore[attr-defined]


def test_a_reading_request_reads_while_a_writer_holds_the_lock(file_engine: Engine) -> None:
    writer = file_engine.connect()
    writer.begin()  # BEGIN IMMEDIATE: the write lock, held
    writer.execute(text("INSERT INTO entry (seq) VALUES (1)"))
    set_reads_first(True)
    with sessionmaker(bind=file_engine)() as page:
        # Without reads-first this would wait out the busy timeout, then fail "locked".
        assert _size(page) == 1  # the last committed picture, not the writer's
        page.rollback()
    writer.commit()
    writer.close()


def test_its_write_at_the_end_takes_the_lock_and_sees_what_others_wrote(
    file_engine: Engine,
) -> None:
    set_reads_first(True)
    with sessionmaker(bind=file_engine)() as page:
        assert _size(page) == 1  # the read's snapshot begins here
        with file_engine.connect() as other:  # another request appends and commits
            other.begin()
            other.execute(text("INSERT INTO entry (seq) VALUES (1)"))
            other.commit()
        # A deferred transaction upgrading from a stale snapshot would fail at once
        # (SQLITE_BUSY_SNAPSHOT); the read is ended and the write begins afresh instead.
        page.execute(text("INSERT INTO entry (seq) VALUES (2)"))
        assert _size(page) == 3
        page.commit()
    with file_engine.connect() as check:
        assert check.execute(text("SELECT count(*) FROM entry")).scalar_one() == 3


def test_a_snapshot_holds_up_no_writer(file_engine: Engine) -> None:
    with sessionmaker(bind=file_engine)() as verifier:
        begin_snapshot(verifier)
        assert _size(verifier) == 1
        # An append goes ahead while the verification is still reading...
        with file_engine.connect() as page:
            page.begin()
            page.execute(text("INSERT INTO entry (seq) VALUES (1)"))
            page.commit()
        # ...which goes on seeing one consistent picture.
        assert _size(verifier) == 1
        verifier.commit()
        assert _size(verifier) == 2
