"""`incidents db`: schema migrations (the app never migrates itself)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from incidents.cli import cli
from incidents.cli.common import alembic_config, app_keyring


def _alembic() -> Any:
    """Alembic's commands, imported when a db command runs, not for every command (issue 21)."""
    from alembic import command

    return command


@cli.group()
def db() -> None:
    """Database migrations (the app never migrates itself)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or upgrade the database schema."""
    upgrade_schema(revision)
    click.echo(f"Database is at revision {revision}.")


def upgrade_schema(revision: str = "head") -> None:
    """Migrate the app's database to `revision` (the demo does it in its own process too)."""
    url = current_app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    _alembic().upgrade(alembic_config(url, app_keyring()), revision)


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (for example base). Data in dropped tables is lost."""
    _alembic().downgrade(
        alembic_config(current_app.config["DATABASE_URL"], app_keyring()), revision
    )
    click.echo(f"Database is at revision {revision}.")


@db.command("current")
@with_appcontext
def db_current() -> None:
    """Show the schema revision the database is at."""
    _alembic().current(alembic_config(current_app.config["DATABASE_URL"]))
