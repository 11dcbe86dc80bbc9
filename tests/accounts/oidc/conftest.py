"""A real OpenID provider for the sign-in tests: the npm package oidc-provider, run with the
machine's Node.js on a free 127.0.0.1 port, once per test process (each xdist worker has its
own). Its signing key is made here, so a test can also forge a token the way an attacker with
or without that key would. `npm ci` runs first when node_modules is missing (a fresh clone)."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from incidents.accounts.oidc import client as oidc_client
from incidents.models import School, SignInSettings
from incidents.sensitive import Sensitive

PROVIDER_DIR = Path(__file__).resolve().parent.parent / "oidc_provider"
CLIENT_ID = "incidents-test-client"
CLIENT_SECRET = "a-client-secret-for-the-tests-only"
# The app's base URL in the tests (Settings' default): the redirect URI registered with the
# provider is built on it, as a school registers the one its admin page shows.
REDIRECT_URI = "http://127.0.0.1:5000/sign-in/provider/callback"


def domain_of(school: School) -> str:
    """The test users' email domain (factories.make_user), which the school allows."""
    return f"{school.urn}.example"


def _npm_ci() -> None:
    """Install the provider's exact locked packages, once even with several xdist workers."""
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("the OpenID provider tests need Node.js and npm")
    with open(PROVIDER_DIR / ".npm-ci.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, check=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Provider:
    issuer: str
    key: RSAKey
    process: subprocess.Popen[bytes]

    def account(self, sub: str, email: str, *, verified: bool = True, **claims: Any) -> None:
        """An account at the provider. `claims` replace the usual ones (Entra ID's style:
        email_verified=None, xms_edov=True)."""
        account = {"sub": sub, "email": email, "email_verified": verified, "name": "A Teacher"}
        account.update(claims)
        requests.post(
            f"{self.issuer}/test/account",
            json={k: v for k, v in account.items() if v is not None},
            timeout=5,
        ).raise_for_status()

    def signs_in_next(self, sub: str, amr: list[str] | None = None) -> None:
        requests.post(
            f"{self.issuer}/test/next", json={"account": sub, "amr": amr or ["pwd"]}, timeout=5
        ).raise_for_status()

    def forge(self, id_token: str, key: RSAKey | None = None, **changes: Any) -> str:
        """The provider's ID token with `changes` to its claims, signed again (with the
        provider's own key unless another is given): what only a holder of the key can do."""
        claims = json.loads(_b64(id_token.split(".")[1]))
        claims.update(changes)
        signer = key or self.key
        header = {"alg": "RS256", "kid": signer.kid}
        return jwt.encode(header, claims, signer)


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@pytest.fixture(scope="session")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    _npm_ci()
    key = RSAKey.generate_key(2048, parameters={"kid": "provider-key-1", "use": "sig"})
    port = _free_port()
    setup = tmp_path_factory.mktemp("provider") / "setup.json"
    setup.write_text(
        json.dumps(
            {
                "clients": [
                    {
                        "client_id": CLIENT_ID,
                        "client_secret": CLIENT_SECRET,
                        "redirect_uris": [REDIRECT_URI],
                        "grant_types": ["authorization_code"],
                        "response_types": ["code"],
                        "token_endpoint_auth_method": "client_secret_basic",
                    }
                ],
                "keys": [{**key.as_dict(private=True), "alg": "RS256", "use": "sig"}],
                "cookieKey": secrets.token_urlsafe(32),
            }
        )
    )
    process = subprocess.Popen(
        [shutil.which("node") or "node", "provider.js"],
        cwd=PROVIDER_DIR,
        env={**os.environ, "PORT": str(port), "PROVIDER_SETUP": str(setup)},
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    line = process.stdout.readline().decode()
    if not line.startswith("listening"):
        process.kill()
        pytest.fail(f"the OpenID provider did not start: {line!r}")
    try:
        yield Provider(issuer=f"http://127.0.0.1:{port}", key=key, process=process)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def provider_settings(db: Session, school: School, provider: Provider) -> SignInSettings:
    """The test school signs in with the provider (passwords still on, provider MFA not
    trusted): the settings page's own tests set it up through the page."""
    oidc_client.CACHE.clear()
    row = SignInSettings(
        school_id=school.id,
        provider_name="Microsoft",
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        client_secret=Sensitive(CLIENT_SECRET),
        allowed_domains=domain_of(school),
        trust_provider_mfa=False,
        passwords_off=False,
    )
    db.add(row)
    db.commit()
    return row


def through_provider(
    client: FlaskClient,
    provider: Provider,
    school: School,
    *,
    sub: str,
    amr: list[str] | None = None,
    before_callback: Callable[[str], str] | None = None,
) -> TestResponse:
    """Press "Sign in with Microsoft" and go through the provider as a browser would; the
    answer to the app's callback. `before_callback` may change the callback's address."""
    provider.signs_in_next(sub, amr)
    start = client.get(f"/sign-in/provider/{school.id}")
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    browser = requests.Session()
    url = start.location
    for _ in range(10):
        assert url.startswith(provider.issuer), url
        answer = browser.get(url, allow_redirects=False, timeout=10)
        assert answer.status_code in (302, 303), (answer.status_code, answer.text[:300])
        url = urljoin(url, answer.headers["Location"])
        if url.startswith(REDIRECT_URI):
            break
    else:
        pytest.fail("the provider never sent the browser back")
    if before_callback is not None:
        url = before_callback(url)
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")
