"""The web app's side of the signer's socket (issue 19, item 8): after a transaction that wrote
a high-stakes entry commits, it asks the signer (`incidents audit signer-serve`, its own user)
to checkpoint that school's log. It names only the school: the signer computes the head itself
from the database and signs it only if it extends what it signed before, so the web app can
ask for nothing but "sign what is really there now". A signer that does not answer costs one
warning; its timer signs the log within a minute anyway.
"""

from __future__ import annotations

import json
import logging
import socket
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

WANTED_KEY = "checkpoint_wanted"  # Session.info: schools whose log wants a checkpoint
MAX_REPLY = 4096
TIMEOUT_SECONDS = 5.0


def want_checkpoint(session: Session, school_id: uuid.UUID) -> None:
    """Called by the log when it has no signer: ask for one once this transaction commits."""
    wanted: set[uuid.UUID] = session.info.setdefault(WANTED_KEY, set())
    wanted.add(school_id)


def ask(path: Path, school_id: uuid.UUID, timeout: float = TIMEOUT_SECONDS) -> dict[str, Any]:
    """One request, one reply: {"ok": true, "size": n} or {"ok": false, "error": "..."}."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(str(path))
        conn.sendall(json.dumps({"school": str(school_id)}).encode() + b"\n")
        conn.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := conn.recv(MAX_REPLY):
            reply += chunk
            if len(reply) > MAX_REPLY:
                break
    answer = json.loads(reply or b"{}")
    return answer if isinstance(answer, dict) else {}


def ask_after_commit(factory: sessionmaker[Session], path: Path) -> None:
    """Wire the web app's sessions to ask the signer at `path` after each commit that wants
    a checkpoint (and to forget the wish when the transaction rolls back)."""

    @event.listens_for(factory, "after_commit")
    def _ask(session: Session) -> None:
        wanted: set[uuid.UUID] = session.info.pop(WANTED_KEY, set())
        for school_id in sorted(wanted):
            try:
                answer = ask(path, school_id)
            except (OSError, ValueError) as exc:
                log.warning("the signer did not answer (%s): its timer will sign", exc)
                continue
            if not answer.get("ok"):
                log.error("the signer refused a checkpoint: %s", answer.get("error", "no reason"))

    @event.listens_for(factory, "after_soft_rollback")
    def _forget(session: Session, _previous: object) -> None:
        session.info.pop(WANTED_KEY, None)
