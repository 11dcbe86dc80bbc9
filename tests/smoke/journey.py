"""The production smoke test's HTTP journey (issue 20, item 2), run by `bin/smoke` with the
installed wheel's Python: only the standard library and pyotp, which the wheel depends on.

Against a running server, as a browser behind a TLS proxy would (X-Forwarded-Proto: https, so the
Secure session cookie is set): sign in, set up two-factor sign-in, sign out, sign in again with
a code, record a disclosure, add a note, open the statistics page. Each step checks what a user
would see; the first failure stops the journey with its reason.

Usage: python journey.py BASE_URL EMAIL PASSWORD
"""

from __future__ import annotations

import html
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from http.cookies import SimpleCookie
from zoneinfo import ZoneInfo

import pyotp

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SECRET = re.compile(r'class="govuk-body app-secret"><code>([A-Z2-7 ]+)</code>')
CASE_URL = re.compile(r"/cases/([0-9a-f-]{36})$")


Form = dict[str, str | list[str]]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """Just enough of a browser: cookies (Secure ones too: the proxy speaks https for us), no
    automatic redirects, so each answer's status can be checked."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, data: Form | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)  # noqa: S310 - our own server
        req.add_header("X-Forwarded-Proto", "https")
        req.add_header("X-Forwarded-For", "192.0.2.10")
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as exc:
            response = exc
        for header in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value == "" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        text = response.read().decode("utf-8", "replace")
        location = response.headers.get("Location", "")
        return response.status, location, text

    def get(self, path: str, expect: int = 200) -> str:
        status, location, text = self.request(path)
        check(status == expect, f"GET {path}: expected {expect}, got {status} {location}")
        return text

    def post(self, path: str, data: Form, form_page: str) -> str:
        """Post a form with the CSRF token of the page it is on; return where it sent us."""
        token = CSRF.search(self.get(form_page))
        check(token is not None, f"no CSRF token on {form_page}")
        assert token is not None
        status, location, text = self.request(path, {**data, "csrf_token": token.group(1)})
        if status != 302:
            errors = re.findall(r'govuk-error-message">\s*(.*?)</', text, re.S)
            shown = [html.unescape(e) for e in errors]
            fail(f"POST {path}: expected a redirect, got {status} {shown}")
        return urllib.parse.urlsplit(location).path


def check(ok: bool, message: str) -> None:
    if not ok:
        fail(message)


def fail(message: str) -> None:
    print(f"smoke: FAILED: {message}", file=sys.stderr)
    raise SystemExit(1)


def step(message: str) -> None:
    print(f"smoke: {message}")


def main(base: str, email: str, password: str) -> None:
    browser = Browser(base)
    check('"ok"' in browser.get("/healthz"), "/healthz is not ok")

    where = browser.post("/sign-in", {"email": email, "password": password}, "/sign-in")
    browser.get(where, expect=302)  # the home page sends the headteacher to set up 2FA first
    page = browser.get("/two-factor/set-up")
    found = SECRET.search(page)
    check(found is not None, "the set-up page shows no key to type in")
    assert found is not None
    totp = pyotp.TOTP(found.group(1).replace(" ", ""))
    token = CSRF.search(page)
    assert token is not None
    status, _, text = browser.request(
        "/two-factor/set-up", {"code": totp.now(), "csrf_token": token.group(1)}
    )
    check(status == 200 and "recovery code" in text.lower(), "two-factor set-up failed")
    step("two-factor sign-in set up")

    browser.post("/sign-out", {}, "/")
    where = browser.post("/sign-in", {"email": email, "password": password}, "/sign-in")
    check(where == "/sign-in/code", f"a correct password should ask for the code, not {where}")
    # The set-up used this 30-second step's code and each step works once: the next step's code
    # is accepted (one step of clock drift is allowed), so the smoke test never waits.
    code = totp.at(time.time() + 30)
    where = browser.post("/sign-in/code", {"code": code}, "/sign-in/code")
    check("Sign out" in browser.get(where), "not signed in after the code")
    step("signed in with a password and a two-factor code")

    today = datetime.now(ZoneInfo("Europe/London")).date()
    where = browser.post(
        "/cases/new",
        {
            "source": "parent",
            "new_subject_name": "Smoke Test Subject",
            "new_subject_kind": "staff",
            "narrative": "A parent says a teacher added pupils as friends on social media.",
            "became_aware_on": [str(today.day), str(today.month), str(today.year)],
            "confirmed": "yes",  # the check-your-answers page's final button
        },
        "/cases/new",
    )
    found_case = CASE_URL.search(where)
    check(found_case is not None, f"recording a disclosure led to {where}, not a case page")
    step(f"recorded a disclosure: {where}")

    browser.post(f"{where}/notes", {"body": "Spoke to the parent by phone."}, where)
    check("Spoke to the parent by phone." in browser.get(where), "the note is not on the case")
    step("added a note to the chronology")

    check("Statistics" in browser.get("/statistics/"), "the statistics page did not open")
    step("opened the statistics page")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
