"""Issue 21: the application under load at trust scale, next to a bare Flask route in the same
run. Prints throughput, p50/p95/p99 per page, SQL statements per page, and each figure as a
ratio to the bare route.

1. Builds a PostgreSQL database (default `bench_perf` on 127.0.0.1, dropped and made again):
   the schema through `incidents db upgrade`, then SCHOOLS schools through the services
   (`create_school`, `create_user` with a real second factor, `create_person`), then CASES
   cases spread over them. The cases take a FAST PATH, said plainly: rows are added through
   the ORM, so every personal field is sealed with a real per-case key as the application
   seals it, and every case gets one real audit entry (`audit.record`, real leaf, hash and
   tree nodes; one signed checkpoint per school at the end); but the routing a recorded
   disclosure runs (statutory tasks, alerts, triage) is skipped: every 20th case gets a task
   due today for its head, every 10th a note. So a log here holds about one entry per case,
   where the issue's 1.1M-entry run had about 22.
2. Starts gunicorn (WORKERS sync workers, as the README recommends) on 127.0.0.1 with the
   app, and a second gunicorn with a bare Flask route, the same way.
3. Signs in USERS users (heads, DSLs and trust officers, with their real second factor) and
   drives them concurrently for DURATION seconds through: home, case list, the list filtered
   by state, a surname search, a case page, adding a note, recording a disclosure (heads and
   DSLs), and the statistics (officers). Then the same number of users on the bare route.
4. Counts the SQL statements of each page once, in process (exact, whatever the load).

Run:  .venv/bin/python bench/load.py [--cases 50000] [--schools 50] [--duration 60]
      [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_perf] [--reuse]
`--reuse` skips the build and uses the database as it is (a build of 50,000 cases takes
several minutes). On a machine shared with other work the times are noisy; the statement
counts are exact.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import string
import subprocess  # nosec B404 - starts this checkout's own gunicorn
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pyotp
import requests
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PASSWORD = "bench password that is long enough"  # noqa: S105 # nosec B105 - bench users
# Fixed, so a rebuilt or reused database signs in alike: bench users only, never a real one.
TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
CASE_LINK = re.compile(r'href="/cases/([0-9a-f-]{36})"')
BARE_APP = """
from flask import Flask
app = Flask(__name__)

@app.route("/")
def index():
    return "ok"
