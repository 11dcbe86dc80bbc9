"""The batch checks of a log verification, and running them over contiguous ranges of the log in
worker processes, one read connection each: reading a million rows through the driver and
hashing them is most of a verification's cost, and it splits cleanly by range.

Standard library only at import time (the workers import this module and nothing else of the
application: no Flask, no SQLAlchemy); a PostgreSQL worker imports the psycopg driver when it
connects. The caller holds the log's write lock for the whole run, so the workers, reading
committed data on their own connections, see the same entries as the caller.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import re
import subprocess  # nosec B404
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

NodeSource = Callable[[int, int], bytes]  # tlog.NodeSource, not imported: workers stay light

BATCH = 50_000
# Below this many entries one process is quicker: starting a worker costs more than it saves.
# A module constant so that tests can force the parallel path on a small log.
MIN_ENTRIES = 100_000
MAX_WORKERS = 4
# The workers build the tree up to this level (ranges aligned to 2**HEIGHT entries); the
# parent hashes only the few nodes above it.
HEIGHT = 12
# A worker reads and checks about half a million entries a second; far beyond that something
# is stuck, and the verification fails rather than hanging with the log's write lock held.
TIMEOUT_S = 600.0
_SEQ = re.compile(rb'"seq":(-?\d+)')
# Every column the application reads beside the leaf, in this order after seq, leaf, leaf_hash:
# each is checked against what the leaf records (issue 19, item 1).
BOUND = ("actor_id", "case_id", "object_type", "object_id", "action", "at", "detail_ct")
_QUERY = (
    "SELECT seq, leaf, leaf_hash, actor_id, case_id, object_type, object_id, action, at,"
    " detail_ct FROM audit_entry WHERE school_id = {p} AND seq < {p}"
)
# The same rows of one whole log below the head, in order (the one-process verification).
ENTRY_ROWS = _QUERY.replace("seq < {p}", "seq < {s}") + " ORDER BY seq"
# One level's stored tree nodes in [lo, hi), concatenated in index order by the database: one
# value back instead of a row per node (a million rows through the driver cost as much as
# hashing the entries). Only 32-byte hashes count. With the range bounded and (school, level,
# node_index) unique, the result equals the expected bytes only if every node of the range is
# stored with exactly its hash; rows outside every range are the parent's to find.
# SQLite before 3.44 has no ORDER BY inside an aggregate, so the order is the primary key's
# index, named so that no planner statistics (which anyone who can write the file can change)
# can swap it for a table scan in another order. An ordered subquery would do the same at a
# fifth more time per node. The index is the one SQLite makes for the table's only key.
LEVEL_QUERIES = {
    "sqlite": "SELECT CAST(group_concat(hash, '') AS BLOB) FROM audit_tree_node"
    " INDEXED BY sqlite_autoindex_audit_tree_node_1"
    " WHERE school_id = ? AND level = ? AND node_index >= ? AND node_index < ?"
    " AND length(hash) = 32",
    "postgresql": "SELECT string_agg(hash, ''::bytea ORDER BY node_index) FROM audit_tree_node"
    " WHERE school_id = %s AND level = %s AND node_index >= %s AND node_index < %s"
    " AND length(hash) = 32",
}


class ParallelVerifyError(RuntimeError):
    """A worker could not run its range (a database error, a crash, a timeout): not a finding
    about the log, which was not checked."""


@dataclass(frozen=True)
class Source:
    """What a worker needs to open its own connection: the driver's connect arguments as the
    application's engine would pass them, and the school id as the database stores it."""

    dialect: str  # "sqlite" or "postgresql"
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    school: Any


