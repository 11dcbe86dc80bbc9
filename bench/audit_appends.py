"""Section 1 of `audit_bench.py`: append throughput, one entry per transaction, through the
service layer and through bare drivers: the issue's bare loop on toy tables, and the fair floor
(the statements `record` sends, on the app's own schema). Run it through `audit_bench.py --parts 1`.
"""

from __future__ import annotations

import hashlib
import sqlite3
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from incidents.audit import Action, record, tlog
from incidents.crypto.keyring import Keyring
from incidents.db import make_engine, new_id
from tests import factories

# Each way of appending is set up once and returns `run(n)`: the seconds n appends
# took. The ways take turns, a round each, so a machine shared with other work slows them alike.
Run = Callable[[int], float]
Fresh = Callable[[str | None, Path, str, Keyring], str]  # audit_bench.fresh: a migrated database


def service_appends(engine: Engine, keyring: Keyring, school_id: uuid.UUID) -> Run:
    """What a web request does: a new Session, `audit.record`, commit."""

    def run(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            with Session(engine, info={"keyring": keyring}) as session:
                record(
                    session,
                    school_id=school_id,
                    action=Action.SIGN_IN,
                    actor=None,
                    checkpoint=False,
                )
                session.commit()
        return time.perf_counter() - start

    return run


def raw_sqlite_appends(folder: Path) -> Run:
    """The issue's floor: lock, read head, insert, update head, commit in bare sqlite3, WAL with
    synchronous=NORMAL, on two tables of its own (an integer key each, no other index, no
    foreign key). Not a fair floor for `record`: the app's audit_entry carries five more
    indexes and a foreign key, and each append also stores tree nodes, so every commit writes
    several times the pages; `same_rows_appends` is the bare loop over the app's schema."""
    conn = sqlite3.connect(folder / "raw.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE head (id INTEGER PRIMARY KEY, size INTEGER, root BLOB)")
    conn.execute("CREATE TABLE entry (seq INTEGER PRIMARY KEY, leaf BLOB, leaf_hash BLOB)")
    conn.execute("INSERT INTO head VALUES (1, 0, x'')")
    leaf = b"x" * 330

    def run(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            conn.execute("BEGIN IMMEDIATE")
            (size,) = conn.execute("SELECT size FROM head WHERE id = 1").fetchone()
            digest = hashlib.sha256(b"\x00" + leaf).digest()
            conn.execute("INSERT INTO entry VALUES (?, ?, ?)", (size, leaf, digest))
            conn.execute("UPDATE head SET size = ?, root = ? WHERE id = 1", (size + 1, digest))
            conn.execute("COMMIT")
        return time.perf_counter() - start

    return run


# The statements `record` sends, written out for a bare driver ("?" placeholders).
_HEAD = (
    "SELECT origin, size, frontier, EXISTS (SELECT 1 FROM audit_entry WHERE "
    "audit_entry.school_id = audit_log.school_id AND audit_entry.seq = audit_log.size) "
    "FROM audit_log WHERE school_id = ?"
)
_ENTRY = (
    "INSERT INTO audit_entry (id, school_id, seq, leaf, leaf_hash, at, action, actor_id, "
    "case_id, object_type, object_id, detail_ct) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_NODE = "INSERT INTO audit_tree_node (school_id, level, node_index, hash) VALUES (?, ?, ?, ?)"
_ADVANCE = "UPDATE audit_log SET size = ?, frontier = ?, root = ? WHERE school_id = ?"


def same_rows_appends(url: str, school_id: uuid.UUID) -> Run:
    """The fair floor: what `record` + commit send, in a bare driver on the app's own schema
    and settings (SQLite: WAL, synchronous=NORMAL, foreign keys on, BEGIN IMMEDIATE; PostgreSQL:
    FOR UPDATE on the head row): lock and read the head with the next slot's check, insert the
    entry (every column, a UUIDv7 id), the completed tree nodes and the new head, commit. It
    hashes and folds the frontier as `record` does, but builds no JSON leaf (a fixed 330 bytes,
    about a sign-in's) and encrypts nothing."""
    sqlite = url.startswith("sqlite")
    if sqlite:
        conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
            conn.execute(f"PRAGMA {pragma}")
        key: Any = school_id.hex  # how SQLAlchemy stores a Uuid on SQLite
        head, entry, node, advance = _HEAD, _ENTRY, _NODE, _ADVANCE
    else:
        import psycopg
        from sqlalchemy.engine import make_url

        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = psycopg.connect(dsn)
        key = school_id
        head, entry, node, advance = (
            q.replace("?", "%s") for q in (_HEAD + " FOR UPDATE", _ENTRY, _NODE, _ADVANCE)
        )
    leaf = b"x" * 330

    def run(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            if sqlite:
                conn.execute("BEGIN IMMEDIATE")
            _origin, size, frontier, taken = conn.execute(head, (key,)).fetchone()
            assert not taken
            now = datetime.now(UTC)
            digest = tlog.leaf_hash(leaf)
            nodes, done = tlog.frontier_append(tlog.unpack(bytes(frontier)), size, digest)
            at: Any = now.replace(tzinfo=None).isoformat(" ") if sqlite else now
            row_id: Any = new_id().hex if sqlite else new_id()
            action = Action.SIGN_IN.value
            values = (row_id, key, size, leaf, digest, at, action, None, None, None, None, None)
            conn.execute(entry, values)
            if done:
                conn.cursor().executemany(node, [(key, lv, ix, h) for lv, ix, h in done])
            root = tlog.frontier_root(nodes)
            conn.execute(advance, (size + 1, tlog.pack(nodes), root, key))
            conn.execute("COMMIT") if sqlite else conn.commit()
        return time.perf_counter() - start

    return run


def raw_postgres_appends(url: str) -> Run:
    """The PostgreSQL counterpart of the issue's floor: lock the head row, read it, insert,
    update, commit through bare psycopg on two tables of its own, with the server's own
    durability settings (not a fair floor either: see `raw_sqlite_appends`)."""
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    leaf = b"x" * 330
    conn = psycopg.connect(dsn)
    conn.execute("DROP TABLE IF EXISTS bench_head, bench_entry")
    conn.execute("CREATE TABLE bench_head (id int PRIMARY KEY, size int, root bytea)")
    conn.execute("CREATE TABLE bench_entry (seq int PRIMARY KEY, leaf bytea, leaf_hash bytea)")
    conn.execute("INSERT INTO bench_head VALUES (1, 0, '')")
    conn.commit()  # the tables go with the next run's `fresh`

    def run(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            (size,) = conn.execute("SELECT size FROM bench_head WHERE id = 1 FOR UPDATE").fetchone()
            digest = hashlib.sha256(b"\x00" + leaf).digest()
            conn.execute("INSERT INTO bench_entry VALUES (%s, %s, %s)", (size, leaf, digest))
            conn.execute(
                "UPDATE bench_head SET size = %s, root = %s WHERE id = 1", (size + 1, digest)
            )
            conn.commit()
        return time.perf_counter() - start

    return run


def in_turns(ways: dict[str, Run], count: int, rounds: int) -> dict[str, list[float]]:
    """Appends/s of each way in each round, the ways taking turns within a round."""
    rates: dict[str, list[float]] = {name: [] for name in ways}
    for way in ways.values():
        way(20)  # warm: connections opened, statements compiled and cached
    for _ in range(rounds):
        for name, way in ways.items():
            rates[name].append(count // rounds / way(count // rounds))
    return rates


def appends(
    count: int, rounds: int, folder: Path, keyring: Keyring, pg: str | None, fresh: Fresh
) -> None:
    print(f"1. Appends, one entry per transaction ({count} each, in {rounds} rounds taking turns):")
    sqlite_url = fresh(None, folder, "appends.db", keyring)
    ways = {"bare": raw_sqlite_appends(folder), **_on_the_schema(sqlite_url, keyring)}
    _report(in_turns(ways, count, rounds), "bare sqlite3 (WAL, NORMAL)", "SQLite")
    if pg:
        pg_url = fresh(pg, folder, "", keyring)
        ways = {"bare": raw_postgres_appends(pg_url), **_on_the_schema(pg_url, keyring)}
        _report(in_turns(ways, count, rounds), "bare psycopg (server's fsync)", "PostgreSQL")


def _on_the_schema(url: str, keyring: Keyring) -> dict[str, Run]:
    """The fair floor and the service, each on a school (and log) of its own in one database."""
    engine = make_engine(url)
    with Session(engine, info={"keyring": keyring}) as session:
        floor_school = factories.make_school(session).id
        service_school = factories.make_school(session).id
        session.commit()
    return {
        "same rows": same_rows_appends(url, floor_school),
        "service": service_appends(engine, keyring, service_school),
    }


def _report(rates: dict[str, list[float]], bare_label: str, database: str) -> None:
    """Median rates, and the median of each round's ratio (both sides measured side by side)."""
    bare, rows, ours = (rates[name] for name in ("bare", "same rows", "service"))

    def ratio(floor: list[float]) -> float:
        return statistics.median(f / o for f, o in zip(floor, ours, strict=True))

    label = f"bare driver, the app's schema ({database})"
    print(f"  {bare_label:44} {statistics.median(bare):8,.0f} appends/s")
    print(f"  {label:44} {statistics.median(rows):8,.0f} appends/s")
    print(
        f"  {'service layer, ' + database:44} {statistics.median(ours):8,.0f} appends/s "
        f"(1/{ratio(bare):.1f} of the bare loop, 1/{ratio(rows):.1f} of the app's schema)"
    )
