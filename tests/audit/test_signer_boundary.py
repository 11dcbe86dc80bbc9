"""The signer is outside the web process (issue 19, item 8): the web app holds no signing key
and never opens the key file; the signer signs only a head it recomputes from the stored
entries and that extends the last head it signed, so a compromised application (or database
writer) cannot have rewritten, truncated or invented history signed."""

from __future__ import annotations

import builtins
import dataclasses
import io
import json
import os
import tempfile
import threading
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, func, select, update

from incidents import audit, create_app
from incidents.audit import signer as signing
from incidents.audit import tlog
from incidents.audit.log import sign_head
from incidents.audit.signed_state import SignedState, state_file_for
from incidents.audit.signer import Signer
from incidents.models import AuditCheckpoint, AuditEntry, AuditLog
from tests.conftest import run_cli as run


def _key_file(app) -> Path:
    return app.extensions["incidents.settings"].signing_key_file


def _session(app):
    return app.extensions["incidents.sessions"]()


def _append(app, school_id, n: int = 1) -> int:
    """Honest entries (not high-stakes: no checkpoint of their own); returns the new size."""
    db = _session(app)
    for _ in range(n):
        audit.record(
            db, school_id=school_id, action=audit.Action.AUDIT_VERIFY, actor=None, checkpoint=False
        )
    db.commit()
    return db.get(AuditLog, school_id).size


def _rehash(db, school_id) -> None:
    """What an attacker with write access to the database does after changing entries: make
    every leaf hash and the head agree with the leaves again, so the log looks whole."""
    rows = db.execute(
        select(AuditEntry.id, AuditEntry.leaf)
        .where(AuditEntry.school_id == school_id)
        .order_by(AuditEntry.seq)
    ).all()
    frontier: list[bytes] = []
    for size, (entry_id, leaf) in enumerate(rows):
        hashed = tlog.leaf_hash(bytes(leaf))
        db.execute(update(AuditEntry).where(AuditEntry.id == entry_id).values(leaf_hash=hashed))
        frontier = tlog.frontier_append(frontier, size, hashed)[0]
    db.execute(
        update(AuditLog)
        .where(AuditLog.school_id == school_id)
        .values(
            size=len(rows),
            root=tlog.frontier_root(frontier),
            frontier=tlog.pack(frontier),
        )
    )
    db.commit()


def _signed_sizes(app, school_id) -> list[int]:
    db = _session(app)
    return list(
        db.scalars(
            select(AuditCheckpoint.size)
            .where(AuditCheckpoint.school_id == school_id)
            .order_by(AuditCheckpoint.size)
        )
    )


def _state(app) -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = json.loads(
        state_file_for(_key_file(app)).read_text(encoding="utf-8")
    )
    return data


def test_the_signer_remembers_what_it_signed_beside_its_key(signed_app, school_with_cases):
    school, _cases = school_with_cases
    size = _append(signed_app, school.id, 2)
    result = run(signed_app, "audit", "checkpoint", "--school", school.urn)
    assert result.exit_code == 0, result.output
    assert size in _signed_sizes(signed_app, school.id)
    state_file = state_file_for(_key_file(signed_app))
    assert os.stat(state_file).st_mode & 0o777 == 0o600
    [remembered] = _state(signed_app).values()
    assert remembered["size"] == size
    # It grows honestly, and is signed again.
    grown = _append(signed_app, school.id, 3)
    assert run(signed_app, "audit", "checkpoint", "--school", school.urn).exit_code == 0
    assert grown in _signed_sizes(signed_app, school.id)


def test_the_signer_refuses_history_rewritten_after_it_signed(signed_app, school_with_cases):
    school, _cases = school_with_cases
    assert run(signed_app, "audit", "checkpoint").exit_code == 0
    db = _session(signed_app)
    victim = db.scalar(
        select(AuditEntry).where(AuditEntry.school_id == school.id, AuditEntry.seq == 1)
    )
    db.execute(
        update(AuditEntry)
        .where(AuditEntry.id == victim.id)
        .values(leaf=bytes(victim.leaf).replace(b'"salt":"', b'"salt":"x'))
    )
    _rehash(db, school.id)
    size = _append(signed_app, school.id)
    result = run(signed_app, "audit", "checkpoint", "--school", school.urn)
    assert result.exit_code == 1
    assert "NOT SIGNED" in result.output and "history was rewritten" in result.output
    assert size not in _signed_sizes(signed_app, school.id)