def check_batch(part: Sequence[Sequence[Any]], start: int, marker: bytes) -> list[bytes] | None:
    """The leaf hashes of rows (seq, leaf, leaf_hash) that should be entries start, start+1, ...
    if every one passes the checks of the entry-by-entry verification; else None. The checks
    run inside C (list comparisons, one regex and one count over the joined batch) rather than
    once per entry in Python: at a million entries that per-entry cost exceeded the hashing."""
    count = len(part)
    expected = list(range(start, start + count))
    leaves = [row[1] for row in part]
    sha256 = hashlib.sha256
    # tlog.leaf_hash, inlined: RFC 9162's leaf prefix 0x00.
    computed = [sha256(b"\x00" + leaf).digest() for leaf in leaves]
    if [row[0] for row in part] != expected or computed != [row[2] for row in part]:
        return None
    # Quotes inside JSON strings are escaped, so each canonical leaf holds '"seq":' and its log
    # marker exactly once, at the top level.
    joined = b"\n".join(leaves)
    claimed = _SEQ.findall(joined)
    if len(claimed) != count or list(map(int, claimed)) != expected:
        return None
    if joined.count(marker) != count:
        return None
    for row in part:
        if unbound_column(row) is not None:
            return None
    return computed


# --- the columns bound to the leaf ---------------------------------------------------------
# The database driver's own values: a UUID is a uuid.UUID (psycopg) or 32 hex digits (SQLite,
# as SQLAlchemy stores it); a time an aware datetime (PostgreSQL) or ISO text without a zone
# (SQLite, UTC); the detail ciphertext bytes or a memoryview.


def _uuid_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return value.hex
    return str(value).replace("-", "").lower()


def _leaf_uuid(value: Any) -> str | None:
    return None if value is None else str(value).replace("-", "").lower()


def _ts_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 26 and value[10] == " ":
        return value[:10] + "T" + value[11:] + "Z"  # SQLite's UTC text, fixed microseconds
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _digest_text(value: Any) -> str | None:
    if value is None:
        return None
    return base64.b64encode(hashlib.sha256(bytes(value)).digest()).decode()


def unbound_column(row: Sequence[Any]) -> str | None:
    """The first column of a row (`COLUMNS` order) that is not what its leaf records, or None
    when every one is. A leaf that is not a JSON object binds nothing: "leaf"."""
    try:
        entry = json.loads(bytes(row[1]))
    except ValueError:
        return "leaf"
    if not isinstance(entry, dict):
        return "leaf"
    actor, case, obj, oid, action, at, detail = row[3:10]
    try:
        checks = (
            ("actor_id", _uuid_text(actor) == _leaf_uuid(entry.get("actor"))),
            ("case_id", _uuid_text(case) == _leaf_uuid(entry.get("case"))),
            ("object_type", obj == entry.get("obj")),
            ("object_id", _uuid_text(oid) == _leaf_uuid(entry.get("oid"))),
            ("action", action == entry.get("action")),
            ("at", _ts_text(at) == entry.get("ts")),
            ("detail_ct", _digest_text(detail) == entry.get("detail")),
        )
    except (TypeError, ValueError):
        return "at"  # the only conversion that can fail: a time that is not a time
    return next((name for name, ok in checks if not ok), None)


