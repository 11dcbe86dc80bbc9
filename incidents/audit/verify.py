"""Verifying a school's stored log: recompute the tree from the stored leaf bytes and check it
against every stored checkpoint (and any checkpoint the local authority holds), naming the
first entry that is wrong where the evidence allows; then check every stored tree node (what
inclusion and consistency proofs are built from) against the recomputed tree, naming any node
that is changed, missing, or stored where the log has none."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Uuid, bindparam, func, select, text
from sqlalchemy.orm import Session

from incidents.audit import parallel, tlog
from incidents.models.audit import AuditCheckpoint, AuditEntry, AuditLog


@dataclass
class Report:
    origin: str
    entries: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)
    # The first entry known or suspected to be wrong (for a checkpoint mismatch, the first
    # entry of the range it covers beyond the last good checkpoint); None if none is named.
    first_bad: int | None = None
    # How many entries the largest signed checkpoint checked covers: entries beyond it are
    # consistent with each other, but nothing signed vouches for them yet.
    signed: int = 0

    def fail(self, problem: str, at: int | None = None) -> Report:
        self.problems.append(problem)
        if at is not None and (self.first_bad is None or at < self.first_bad):
            self.first_bad = at
        return self

    @property
    def ok(self) -> bool:
        return not self.problems


BATCH = parallel.BATCH


class _Tree(Protocol):
    """The recomputed tree: a node source, and each level's hashes packed in index order."""

    def __call__(self, level: int, index: int) -> bytes: ...

    def level(self, level: int) -> bytes: ...


