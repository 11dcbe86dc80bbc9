"""The `incidents` command: every operational task, one module per area (db, setup, keys)."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup


def _create_app() -> Flask:
    from incidents import create_app

    # Commands that need the keys say so when they use them; `keys init` must run without them.
    return create_app(allow_missing_keys=True)


cli = FlaskGroup(
    create_app=_create_app,
    add_default_commands=True,
    help="Incidents: case management for allegations and policy breaches in schools.",
)

# Each module adds its commands to `cli` when imported.
from incidents.cli import accounts, audit, db, jobs, keys, setup  # noqa: E402,F401
from incidents.cli.common import alembic_config  # noqa: E402

__all__ = ["alembic_config", "cli"]