def level_matches(
    cursor: Any, dialect: str, school: Any, level: int, lo: int, expected: bytes | memoryview
) -> bool:
    """Whether the stored nodes of `level` from index `lo` on, as many as `expected` holds
    (32 bytes each), are exactly those hashes: one query, compared as bytes."""
    cursor.execute(LEVEL_QUERIES[dialect], (school, level, lo, lo + len(expected) // 32))
    row = cursor.fetchone()
    stored = row[0] if row is not None and row[0] is not None else b""
    return bool(stored == expected)


def range_hashes(
    source: Source, start: int, stop: int, marker: bytes, height: int = 0
) -> bytes | None:
    """Worker: entries start..stop-1 checked, then their leaf hashes and the tree levels above
    them up to `height`, as one blob of 32-byte hashes (cheap to send back, level by level);
    None if any row is wrong, missing or extra in the range, or if a stored tree node of levels
    1..height over the range is not the one its entries give."""
    connection = _connect(source)
    try:
        hashes = _checked_hashes(connection, source, start, stop, marker)
        if hashes is None:
            return None
        levels = range_levels(hashes, height)
        blob = b"".join(itertools.chain.from_iterable(levels))
        if not _nodes_match(connection, source, levels, start, blob):
            return None
    finally:
        connection.close()
    return blob


def _connect(source: Source) -> Any:
    if source.dialect == "sqlite":
        import sqlite3

        kwargs = {"timeout": 15, **source.kwargs}
        connection: Any = sqlite3.connect(*source.args, **kwargs)
        connection.execute("PRAGMA query_only=ON")
        return connection
    import psycopg

    connection = psycopg.connect(*source.args, **source.kwargs)
    connection.read_only = True
    return connection


def _checked_hashes(
    connection: Any, source: Source, start: int, stop: int, marker: bytes
) -> list[bytes] | None:
    """The leaf hashes of entries start..stop-1 if every row passes `check_batch` and none is
    missing or extra; else None."""
    # The first range has no lower bound, so a row with a negative seq is read and fails the
    # contiguity check instead of passing unseen.
    query = _QUERY + (" AND seq >= {p}" if start else "") + " ORDER BY seq"
    params = (source.school, stop, start) if start else (source.school, stop)
    if source.dialect == "sqlite":
        cursor = connection.cursor()
        cursor.execute(query.format(p="?"), params)
    else:
        # A server-side cursor: the range arrives a batch at a time, not all at once.
        cursor = connection.cursor(name="audit_verify_range")
        cursor.execute(query.format(p="%s"), params)
    hashes: list[bytes] = []
    at = start
    try:
        while part := cursor.fetchmany(BATCH):
            computed = check_batch(part, at, marker)
            if computed is None:
                return None
            hashes += computed
            at += len(part)
    finally:
        cursor.close()
    # Rows deleted from the end of the range leave the rest contiguous: the count catches it.
    return hashes if at == stop else None


def _nodes_match(
    connection: Any, source: Source, levels: list[list[bytes]], start: int, blob: bytes
) -> bool:
    """Whether the stored nodes of levels 1..height over this range are the ones just built.
    The ranges start at multiples of 2**height, so their nodes of those levels are exactly
    the log's, each range's own. The expected bytes are views into the blob, not copies."""
    view = memoryview(blob)
    at = len(levels[0]) * 32
    cursor = connection.cursor()
    try:
        for level in range(1, len(levels)):
            length = len(levels[level]) * 32
            expected = view[at : at + length]
            at += length
            if not level_matches(
                cursor, source.dialect, source.school, level, start >> level, expected
            ):
                return False
    finally:
        cursor.close()
    return True


def range_levels(hashes: list[bytes], height: int) -> list[list[bytes]]:
    """Levels 0..height of the tree over these leaf hashes, as tlog.levels_from_leaves builds
    them (an odd last node is not paired: range_hash carries it up). A range starting at a
    multiple of 2**height has exactly the nodes of the whole log's tree below that height."""
    levels = [hashes]
    sha256 = hashlib.sha256
    for _ in range(height):
        below = levels[-1]
        levels.append(
            [
                sha256(b"\x01" + left + right).digest()
                for left, right in zip(below[::2], below[1::2], strict=False)
            ]
        )
    return levels


def split(size: int, workers: int) -> tuple[list[int], int]:
    """Range bounds for `workers` and the height of the tree levels each worker builds: every
    bound a multiple of 2**height, so the ranges' subtrees below it are the log's own."""
    height = min(HEIGHT, max((size // workers).bit_length() - 1, 0))
    bounds = [(size * i // workers) >> height << height for i in range(workers)] + [size]
    return bounds, height


class JoinedTree:
    """The whole log's tree from the workers' levels: levels up to `height` are the ranges'
    levels end to end; the few above are hashed here. A node source (tlog.NodeSource), and
    each level's hashes packed, for comparing with the stored nodes."""

    def __init__(self, packed: list[bytes], above: list[list[bytes]], height: int) -> None:
        self.packed = packed
        self.above = above
        self.height = height

    def __call__(self, level: int, index: int) -> bytes:
        # Slices of the packed levels, not a million bytes objects: building those cost the
        # parent more time than the hashing it no longer does.
        if level < self.height:
            return self.packed[level][index * 32 : index * 32 + 32]
        return self.above[level - self.height][index]

    def level(self, level: int) -> bytes:
        """All the hashes of a level (0 up to the root's), packed in index order."""
        if level < self.height:
            return self.packed[level]
        return b"".join(self.above[level - self.height])


def join_levels(bounds: list[int], height: int, blobs: list[bytes]) -> JoinedTree:
    """The whole log's tree from the workers' blobs (`range_hashes`)."""
    levels = [bytearray() for _ in range(height + 1)]
    for (lo, hi), blob in zip(itertools.pairwise(bounds), blobs, strict=True):
        at = 0
        for level in range(height + 1):
            length = ((hi - lo) >> level) * 32
            levels[level] += blob[at : at + length]
            at += length
    top = levels[height]
    above = [[bytes(top[i : i + 32]) for i in range(0, len(top), 32)]]
    sha256 = hashlib.sha256
    while len(above[-1]) > 1:
        below = above[-1]
        above.append(
            [
                sha256(b"\x01" + left + right).digest()
                for left, right in zip(below[::2], below[1::2], strict=False)
            ]
        )
    return JoinedTree([bytes(level) for level in levels[:height]], above, height)


def worker_count(size: int, limit: int | None = None) -> int:
    """How many workers for a log of `size` entries: none (one process) below MIN_ENTRIES,
    else one a core, at most MAX_WORKERS and at most `limit` (a limit of 1: one process)."""
    if size < max(MIN_ENTRIES, 2):
        return 0
    workers = min(os.cpu_count() or 1, MAX_WORKERS, size, MAX_WORKERS if limit is None else limit)
    return workers if workers >= 2 else 0


# Issue 21: verification is background work. On a server that also runs the web app, workers
# at the same CPU priority as gunicorn's take their share of the cores from the pages being
# served; reniced, they use only what the pages leave idle. The workers inherit the niceness of
# the process that starts them (POSIX). But Linux's autogroup scheduling (on by default on
# desktops and many servers) shares the CPU between sessions first, and niceness only orders
# the processes within one: measured, reniced workers in the command's session still took as
# much from gunicorn (its own session) as before. So each worker leads a session of its own,
# and gives its group its niceness. (Under a systemd unit with a cgroup CPU controller the
# unit's CPUWeight= decides instead: docs/deploy.md.)
NICENESS = 10
AUTOGROUP = Path("/proc/self/autogroup")


def lower_priority(by: int) -> int:
    """Lower this process's CPU priority by `by` (0: unchanged), and so that of every worker
    it starts from now on; and its autogroup's, when it leads its session (a timer's or
    cron's job; from a shell the session is the shell's, left alone). Returns the niceness."""
    if by <= 0:
        return os.nice(0)
    niceness = os.nice(by)
    if os.getsid(0) == os.getpid():
        group_priority(niceness)
    return niceness


def group_priority(niceness: int, group: Path = AUTOGROUP) -> bool:
    """Give this process's autogroup (its session's) the niceness given, where the kernel has
    autogroups; whether it did. Only a session's leader should: the group is the session's."""
    if niceness <= 0:
        return False
    try:
        group.write_text(str(niceness))
    except OSError:  # no autogroups here, or not allowed: niceness alone is what there is
        return False
    return True


def verified_tree(source: Source, size: int, workers: int, marker: bytes) -> JoinedTree | None:
    """The tree over entries 0..size-1 (as tlog.levels_from_leaves would build it from their
    leaf hashes), checked and built in `workers` processes, which also compare the stored tree
    nodes of levels 1..height over their ranges (the caller compares the levels above); None
    if any range fails its checks (the caller then goes entry by entry to name the first bad
    entry or node).
    Raises ParallelVerifyError if a worker fails to run or to finish.

    Each worker is a fresh interpreter running this module (`python -m`), not a forked copy:
    the parent holds a live database connection and the log's lock, which a forked child would
    share. Nor a multiprocessing 'spawn' pool: that re-imports the parent's __main__ in every
    worker, which for `incidents` is the whole Flask CLI (measured: 1.4 s CPU a worker, so two
    workers were slower than one process), and a __main__ without a guard would run again."""
    bounds, height = split(size, workers)
    root = str(Path(__file__).resolve().parents[2])  # the folder holding `incidents`
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
    }
    children: list[subprocess.Popen[bytes]] = []
    try:
        for lo, hi in itertools.pairwise(bounds):
            request = {
                "dialect": source.dialect,
                "args": list(source.args),
                "kwargs": source.kwargs,
                "school": str(source.school),
                "start": lo,
                "stop": hi,
                "marker": marker.decode(),
                "height": height,
                "nice": os.nice(0),
            }
            # bandit B404/B603: this interpreter, this module, a fixed argument list, no
            # shell: nothing from input reaches the command line (the request goes on stdin).
            # A session of its own: its autogroup then holds only it (see NICENESS). The
            # `finally` below still stops it if this process fails or is interrupted.
            child = subprocess.Popen(  # noqa: S603 # nosec B603
                [sys.executable, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                start_new_session=True,
            )
            children.append(child)
            # On stdin, not the command line: the request can hold the database password.
            stdin = cast(IO[bytes], child.stdin)
            # One line, left open: `communicate` below flushes and closes it.
            stdin.write(json.dumps(request).encode() + b"\n")
            stdin.flush()
        # Every worker has its request before any answer is read, so they run side by side;
        # each writes only when its range is done, so reading them in turn costs no time.
        deadline = time.monotonic() + TIMEOUT_S
        blobs = [_answer(child, deadline) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()  # after a failure elsewhere: not left reading with the lock held
                child.wait()
    checked = [blob for blob in blobs if blob is not None]
    return join_levels(bounds, height, checked) if len(checked) == len(blobs) else None


def _answer(child: subprocess.Popen[bytes], deadline: float) -> bytes | None:
    try:
        out, err = child.communicate(timeout=max(deadline - time.monotonic(), 0.1))
    except subprocess.TimeoutExpired as exc:
        raise ParallelVerifyError(
            f"a verification worker did not finish within {TIMEOUT_S:.0f} s"
        ) from exc
    if child.returncode != 0 or not out:
        lines = err.decode(errors="replace").strip().splitlines()
        raise ParallelVerifyError(
            f"a verification worker failed (exit status {child.returncode}): "
            f"{lines[-1] if lines else 'no message'}"
        )
    return out[1:] if out[:1] == b"\x01" else None


def _main() -> int:
    """A worker: the request as a JSON line on stdin; on stdout a byte 1 then the hashes, or a
    byte 0 for a failed check. An error is a traceback on stderr and a non-zero exit."""
    request = json.loads(sys.stdin.buffer.readline())
    group_priority(int(request.get("nice", 0)))  # the niceness it inherited, for its group too
    school: Any = request["school"]
    if request["dialect"] == "postgresql":
        school = uuid.UUID(school)
    source = Source(request["dialect"], tuple(request["args"]), request["kwargs"], school)
    blob = range_hashes(
        source, request["start"], request["stop"], request["marker"].encode(), request["height"]
    )
    sys.stdout.buffer.write(b"\x00" if blob is None else b"\x01" + blob)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_main())