@dataclass(frozen=True)
class _Levels:
    """The tree built in this process (`tlog.tree_levels`)."""

    levels: list[list[bytes]]

    def __call__(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def level(self, level: int) -> bytes:
        return b"".join(self.levels[level])


def _stream(session: Session, school_id: uuid.UUID, size: int) -> Iterator[tuple[Any, ...]]:
    # Plain text SQL, no result types: at a million rows SQLAlchemy's per-row processing would
    # cost more than the hashing. The school id is bound with its real type.
    rows = session.connection().execute(
        text(parallel.ENTRY_ROWS.format(p=":school", s=":size")).bindparams(
            bindparam("school", type_=Uuid)
        ),
        {"school": school_id, "size": size},
        execution_options={"yield_per": BATCH},
    )
    for row in rows:
        yield tuple(row)


def verify_school(
    session: Session,
    school_id: uuid.UUID,
    *,
    vkey: str,
    external: Sequence[str | tuple[str, str]] | None = None,
    unanchored: bool = False,
    lock: bool = True,
    workers: int | None = None,
) -> Report:
    """Check the whole log of one school. `vkey` is the pinned verifier key; `external` are
    checkpoint notes held outside the database (by the local authority, or the files written
    to AUDIT_CHECKPOINT_DIR). A log with entries and no signed checkpoint fails unless
    `unanchored`: entries that agree only with each other prove nothing (issue 19, item 4).
    `workers`: at most this many worker processes (`parallel.worker_count`; 1: this one)."""
    # The head row locked as an append would lock it (FOR UPDATE on PostgreSQL): appends to
    # this log wait until verification ends, so the head, the checkpoints and the entries are
    # one consistent picture (under READ COMMITTED an append between reading the head and the
    # entries would read as a mismatch). Not FOR SHARE: the caller then appends the result in
    # the same transaction, and two verifiers each holding a share lock would deadlock when
    # both upgraded it. SQLite's BEGIN IMMEDIATE already serialises the whole transaction.
    #
    # `lock=False` (issue 21): the caller has begun a snapshot instead (`db.begin_snapshot`:
    # REPEATABLE READ on PostgreSQL, a WAL reader on SQLite), which is the same consistent
    # picture without holding appends up: pages that write an audit entry never wait for it.
    head = session.get(AuditLog, school_id, with_for_update=lock, populate_existing=True)
    if head is None:
        return Report(origin="?", problems=["this school has no audit log"])
    report = _verify_log(session, head, vkey, external, workers)
    beyond = session.scalar(
        select(func.min(AuditEntry.seq)).where(
            AuditEntry.school_id == school_id, AuditEntry.seq >= head.size
        )
    )
    if beyond is not None:
        # Rows past the head: written outside the application (the head is advanced in the
        # same transaction as every entry). Named as tampering, not left to a database error.
        report.fail(
            f"entry {beyond} is stored beyond the log's last entry ({head.size} entries): it "
            "was added outside the application",
            beyond,
        )
    if head.size and not report.checkpoints and not unanchored:
        report.fail(
            f"there is no signed checkpoint to anchor the log's {head.size} entries to: they "
            "agree with each other, but nothing proves they are the entries that were written "
            "(run `incidents audit checkpoint`, or verify with --unanchored to accept that)"
        )
    return report


def _verify_log(
    session: Session,
    head: AuditLog,
    vkey: str,
    external: Sequence[str | tuple[str, str]] | None,
    limit: int | None = None,
) -> Report:
    school_id = head.school_id
    report = Report(origin=head.origin)
    wanted: dict[int, tuple[bytes, str]] = {}
    for cp in session.scalars(
        select(AuditCheckpoint).where(AuditCheckpoint.school_id == school_id)
    ):
        label = f"stored checkpoint at {cp.size}"
        opened = _accept(report, wanted, cp.note, vkey, head.origin, label)
        # The size and root columns are copies of the signed note: checked, since they are
        # what the admin page and the evidence read (issue 19, item 7).
        if opened is not None and (opened.size, opened.root) != (cp.size, bytes(cp.root)):
            report.fail(f"the {label}: its size or root column is not what its note signs")
    for i, held in enumerate(external or []):
        label, note = held if isinstance(held, tuple) else (f"external checkpoint {i + 1}", held)
        _accept(report, wanted, note, vkey, head.origin, label)
    report.checkpoints = len(wanted)

    log_marker = b'"log":' + tlog.canonical({"o": head.origin})[5:-1] + b","
    source = _parallel_source(session, school_id, head.size, limit)
    tree: _Tree | None = None
    nodes_checked_to = 0  # the workers compare the stored nodes of levels 1..this themselves
    if source is not None:
        workers = parallel.worker_count(head.size, limit)
        joined = parallel.verified_tree(source, head.size, workers, log_marker)
        if joined is not None:
            tree, nodes_checked_to = joined, joined.height
    if tree is not None:
        report.entries = head.size  # the workers checked exactly entries 0..size-1
    else:
        hashes = _fast_hashes(session, school_id, log_marker, head.size) if source is None else None
        if hashes is None:
            # Something is wrong: go again entry by entry, to name the first bad one.
            hashes = _entry_by_entry(session, school_id, log_marker, report, head.size)
            if hashes is None:
                return report
        report.entries = len(hashes)
        # The whole tree once, level by level; each checkpoint's root is then O(log n) lookups.
        tree = _Levels(tlog.tree_levels(hashes))
    node: tlog.NodeSource = tree
    entries = report.entries
    last_good = 0
    mismatch_from: int | None = None
    for size, (root, label) in sorted(wanted.items()):
        if size > entries:
            report.fail(
                f"the log was truncated: the {label} covers {size} entries, only {entries} remain",
                entries,
            )
            break
        if (tlog.range_hash(node, 0, size) if size else tlog.EMPTY_ROOT) != root:
            # The range, then the stored nodes below (which a rewrite that did not also
            # recompute them leaves as they were): they name the entry (issue 19, item 7).
            report.fail(
                f"the log does not match the {label}: an entry between {last_good} and "
                f"{size - 1} was changed, removed or inserted",
                None,
            )
            mismatch_from = last_good
            break
        last_good = size
    report.signed = last_good
    if head.size > entries and report.ok:
        # Rows removed from the end (below the head): the first one gone is the bad entry.
        report.fail(
            f"entry {entries} is missing: the log's head says it has {head.size} entries",
            entries,
        )
    elif head.root != tlog.root_of_levels(node, entries):
        report.fail("the log head's root does not match its entries")
    elif bytes(head.frontier) != tlog.pack(_frontier(node, entries)):
        # The next append builds on the frontier: a changed one would fork the log there.
        report.fail("the log head's frontier does not match its entries: the next entry would fork")
    _checkpoint_rows(session, school_id, report)
    if report.ok:
        late = _out_of_order(session, school_id, entries)
        if late is not None:
            report.fail(
                f"entry {late} is dated before the entry before it: entries were reordered or "
                "a time was forged",
                late,
            )
    checked = range(nodes_checked_to + 1, entries.bit_length())
    problems = _node_problems(session, school_id, entries, tree.level, checked)
    _report_nodes(report, problems, entries)
    if mismatch_from is not None and report.first_bad is None:
        report.first_bad = mismatch_from  # no node narrowed it: the range's first entry
    return report


def _frontier(node: tlog.NodeSource, size: int) -> list[bytes]:
    """The roots of the perfect subtrees making up a tree of `size` leaves, largest first."""
    frontier, start = [], 0
    for level in reversed(range(size.bit_length())):
        if size >> level & 1:
            frontier.append(node(level, start >> level))
            start += 1 << level
    return frontier


_CHECKPOINT_ROWS = text(
    "SELECT c.size, c.reason, c.created_at, e.action, e.at FROM audit_checkpoint c"
    " LEFT JOIN audit_entry e ON e.school_id = c.school_id AND e.seq = c.size - 1"
    " WHERE c.school_id = :school"
).bindparams(bindparam("school", type_=Uuid))


def _checkpoint_rows(session: Session, school_id: uuid.UUID, report: Report) -> None:
    """The checkpoint columns the signature does not cover, against the entry it was signed
    after: its reason is "scheduled" or that entry's action (a high-stakes entry is signed at
    once), and it was not made before that entry (the admin page shows both)."""
    rows = session.connection().execute(_CHECKPOINT_ROWS, {"school": school_id})
    for size, reason, created_at, action, at in rows:
        if size == 0 or action is None:
            continue  # an empty log's checkpoint, or a truncation reported above
        made, last = parallel._ts_text(created_at), parallel._ts_text(at)
        if reason not in ("scheduled", action) or (
            made is not None and last is not None and made < last
        ):
            report.fail(
                f"the stored checkpoint at {size}: its reason or time was changed (it does not "
                f"fit entry {size - 1}, which it was signed after)"
            )


_OUT_OF_ORDER = text(
    "SELECT min(seq) FROM (SELECT seq, at, lag(at) OVER (ORDER BY seq) AS before"
    " FROM audit_entry WHERE school_id = :school AND seq < :size) AS timed"
    " WHERE at < before"
).bindparams(bindparam("school", type_=Uuid))


def _out_of_order(session: Session, school_id: uuid.UUID, size: int) -> int | None:
    """The first entry dated before the one before it. On the `at` column, in the database,
    once every column has been checked equal to its leaf's time (UTC, fixed microseconds,
    which sort as they read on both databases)."""
    found = session.connection().execute(_OUT_OF_ORDER, {"school": school_id, "size": size})
    value = found.scalar()
    return None if value is None else int(value)


def _fast_hashes(
    session: Session, school_id: uuid.UUID, marker: bytes, size: int
) -> list[bytes] | None:
    """Every leaf hash in order, if every entry passes the checks of `_entry_by_entry`; else
    None. One process, a batch at a time (`parallel.check_batch`)."""
    cursor = _driver_cursor(session, school_id, size)
    if cursor is None:
        return None
    hashes: list[bytes] = []
    try:
        while part := cursor.fetchmany(BATCH):
            computed = parallel.check_batch(part, len(hashes), marker)
            if computed is None:
                return None
            hashes += computed
    finally:
        cursor.close()
    return hashes


def _parallel_source(
    session: Session, school_id: uuid.UUID, size: int, limit: int | None = None
) -> parallel.Source | None:
    """Where worker processes can read this log, if it is worth splitting; None for one
    process. The workers read only entries below `size`, the head this transaction locked, so
    a row stored beyond it (which the one-process path would count, and report as not matching
    the head) sends the check to one process instead of going unseen."""
    if parallel.worker_count(size, limit) == 0:
        return None
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name not in ("sqlite", "postgresql"):
        return None
    args, kwargs = dialect.create_connect_args(connection.engine.url)
    if dialect.name == "sqlite":
        if not args or args[0] in ("", ":memory:") or "mode=memory" in str(args[0]):
            return None  # a private in-memory database: no other connection can see it
    else:
        # Only plain settings (host, user, password...): psycopg's adapter map stays behind.
        kwargs = {k: v for k, v in kwargs.items() if isinstance(v, str | int | float | bool)}
    beyond = connection.execute(
        text(
            "SELECT 1 FROM audit_entry WHERE school_id = :school AND seq >= :size LIMIT 1"
        ).bindparams(bindparam("school", type_=Uuid)),
        {"school": school_id, "size": size},
    ).first()
    if beyond is not None:
        return None
    bind = Uuid().bind_processor(dialect)
    school = bind(school_id) if bind else school_id  # as SQLAlchemy stores it (SQLite: hex)
    return parallel.Source(dialect.name, tuple(args), dict(kwargs), school)


def _driver(session: Session, school_id: uuid.UUID) -> tuple[str, Any, Any] | None:
    """The database driver's own connection under the session's, with its dialect's name and
    the school id as the database stores it (SQLite: hex); None for a database other than
    the two supported, which the slower SQLAlchemy paths serve."""
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name not in ("sqlite", "postgresql"):
        return None
    bind = Uuid().bind_processor(dialect)
    school = bind(school_id) if bind else school_id
    return dialect.name, connection.connection.dbapi_connection, school


def _driver_cursor(session: Session, school_id: uuid.UUID, size: int) -> Any:
    """The log's rows straight from the database driver, in order: SQLAlchemy's Row objects
    cost more than the SHA-256 of the leaf, and its streaming result reads ahead of its own
    cursor. Only for the two supported databases; None sends any other to the slow path."""
    driver = _driver(session, school_id)
    if driver is None:
        return None
    dialect, connection, school = driver
    # Only entries below the head: a row beyond it is named by `verify_school` itself.
    query = parallel.ENTRY_ROWS
    if dialect == "postgresql":
        # A named (server-side) cursor: the log arrives a batch at a time, not all at once.
        cursor = connection.cursor(name="audit_verify")
        cursor.execute(query.format(p="%s", s="%s"), (school, size))
    else:
        cursor = connection.cursor()
        cursor.execute(query.format(p="?", s="?"), (school, size))
    return cursor


def _entry_by_entry(
    session: Session, school_id: uuid.UUID, marker: bytes, report: Report, size: int
) -> list[bytes] | None:
    """The same checks one entry at a time, stopping at the first bad entry with its reason
    in `report` (and returning None)."""
    hashes: list[bytes] = []
    for row in _stream(session, school_id, size):
        seq, leaf, stored_hash = row[0], bytes(row[1]), bytes(row[2])
        expected = len(hashes)
        if seq != expected:
            kind = "missing" if seq > expected else "duplicated"
            report.fail(f"entry {expected} is {kind} (next stored entry is {seq})", expected)
            return None
        digest = tlog.leaf_hash(leaf)
        if digest != stored_hash:
            report.fail(f"entry {seq}: its bytes were altered after it was recorded", seq)
            return None
        claimed = _claimed_seq(leaf)
        if claimed != seq:
            report.fail(
                f"entry {seq}: it says it is entry {claimed}: entries were moved or swapped", seq
            )
            return None
        if marker not in leaf:
            report.fail(f"entry {seq}: it belongs to another log", seq)
            return None
        column = parallel.unbound_column(row)
        if column is not None:
            # The leaf is intact, so the column was changed: what the case history, the admin
            # page and the proof bundles read must be what was recorded (issue 19, item 1).
            report.fail(
                f"entry {seq}: its {column} column was changed: it is not what the entry recorded",
                seq,
            )
            return None
        hashes.append(digest)
    return hashes


def _claimed_seq(leaf: bytes) -> int | None:
    """The sequence number written inside a canonical leaf, read without parsing the JSON:
    keys are unique and quotes inside strings are escaped, so '"seq":' occurs once."""
    at = leaf.find(b'"seq":')
    if at < 0:
        return None
    end = leaf.find(b",", at)
    try:
        return int(leaf[at + 6 : end if end > 0 else None])
    except ValueError:
        return None


# --- the stored tree nodes ----------------------------------------------------------------
# Beyond this many, node problems are counted rather than listed (a deleted table would
# otherwise make a problem of every node).
MAX_NODE_PROBLEMS = 10

_LEVEL_ROWS = text(
    "SELECT node_index, hash FROM audit_tree_node WHERE school_id = :school AND level = :level"
    " AND node_index >= 0 AND node_index < :end"
).bindparams(bindparam("school", type_=Uuid))
# Rows where a log of this size has no node: each part an index range, so the primary key's
# index finds them without reading the nodes that belong.
_STRAY_LEVELS = text(
    "SELECT level, node_index FROM audit_tree_node WHERE school_id = :school AND level < 1"
    " UNION ALL SELECT level, node_index FROM audit_tree_node"
    " WHERE school_id = :school AND level > :top"
).bindparams(bindparam("school", type_=Uuid))
_STRAY_INDEXES = text(
    "SELECT level, node_index FROM audit_tree_node"
    " WHERE school_id = :school AND level = :level AND node_index < 0"
    " UNION ALL SELECT level, node_index FROM audit_tree_node"
    " WHERE school_id = :school AND level = :level AND node_index >= :end"
).bindparams(bindparam("school", type_=Uuid))


@dataclass(frozen=True)
class NodeProblem:
    """A stored tree node that is not the recomputed one ("changed"), one the log should have
    and does not ("missing"), or one stored where the log has none ("stray")."""

    kind: str
    level: int
    index: int

    @property
    def first(self) -> int | None:
        """The first entry the node covers; None for a stray, which covers none."""
        return None if self.kind == "stray" else self.index << self.level

    def describe(self, size: int) -> str:
        name = f"tree node level {self.level}, index {self.index}"
        if self.first is None:
            return f"{name} is stored, but a log of {size} entries has no such node"
        covers = f"{name} (entries {self.first} to {self.first + (1 << self.level) - 1})"
        if self.kind == "missing":
            return f"{covers} is missing: proofs that need it cannot be made"
        return f"{covers} does not match those entries: proofs built from it would not verify"


def _node_problems(
    session: Session,
    school_id: uuid.UUID,
    size: int,
    expected: Callable[[int], bytes],
    levels: range,
) -> list[NodeProblem]:
    """The stored nodes of `levels` (each level's whole width) that differ from `expected`,
    and every stored node, at any level, that a log of `size` entries does not have."""
    problems: list[NodeProblem] = []
    driver = _driver(session, school_id)
    cursor = driver[1].cursor() if driver is not None else None
    try:
        for level in levels:
            hashes = expected(level)
            # One aggregate query a level, compared as bytes; the row-by-row pass only to name
            # what differs (and for a database the driver path does not serve).
            if driver is None or not parallel.level_matches(
                cursor, driver[0], driver[2], level, 0, hashes
            ):
                problems += _level_problems(session, school_id, level, hashes)
    finally:
        if cursor is not None:
            cursor.close()
    return problems + _strays(session, school_id, size)


def _level_problems(
    session: Session, school_id: uuid.UUID, level: int, expected: bytes
) -> list[NodeProblem]:
    """Each node of one level, stored or not, against its expected hash."""
    count = len(expected) // tlog.HASH_SIZE
    stored = {
        index: bytes(digest)
        for index, digest in session.connection().execute(
            _LEVEL_ROWS, {"school": school_id, "level": level, "end": count}
        )
    }
    problems: list[NodeProblem] = []
    for index in range(count):
        digest = stored.get(index)
        if digest is None:
            problems.append(NodeProblem("missing", level, index))
        elif digest != expected[index * tlog.HASH_SIZE : (index + 1) * tlog.HASH_SIZE]:
            problems.append(NodeProblem("changed", level, index))
    return problems


def _strays(session: Session, school_id: uuid.UUID, size: int) -> list[NodeProblem]:
    """Stored nodes a log of `size` entries does not have: at a level below 1 or above its
    root's, at a negative index, or beyond the last complete subtree of their level."""
    top = max(size.bit_length() - 1, 0)  # the root's level; no node at all below 2 entries
    connection = session.connection()
    rows = list(connection.execute(_STRAY_LEVELS, {"school": school_id, "top": top}))
    for level in range(1, top + 1):
        params = {"school": school_id, "level": level, "end": size >> level}
        rows += connection.execute(_STRAY_INDEXES, params)
    return [NodeProblem("stray", level, index) for level, index in rows]


def _report_nodes(report: Report, problems: list[NodeProblem], size: int) -> Report:
    """Node problems in entry order, strays last. A changed node above a smaller changed one
    is explained by it (every node above a changed entry changes too), so only the smallest
    name the first bad entry, and they are listed first (issue 19, item 7)."""
    # Every ancestor of a node with a problem: O(log n) each, for a whole table deleted too.
    above: set[tuple[int, int]] = set()
    top = max(size.bit_length(), 1)
    for p in problems:
        if p.first is not None:
            above.update((p.level + k, p.index >> k) for k in range(1, top))

    def explained(p: NodeProblem) -> bool:
        return (p.level, p.index) in above

    problems.sort(
        key=lambda p: (
            p.first is None,
            p.first is not None and explained(p),
            p.first or 0,
            p.level,
            p.index,
        )
    )
    for problem in problems[:MAX_NODE_PROBLEMS]:
        named = problem.first if problem.first is not None and not explained(problem) else None
        report.fail(problem.describe(size), named)
    if len(problems) > MAX_NODE_PROBLEMS:
        report.fail(
            f"and {len(problems) - MAX_NODE_PROBLEMS} more tree nodes are changed, missing or "
            "stored where the log has none"
        )
    return report


def _accept(
    report: Report,
    wanted: dict[int, tuple[bytes, str]],
    note: str,
    vkey: str,
    origin: str,
    label: str,
) -> tlog.Checkpoint | None:
    try:
        cp = tlog.open_checkpoint(note, vkey)
    except tlog.LogError as exc:
        report.problems.append(f"{label}: {exc}")
        return None
    if cp.origin != origin:
        report.problems.append(f"{label} is for another log ({cp.origin})")
        return None
    if cp.size in wanted and wanted[cp.size][0] != cp.root:
        report.problems.append(
            f"two signed checkpoints of size {cp.size} disagree ({wanted[cp.size][1]} and "
            f"{label}): a fork"
        )
        return None
    wanted.setdefault(cp.size, (cp.root, label))
    return cp
