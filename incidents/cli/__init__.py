"""The `incidents` command: every operational task, one module per area (db, setup, keys)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app() -> Flask:
    from incidents import create_app
    from incidents.config import ConfigError

    try:
        # Commands that need the keys say so when they use them; `keys init` must run without.
        return create_app(allow_missing_keys=True)
    except ConfigError as exc:
        # One line naming the setting to fix: a traceback would bury it.
        click.echo(f"incidents: {exc}", err=True)
        raise SystemExit(2) from None


cli = FlaskGroup(
    create_app=_create_app,
    add_default_commands=True,
    help="Incidents: case management for allegations and policy breaches in schools.",
)

# Each module adds its commands to `cli` when imported.
from incidents.cli import (  # noqa: E402,F401
    accounts,
    audit,
    backup,
    db,
    evidence,
    jobs,
    keys,
    setup,
    signer_serve,
    stats,
)
from incidents.cli.common import alembic_config  # noqa: E402

__all__ = ["alembic_config", "cli"]
