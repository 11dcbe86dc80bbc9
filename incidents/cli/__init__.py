"""The `incidents` command: every operational task, one module per area (db, setup, keys).

The modules are imported when their command runs, not at start-up: importing them all (and the
app, which Flask's group loads to list its commands) cost `incidents --help` and every cron job
two seconds (issue 21). `COMMANDS` names each command's module and one-line help, so the
listing needs neither; a test holds it to the commands the modules really define.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import click
from flask import Flask
from flask.cli import FlaskGroup

if TYPE_CHECKING:
    from incidents.cli.common import alembic_config

# name -> (the module that defines it, its one-line help as the listing shows it).
COMMANDS: dict[str, tuple[str, str]] = {
    "audit": ("audit", "The audit trail: signing key, checkpoints, verification and evidence."),
    "backup": (
        "backup",
        "Back up the database while the app runs, with the checkpoint files and a "
        "manifest of each audit log's size and root.",
    ),
    "case-manager": (
        "setup",
        "Change a case's manager as an administrator, with a reason (audited).",
    ),
    "create-school": ("setup", "Create a school and load its default policy clauses."),
    "create-user": ("setup", "Create a user."),
    "db": ("db", "Database migrations (the app never migrates itself)."),
    "demo": (
        "setup",
        "Create a demo trust of three schools, with one user per role and realistic cases"
        " (development only). bin/run-demo runs it with --upgrade --serve-port: one "
        "process, so a restart takes seconds.",
    ),
    "deputy-case-manager": (
        "setup",
        "Name the school's deputy case manager: who manages a case when neither the "
        "headteacher nor the chair can (KCSIE Part 4), before the trust or local "
        "authority officer.",
    ),
    "evidence": ("evidence", "Files kept with cases (issue 14)."),
    "jobs": (
        "jobs",
        "Scheduled work: reminders, digests, the email outbox, checkpoints, retention.",
    ),
    "keys": (
        "keys",
        "Encryption keys: create, inspect and rotate (no key material is ever printed).",
    ),
    "mail": ("jobs", "Alert emails: each school's reply-to address."),
    "reset-2fa": (
        "accounts",
        "Remove a user's second factor and sign them out everywhere; they set it up again"
        " at their next sign-in.",
    ),
    "restore": (
        "backup",
        "Restore a backup into an empty database (DATABASE_URL), after checking it "
        "against the checkpoints held outside.",
    ),
    "retention": (
        "keys",
        "Retention: which closed cases have reached the end of their retention period.",
    ),
    "sign-in": ("accounts", "How a school signs in (its identity provider)."),
    "shred": (
        "keys",
        "Erase a closed case past its retention date for good, by destroying its data "
        "keys (crypto-shredding).",
    ),
    "stats": ("stats", "Governors' statistics: releases for terms that have ended."),
}
# Commands the app's extensions add (app.cli), resolved by loading the app as Flask does.
APP_COMMANDS = {"limiter": "Flask-Limiter maintenance & utility commands"}
# Modules that add to another module's group: `audit signer-serve`.
_ALSO = {"audit": ("signer_serve",)}


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


class _LazyGroup(FlaskGroup):
    """Flask's group, importing a command's module only when that command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        # Flask's own loads the app to list the commands its extensions add (APP_COMMANDS).
        return sorted({*self.commands, *COMMANDS, *APP_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            load(name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        texts = {name: text for name, (_, text) in COMMANDS.items()} | APP_COMMANDS
        helps = {name: click.Command(name, help=text) for name, text in texts.items()}
        helps.update(self.commands)
        # Cut to the width as click's own listing does.
        limit = formatter.width - 6 - max(len(name) for name in helps)
        rows = [(name, helps[name].get_short_help_str(limit)) for name in sorted(helps)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def load(name: str) -> None:
    """Import the module(s) defining command `name`; each adds its commands to `cli`."""
    module = COMMANDS[name][0]
    for part in (module, *_ALSO.get(module, ())):
        importlib.import_module(f"incidents.cli.{part}")


cli = _LazyGroup(
    create_app=_create_app,
    add_default_commands=True,
    help="Incidents: case management for allegations and policy breaches in schools.",
)


def __getattr__(name: str) -> Any:
    # `from incidents.cli import alembic_config` (tests, benches) without importing SQLAlchemy
    # for every command.
    if name == "alembic_config":
        from incidents.cli.common import alembic_config

        return alembic_config
    raise AttributeError(name)


__all__ = ["APP_COMMANDS", "COMMANDS", "alembic_config", "cli", "load"]
