"""Engine, session factory and the declarative base shared by every model.

The naming convention is fixed here from the first migration so Alembic can name, find and drop
every constraint the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def new_id() -> uuid.UUID:
    """A UUIDv7 (RFC 9562): time-ordered, so indexes stay compact, and made by the application
    before insert so encryption can bind a ciphertext to its row id. The standard library only
    gains uuid7 in Python 3.14."""
    unix_ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (unix_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= (rand >> 68) << 64  # 12 random bits (rand_a)
    value |= 0b10 << 62  # variant
    value |= rand & ((1 << 62) - 1)  # 62 random bits (rand_b)
    return uuid.UUID(int=value)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        _private_file(Path(url.removeprefix("sqlite:///").split("?", 1)[0]))
    if url.startswith("sqlite"):
        # hide_parameters: SQL errors must not carry personal data into logs.
        engine = create_engine(url, connect_args={"timeout": 15}, hide_parameters=True)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _private_file(path: Path) -> None:
    """The database file (and the folder made for it) readable by this user only, whatever the
    umask: it holds every case. SQLite gives its -wal and -shm files the database's mode."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
        path.parent.chmod(0o700)  # mkdir's mode is filtered by the umask
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


def _configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL, and explicit BEGIN IMMEDIATE transactions (SQLAlchemy's pysqlite
    recipe): the driver's own deferred BEGIN breaks savepoints and lets two writers race."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        reading = _READS_FIRST.get()
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")
        connection.info[_READING] = reading

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if connection.info.get(_READING) and _WRITE.match(statement):
            _take_write_lock(connection)


# SQLite (issue 21). A transaction normally starts with BEGIN IMMEDIATE: it is the only writer
# from its first statement, so a read-then-write can never act on a stale picture (AUDIT.md,
# pitfall 3). But then every page, reads included, queues behind every writer (and behind
# `audit verify`). Inside `reads_first`, a transaction starts as a reader (BEGIN): in WAL mode
# it reads a snapshot and never waits; its first write, or `write_lock`, ends the read (it has
# written nothing) and begins again with BEGIN IMMEDIATE, so whatever a write depends on is
# read again under the lock (the audit log head is: `audit.log`). No effect on PostgreSQL.
_READS_FIRST: ContextVar[bool] = ContextVar("incidents_sqlite_reads_first", default=False)
_READING = "incidents.sqlite_reading"
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def set_reads_first(reads_first: bool) -> None:
    """Transactions begun from now on in this context (a request, a command) start as readers
    on SQLite (see above); False: as writers, the default."""
    _READS_FIRST.set(reads_first)


def write_lock(session: Session) -> None:
    """Make sure this transaction holds the write lock before reading what a write depends on:
    on SQLite, a transaction begun as a reader takes it now; elsewhere a no-op (PostgreSQL
    locks rows: `SELECT ... FOR UPDATE`)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    connection = session.connection()
    if connection.info.get(_READING):
        _take_write_lock(connection)


# Issue 21: a trust's or an LA's statistics sort and hash every cited clause of two years of
# cases; PostgreSQL's default 4 MB per sort spilled them to disk, so the page grew faster than
# the data. Enough for a 300-school LA, for this one transaction only.
STATISTICS_WORK_MEM = "64MB"


def roomy_sorts(session: Session) -> None:
    """Give this transaction's sorts room in memory (PostgreSQL's work_mem, SET LOCAL: it ends
    with the transaction). No effect on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL work_mem = '{STATISTICS_WORK_MEM}'"))  # nosec B608 - a constant


# SQLite (issue 21) keeps no planner statistics unless asked, so as a school's log and cases
# grow it can pick an index that reads a whole school's log for one case's entries. ANALYZE with
# a small analysis limit samples each index (milliseconds, whatever the size); the scheduled
# jobs run it (`incidents jobs run`). PostgreSQL's autovacuum keeps its own statistics.
ANALYSIS_LIMIT = 400


def refresh_statistics(session: Session) -> bool:
    """Gather the query planner's statistics, on SQLite; False elsewhere (nothing to do). The
    caller commits."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    connection = session.connection()
    connection.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
    connection.exec_driver_sql("ANALYZE")
    return True


def begin_snapshot(session: Session) -> None:
    """Begin, in `session` (which must have no transaction under way), a transaction that
    reads one consistent picture and holds up no writer: REPEATABLE READ on PostgreSQL, a
    reader on SQLite (WAL). For long reads such as `audit verify` (issue 21); it is meant to
    write nothing: end it, then write in a transaction of its own."""
    if session.in_transaction():
        raise RuntimeError("begin_snapshot needs a session with no transaction under way")
    if session.get_bind().dialect.name == "sqlite":
        before = _READS_FIRST.get()
        _READS_FIRST.set(True)
        try:
            session.connection()
        finally:
            _READS_FIRST.set(before)
        return
    if isinstance(session.get_bind(), Engine):  # not one joined to a caller's (a test's)
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _take_write_lock(connection: Any) -> None:
    if connection.in_nested_transaction():
        # A savepoint would not survive ending the read: left to SQLite's own lock upgrade.
        return
    connection.info[_READING] = False
    raw = connection.connection.driver_connection
    # The read wrote nothing, so ending it loses nothing; the ORM's objects stay as loaded.
    raw.execute("COMMIT")
    raw.execute("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine, **info: object) -> sessionmaker[Session]:
    """Sessions that carry the keyring (personal fields are sealed and opened through it), the
    audit signer and the log origin prefix, in `Session.info`."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True, info=dict(info))
