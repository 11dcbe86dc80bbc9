"""Issue 21: the busiest pages run a fixed number of SQL statements, however many tasks, cases,
notes or schools there are. Each page is measured on a small school and on one three times the
size (with a second school of the same size beside it): the counts must be equal, and under the
ceiling, so an N+1 query cannot come back unnoticed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from incidents.casework.cases.notes import add_note
from incidents.casework.tasks.commands import add_task
from incidents.clock import local_today
from incidents.models import Case, PersonKind, Role, School, User
from tests import factories

# The ceilings from issue 21. The case page loads the case with which of its parts hold rows
# (`case_parts`), so the parts a case does not have (clocks, meetings, files, earlier cases,
# unread alerts...) cost no query: a case with every part runs one more per part present, still
# fixed whatever the number of cases, notes or schools.
HOME, CASE_LIST, CASE_PAGE = 10, 6, 14
# The record form (issue 21): it listed, and so decrypted, every adult of the school; it now
# offers only the people ticked or found by a surname search, and reads the catalogue once.
RECORD_FORM = 5

# The test's own transaction runs each request inside a savepoint: those statements are the
# test harness's, not the page's.
_HARNESS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
# An audit append stores a tree node when it completes a subtree: every other entry, so an
# audited page runs it or not by the log's size. Left out of the comparison, allowed for in
# the ceiling.
_TREE_NODE = "INSERT INTO audit_tree_node"


@contextmanager
def counting(connection: Connection) -> Iterator[list[str]]:
    statements: list[str] = []

    def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        said = statement.lstrip()
        if not said.upper().startswith(_HARNESS) and not said.startswith(_TREE_NODE):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", _count)


def _grow(db: Session, head: User, count: int) -> Case:
    """`count` cases managed by `head`, all about one person (so the case page lists the
    earlier cases about them), each with a task due today for them; the last case also gets
    `count` notes. Returns the last case."""
    case: Case | None = None
    for _ in range(count):
        case = factories.make_case(db, head, subjects=case.subjects if case else None)
        add_task(
            db,
            actor=head,
            case=case,
            title="Ring the LADO",
            assignee_id=head.id,
            due_on=local_today(),
        )
    assert case is not None
    for n in range(count):
        add_note(db, actor=head, case=case, body=f"Note {n}")
    db.commit()
    return case


def _other_school(db: Session, count: int) -> None:
    other: School = factories.make_school(db, name="Another School")
    head = factories.make_user(db, other, Role.HEADTEACHER)
    _grow(db, head, count)


def _page_counts(
    connection: Connection, client: FlaskClient, case: Case
) -> dict[str, tuple[int, list[str]]]:
    counts: dict[str, tuple[int, list[str]]] = {}
    for name, path in (
        ("home", "/"),
        ("case list", "/cases/"),
        ("case list search", "/cases/?surname=Teacher&state=recorded"),
        ("case page", f"/cases/{case.id}"),
    ):
        client.get(path)  # once to warm the caches a worker keeps (keys, templates)
        with counting(connection) as statements:
            response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = (len(statements), statements)
    return counts


@pytest.fixture
def measure(
    db: Session,
    connection: Connection,
    users: dict[Role, User],
    login_as: Callable[[Role], FlaskClient],
) -> Callable[[int], dict[str, tuple[int, list[str]]]]:
    head = users[Role.HEADTEACHER]
    client = login_as(Role.HEADTEACHER)

    def run(size: int) -> dict[str, tuple[int, list[str]]]:
        case = _grow(db, head, size)
        _other_school(db, size)
        return _page_counts(connection, client, case)

    return run


def test_pages_run_a_fixed_number_of_statements(
    measure: Callable[[int], dict[str, tuple[int, list[str]]]],
) -> None:
    small = measure(2)
    large = measure(4)  # with the first batch: 6 cases, tasks and notes, and three schools
    ceilings = {"home": HOME, "case list": CASE_LIST, "case list search": CASE_LIST}
    ceilings["case page"] = CASE_PAGE
    for page, ceiling in ceilings.items():
        n_small, _ = small[page]
        n_large, statements = large[page]
        detail = "\n".join(statements)
        assert n_small == n_large, f"{page}: {n_small} statements, then {n_large}\n{detail}"
        assert n_large + 1 <= ceiling, (
            f"{page}: {n_large} (+1) statements, at most {ceiling}\n{detail}"
        )


def test_the_record_form_reads_the_same_whatever_the_number_of_people(
    db: Session,
    connection: Connection,
    users: dict[Role, User],
    login_as: Callable[[Role], FlaskClient],
) -> None:
    head = users[Role.HEADTEACHER]
    client = login_as(Role.HEADTEACHER)
    counts: list[int] = []
    for size in (2, 40):
        for n in range(size):
            factories.make_person(db, head, f"Adult{size} Number{n}", PersonKind.STAFF)
        db.commit()
        client.get("/cases/new")  # warm the worker's caches (keys, templates)
        with counting(connection) as statements:
            response = client.get("/cases/new")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert f"Adult{size}" not in page  # nobody decrypted and listed before a search
        counts.append(len(statements))
        detail = "\n".join(statements)
        assert len(statements) + 1 <= RECORD_FORM, f"{len(statements)} (+1)\n{detail}"
    assert counts[0] == counts[1], counts
