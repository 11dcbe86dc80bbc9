"""Logs a school's IT can use: one JSON line per request, and the app's own events as JSON lines
on standard error (gunicorn and systemd's journal keep them).

Never personal data: a request is logged by its route pattern (`/cases/<uuid:case_id>`), never
its URL, whose query may hold a surname searched for; the user by their opaque id; an error by
its type and where it happened, never its message, which may quote what someone typed. The
development server's own request lines (raw URLs) are dropped for the same reason.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from flask.wrappers import Response

REQUEST_LOGGER = "incidents.request"
# What a proxy may pass as its own request id: letters, digits and dashes, nothing else.
_PROXY_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
# Werkzeug's development server logs each request as `... "GET /path?query HTTP/1.1" 200 -`.
_DEV_SERVER_REQUEST = re.compile(r'\] "[A-Z]+ \S+ HTTP/[0-9.]+" \d{3} ')


class JsonFormatter(logging.Formatter):
    """One JSON object per line. A record's `fields` (a dict) are its content; otherwise its
    message. An exception is reduced to its type and the frames it passed through."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        else:
            entry["event"] = record.getMessage()
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            frames = traceback.extract_tb(record.exc_info[2])
            entry["where"] = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames][-8:]
        return json.dumps(entry, separators=(",", ":"), default=str)


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (a test's capture, a reloaded server)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class _NoRawUrls(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _DEV_SERVER_REQUEST.search(record.getMessage())


def configure_logging() -> None:
    """JSON lines on standard error for everything under `incidents` (once per process)."""
    package = logging.getLogger("incidents")
    if not any(isinstance(h, _StandardError) for h in package.handlers):
        handler = _StandardError()
        handler.setFormatter(JsonFormatter())
        package.addHandler(handler)
        package.setLevel(logging.INFO)
        # They still propagate, so a root handler an operator (or a test) adds sees them too.
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, _NoRawUrls) for f in werkzeug.filters):
        werkzeug.addFilter(_NoRawUrls())


def _start() -> None:
    g.request_started = time.perf_counter()
    offered = request.headers.get("X-Request-ID", "")
    g.request_id = offered if _PROXY_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    # Only a user already loaded for this request (by the access gate): never load one here.
    user = g.get("_login_user")
    rule = request.url_rule
    logging.getLogger(REQUEST_LOGGER).info(
        "request",
        extra={
            "fields": {
                "event": "request",
                "method": request.method,
                "route": rule.rule if rule is not None else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1)
                if started is not None
                else None,
                "user": str(user.id) if getattr(user, "is_authenticated", False) else None,
                "request_id": g.get("request_id"),
            }
        },
    )
    if g.get("request_id"):
        response.headers["X-Request-ID"] = g.request_id
    return response


def init_request_log(app: Flask) -> None:
    configure_logging()
    app.before_request_funcs.setdefault(None, []).insert(0, _start)  # first: time it all
    app.after_request(_finish)
