"""Fixtures: a migrated database per run, a transaction per test (rolled back), the app bound to
that transaction, and signed-in clients per role.

SQLite in a temporary file by default; PostgreSQL when TEST_DATABASE_URL is set. Under
pytest-xdist each worker has its own database (`test_gw0`, ...), so the workers never meet.

INCIDENTS_TEST_NOW=2027-01-31T23:30:00+00:00 runs the suite at that moment, ticking on: the way to
prove a test does not depend on today's date, the time zone or the clock change. Chromium keeps
the real clock, so with a moment in the past deselect the browser tests (-m "not browser"): it
would drop session cookies that expired before its today.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest
import time_machine
from alembic import command
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import Connection, Engine, MetaData, func, make_url, select, text, update
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.routing import Rule

from incidents import create_app
from incidents.accounts import two_factor
from incidents.accounts import users as user_service
from incidents.audit import parallel
from incidents.audit import signer as signing
from incidents.audit.signer import Signer
from incidents.cli import alembic_config, cli
from incidents.config import Settings
from incidents.crypto.keyring import Keyring
from incidents.crypto.keys import generate
from incidents.db import make_engine
from incidents.models import Case, Role, School, User
from tests import factories
from tests.own_database import create_fresh, worker_suffix

CSRF_PATTERN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def _reset_schema(engine: Engine) -> None:
    """Drop whatever a previous run left (PostgreSQL test databases are reused)."""
    existing = MetaData()
    existing.reflect(bind=engine)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("PRAGMA foreign_keys=OFF"))
        existing.drop_all(bind=conn)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    suffix = worker_suffix()
    if not suffix:
        return url
    own = make_url(url)
    own = own.set(database=f"{own.database}_{suffix.rstrip('_')}")
    create_fresh(own.render_as_string(hide_password=False))
    return own.render_as_string(hide_password=False)


def pytest_configure(config: pytest.Config) -> None:
    """Travel to INCIDENTS_TEST_NOW, when it is set, before any test module is imported (many
    compute TODAY at import), and stay there, ticking, for the whole run. A test that pins its
    own moment with time_machine.travel still wins inside it."""
    pinned = os.environ.get("INCIDENTS_TEST_NOW", "")
    if pinned:
        time_machine.travel(datetime.fromisoformat(pinned), tick=True).start()


def _touches_a_database(item: pytest.Item) -> bool:
    """Whether `item` reaches the test database: through the `database_url` fixture (which
    `engine`, `db`, `app` and the rest build on), or a throwaway database of its own."""
    module = getattr(item, "module", None)
    return "database_url" in getattr(item, "fixturenames", ()) or hasattr(module, "own_database")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, leave out the tests that never touch a database (the workflow tables, the
    layout rules, parsers, pure crypto): they ran on SQLite and would run the same code again.
    INCIDENTS_PG_ALL=1 keeps them. The count left out is printed at the end of the run."""
    if not os.environ.get("TEST_DATABASE_URL") or os.environ.get("INCIDENTS_PG_ALL"):
        return
    left_out = [item for item in items if not _touches_a_database(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if _touches_a_database(item)]
        config.stash[_LEFT_OUT] = len(left_out)


_LEFT_OUT = pytest.StashKey[int]()


def pytest_report_header(config: pytest.Config) -> str | None:
    """Said at the top of every run (the workers under xdist do the leaving out, unseen)."""
    if not os.environ.get("TEST_DATABASE_URL") or os.environ.get("INCIDENTS_PG_ALL"):
        return None
    return (
        "PostgreSQL: tests that touch no database are left out (they run in the SQLite pass; "
        "INCIDENTS_PG_ALL=1 keeps them), and the access sweep is sampled (INCIDENTS_SWEEP=full)"
    )


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if left_out := config.stash.get(_LEFT_OUT, 0):
        terminalreporter.write_line(
            f"{left_out} tests that touch no database were left out on PostgreSQL "
            "(they ran in the SQLite pass; INCIDENTS_PG_ALL=1 runs them here too)"
        )


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    _reset_schema(engine)
    command.upgrade(alembic_config(database_url), "head")
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture(scope="session")
def keyring() -> Keyring:
    """Real keys, made for this test run (the key file itself is tested in test_keys)."""
    return Keyring(generate("test keys"))


@pytest.fixture(scope="session")
def signer() -> Signer:
    """A real Ed25519 checkpoint signer for this test run."""
    return Signer(name="test-audit", private=Ed25519PrivateKey.generate())


@pytest.fixture
def session_factory(
    connection: Connection, keyring: Keyring, signer: Signer
) -> sessionmaker[Session]:
    # Every session joins the test's transaction through a savepoint, so a view's commit or
    # rollback behaves as in production while the whole test is undone at the end.
    return sessionmaker(
        bind=connection,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
        info={"keyring": keyring, "signer": signer, "audit_origin_base": "test.invalid/audit"},
    )


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        env="testing",
        secret_key="test-secret-key-that-is-long-enough-to-use",
        database_url=database_url,
        instance_path=tmp_path / "instance",
        session_cookie_secure=False,
        ratelimit_enabled=False,
    )