def test_the_signer_refuses_a_log_shorter_than_it_signed(signed_app, school_with_cases):
    school, _cases = school_with_cases
    size = _append(signed_app, school.id)
    assert run(signed_app, "audit", "checkpoint").exit_code == 0
    db = _session(signed_app)
    db.execute(
        delete(AuditEntry).where(AuditEntry.school_id == school.id, AuditEntry.seq == size - 1)
    )
    db.execute(delete(AuditCheckpoint).where(AuditCheckpoint.school_id == school.id))
    _rehash(db, school.id)
    result = run(signed_app, "audit", "checkpoint", "--school", school.urn)
    assert result.exit_code == 1 and "entries were removed" in result.output
    assert _signed_sizes(signed_app, school.id) == []
    # Restored an older backup on purpose: the operator tells the signer, and it starts again.
    assert run(signed_app, "audit", "signer-forget", "--school", school.urn).exit_code != 0
    forgot = run(signed_app, "audit", "signer-forget", "--school", school.urn, "--yes")
    assert forgot.exit_code == 0 and "forgot" in forgot.output
    assert run(signed_app, "audit", "checkpoint", "--school", school.urn).exit_code == 0
    assert _signed_sizes(signed_app, school.id) == [size - 1]


def test_the_signer_never_signs_a_head_the_entries_do_not_support(signed_app, school_with_cases):
    school, _cases = school_with_cases
    state_file_for(_key_file(signed_app)).unlink()  # even a signer with no memory checks
    size = _append(signed_app, school.id)
    db = _session(signed_app)
    db.execute(update(AuditLog).where(AuditLog.school_id == school.id).values(root=os.urandom(32)))
    db.commit()
    result = run(signed_app, "audit", "checkpoint", "--school", school.urn)
    assert result.exit_code == 1 and "not the root of the entries" in result.output
    assert size not in _signed_sizes(signed_app, school.id)


def test_a_signature_rolled_back_is_not_remembered(db, school, users, tmp_path):
    state = SignedState(tmp_path / "signer.state")
    db.info["signer"] = Signer("test-audit", Ed25519PrivateKey.generate(), state=state)
    head = db.get(AuditLog, school.id)
    assert sign_head(db, head, reason="scheduled", strict=True) is not None
    db.rollback()
    assert state.last(head.origin) is None
    head = db.get(AuditLog, school.id)
    sign_head(db, head, reason="scheduled", strict=True)
    db.commit()
    remembered = state.last(head.origin)
    assert remembered is not None and remembered.size == head.size
    assert remembered.root == bytes(head.root)


def test_one_log_refused_does_not_stop_the_others(signed_app, school_with_cases):
    from tests import factories

    school, _cases = school_with_cases
    db = _session(signed_app)
    other = factories.make_school(db)
    db.commit()
    assert run(signed_app, "audit", "checkpoint").exit_code == 0
    _append(signed_app, school.id)
    grown = _append(signed_app, other.id)
    db = _session(signed_app)
    db.execute(update(AuditLog).where(AuditLog.school_id == school.id).values(root=os.urandom(32)))
    db.commit()
    result = run(signed_app, "audit", "checkpoint")
    assert result.exit_code == 1 and school.urn in result.output
    assert grown in _signed_sizes(signed_app, other.id)


def test_the_web_app_holds_no_signing_key_and_never_opens_its_file(settings, tmp_path, monkeypatch):
    key_file = tmp_path / "signer" / "audit.key"
    signing.generate(key_file)
    opened: list[str] = []
    real_open, real_os_open = io.open, os.open

    def watched_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(os.fspath(file) if isinstance(file, str | Path) else "")
        return real_open(file, *args, **kwargs)

    def watched_os_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(os.fspath(path))
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(io, "open", watched_open)
    monkeypatch.setattr(builtins, "open", watched_open)
    monkeypatch.setattr(os, "open", watched_os_open)
    # The production path of the factory: it builds its own engine and session factory.
    app = create_app(
        settings=dataclasses.replace(settings, signing_key_file=key_file),
        overrides={"TESTING": True},
    )
    response = app.test_client().get("/sign-in")
    assert response.status_code == 200
    assert not [p for p in opened if p.startswith(str(key_file))]
    sessions = app.extensions["incidents.sessions"]
    assert "signer" not in sessions.kw.get("info", {})
    held = [*app.extensions.values(), *app.config.values(), *sessions.kw["info"].values()]
    assert not [v for v in held if isinstance(v, Signer | Ed25519PrivateKey)]
    with sessions() as session:
        assert "signer" not in session.info
    assert key_file.read_bytes().startswith(b"-----BEGIN PRIVATE KEY")  # it was there to read


