"""Real-browser fixtures: the app served from a thread on a real, committed SQLite file with real
keys, driven by Debian's Chromium through pytest-playwright (never `playwright install`).

Every page a journey visits goes through `Visit.check`: an axe-core run that must find no
violations, and a full-page screenshot in artifacts/screenshots/ (kept by CI as an artefact).
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import pytest
from alembic import command
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Dialog, Page, expect
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import BaseWSGIServer, make_server

from incidents import create_app
from incidents.accounts import two_factor
from incidents.cli import alembic_config
from incidents.config import Settings
from incidents.crypto.keyring import Keyring
from incidents.crypto.keys import generate
from incidents.db import make_engine, make_session_factory
from incidents.models import Role, User
from tests import factories
from tests.accounts.oidc.conftest import provider  # noqa: F401 - the real OpenID provider fixture

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Known only to these tests: lets a journey type the code an authenticator app would show.
TOTP_SECRET = pyotp.random_base32()
_AXE = Axe()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        # Fail, never skip: a skipped browser suite would read as a pass.
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); "
            "bin/test does this when it runs as root. Never run `playwright install`.",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@dataclass
class Live:
    """The running app and what the journeys need to know about its data."""

    url: str
    app: Flask
    sessions: sessionmaker[Session]
    emails: dict[Role, str] = field(default_factory=dict)

    def db(self) -> Session:
        return self.sessions()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'incidents.db'}"
    keyring = Keyring(generate("browser tests"))
    command.upgrade(alembic_config(url, keyring), "head")
    engine = make_engine(url)
    sessions = make_session_factory(engine, keyring=keyring)
    settings = Settings(
        env="testing",
        secret_key="browser-test-secret-key-long-enough-to-use",
        database_url=url,
        instance_path=folder / "instance",
        session_cookie_secure=False,
        # Rate limits are unit-tested; here every sign-in comes from 127.0.0.1.
        ratelimit_enabled=False,
    )
    app = create_app(settings=settings, session_factory=sessions)
    live = Live(url="", app=app, sessions=sessions)
    with sessions() as db:
        school = factories.make_school(db, name="Browser Test Primary School")
        for role in Role:
            user = factories.make_user(db, school, role)
            live.emails[role] = user.email
            if role in two_factor.REQUIRED_FOR:
                two_factor.begin_enrolment(db, user=user, secret=TOTP_SECRET)
                two_factor.confirm_enrolment(db, user=user, code=pyotp.TOTP(TOTP_SECRET).now())
        db.commit()
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    live.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield live
    server.shutdown()
    thread.join(5)
    engine.dispose()


@pytest.fixture(scope="session")
def base_url(live: Live) -> str:
    return live.url


@pytest.fixture(scope="session", autouse=True)
def _fresh_screenshots() -> None:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


class Visit:
    """Checks every page a journey reaches, and fails the test if any script dialog opens."""

    def __init__(self, page: Page, name: str) -> None:
        self.page = page
        self.name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        self.count = 0
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def check(self, label: str) -> None:
        self.page.wait_for_load_state("load")
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        self.page.screenshot(
            path=str(SCREENSHOTS / f"{self.name}-{self.count:02d}-{slug}.png"), full_page=True
        )
        results = _AXE.run(self.page)
        assert results.violations_count == 0, f"{label}: {results.generate_report()}"
        assert not self.dialogs, f"a script dialog fired on {label}: {self.dialogs}"

    def sign_in(self, live: Live, role: Role, password: str = factories.PASSWORD) -> None:
        self.page.goto("/sign-in")
        self.check("sign in")
        self.sign_in_here(live, role, password)
        expect(self.page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
        self.check("home")

    def sign_in_here(self, live: Live, role: Role, password: str = factories.PASSWORD) -> None:
        """Sign in on the sign-in page already open (it may carry where to go next)."""
        page = self.page
        page.get_by_label("Email address").fill(live.emails[role])
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        if role in two_factor.REQUIRED_FOR:
            expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
            self.check("security code")
            # Each journey is a new "time step" for this user: a code is refused once used.
            forget_last_code(live, role)
            page.get_by_label("Security code").fill(pyotp.TOTP(TOTP_SECRET).now())
            page.get_by_role("button", name="Continue").click()


def forget_last_code(live: Live, role: Role) -> None:
    with live.db() as db:
        db.execute(update(User).where(User.email == live.emails[role]).values(totp_last_step=None))
        db.commit()


@pytest.fixture
def visit(page: Page, request: pytest.FixtureRequest) -> Visit:
    page.set_default_timeout(10_000)
    return Visit(page, request.node.name)