"""


def _env(url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "INCIDENTS_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "bench-secret-key-that-is-long-enough-to-use-here",
        "INCIDENTS_ENV": "development",
        # Plain http on 127.0.0.1: a Secure cookie would never be sent back.
        "SESSION_COOKIE_SECURE": "false",
        "PYTHONPATH": str(ROOT),
    }


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, check=True, env=env, cwd=ROOT, capture_output=True)  # noqa: S603 # nosec B603


# --- 1. the database ------------------------------------------------------------------------


def build(url: str, instance: Path, schools: int, cases: int) -> None:
    name = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite":
        assert name, "a SQLite file, not an in-memory database: gunicorn's workers share it"
        for stale in (name, f"{name}-wal", f"{name}-shm"):
            Path(stale).unlink(missing_ok=True)
    else:
        admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    env = _env(url, instance)
    _run([str(BIN / "incidents"), "keys", "init"], env)
    from incidents.audit import signer as signing

    signing.generate(instance / "audit-signing.key")
    _run([str(BIN / "incidents"), "db", "upgrade"], env)
    os.environ.update(env)
    from incidents import create_app

    app = create_app()
    factory = app.extensions["incidents.sessions"]
    started = time.perf_counter()
    with app.app_context():
        per_school = max(1, cases // schools)
        for i in range(schools):
            with factory(info={"audit_source": "cli"}) as session:
                _school(session, i, per_school)
                session.commit()
            if i % 10 == 9:
                print(f"  built {i + 1} schools, {time.perf_counter() - started:.0f} s", flush=True)
    took = time.perf_counter() - started
    print(f"built {schools} schools, {per_school * schools} cases in {took:.0f} s")
    # The planner's statistics, as autovacuum gathers them soon after a bulk load: without
    # them PostgreSQL plans for empty tables and a list scans a whole school's cases.
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


def _school(session: Any, i: int, count: int) -> None:
    from incidents import audit
    from incidents.accounts import two_factor
    from incidents.accounts.users import create_user
    from incidents.admin.schools import create_school
    from incidents.audit.log import sign_head
    from incidents.casework.cases.people import create_person
    from incidents.clock import local_today
    from incidents.models import (
        AuditLog,
        Case,
        CaseState,
        DisclosureSource,
        Note,
        PersonKind,
        Role,
        Task,
        TaskKind,
    )
    from incidents.sensitive import Sensitive

    school = create_school(session, actor=None, name=f"Bench School {i}", urn=str(300000 + i))
    roles = [Role.HEADTEACHER, Role.DSL] + ([Role.TRUST_OFFICER] if i < 4 else [])
    users = {}
    for role in roles:
        user = create_user(
            session,
            actor=None,
            school=school,
            email=f"{role.value}.{i}@bench.example",
            display_name=f"{role.label} {i}",
            roles=[role],
            password=PASSWORD,
        )
        two_factor.begin_enrolment(session, user=user, secret=TOTP)
        two_factor.confirm_enrolment(session, user=user, code=pyotp.TOTP(TOTP).now())
        user.totp_last_step = None
        users[role] = user
    head = users[Role.HEADTEACHER]
    people = [
        create_person(session, actor=head, name=f"Sam Surname{k}", kind=PersonKind.STAFF)
        # About ten cases per person at any size, as in a school: a bench that grew the cases
        # about the same 20 people would time a page listing a person's hundred cases.
        for k in range(max(20, count // 10))
    ]
    session.flush()
    today = local_today()
    for n in range(1, count + 1):
        case = Case(
            school_id=school.id,
            reference=f"{2020 + n // 10000}-{n % 10000:04d}",
            year=2020 + n // 10000,
            number=n,
            state=CaseState.RECORDED,
            source=DisclosureSource.PARENT,
            narrative=Sensitive(f"Bench narrative {n}: a parent said a teacher messaged a pupil."),
            # Spread over the same two years whatever the count, so sizes compare alike.
            became_aware_on=today - timedelta(days=n * 700 // count),
            case_manager_id=head.id,
        )
        case.subjects = [people[n % len(people)]]
        session.add(case)
        if n % 10 == 0:
            session.add(Note(case=case, author_id=users[Role.DSL].id, body=Sensitive("A note")))
        if n % 20 == 0:
            session.add(
                Task(
                    case=case,
                    kind=TaskKind.CUSTOM,
                    title=Sensitive("Ring the LADO"),
                    assignee_id=head.id,
                    due_on=today,
                    created_by_id=head.id,
                )
            )
        session.flush()
        audit.record(
            session,
            school_id=school.id,
            action=audit.Action.CASE_RECORD,
            actor=head,
            case_id=case.id,
            object_type="case",
            object_id=case.id,
            target=case,
            checkpoint=False,
        )
        if n % 500 == 0:
            session.commit()
            session.expunge_all()
            head = session.merge(head)
            users = {r: session.merge(u) for r, u in users.items()}
            people = [session.merge(p) for p in people]
            school = session.merge(school)
    head_row = session.get(AuditLog, school.id)
    sign_head(session, head_row, reason="bench")


def grow_log(url: str, entries: int) -> None:
    """FAST PATH for the verify figure: school 0's log grown to `entries` entries. Real leaves
    (the application's format, salt, hash), tree nodes, frontier and root, written by Core
    inserts in batches, so `audit verify` checks them as it checks any entry; they record the
    school's cases being viewed by its head in turn (a case's page reads its own entries: one
    case holding them all would measure that case, not the log), a microsecond apart, just
    after the log's last entry. PostgreSQL's statistics are then refreshed (ANALYZE), as
    autovacuum would after such an insert: without them its planner reads the whole log for
    a case's entries. SQLite keeps none unless asked, and the application does not ask."""
    import base64

    from sqlalchemy import func, insert, select
    from sqlalchemy.orm import Session

    from incidents.audit import tlog
    from incidents.models import AuditEntry, AuditLog, Case, School, TreeNode
    from incidents.models import User as Account

    engine = create_engine(url)
    started = time.perf_counter()
    with Session(engine) as session:
        school = session.scalar(select(School).where(School.urn == "300000"))
        assert school is not None, "no bench school 0: build the database first"
        head = session.get(AuditLog, school.id, with_for_update=True)
        assert head is not None
        if head.size >= entries:
            print(f"school 0's log already holds {head.size:,} entries")
            return
        last = session.scalar(
            select(func.max(AuditEntry.at)).where(AuditEntry.school_id == school.id)
        )
        case_ids = list(session.scalars(select(Case.id).where(Case.school_id == school.id)))
        actor_id = session.scalar(select(Account.id).where(Account.school_id == school.id).limit(1))
        assert last is not None and case_ids and actor_id is not None
        frontier = tlog.unpack(head.frontier)
        salt = base64.b64encode(os.urandom(16)).decode()
        first = head.size
        rows: list[dict[str, Any]] = []
        nodes: list[dict[str, Any]] = []
        for seq in range(first, entries):
            at = last + timedelta(microseconds=1 + seq - first)
            case_id = case_ids[seq % len(case_ids)]
            leaf = tlog.canonical(
                {
                    "v": 1,
                    "log": head.origin,
                    "seq": seq,
                    "ts": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    "actor": str(actor_id),
                    "role": "headteacher",
                    "action": "case.view",
                    "case": str(case_id),
                    "obj": "case",
                    "oid": str(case_id),
                    "fields": [],
                    "ct": [],
                    "detail": None,
                    "salt": salt,
                }
            )
            digest = tlog.leaf_hash(leaf)
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "school_id": school.id,
                    "seq": seq,
                    "leaf": leaf,
                    "leaf_hash": digest,
                    "at": at,
                    "action": "case.view",
                    "actor_id": actor_id,
                    "case_id": case_id,
                    "object_type": "case",
                    "object_id": case_id,
                }
            )
            frontier, done = tlog.frontier_append(frontier, seq, digest)
            nodes += [
                {"school_id": school.id, "level": lv, "node_index": ix, "hash": h}
                for lv, ix, h in done
            ]
            if len(rows) == 20_000 or seq == entries - 1:
                session.execute(insert(AuditEntry.__table__), rows)
                session.execute(insert(TreeNode.__table__), nodes)
                rows, nodes = [], []
        head.size = entries
        head.frontier = tlog.pack(frontier)
        head.root = tlog.frontier_root(frontier)
        session.commit()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()
    print(f"school 0's log grown to {entries:,} entries in {time.perf_counter() - started:.0f} s")


