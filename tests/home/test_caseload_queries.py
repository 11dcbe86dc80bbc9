"""Issue 21 on the caseload: the home page runs the same number of SQL statements however many
cases, tasks, referral clocks and alerts a school has, within the ceiling, and decrypts nothing
(it shows references and fixed wording only)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from incidents.casework.tasks.commands import add_task
from incidents.clock import local_today
from incidents.crypto import envelope
from incidents.models import CaseKind, Role, User
from tests import case_stages
from tests.web.test_query_counts import HOME, counting

Login = Callable[[Role], FlaskClient]


def _grow(db: Session, users: dict[Role, User], count: int) -> None:
    """`count` cases of each kind the caseload lists: awaiting triage with a task for the DSL,
    an allegation with its LADO clock, and one with a task nobody has."""
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    for n in range(count):
        waiting = case_stages.recorded(db, head)
        add_task(
            db,
            actor=head,
            case=waiting,
            title=f"Task {n}",
            assignee_id=dsl.id,
            due_on=local_today() + timedelta(days=n % 9),
        )
        case_stages.triaged(db, head, case_stages.recorded(db, head), CaseKind.ALLEGATION)
        nobodys = case_stages.recorded(db, head)
        add_task(
            db, actor=head, case=nobodys, title=f"Loose {n}", assignee_id=None, due_on=local_today()
        )
    db.commit()


def _statements(connection: Connection, client: FlaskClient, path: str) -> list[str]:
    client.get(path)  # warm the caches a worker keeps (keys, templates)
    with counting(connection) as statements:
        assert client.get(path).status_code == 200
    return statements


@pytest.mark.parametrize("sort", ["", "?sort=opened", "?sort=status"])
def test_the_caseload_runs_a_fixed_number_of_statements(
    db: Session,
    connection: Connection,
    users: dict[Role, User],
    login_as: Login,
    monkeypatch: pytest.MonkeyPatch,
    sort: str,
) -> None:
    dsl = login_as(Role.DSL)
    _grow(db, users, 2)
    small = _statements(connection, dsl, f"/{sort}")
    _grow(db, users, 8)  # 30 open cases, 36 tasks and 10 clocks in all
    decrypted: list[object] = []
    opener = envelope.open_field

    def counted(*args: object, **kwargs: object) -> str:
        decrypted.append(args)
        return opener(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(envelope, "open_field", counted)
    large = _statements(connection, dsl, f"/{sort}")
    detail = "\n".join(large)
    assert len(small) == len(large), f"{len(small)} statements, then {len(large)}\n{detail}"
    assert len(large) + 1 <= HOME, f"{len(large)} (+1) statements, at most {HOME}\n{detail}"
    assert decrypted == []  # no name, title or narrative is opened to draw the page
    page = dsl.get(f"/{sort}").get_data(as_text=True)
    assert page.count('govuk-tag--yellow">Awaiting triage<') >= 20


def test_a_role_without_cases_runs_no_case_query(
    db: Session, connection: Connection, users: dict[Role, User], login_as: Login
) -> None:
    _grow(db, users, 2)
    governor = login_as(Role.GOVERNOR)
    statements = _statements(connection, governor, "/")
    # (The inbox's query joins its alerts' cases, and the governor has none.)
    reads = ("FROM case_file", "FROM task", "FROM referral")
    assert not any(r in s for s in statements for r in reads), "\n".join(statements)


def test_counting_sees_the_caseload_queries(
    db: Session, connection: Connection, users: dict[Role, User], login_as: Login
) -> None:
    # The ceiling test would pass vacuously if the caseload's own queries were not counted.
    _grow(db, users, 1)
    statements = _statements(connection, login_as(Role.DSL), "/")
    assert sum("FROM task" in s for s in statements) == 1
    assert sum("FROM referral" in s for s in statements) == 1
    print(len(statements), "statements")
