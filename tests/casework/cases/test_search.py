"""Searching without names in URLs (issue 17, item 6): the surname is POSTed and comes back as
an encrypted, short-lived token bound to the user; a prefix finds the name; and a crawl of every
page each role can reach finds no name in any link's query string."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import unquote, urljoin, urlsplit

import time_machine
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from incidents.casework.cases import search
from incidents.casework.cases.commands import NewSubject
from incidents.models import PersonKind, Role, User
from tests import case_stages, factories
from tests.conftest import post_form

NAMES = ("Robin Fenwick", "Alex Ashworth")
REPORTER = "Pat Discloser"


def _cases(db: Session, head: User) -> dict[str, str]:
    made = {}
    for name in NAMES:
        case = factories.make_case(
            db, head, new_subject=NewSubject(name=name, kind=PersonKind.STAFF)
        )
        made[name] = case.reference
    db.commit()
    return made


def _references(page: str) -> set[str]:
    return set(re.findall(r">(\d{4}-\d{4})</a>", page))


def test_a_surname_is_posted_and_never_in_the_url(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    made = _cases(db, users[Role.HEADTEACHER])
    client = login_as(Role.HEADTEACHER)

    response = post_form(client, "/cases/", {"surname": "fenw", "state": "recorded"})

    assert response.status_code == 302
    assert "fenw" not in response.location.lower() and "state=recorded" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert _references(page) == {made["Robin Fenwick"]}  # the prefix finds Fenwick only
    # Another user cannot use the token (a link copied into an email, a log line).
    other = login_as(Role.DSL).get(response.location).get_data(as_text=True)
    assert search.EXPIRED in other
    assert _references(other) == set(made.values())  # the other filters still apply


def test_the_token_goes_stale(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    _cases(db, users[Role.HEADTEACHER])
    client = login_as(Role.HEADTEACHER)
    location = post_form(client, "/cases/", {"surname": "Ashworth"}).location
    with time_machine.travel(timedelta(seconds=search.TTL_SECONDS + 60), tick=False):
        page = client.get(location).get_data(as_text=True)
    assert search.EXPIRED in page


def test_a_tampered_token_is_refused() -> None:
    user = uuid.uuid4()
    token = search.seal("secret", user, "Fenwick")
    assert search.open_token("secret", user, token) == "Fenwick"
    assert search.open_token("other secret", user, token) is None
    assert search.open_token("secret", uuid.uuid4(), token) is None
    assert search.open_token("secret", user, token[:-4] + "AAAA") is None
    assert search.open_token("secret", user, "not a token ü") is None


def _crawl(client: FlaskClient, start: str, limit: int = 40) -> list[str]:
    """Every link a user can follow from `start` (GET, this site, no sign-out), breadth first."""
    seen, queue, links = {start}, [start], []
    while queue and len(seen) <= limit:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.mimetype:
            continue
        for href in re.findall(r'(?:href|action)="([^"#]+)', response.get_data(as_text=True)):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc and parts.netloc != "localhost":
                continue
            links.append(target)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path not in seen and not parts.path.startswith(("/static", "/sign-out")):
                seen.add(path)
                queue.append(path)
    return links


def test_no_link_on_any_page_carries_a_name(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    _cases(db, head)
    case_stages.triaged(db, head, case_stages.recorded(db, head))
    words = {w.casefold() for name in (*NAMES, REPORTER, "Jo Teacher") for w in name.split()}
    words |= {w.casefold() for u in users.values() for w in u.display_name.split()}
    for role in (Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL, Role.STAFF, Role.GOVERNOR):
        client = login_as(role)
        if role is Role.HEADTEACHER:  # a search, so the list's links carry its token
            start = post_form(client, "/cases/", {"surname": "Fenwick"}).location
        else:
            start = "/"
        for link in _crawl(client, start):
            query = unquote(urlsplit(link).query).casefold()
            assert not any(word in query for word in words if len(word) > 2), (role, link)