@dataclass
class VerifyRun:
    """What school 0's users waited for while `incidents audit verify` ran (or, with no
    command, for a stretch alone): the seconds each request took, by page."""

    label: str
    pages: dict[str, list[float]]
    took: float = 0.0
    exit: int | None = None
    said: str = ""


def school0_users(base: str, env: dict[str, str], count: int = 8) -> list[User]:
    """School 0's heads and DSLs, signed in, each with the cases its list shows."""
    roles = ("headteacher", "dsl")
    users = [User(base, f"{roles[n % 2]}.0@bench.example", False) for n in range(count)]
    for user in users:
        _reset_step(env["DATABASE_URL"])
        user.sign_in()
        user.case_ids = CASE_LINK.findall(user.get("/cases/"))
    return users


def time_pages(
    users: list[User], until: Callable[[], bool], pause: float = 0.0, note_every: int = 0
) -> dict[str, list[float]]:
    """Each user opens a case page (an audited read: it appends to the school's log) after
    another, and adds a note (an audited write) every `note_every`-th request, pausing
    `pause` seconds between requests, until `until()`."""
    times: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()

    def run(user: User) -> None:
        n = 0
        while not until():
            n += 1
            case_id = random.choice(user.case_ids)  # nosec B311
            start = time.perf_counter()
            if note_every and n % note_every == 0:
                name = "add note"
                user.post(f"/cases/{case_id}/notes", {"body": "A bench note"})
            else:
                name = "case page"
                user.get(f"/cases/{case_id}")
            with lock:
                times[name].append(time.perf_counter() - start)
            if pause:
                time.sleep(pause * random.uniform(0.5, 1.5))  # nosec B311

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def alone(users: list[User], seconds: float, pause: float = 0.0, note_every: int = 0) -> VerifyRun:
    until = time.perf_counter() + seconds
    pages = time_pages(users, lambda: time.perf_counter() > until, pause, note_every)
    return VerifyRun("alone", pages, seconds)


