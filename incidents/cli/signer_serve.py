"""`incidents audit signer-serve`: the signer as a small local service (issue 19, item 8), run as
its own user with its own key file, listening on a Unix socket that the web app may write to.

A request names one school and nothing else; the signer locks that school's log head,
recomputes the head from the stored entries on top of the last head it signed
(audit/signed_state.py), signs it only if it extends it, writes the checkpoint files, and
answers. So the web app can ask for a checkpoint, never dictate what is signed. Requests are
served one at a time: signing is serialised per log anyway, and a slow answer costs the web
app only a warning (audit/signer_client.py)."""

from __future__ import annotations

import json
import os
import socketserver
import uuid
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from incidents.audit import tlog
from incidents.audit.signer import Signer
from incidents.cli.audit import _signer, audit, scheduled_checkpoints
from incidents.cli.common import service_session
from incidents.models import School

MAX_REQUEST = 256  # {"school": "<uuid>"} and a little room


def answer(session: Session, raw: bytes) -> dict[str, Any]:
    """The reply to one request, in a session that carries the signer; the caller commits."""
    try:
        request = json.loads(raw[:MAX_REQUEST])
        school_id = uuid.UUID(str(request["school"]))
    except (ValueError, TypeError, KeyError):
        return {"ok": False, "error": 'a request names one school: {"school": "<id>"}'}
    school = session.get(School, school_id)
    if school is None:
        return {"ok": False, "error": "no such school"}
    try:
        lines, refused = scheduled_checkpoints(session, [school], reason="event")
    except tlog.LogError as exc:
        return {"ok": False, "error": str(exc)}
    if refused:
        return {"ok": False, "error": refused[0]}
    return {"ok": True, "signed": lines}


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        raw = self.rfile.readline(MAX_REQUEST + 1)
        with service_session() as session:
            session.info["signer"] = self.server.signer  # type: ignore[attr-defined]
            reply = answer(session, raw)
        self.wfile.write(json.dumps(reply).encode() + b"\n")


class _Server(socketserver.UnixStreamServer):
    def __init__(self, path: Path, signer: Signer) -> None:
        self.signer = signer
        super().__init__(str(path), _Handler)


def serve(path: Path, signer: Signer, *, mode: int = 0o660) -> _Server:
    """Bind the socket (replacing a stale one), readable and writable by the signer's user
    and group only: add the web app's user to that group, and no one else."""
    path.unlink(missing_ok=True)
    old = os.umask(0o777 & ~mode)  # the socket is created with `mode` from the start
    try:
        server = _Server(path, signer)
    finally:
        os.umask(old)
    return server


@audit.command("signer-serve")
@click.option(
    "--socket",
    "socket_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to listen (default: AUDIT_SIGNER_SOCKET).",
)
@with_appcontext
def signer_serve(socket_path: Path | None) -> None:
    """Run the signer as a local service: checkpoint a school's log when the web app asks,
    only if the log extends what this signer signed before. Run as the signer's user."""
    path = socket_path or current_app.extensions["incidents.settings"].signer_socket
    if path is None:
        raise click.UsageError("Give --socket, or set AUDIT_SIGNER_SOCKET")
    server = serve(path, _signer())
    click.echo(f"Signer listening on {path}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        path.unlink(missing_ok=True)
