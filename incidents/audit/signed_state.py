"""The signer's own memory, and the check every signature passes (issue 19, item 8).

The signing key lives only with the signer (`incidents audit checkpoint`, `incidents jobs run`,
run as their own OS user), never in the web process. The signer trusts the database no further
than its own records allow: beside its key it keeps, per log, the last head it signed and that
tree's frontier. Before signing it extends that frontier with the entries stored since, from
their bytes, and signs the root it computed itself, and only if the database's head agrees. So
an application compromise can append entries (authentic-looking, as any writer could), but it
cannot have history the signer has already signed rewritten, truncated or re-signed.
"""

from __future__ import annotations

import base64
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from incidents.audit import tlog
from incidents.models.audit import AuditEntry, AuditLog

log = logging.getLogger(__name__)
PENDING_KEY = "signer_pending"  # Session.info: heads signed in this transaction, saved on commit


class SignerRefused(tlog.LogError):
    """The signer will not sign this head: the database does not support it, or it does not
    extend the head signed last time. Said to the operator; nothing is signed."""


@dataclass(frozen=True)
class SignedHead:
    """A head this signer signed: its size, root and frontier (the roots of its perfect
    subtrees), which is all it needs to extend it with later entries."""

    size: int
    root: bytes
    frontier: tuple[bytes, ...]


def state_file_for(key_file: Path) -> Path:
    """Beside the key, so the same OS user, and only it, can read and write both."""
    return key_file.with_name(key_file.name + ".state")


class SignedState:
    """The last head signed for each log origin, in a JSON file (mode 600) that only the
    signer's user can write. Read afresh at each use: other signer runs may have moved it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, SignedHead]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (ValueError, OSError) as exc:
            raise SignerRefused(
                f"the signer's state file {self.path} cannot be read ({exc}): nothing is signed "
                "until it is restored"
            ) from None
        try:
            return {
                origin: SignedHead(
                    size=int(head["size"]),
                    root=base64.b64decode(head["root"], validate=True),
                    frontier=tuple(base64.b64decode(h, validate=True) for h in head["frontier"]),
                )
                for origin, head in raw.items()
            }
        except (KeyError, TypeError, ValueError, AttributeError):
            raise SignerRefused(
                f"the signer's state file {self.path} is damaged: nothing is signed until it is "
                "restored"
            ) from None

    def last(self, origin: str) -> SignedHead | None:
        return self._read().get(origin)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # Two signer runs (cron's `jobs run` and an operator's `audit checkpoint`) may save at
        # once: the read-modify-write is serialised with an advisory lock on a file beside it.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def remember(self, heads: dict[str, SignedHead]) -> None:
        """Record signed heads, never moving a log's memory backwards (a slower run that
        signed a smaller head commits after a faster one)."""
        with self._locked():
            current = self._read()
            for origin, head in heads.items():
                if origin not in current or current[origin].size <= head.size:
                    current[origin] = head
            self._write(current)

    def forget(self, origin: str) -> bool:
        """Drop one log's memory (after a deliberate restore of an older backup): its next
        head is then trusted on first use, as on a new signer. Returns whether there was one."""
        with self._locked():
            current = self._read()
            if current.pop(origin, None) is None:
                return False
            self._write(current)
        return True

    def _write(self, heads: dict[str, SignedHead]) -> None:
        data = {
            origin: {
                "size": head.size,
                "root": base64.b64encode(head.root).decode(),
                "frontier": [base64.b64encode(h).decode() for h in head.frontier],
            }
            for origin, head in sorted(heads.items())
        }
        temporary = self.path.with_name(self.path.name + ".new")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)


def vouch(session: Session, head: AuditLog, last: SignedHead | None) -> SignedHead:
    """The head to sign, computed from the stored entries' bytes on top of `last` (or from
    the first entry when this signer has signed nothing for the log), or SignerRefused."""
    where = f"{head.origin}: "
    if last is not None and head.size < last.size:
        raise SignerRefused(
            f"{where}the log holds {head.size} entries but this signer already signed "
            f"{last.size}: entries were removed, or an older backup restored. Nothing was signed"
        )
    start = 0 if last is None else last.size
    frontier = [] if last is None else list(last.frontier)
    if last is not None and tlog.frontier_root(frontier) != last.root:
        raise SignerRefused(f"the signer's state for {head.origin} is damaged: nothing signed")
    size = start
    rows = session.execute(
        select(AuditEntry.seq, AuditEntry.leaf, AuditEntry.leaf_hash)
        .where(AuditEntry.school_id == head.school_id, AuditEntry.seq >= start)
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=2000)
    )
    for seq, leaf, stored in rows:
        if seq != size:
            raise SignerRefused(
                f"{where}entry {size} is missing (the next stored is {seq}). Nothing was signed"
            )
        if seq >= head.size:
            raise SignerRefused(
                f"{where}entry {seq} is stored beyond the log's head. Nothing was signed"
            )
        computed = tlog.leaf_hash(bytes(leaf))
        if computed != bytes(stored):
            raise SignerRefused(
                f"{where}entry {seq}'s bytes do not match its hash. Nothing was signed"
            )
        frontier = tlog.frontier_append(frontier, size, computed)[0]
        size += 1
    if size != head.size:
        raise SignerRefused(
            f"{where}the head says {head.size} entries but {size} are stored. Nothing was signed"
        )
    root = tlog.frontier_root(frontier)
    if root != bytes(head.root):
        raise SignerRefused(
            f"{where}the head's root is not the root of the entries"
            + (
                f" extending the {last.size} this signer signed before: history was rewritten"
                if last is not None
                else ""
            )
            + ". Nothing was signed"
        )
    return SignedHead(size=size, root=root, frontier=tuple(frontier))


def remember_on_commit(session: Session, state: SignedState, origin: str, head: SignedHead) -> None:
    """Save the signed head to the state file once the checkpoint row is committed; never
    before (a rolled-back signature would leave the memory ahead of the log)."""
    pending: dict[str, SignedHead] | None = session.info.get(PENDING_KEY)
    if pending is None:
        pending = session.info[PENDING_KEY] = {}
        event.listen(session, "after_commit", _save)
        event.listen(session, "after_soft_rollback", _drop)
        session.info["signer_state"] = state
    pending[origin] = head


def _save(session: Session) -> None:
    pending: dict[str, SignedHead] = session.info.get(PENDING_KEY) or {}
    if pending:
        state: SignedState = session.info["signer_state"]
        try:
            state.remember(dict(pending))
        except OSError as exc:
            # Committed, but not remembered: safe, the memory only lags (the next signature
            # is checked against the older head it still holds). Said, never a traceback.
            log.error("signed, but the signer's state file could not be written: %s", exc)
        pending.clear()


def _drop(session: Session, _previous: object) -> None:
    pending: dict[str, SignedHead] = session.info.get(PENDING_KEY) or {}
    pending.clear()