def during_verify(
    users: list[User],
    env: dict[str, str],
    options: list[str],
    pause: float = 0.0,
    note_every: int = 0,
    label: str = "during verify",
) -> VerifyRun:
    """The pages while `incidents audit verify --unanchored [options]` runs, and its time."""
    verifier = subprocess.Popen(  # noqa: S603 # nosec B603 - this venv's command
        [str(BIN / "incidents"), "audit", "verify", "--unanchored", *options],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # as a timer's or cron's job runs: in a session of its own
    )
    started = time.perf_counter()
    pages = time_pages(users, lambda: verifier.poll() is not None, pause, note_every)
    took = time.perf_counter() - started
    said = (verifier.stdout.read() if verifier.stdout else b"").decode(errors="replace")
    return VerifyRun(label, pages, took, verifier.returncode, said)


def verify_blocks(base: str, env: dict[str, str], schools: int) -> None:
    """Issue 21: `audit verify` must never hold a page up for more than a second. School 0's
    head and DSL (4 users each) open its cases, whose audited reads append to the very log being
    verified, first for 10 s alone, then while `incidents audit verify` runs.
    `bench/verify_blocking.py` does more (notes, both databases, the verification's options)."""
    users = school0_users(base, env)
    quiet = alone(users, 10).pages["case page"]
    run = during_verify(users, env, [])
    during = run.pages["case page"]
    print(f"\naudit verify over {schools} schools: {run.took:.1f} s, exit {run.exit}")
    for line in run.said.strip().splitlines()[-3:]:
        print(f"  {line[:160]}")
    for label, values in (("case pages alone", quiet), ("during verify", during)):
        if values:
            print(
                f"{label:<20}{len(values):>6}{_pct(values, 0.5):>9.1f}{_pct(values, 0.95):>9.1f}"
                f"   max {max(values) * 1000:.0f} ms"
            )
    block = max(during) if during else 0.0
    print(f"longest case page during verify: {block * 1000:.0f} ms (target: under 1000 ms)")


# --- 2. the servers -------------------------------------------------------------------------


