"""The `incidents` command: schools, users, demo data, and bad options."""

from __future__ import annotations

import dataclasses
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.accounts.users import authenticate
from incidents.cli import cli
from incidents.clock import local_today
from incidents.demo import DEMO_CASES, DEMO_SCHOOL, DEMO_URN, DEMO_USERS, TRUST_SCHOOLS
from incidents.demo_history import HISTORY_CASES, history_cases
from incidents.models import (
    Case,
    PolicyClause,
    Role,
    School,
    StatsRelease,
    SubjectAccessRequest,
    User,
)
from tests import factories


def run(app: Flask, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app), input=input)


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_create_school_loads_only_the_chosen_policies(app, db):
    result = run(
        app, "create-school", "--name", "Hill Top Primary", "--urn", "123456", "--policy", "001"
    )
    assert result.exit_code == 0, result.output
    assert "Created Hill Top Primary (URN 123456)" in result.output
    school = db.scalar(select(School).where(School.urn == "123456"))
    codes = db.scalars(select(PolicyClause.code).where(PolicyClause.school_id == school.id)).all()
    assert codes and all(code.startswith("001-") for code in codes)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "", "--urn", "123456"], "Enter the school's name"),
        (["--name", "X" * 201, "--urn", "123456"], "200 characters or fewer"),
        (["--name", "Hill Top", "--urn", "12ab56"], "6 to 8 digits"),
        (["--name", "Hill Top", "--urn", "123"], "6 to 8 digits"),
        (["--name", "Hill Top", "--urn", "123456", "--policy", "999"], "Unknown policy"),
        (["--name", "Hill Top"], "Missing option '--urn'"),
    ],
)
def test_create_school_bad_input_is_refused_and_nothing_is_stored(app, db, args, message):
    before = count(db, School)
    result = run(app, "create-school", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert count(db, School) == before


def test_create_school_refuses_a_duplicate_urn(app, db, school):
    result = run(app, "create-school", "--name", "Another", "--urn", school.urn)
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_create_user_with_generated_password_can_sign_in(app, db, school):
    result = run(
        app,
        "create-user",
        "--school",
        school.urn,
        "--email",
        "New.Head@Example.org",
        "--name",
        "New Head",
        "--role",
        "headteacher",
        "--role",
        "dsl",
        "--generate-password",
    )
    assert result.exit_code == 0, result.output
    password = result.output.split("Password (shown once): ")[1].strip()
    user = authenticate(db, email="new.head@example.org", password=password)
    assert user is not None
    assert user.roles == {Role.HEADTEACHER, Role.DSL}


def test_create_user_prompts_for_a_password_twice(app, db, school):
    password = "a long enough passphrase"
    result = run(
        app,
        "create-user",
        "--school",
        school.urn,
        "--email",
        "t@example.org",
        "--name",
        "Teacher",
        "--role",
        "staff",
        input=f"{password}\n{password}\n",
    )
    assert result.exit_code == 0, result.output
    assert password not in result.output
    assert authenticate(db, email="t@example.org", password=password) is not None


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--email", "not-an-email", "--name", "A", "--role", "staff"], None, "correct format"),
        (
            ["--email", "a@example.org", "--name", "", "--role", "staff"],
            None,
            "Enter the user's name",
        ),
        (
            ["--email", "a@example.org", "--name", "A", "--role", "wizard"],
            None,
            "Invalid value for '--role'",
        ),
        (["--email", "a@example.org", "--name", "A"], None, "Missing option '--role'"),
        (
            ["--email", "a@example.org", "--name", "A", "--role", "staff"],
            "short\nshort\n",
            "12 characters or more",
        ),
    ],
)
def test_create_user_bad_input(app, db, school, args, stdin, message):
    before = count(db, User)
    extra = [] if stdin else ["--generate-password"]
    result = run(app, "create-user", "--school", school.urn, *args, *extra, input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert count(db, User) == before


def test_create_user_unknown_school(app, db):
    result = run(
        app,
        "create-user",
        "--school",
        "000000",
        "--email",
        "a@example.org",
        "--name",
        "A",
        "--role",
        "staff",
        "--generate-password",
    )
    assert result.exit_code != 0
    assert "No school has that URN" in result.output


DEMO_TOTAL = len(DEMO_CASES) + HISTORY_CASES + sum(history_cases(t.share) for t in TRUST_SCHOOLS)


def test_demo_builds_a_school_with_every_role_and_a_dozen_cases(app, db):
    result = run(app, "demo")
    assert result.exit_code == 0, result.output
    password = result.output.split("Every demo user's password: ")[1].split()[0]
    school = db.scalar(select(School).where(School.urn == DEMO_URN))
    # A dozen current cases, and the history behind the governors' statistics.
    assert len(DEMO_CASES) >= 12
    assert count(db, Case) == DEMO_TOTAL
    assert (
        db.scalar(select(func.count()).select_from(Case).where(Case.school_id == school.id))
        == len(DEMO_CASES) + HISTORY_CASES
    )
    for role, _name, local in DEMO_USERS:
        assert f"{local}@" in result.output
        user = authenticate(db, email=f"{local}@oakfield.example", password=password)
        assert user is not None and role in user.roles
    # The cases cite clauses from all five seed policies.
    cases = db.scalars(select(Case).where(Case.school_id == school.id)).all()
    policies = {clause.code[:3] for case in cases for clause in case.clauses}
    assert policies == {"000", "001", "002", "003", "004"}
    # The headteacher's subject access register has one answered, one extended, one open.
    states = {(r.state.value, r.extended) for r in db.scalars(select(SubjectAccessRequest))}
    assert states == {("responded", False), ("open", True), ("open", False)}
    # Governors see published releases only (issue 18): the ended terms are published, so a
    # newcomer signing in as the governor has figures to click through.
    assert count(db, StatsRelease) >= 1
    # Some disclosures say where and when they were made, who was there and who heard them
    # (issue 17, item 3), so the case page shows those answers to a newcomer.
    places = {c.disclosure_place.reveal() for c in cases if c.disclosure_place is not None}
    assert "The school gate, at the start of the day" in places
    assert any(c.disclosed_at is not None and c.disclosure_received_by for c in cases)
    # The password file is private to its owner.
    password_file = Path(app.instance_path) / "demo_password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    # Running it again changes nothing and prints the same password.
    again = run(app, "demo")
    assert again.exit_code == 0
    assert password in again.output
    assert count(db, Case) == DEMO_TOTAL


def test_demo_is_a_trust_of_three_schools_whose_cases_carry_their_own_dates(app, db):
    result = run(app, "demo")
    assert result.exit_code == 0, result.output
    password = result.output.split("Every demo user's password: ")[1].split()[0]
    urns = {DEMO_URN} | {t.urn for t in TRUST_SCHOOLS}
    assert set(db.scalars(select(School.urn))) == urns
    for other in TRUST_SCHOOLS:
        assert other.name in result.output and f"head@{other.domain}" in result.output
        head = authenticate(db, email=f"head@{other.domain}", password=password)
        assert head is not None and Role.HEADTEACHER in head.roles
        cases = db.scalars(select(Case).join(School).where(School.urn == other.urn)).all()
        assert len(cases) == history_cases(other.share) > 0
    # Every case was recorded on the day the school became aware of it (London), so a case
    # from last year does not say "recorded today".
    for case in db.scalars(select(Case)):
        assert local_today(case.recorded_at) == case.became_aware_on
    days = {case.recorded_at.date() for case in db.scalars(select(Case))}
    assert len(days) > 30


def test_demo_refuses_in_production(settings, session_factory, db):
    from incidents import create_app

    prod = create_app(
        settings=dataclasses.replace(settings, env="production"),
        session_factory=session_factory,
        overrides={"TESTING": True},
    )
    result = run(prod, "demo")
    assert result.exit_code != 0
    assert "development only" in result.output
    assert count(db, School) == 0


def _demo_already_built(app: Flask, db: Session) -> None:
    """The demo school and its password file, as a first run leaves them (without the cost)."""
    factories.make_school(db, name=DEMO_SCHOOL, urn=DEMO_URN)
    db.commit()
    credentials = Path(app.instance_path) / "demo_password"
    credentials.parent.mkdir(parents=True, exist_ok=True)
    credentials.write_text("demo-password-for-the-test")


def test_demo_upgrades_and_serves_in_one_process_for_a_fast_restart(app, db, monkeypatch):
    calls: list[object] = []
    monkeypatch.setattr("incidents.cli.setup.upgrade_schema", lambda: calls.append("upgrade"))
    monkeypatch.setattr(
        "incidents.cli.setup.run_simple",
        lambda host, port, application, **_kw: calls.append((host, port, application)),
    )
    _demo_already_built(app, db)
    result = run(app, "demo", "--upgrade", "--serve-port", "5123")
    assert result.exit_code == 0, result.output
    assert calls == ["upgrade", ("127.0.0.1", 5123, app)]
    assert "running at http://127.0.0.1:5123/" in result.output
    assert "demo-password-for-the-test" in result.output


@pytest.mark.parametrize("port", ["80", "70000", "five", ""])
def test_demo_refuses_a_bad_port_before_doing_anything(app, db, monkeypatch, port):
    monkeypatch.setattr("incidents.cli.setup.run_simple", lambda *_a, **_k: pytest.fail("served"))
    result = run(app, "demo", "--serve-port", port)
    assert result.exit_code == 2
    assert "Invalid value for '--serve-port'" in result.output
    assert count(db, School) == 0
