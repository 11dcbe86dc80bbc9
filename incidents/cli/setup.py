"""`incidents create-school`, `create-user` and `demo`: setting a school up."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import run_simple

from incidents.accounts import tokens
from incidents.accounts.mail import INVITATION_PATH
from incidents.accounts.passwords import generate_password, password_problem
from incidents.accounts.users import create_user, normalise_email
from incidents.admin.schools import create_school, get_school_by_urn
from incidents.casework.cases import managers
from incidents.casework.erasure.commands import find_case
from incidents.cli import cli
from incidents.cli.common import fail_with, service_session
from incidents.cli.db import upgrade_schema
from incidents.errors import DomainError
from incidents.models import Role, School, TokenPurpose, User


@cli.command("create-school")
@click.option("--name", required=True, help="The school's name as staff know it.")
@click.option("--urn", required=True, help="Unique Reference Number (6 to 8 digits).")
@click.option(
    "--policy",
    "policies",
    multiple=True,
    help="Adopt these seed policies' clauses (000 to 004); repeat for more. Default: none "
    "(choose them later in the admin pages).",
)
@with_appcontext
def create_school_command(name: str, urn: str, policies: tuple[str, ...]) -> None:
    """Create a school and load its default policy clauses."""
    try:
        with service_session() as session:
            school = create_school(session, actor=None, name=name, urn=urn, policies=policies)
            click.echo(f"Created {school.name} (URN {school.urn}).")
            if not policies:
                click.echo(
                    "No seed policy adopted: an administrator chooses the school's policies "
                    "under Policy clauses."
                )
    except DomainError as exc:
        raise fail_with(exc) from None


ROLE_CHOICE = click.Choice([role.value for role in Role])


@cli.command("create-user")
@click.option("--school", "urn", required=True, help="URN of the user's school.")
@click.option("--email", required=True, help="Email address used to sign in.")
@click.option("--name", required=True, help="The user's name as colleagues know it.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=ROLE_CHOICE,
    help="A role; repeat for more than one.",
)
@click.option(
    "--generate-password",
    "generate",
    is_flag=True,
    help="Print a generated password instead of prompting for one.",
)
@click.option(
    "--invite",
    is_flag=True,
    help="No password: print a single-use link (72 hours) to set one and, for roles that "
    "need it, two-factor sign-in. The safest way to make the first administrator.",
)
@with_appcontext
def create_user_command(
    urn: str, email: str, name: str, roles: tuple[str, ...], generate: bool, invite: bool
) -> None:
    """Create a user. Prompts for the password unless --generate-password or --invite is
    given."""
    if generate and invite:
        raise click.ClickException("Choose --invite or --generate-password, not both")
    password: str | None = None
    if generate:
        password = generate_password()
    elif not invite:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        problem = password_problem(password)
        if problem:
            raise click.ClickException(problem)
    try:
        with service_session() as session:
            school = get_school_by_urn(session, urn)
            user = create_user(
                session,
                actor=None,
                school=school,
                email=email,
                display_name=name,
                roles=[Role(r) for r in roles],
                password=password,
            )
            token = (
                tokens.issue(session, user=user, purpose=TokenPurpose.INVITATION)
                if invite
                else None
            )
            click.echo(f"Created {user.email} at {school.name}.")
    except DomainError as exc:
        raise fail_with(exc) from None
    if generate:
        click.echo(f"Password (shown once): {password}")
    if token is not None:
        base = current_app.extensions["incidents.settings"].base_url
        click.echo(
            "Give them this link (shown once; it works once, for 72 hours):\n"
            f"{base}{INVITATION_PATH}{token}"
        )


@cli.command("demo")
@click.option("--upgrade", is_flag=True, help="Create or migrate the schema first.")
@click.option(
    "--serve-port",
    type=click.IntRange(1024, 65535),
    help="Then serve the app on http://127.0.0.1:PORT/ (the development server).",
)
@with_appcontext
def demo_command(upgrade: bool, serve_port: int | None) -> None:
    """Create a demo trust of three schools, with one user per role and realistic cases
    (development only). bin/run-demo runs it with --upgrade --serve-port: one process, so a
    restart takes seconds."""
    from incidents.demo import DEMO_URN, build_demo, credentials_path

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("The demo data is for development only: not in production")
    if upgrade:
        upgrade_schema()
    creds = credentials_path(Path(current_app.instance_path))
    with service_session() as session:
        try:
            get_school_by_urn(session, DEMO_URN)
            exists = True
        except DomainError:
            exists = False
        if not exists:
            password = generate_password()
            build_demo(session, password=password)
            # Governors see published releases only (issue 18): publish the terms that have
            # ended, as the scheduled jobs would, so the demo's statistics can be clicked.
            from incidents.clock import local_today
            from incidents.governance import releases
            from incidents.models.base import utcnow

            releases.publish_due(
                session,
                actor=None,
                today=local_today(),
                now=utcnow(),
                settings=current_app.extensions["incidents.stats"],
            )
            session.commit()
            creds.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(creds, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(password)
    if not creds.exists():
        raise click.ClickException(
            f"The demo school exists but its password file {creds} is missing: "
            "delete the database and run the demo again"
        )
    from incidents.demo import describe

    click.echo(describe(creds.read_text().strip()))
    if serve_port is not None:
        click.echo(
            f"\nIncidents is running at http://127.0.0.1:{serve_port}/ (press Ctrl+C to stop)."
        )
        # Not Flask.run, which does nothing under the `incidents` command (FLASK_RUN_FROM_CLI).
        # The app itself, not the context-bound proxy: the server answers on other threads.
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        run_simple("127.0.0.1", serve_port, app, threaded=True)


def _user_at(session: Session, school: School, email: str) -> User:
    user = session.scalar(
        select(User).where(User.email == normalise_email(email), User.school_id == school.id)
    )
    if user is None:
        raise click.ClickException("No user with that email address at this school")
    return user


@cli.command("deputy-case-manager")
@click.option("--school", "urn", required=True, help="URN of the school.")
@click.option("--email", required=True, help="The user to name (a role that decides cases).")
@with_appcontext
def deputy_case_manager_command(urn: str, email: str) -> None:
    """Name the school's deputy case manager: who manages a case when neither the headteacher
    nor the chair can (KCSIE Part 4), before the trust or local authority officer."""
    try:
        with service_session() as session:
            school = get_school_by_urn(session, urn)
            managers.name_deputy(
                session, actor=None, school=school, user=_user_at(session, school, email)
            )
            click.echo(f"Deputy case manager named for {school.name}.")
    except DomainError as exc:
        raise fail_with(exc) from None


@cli.command("case-manager")
@click.option("--school", "urn", required=True, help="URN of the case's school.")
@click.option("--case", "reference", required=True, help="Case reference, e.g. 2026-0042.")
@click.option("--email", required=True, help="The new case manager (never a subject).")
@click.option("--reason", required=True, help="Why the case manager is changing (audited).")
@with_appcontext
def case_manager_command(urn: str, reference: str, email: str, reason: str) -> None:
    """Change a case's manager as an administrator, with a reason (audited). The head or the
    chair can do it on the case page."""
    try:
        with service_session() as session:
            school = get_school_by_urn(session, urn)
            case = find_case(session, school_id=school.id, reference=reference)
            user = _user_at(session, school, email)
            managers.change_case_manager(
                session, actor=None, case=case, manager_id=user.id, reason=reason
            )
            click.echo(f"Case {case.reference} now has a new case manager.")
    except DomainError as exc:
        raise fail_with(exc) from None