def start(app_spec: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603 # nosec B603 - this venv's gunicorn
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", app_spec],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(300):
        try:
            if requests.get(f"http://127.0.0.1:{port}/", timeout=2).status_code < 500:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn for {app_spec} did not start on port {port}")


def stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


# --- 3. the users ---------------------------------------------------------------------------


class User:
    def __init__(self, base: str, email: str, officer: bool) -> None:
        self.base = base
        self.http = requests.Session()
        self.officer = officer
        self.email = email
        self.token = ""
        self.case_ids: list[str] = []

    def _token(self, page: str) -> None:
        found = CSRF.search(page)
        if found:
            self.token = found.group(1) or found.group(2)

    def sign_in(self) -> None:
        self._token(self.http.get(f"{self.base}/sign-in").text)
        answer = self.http.post(
            f"{self.base}/sign-in",
            data={"csrf_token": self.token, "email": self.email, "password": PASSWORD},
        )
        self._token(answer.text)
        answer = self.http.post(
            f"{self.base}/sign-in/code",
            data={"csrf_token": self.token, "code": pyotp.TOTP(TOTP).now()},
        )
        if "Sign out" not in answer.text:
            raise SystemExit(f"{self.email} could not sign in ({answer.status_code})")
        self._token(answer.text)

    def get(self, path: str) -> str:
        answer = self.http.get(f"{self.base}{path}")
        answer.raise_for_status()
        _each_request(answer)
        self._token(answer.text)
        return answer.text

    def post(self, path: str, data: dict[str, Any]) -> None:
        answer = self.http.post(f"{self.base}{path}", data={"csrf_token": self.token, **data})
        answer.raise_for_status()
        _each_request(answer)
        self._token(answer.text)


# Each HTTP request on its own (a step such as "add note" is a POST and the case page it
# redirects to; recording a disclosure is three pages and the redirect): by method and route,
# from when the request was sent to when its headers came back (requests' `elapsed`).
REQUESTS: dict[str, list[float]] = defaultdict(list)
_REQUESTS_LOCK = threading.Lock()
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _each_request(answer: requests.Response) -> None:
    with _REQUESTS_LOCK:
        for one in (*answer.history, answer):
            method = one.request.method or "GET"
            path, _, query = (one.request.path_url or "").partition("?")
            keys = "&".join(sorted(k.split("=")[0] for k in query.split("&") if k))
            route = _ID.sub("<id>", path) + (f"?{keys}" if keys else "")
            REQUESTS[f"{method} {route}"].append(one.elapsed.total_seconds())


def _letters() -> str:
    """A new surname each time: a name already listed would be asked about, not recorded."""
    return "".join(random.choices(string.ascii_lowercase, k=8))  # nosec B311


def _steps(user: User) -> list[tuple[str, Callable[[], Any]]]:
    if user.officer:
        return [("home", lambda: user.get("/")), ("statistics", lambda: user.get("/statistics/"))]

    def case_list() -> None:
        user.case_ids = CASE_LINK.findall(user.get("/cases/")) or user.case_ids

    def note() -> None:
        user.post(f"/cases/{random.choice(user.case_ids)}/notes", {"body": "A bench note"})  # nosec B311

    def record() -> None:
        today = time.localtime()
        user.get("/cases/new")
        answers = {
            "source": "parent",
            "new_subject_name": f"Alex Bench{_letters()}",
            "new_subject_kind": "staff",
            "narrative": "A parent said a teacher messaged their child.",
            "became_aware_on": [str(today.tm_mday), str(today.tm_mon), str(today.tm_year)],
        }
        user.post("/cases/new", answers)  # the check-your-answers page
        user.post("/cases/new", {**answers, "confirmed": "yes"})

    return [
        ("home", lambda: user.get("/")),
        ("case list", case_list),
        ("case list filtered", lambda: user.get("/cases/?state=recorded&page=3")),
        ("case list search", lambda: user.get(f"/cases/?surname=Surname{random.randint(0, 19)}")),  # nosec B311
        ("case page", lambda: user.get(f"/cases/{random.choice(user.case_ids)}")),  # nosec B311
        ("add note", note),
        ("record disclosure", record),
    ]


def drive(
    users: list[User], duration: float, plan: Callable[[User], list[tuple[str, Callable[[], Any]]]]
) -> tuple[dict[str, list[float]], int, float]:
    times: dict[str, list[float]] = defaultdict(list)
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def run(user: User) -> None:
        nonlocal errors
        steps = plan(user)
        while time.perf_counter() < stop_at:
            for name, step in steps:
                start = time.perf_counter()
                try:
                    step()
                except (requests.RequestException, IndexError):
                    with lock:
                        errors += 1
                    continue
                with lock:
                    times[name].append(time.perf_counter() - start)

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, errors, time.perf_counter() - started


# --- 4. statements per page -------------------------------------------------------------------


def signed_in_client(app: Any, email: str) -> Any:
    """A test client of `app` signed in as `email` (a bench user), second factor and all."""
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = CSRF.search(page)
    assert token is not None
    csrf = token.group(1) or token.group(2)
    page = client.post(
        "/sign-in",
        data={"csrf_token": csrf, "email": email, "password": PASSWORD},
        follow_redirects=True,
    ).get_data(as_text=True)
    token = CSRF.search(page)
    assert token is not None
    csrf = token.group(1) or token.group(2)
    from incidents.models import User as Account

    with app.extensions["incidents.sessions"]() as session:
        session.query(Account).update({"totp_last_step": None})
        session.commit()
    signed = client.post("/sign-in/code", data={"csrf_token": csrf, "code": pyotp.TOTP(TOTP).now()})
    if signed.status_code != 302:
        raise SystemExit(f"{email} could not sign in in process ({signed.status_code})")
    return client


def statements_per_page(url: str, instance: Path) -> dict[str, int]:
    os.environ.update(_env(url, instance))
    from incidents import create_app

    app = create_app()
    app.config["RATELIMIT_ENABLED"] = False
    counts: dict[str, int] = {}
    said: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        said.append(statement)

    from sqlalchemy.engine import Engine

    event.listen(Engine, "before_cursor_execute", count)
    try:
        client = signed_in_client(app, "headteacher.0@bench.example")
        listing = client.get("/cases/").get_data(as_text=True)
        case_id = CASE_LINK.findall(listing)[0]
        for name, path in (
            ("home", "/"),
            ("case list", "/cases/"),
            ("case list filtered", "/cases/?state=recorded&page=3"),
            ("case list search", "/cases/?surname=Surname3"),
            ("case page", f"/cases/{case_id}"),
            ("statistics", "/statistics/"),
        ):
            said.clear()
            status = client.get(path).status_code
            counts[name] = len(said) if status == 200 else -status
        form = client.get(f"/cases/{case_id}").get_data(as_text=True)
        found = CSRF.search(form)
        assert found is not None
        csrf = found.group(1) or found.group(2)
        said.clear()
        status = client.post(
            f"/cases/{case_id}/notes", data={"csrf_token": csrf, "body": "A counted note"}
        ).status_code
        counts["add note"] = len(said) if status == 302 else -status
        said.clear()
        form = client.get("/cases/new").get_data(as_text=True)
        counts["record form"] = len(said)
        found = CSRF.search(form)
        assert found is not None
        csrf = found.group(1) or found.group(2)
        said.clear()
        today = time.localtime()
        answers = {
            "csrf_token": csrf,
            "source": "parent",
            "new_subject_name": f"Alex Counted{_letters()}",
            "new_subject_kind": "staff",
            "narrative": "A parent said a teacher messaged their child.",
            "became_aware_on": [str(today.tm_mday), str(today.tm_mon), str(today.tm_year)],
        }
        client.post("/cases/new", data=answers)  # the check-your-answers page
        sent = client.post("/cases/new", data={**answers, "confirmed": "yes"})
        status = sent.status_code
        if status != 302:  # say why, or the figure is silently the form's
            said_back = re.findall(r"Error:</span>(.*?)</", sent.get_data(as_text=True), re.S)
            print(f"record disclosure: {status}, {said_back[:3]}", file=sys.stderr)
        counts["record disclosure"] = (
            counts["record form"] + len(said) if status == 302 else -status
        )
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    return counts


# --- the run ---------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_perf"
    )
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument(
        "--instance", default=str(Path(tempfile.gettempdir()) / "incidents-bench-load")
    )
    parser.add_argument("--reuse", action="store_true", help="use the database as it is")
    parser.add_argument(
        "--counts-only", action="store_true", help="print the statements per page and stop"
    )
    parser.add_argument(
        "--verify-entries",
        type=int,
        default=0,
        help="grow school 0's log to this many entries, and time case pages while "
        "`incidents audit verify` runs (after the mix)",
    )
    args = parser.parse_args()
    instance = Path(args.instance)
    if not args.reuse:
        instance.mkdir(parents=True, exist_ok=True)
        for stale in ("keys.json", "audit-signing.key"):
            (instance / stale).unlink(missing_ok=True)
        build(args.database_url, instance, args.schools, args.cases)
    if args.verify_entries:
        grow_log(args.database_url, args.verify_entries)
    counts = statements_per_page(args.database_url, instance)
    if args.counts_only:
        print(f"statements per page, in process: {counts}")
        return
    env = _env(args.database_url, instance)
    bare_dir = Path(tempfile.mkdtemp())
    (bare_dir / "bench_bare.py").write_text(BARE_APP)
    app_server = start("incidents.wsgi:app", 8771, args.workers, env)
    try:
        users = []
        for n in range(args.users):
            # A quarter each: heads, DSLs, heads of other schools, trust officers (schools 0-3).
            role = ("headteacher", "dsl", "headteacher", "trust_officer")[n % 4]
            school = (n // 4 + (args.schools // 2 if n % 4 == 2 else 0)) % args.schools
            if role == "trust_officer":
                school = (n // 4) % min(4, args.schools)
            email = f"{role}.{school}@bench.example"
            users.append(User("http://127.0.0.1:8771", email, role == "trust_officer"))
        for user in users:
            _reset_step(args.database_url)
            user.sign_in()
            if not user.officer:
                user.case_ids = CASE_LINK.findall(user.get("/cases/"))
        REQUESTS.clear()  # the sign-ins and first lists are not the mix
        times, errors, elapsed = drive(users, args.duration, _steps)
        if args.verify_entries:
            verify_blocks("http://127.0.0.1:8771", env, args.schools)
    finally:
        stop(app_server)
    bare_env = {**env, "PYTHONPATH": f"{bare_dir}:{ROOT}"}
    bare_server = start("bench_bare:app", 8772, args.workers, bare_env)
    try:
        bare_users = [User("http://127.0.0.1:8772", "", False) for _ in range(args.users)]
        bare, _, bare_elapsed = drive(
            bare_users,
            min(args.duration, 20.0),
            lambda u: [("bare", lambda: u.http.get(f"{u.base}/"))],
        )
    finally:
        stop(bare_server)
    # Recording a disclosure is three requests (the form, checking the answers, sending them).
    total = sum(len(v) for v in times.values()) + 2 * len(times.get("record disclosure", []))
    throughput = total / elapsed
    bare_rate = len(bare["bare"]) / bare_elapsed
    bare_p95 = _pct(bare["bare"], 0.95)
    print(f"\n{args.users} users, {args.workers} gunicorn sync workers, {elapsed:.0f} s")
    print(f"errors: {errors}")
    head = ("page", "n", "p50 ms", "p95 ms", "p99 ms", "p95/bare", "statements")
    print(
        f"{head[0]:<20}{head[1]:>6}{head[2]:>9}{head[3]:>9}{head[4]:>9}{head[5]:>10}{head[6]:>12}"
    )
    for name in sorted(times):
        values = times[name]
        p95 = _pct(values, 0.95)
        p50, p99 = _pct(values, 0.5), _pct(values, 0.99)
        print(
            f"{name:<20}{len(values):>6}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}"
            f"{p95 / bare_p95:>10.1f}{counts.get(name, 0):>12}"
        )
    print("\neach request on its own (its route; sent to headers back):")
    for route in sorted(REQUESTS):
        values = REQUESTS[route]
        p95 = _pct(values, 0.95)
        print(
            f"  {route:<34}{len(values):>6}{_pct(values, 0.5):>9.1f}{p95:>9.1f}"
            f"{_pct(values, 0.99):>9.1f}{p95 / bare_p95:>10.1f}"
        )
    b50, b99 = _pct(bare["bare"], 0.5), _pct(bare["bare"], 0.99)
    print(f"{'bare route':<20}{len(bare['bare']):>6}{b50:>9.1f}{bare_p95:>9.1f}{b99:>9.1f}")
    ratio = bare_rate / throughput
    print(f"throughput: {throughput:.1f} requests/s; bare route {bare_rate:.1f}/s")
    print(f"ratio to the bare route: 1/{ratio:.1f} (target at least 1/4)")
    print(f"statements per page, in process: {counts}")
    print("targets: p95 of every page under 100 ms;")
    print("statements: home <= 10, case list <= 6, case page <= 15")


def _reset_step(url: str) -> None:
    """Stand-in for waiting 30 s between sign-ins that share the bench's one TOTP secret."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE user_account SET totp_last_step = NULL"))
    engine.dispose()


if __name__ == "__main__":
    main()