# --- Speed only: nothing here changes what a test checks -----------------------------------------


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory and shared between the per-test apps: each app has a
    fresh Jinja environment, so without this every test compiles every template it renders."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _MemoryBytecodeCache()


# Each test builds its own app, and werkzeug compiles a URL builder for every rule of every app
# by generating and compiling Python source: about 0.1 s an app, a quarter of the suite's time.
# The builder depends only on the rule's own text, defaults and converters' output for those
# defaults, so an identical rule gets the identical function back: cached here by everything it
# is made from. Nothing a test checks changes: routing and url_for run werkzeug's own code.
_BUILDERS: dict[tuple[object, ...], Callable[..., tuple[str, str]]] = {}
_compile_builder = Rule._compile_builder


def _cached_compile_builder(
    self: Rule, append_unknown: bool = True
) -> Callable[..., tuple[str, str]]:
    key = (
        self.rule,
        self.subdomain,
        self.host,
        self.map.host_matching if self.map is not None else None,
        self.merge_slashes,
        repr(sorted((self.defaults or {}).items())),
        tuple(self._trace),
        tuple((name, type(conv), conv.regex) for name, conv in self._converters.items()),
        append_unknown,
    )
    builder = _BUILDERS.get(key)
    if builder is None:
        builder = _BUILDERS[key] = _compile_builder(self, append_unknown)
    return builder


Rule._compile_builder = _cached_compile_builder  # type: ignore[method-assign]

# Production Argon2 parameters cost about 0.3-0.5 s a hash, and each test creates ~9 users (one
# per role), so test users are hashed with the cheapest parameters instead. Only hashing is
# replaced: sign-in still runs the real `verify_password`, which verifies with whatever
# parameters the stored hash carries, and an unknown email is still checked against the real
# (production-cost) dummy hash. A test that needs production-cost hashes can undo this with
# `monkeypatch.setattr(user_service, "hash_password", passwords.hash_password)`.
_CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(user_service, "hash_password", _CHEAP_HASHER.hash)


# `incidents audit verify` lowers the CPU priority of the process it runs in (issue 21): under
# CliRunner that is the test run's own, which would stay lowered for every later test. The
# calls are recorded instead (tests/audit/test_audit_priority.py reads them).
@pytest.fixture(autouse=True)
def niceness_asked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    asked: list[int] = []

    def record(by: int) -> int:
        asked.append(by)
        return os.nice(0)

    monkeypatch.setattr(parallel, "lower_priority", record)
    return asked


def share_templates(app: Flask) -> Flask:
    """Give an app the test run's shared template cache; for tests that build their own app."""
    app.jinja_env.bytecode_cache = _TEMPLATES
    return app


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session]) -> Flask:
    app = create_app(
        overrides={"TESTING": True, "SERVER_NAME": "localhost"},
        settings=settings,
        session_factory=session_factory,
    )
    return share_templates(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def school(db: Session) -> School:
    school = factories.make_school(db)
    db.commit()
    return school


@pytest.fixture
def users(db: Session, school: School) -> dict[Role, User]:
    made = {role: factories.make_user(db, school, role) for role in Role}
    # Roles that must have a second factor are enrolled with the test run's known secret.
    for role, user in made.items():
        if role in two_factor.REQUIRED_FOR:
            factories.enrol_two_factor(db, user)
    db.commit()
    return made


def success_banner(page: str) -> str:
    """The text of the green "done" banner on `page`, or ''."""
    banner = re.search(r'govuk-notification-banner__content">(.*?)</div>', page, re.S)
    return banner.group(1) if banner else ""


def problem(page: str) -> str:
    """The text of the error summary on `page` (a refusal, or a form's errors), or ''."""
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S)
    return summary.group(0) if summary else ""


