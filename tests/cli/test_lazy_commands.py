"""`incidents` imports a command's module only when that command runs (issue 21: start-up).
The listing comes from a table: it must name every command the modules define, with their help,
and `--help` must not import the application."""

from __future__ import annotations

import subprocess  # nosec B404 - runs this checkout's own command
import sys

from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo

from incidents.cli import APP_COMMANDS, COMMANDS, cli, load


def test_the_table_names_every_command_with_its_help(app: Flask) -> None:
    for name in COMMANDS:
        load(name)
    defined = {
        name: command.get_short_help_str(limit=1000)
        for name, command in cli.commands.items()
        # Flask's own, always there; an extension's, once some test has loaded the app
        if name not in ("run", "shell", "routes", *APP_COMMANDS)
    }
    assert defined == {name: text for name, (_, text) in COMMANDS.items()}
    extensions = {
        name: cmd.get_short_help_str(limit=1000) for name, cmd in app.cli.commands.items()
    }
    # The test app may leave an extension out (rate limits off): never one the table lacks.
    assert extensions.items() <= APP_COMMANDS.items()


def test_a_command_runs_without_anything_imported_first(app: Flask) -> None:
    result = CliRunner().invoke(cli, ["db", "--help"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert "upgrade" in result.output


def test_help_lists_the_commands_without_loading_the_app() -> None:
    probe = (
        "import sys\n"
        "from incidents.cli import cli\n"
        "try:\n"
        "    cli(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'incidents.app', 'sqlalchemy'} & set(sys.modules)\n"
        "print('LOADED' if heavy else 'LIGHT')\n"
    )
    out = subprocess.run(  # nosec B603 - this interpreter
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert "create-school" in out
    assert "limiter" in out
    assert out.strip().endswith("LIGHT")
