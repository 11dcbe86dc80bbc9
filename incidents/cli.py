"""The `incidents` command: every operational task (database, schools, users, demo data)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.orm import Session, sessionmaker

from config import Settings
from incidents.crypto import keys as key_store
from incidents.crypto.keyring import Keyring
from incidents.crypto.keys import KeyFileError
from incidents.crypto.setup import UnavailableKeyring
from incidents.models import Role
from incidents.services import keys as key_service
from incidents.services.erasure import find_case, shred_case
from incidents.services.errors import DomainError, InvalidInput
from incidents.services.passwords import generate_password, password_problem
from incidents.services.schools import create_school, get_school_by_urn
from incidents.services.users import create_user
from incidents.workflow import TransitionNotAllowedError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _create_app() -> Flask:
    from incidents import create_app

    # Commands that need the keys say so when they use them; `keys init` must run without them.
    return create_app(allow_missing_keys=True)


cli = FlaskGroup(
    create_app=_create_app,
    add_default_commands=True,
    help="Incidents: case management for allegations and policy breaches in schools.",
)


def alembic_config(database_url: str, keyring: object = None) -> AlembicConfig:
    """Alembic's configuration; data migrations that encrypt or decrypt use `keyring`."""
    config = AlembicConfig()
    if keyring is not None:
        config.attributes["keyring"] = keyring
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % as interpolation: escape it in passwords inside URLs.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@contextmanager
def service_session() -> Iterator[Session]:
    """One transaction for one command: committed if the command succeeds, else rolled back."""
    factory: sessionmaker[Session] = current_app.extensions["incidents.sessions"]
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def fail_with(exc: DomainError) -> click.ClickException:
    if isinstance(exc, InvalidInput):
        return click.ClickException("; ".join(exc.errors.values()))
    return click.ClickException(str(exc))


@cli.group()
def db() -> None:
    """Database migrations (the app never migrates itself)."""


def _keyring() -> object:
    """The app's keyring (or the stand-in that explains why there are no keys)."""
    return current_app.extensions["incidents.sessions"].kw["info"]["keyring"]


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or upgrade the database schema."""
    url = current_app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    alembic_command.upgrade(alembic_config(url, _keyring()), revision)
    click.echo(f"Database is at revision {revision}.")


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (for example base). Data in dropped tables is lost."""
    alembic_command.downgrade(
        alembic_config(current_app.config["DATABASE_URL"], _keyring()), revision
    )
    click.echo(f"Database is at revision {revision}.")


@db.command("current")
@with_appcontext
def db_current() -> None:
    """Show the schema revision the database is at."""
    alembic_command.current(alembic_config(current_app.config["DATABASE_URL"]))


@cli.command("create-school")
@click.option("--name", required=True, help="The school's name as staff know it.")
@click.option("--urn", required=True, help="Unique Reference Number (6 to 8 digits).")
@click.option(
    "--policy",
    "policies",
    multiple=True,
    help="Load only these seed policies' clauses (000 to 004); repeat for more. Default: all.",
)
@with_appcontext
def create_school_command(name: str, urn: str, policies: tuple[str, ...]) -> None:
    """Create a school and load its default policy clauses."""
    try:
        with service_session() as session:
            school = create_school(
                session, actor=None, name=name, urn=urn, policies=policies or None
            )
            click.echo(f"Created {school.name} (URN {school.urn}).")
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
@with_appcontext
def create_user_command(
    urn: str, email: str, name: str, roles: tuple[str, ...], generate: bool
) -> None:
    """Create a user. Prompts for the password unless --generate-password is given."""
    if generate:
        password = generate_password()
    else:
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
            click.echo(f"Created {user.email} at {school.name}.")
    except DomainError as exc:
        raise fail_with(exc) from None
    if generate:
        click.echo(f"Password (shown once): {password}")


