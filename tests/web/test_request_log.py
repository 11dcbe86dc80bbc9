"""Logs a school can use (issue 20, item 4): one JSON line per request with the route pattern,
never the URL; and no personal data in any log line across a whole journey."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import pytest
from flask import Flask

from incidents.clock import local_today
from incidents.models import Role
from incidents.web.request_log import REQUEST_LOGGER, JsonFormatter, _NoRawUrls
from tests.conftest import csrf_token, date_parts

# Planted in everything a user types or a URL carries; none may reach a log line.
MARKERS = {
    "name": "Zqxname Plantedperson",
    "narrative": "zqxnarrative the planted account of what happened",
    "reporter": "zqxreporter planted, 07700 900123",
    "child": "zqxchildwords planted",
    "note": "zqxnote planted chronology entry",
    "surname": "Zqxsurname",
    "email": "zqxemail@planted.example",
    "password": "zqxpassword-planted-1234",
    "path": "zqxpath",
    "error": "zqxerror planted exception message",
}


class Capture(logging.Handler):
    """Every record from every logger, formatted as production writes it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured() -> Iterator[Capture]:
    capture = Capture()
    # The root logger: everything propagates to it, the app's own lines included.
    loggers = [logging.getLogger()]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(capture)
        logger.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(capture)
            logger.setLevel(level)


def _requests(capture: Capture) -> list[dict[str, object]]:
    return [
        entry for entry in map(json.loads, capture.lines) if entry.get("logger") == REQUEST_LOGGER
    ]


def test_a_whole_journey_logs_one_line_per_request_and_no_personal_data(
    app: Flask, login_as, captured, monkeypatch
):
    anonymous = app.test_client()
    anonymous.post(
        "/sign-in",
        data={
            "csrf_token": csrf_token(anonymous, "/sign-in"),
            "email": MARKERS["email"],
            "password": MARKERS["password"],
        },
    )
    client = login_as(Role.DSL)
    token = csrf_token(client, "/cases/new")
    recorded = client.post(
        "/cases/new",
        data={
            "csrf_token": token,
            "source": "child",
            "reporter": MARKERS["reporter"],
            "child_words": MARKERS["child"],
            "new_subject_name": MARKERS["name"],
            "new_subject_kind": "staff",
            "narrative": MARKERS["narrative"],
            "became_aware_on": date_parts(local_today()),
            "confirmed": "yes",
        },
    )
    assert recorded.status_code == 302
    case_url = recorded.headers["Location"]
    assert client.get(case_url).status_code == 200
    noted = client.post(
        f"{case_url}/notes",
        data={"csrf_token": csrf_token(client, case_url), "body": MARKERS["note"]},
    )
    assert noted.status_code == 302
    # Bad input that quotes itself back, a search by surname, a made-up address.
    bad = client.post(
        "/cases/new",
        data={"csrf_token": token, "source": "parent", "narrative": MARKERS["narrative"]},
    )
    assert bad.status_code == 200
    assert client.get(f"/cases/?surname={MARKERS['surname']}").status_code == 200
    assert client.get(f"/cases/{MARKERS['path']}?q={MARKERS['name']}").status_code == 404
    # An unexpected error whose message quotes personal data.
    app.config["RENDER_500_IN_TESTS"] = True

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError(MARKERS["error"])

    monkeypatch.setattr("incidents.casework.cases.views.render_template", explode)
    assert client.get(case_url).status_code == 500

    logged = "\n".join(captured.lines).lower()
    for what, marker in MARKERS.items():
        assert marker.lower() not in logged, f"the {what} reached the logs"
        for word in re.findall(r"zqx\w+", marker.lower()):
            assert word not in logged, f"part of the {what} reached the logs"

    requests = _requests(captured)
    routes = [(r["method"], r["route"], r["status"]) for r in requests]
    assert ("POST", "/cases/new", 302) in routes
    assert ("POST", "/cases/<uuid:case_id>/notes", 302) in routes
    assert ("GET", "/cases/", 200) in routes
    assert ("GET", None, 404) in routes  # no route matched: nothing of the address is kept
    assert ("GET", "/cases/<uuid:case_id>", 500) in routes
    for entry in requests:
        assert set(entry) >= {
            "time",
            "method",
            "route",
            "status",
            "duration_ms",
            "user",
            "request_id",
        }
    signed_in = [r for r in requests if r["route"] == "/cases/<uuid:case_id>/notes"]
    assert re.fullmatch(r"[0-9a-f-]{36}", str(signed_in[0]["user"]))
    assert len({r["request_id"] for r in requests}) == len(requests)
    [failure] = [json.loads(line) for line in captured.lines if '"error":' in line]
    assert failure["error"] == "RuntimeError"
    assert failure["level"] == "error"


def test_each_response_carries_its_request_id_and_a_safe_one_from_the_proxy_is_kept(
    client, captured
):
    own = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", own.headers["X-Request-ID"])
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-abc-12345"})
    assert kept.headers["X-Request-ID"] == "proxy-abc-12345"
    refused = client.get("/healthz", headers={"X-Request-ID": "Jo Bloggs <jo@example.org>"})
    assert "Jo" not in refused.headers["X-Request-ID"]
    assert [r["request_id"] for r in _requests(captured)][1:] == [
        "proxy-abc-12345",
        refused.headers["X-Request-ID"],
    ]


def test_the_development_servers_raw_url_lines_are_dropped():
    line = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        "",
        0,
        '127.0.0.1 - - [x] "GET /cases/?surname=Smith HTTP/1.1" 200 -',
        None,
        None,
    )
    banner = logging.LogRecord(
        "werkzeug", logging.INFO, "", 0, "Running on http://127.0.0.1", None, None
    )
    assert not _NoRawUrls().filter(line)
    assert _NoRawUrls().filter(banner)