# --- The `incidents` command, with a real signing key ------------------------------------------


def run_cli(app: Flask, *args: str) -> Result:
    """Run the `incidents` command against `app`, as a user would type it."""
    return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))


@pytest.fixture
def signed_app(
    settings: Settings, connection: Connection, keyring: Keyring, tmp_path: Path
) -> Flask:
    """The app with a real checkpoint signing key on disk, for the audit commands."""
    key_file = tmp_path / "signing" / "audit.key"
    signing.generate(key_file)
    file_settings = dataclasses.replace(
        settings, signing_key_file=key_file, checkpoint_dir=tmp_path / "checkpoints"
    )
    signer = signing.load(key_file, file_settings.audit_key_name)
    factory = sessionmaker(
        bind=connection,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
        info={"keyring": keyring, "signer": signer},
    )
    return create_app(settings=file_settings, session_factory=factory, overrides={"TESTING": True})


@pytest.fixture
def school_with_cases(signed_app: Flask) -> tuple[School, list[Case]]:
    """A school with three cases, committed through the signed app."""
    db = signed_app.extensions["incidents.sessions"]()
    school = factories.make_school(db)
    head = factories.make_user(db, school, Role.HEADTEACHER)
    cases = [factories.make_case(db, head) for _ in range(3)]
    db.commit()
    return school, cases


def count(db: Session, model: type) -> int:
    """How many rows `model`'s table has."""
    return db.scalar(select(func.count()).select_from(model)) or 0


def date_parts(day: date) -> list[str]:
    """A GOV.UK date input's three values: day, month, year."""
    return [str(day.day), str(day.month), str(day.year)]


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token from any page with a form (every signed-in page has the sign-out form)."""
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = CSRF_PATTERN.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def sign_in(client: FlaskClient, email: str, password: str = factories.PASSWORD) -> None:
    """Sign in as a browser would; for an enrolled user, type the authenticator's code too."""
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in", data={"csrf_token": token, "email": email, "password": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if response.location.endswith("/sign-in/code"):
        forget_last_code(client.application, email)
        code = pyotp.TOTP(factories.TOTP_SECRET).now()
        response = client.post(
            "/sign-in/code", data={"csrf_token": csrf_token(client, "/sign-in/code"), "code": code}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]


def confirm_it_is_you(
    client: FlaskClient, purpose: str, record: object, reason: str = "For the meeting"
) -> None:
    """Re-enter the password and a reason, as the re-authentication page asks before a sealed
    reporter, a closed case or an export."""
    path = f"/reauthenticate/{purpose}?record={record}"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "password": factories.PASSWORD,
            "reason": reason,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def forget_last_code(app: Flask, email: str) -> None:
    """Stand-in for waiting 30 seconds: a test signs the same user in more than once a time
    step, and a code is refused after its step has been used."""
    with app.extensions["incidents.sessions"]() as session:
        session.execute(update(User).where(User.email == email).values(totp_last_step=None))
        session.commit()


@pytest.fixture
def login_as(app: Flask, users: dict[Role, User]) -> Callable[[Role], FlaskClient]:
    """A fresh client signed in as the user with `role` at the test school."""

    def login(role: Role) -> FlaskClient:
        client = app.test_client()
        sign_in(client, users[role].email)
        return client

    return login


def post_form(
    client: FlaskClient, path: str, data: dict[str, object], token_from: str | None = None
) -> TestResponse:
    """POST a form the way a browser would: with the CSRF token from the page."""
    token = csrf_token(client, token_from or path)
    return client.post(path, data={"csrf_token": token, **data})


from werkzeug.test import TestResponse  # noqa: E402  (used in the annotation above)