@cli.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create a demo school with one user per role and realistic cases (development only)."""
    from incidents.demo import DEMO_URN, build_demo, credentials_path

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("The demo data is for development only: not in production")
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


def _live_keyring() -> Keyring:
    keyring = _keyring()
    if isinstance(keyring, UnavailableKeyring):
        raise click.ClickException(str(keyring.error))
    assert isinstance(keyring, Keyring)  # noqa: S101 - narrowing for the type checker
    return keyring


@cli.group()
def keys() -> None:
    """Encryption keys: create, inspect and rotate (no key material is ever printed)."""


@keys.command("init")
@click.option("--if-missing", is_flag=True, help="Do nothing if the key file already exists.")
@with_appcontext
def keys_init(if_missing: bool) -> None:
    """Create the key file named by INCIDENTS_KEY_FILE, readable by its owner only."""
    settings: Settings = current_app.extensions["incidents.settings"]
    if settings.keys_json:
        raise click.ClickException("The keys come from INCIDENTS_KEYS: there is no file to create")
    path = settings.key_file
    if path is None:
        raise click.ClickException("INCIDENTS_KEY_FILE is not set")
    if path.exists() and if_missing:
        click.echo(f"Key file {path} already exists; nothing to do.")
        return
    try:
        key_store.write_file(path, key_store.generate(str(path)), new=True)
    except KeyFileError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created the key file {path} (mode 600).")
    click.echo(
        "Back it up somewhere safe and separate from database backups: without it, no "
        "encrypted record can ever be read."
    )


@keys.command("status")
@with_appcontext
def keys_status() -> None:
    """Key versions and how many data keys use each (no key material)."""
    keyring = _live_keyring()
    with service_session() as session:
        state = key_service.status(session, keyring)
    click.echo(f"Keys from: {state.source}")
    click.echo(
        f"Current KEK version: {state.current_version} "
        f"(versions held: {', '.join(map(str, state.versions))})"
    )
    for version in sorted(state.by_kek_version):
        click.echo(f"  data keys wrapped by version {version}: {state.by_kek_version[version]}")
    for scope, count in sorted(state.by_scope.items()):
        click.echo(f"  {scope} data keys: {count}")
    click.echo(f"  destroyed (shredded) data keys: {state.destroyed}")
    if state.behind:
        click.echo(
            f"A rotation is unfinished: {state.behind} data keys to re-wrap. "
            "Run `incidents keys rotate` to finish it."
        )


@keys.command("rotate")
@click.option(
    "--batch-size",
    default=1000,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Data keys re-wrapped per transaction.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def keys_rotate(batch_size: int, yes: bool) -> None:
    """Make a new KEK version and re-wrap every data key under it. The data is not touched.
    Safe to interrupt: run it again and it finishes the re-wrapping it started."""
    settings: Settings = current_app.extensions["incidents.settings"]
    keyring = _live_keyring()
    with service_session() as session:
        behind = key_service.status(session, keyring).behind
    if behind:
        click.echo(f"Resuming: {behind} data keys are not on version {keyring.material.current}.")
    else:
        if settings.keys_json or settings.key_file is None:
            raise click.ClickException(
                "Rotation writes a new key version to the key file: set INCIDENTS_KEY_FILE "
                "(keys given in INCIDENTS_KEYS cannot be rotated in place)"
            )
        if not yes:
            click.confirm("Create a new key version and re-wrap every data key?", abort=True)
        rotated = key_store.with_new_version(keyring.material)
        key_store.write_file(settings.key_file, rotated, new=False)
        keyring.material = rotated
        click.echo(f"Key file now holds version {rotated.current}; re-wrapping data keys.")
    with service_session() as session:
        total = key_service.status(session, keyring).behind
        with click.progressbar(length=total, label="Re-wrapping data keys") as bar:
            done = key_service.rewrap_all(
                session, keyring, batch_size=batch_size, progress=bar.update
            )
    click.echo(f"Re-wrapped {done} data keys under version {keyring.material.current}.")


@cli.command("shred")
@click.option("--school", "urn", required=True, help="URN of the case's school.")
@click.option("--case", "reference", required=True, help="Case reference, e.g. 2026-0042.")
@click.option(
    "--rule",
    required=True,
    help="The retention rule it is erased under, e.g. 'KCSIE: 10 years after outcome'.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def shred_command(urn: str, reference: str, rule: str, yes: bool) -> None:
    """Erase a case for good by destroying its data keys (crypto-shredding)."""
    keyring = _live_keyring()
    try:
        with service_session() as session:
            school = get_school_by_urn(session, urn)
            case = find_case(session, school_id=school.id, reference=reference)
            if not yes:
                click.confirm(
                    f"Erase case {case.reference} at {school.name} for good? Its content can "
                    "never be read again, by anyone",
                    abort=True,
                )
            shred_case(session, actor=None, case=case, rule=rule, keyring=keyring)
            click.echo(f"Case {case.reference} erased under: {rule.strip()}")
    except DomainError as exc:
        raise fail_with(exc) from None
    except TransitionNotAllowedError as exc:
        raise click.ClickException(str(exc)) from None