def test_the_web_asks_no_key_for_a_high_stakes_entry(db, school):
    # A web session has no signer: the entry is written, the checkpoint left to the signer.
    db.info.pop("signer")
    before = db.scalar(select(func.count()).select_from(AuditCheckpoint))
    audit.record(db, school_id=school.id, action=audit.Action.AUDIT_EXPORT, actor=None)
    db.flush()
    assert db.scalar(select(func.count()).select_from(AuditCheckpoint)) == before


# --- The signer as a local service: the web app asks, the signer decides ----------------------


def test_the_service_signs_only_what_is_there_for_a_school_named(signed_app, school_with_cases):
    from incidents.cli.signer_serve import answer

    school, _cases = school_with_cases
    size = _append(signed_app, school.id)
    signer = signing.load(_key_file(signed_app), "incidents-audit")
    with signed_app.app_context():
        db = _session(signed_app)
        db.info["signer"] = signer
        assert answer(db, b"sign this root please")["ok"] is False
        assert answer(db, b'{"school": "not an id"}')["ok"] is False
        assert answer(db, b'{"school": "%s"}' % str(uuid.uuid4()).encode()) == {
            "ok": False,
            "error": "no such school",
        }
        reply = answer(db, json.dumps({"school": str(school.id)}).encode())
        db.commit()
    assert reply["ok"] is True, reply
    checkpoint = _session(signed_app).scalar(
        select(AuditCheckpoint).where(
            AuditCheckpoint.school_id == school.id, AuditCheckpoint.size == size
        )
    )
    assert checkpoint is not None and checkpoint.reason == "event"
    # A head the entries do not support since: the service refuses, as the timer does.
    _append(signed_app, school.id)
    db = _session(signed_app)
    db.execute(update(AuditLog).where(AuditLog.school_id == school.id).values(root=os.urandom(32)))
    db.commit()
    with signed_app.app_context():
        db = _session(signed_app)
        db.info["signer"] = signer
        reply = answer(db, json.dumps({"school": str(school.id)}).encode())
    assert reply["ok"] is False and "Nothing was signed" in reply["error"]


def test_the_web_app_asks_the_signer_over_its_socket_after_commit(
    signed_app, school_with_cases, connection, keyring
):
    from sqlalchemy.orm import sessionmaker

    from incidents.audit.signer_client import ask_after_commit
    from incidents.cli.signer_serve import serve

    school, _cases = school_with_cases
    path = Path(tempfile.mkdtemp(prefix="sgn", dir="/tmp")) / "signer.sock"
    server = serve(path, signing.load(_key_file(signed_app), "incidents-audit"))
    assert os.stat(path).st_mode & 0o777 == 0o660

    def run() -> None:
        with signed_app.app_context():
            server.serve_forever(poll_interval=0.05)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        # The web app's sessions: no signer, only the socket to ask.
        web = sessionmaker(
            bind=connection,
            expire_on_commit=False,
            # On the test's one connection the web session must hold no savepoint while the
            # signer's session makes its own; in production each has its own connection.
            join_transaction_mode="rollback_only",
            info={"keyring": keyring},
        )
        ask_after_commit(web, path)
        db = web()
        audit.record(db, school_id=school.id, action=audit.Action.AUDIT_EXPORT, actor=None)
        size = db.get(AuditLog, school.id).size
        assert size not in _signed_sizes(signed_app, school.id)  # nothing signed in the web
        db.commit()  # ... and, once committed, the signer is asked
        assert size in _signed_sizes(signed_app, school.id)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
