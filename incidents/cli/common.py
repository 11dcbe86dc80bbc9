"""What the command modules share: Alembic configuration, one transaction per command, the
app's keyring, and turning domain errors into command-line messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from incidents.crypto.keyring import Keyring
from incidents.crypto.setup import UnavailableKeyring
from incidents.errors import DomainError, InvalidInput

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

# Inside the package (in a checkout, incidents/migrations links to the top-level folder), so an
# installed wheel finds its migrations too.
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str, keyring: object = None) -> AlembicConfig:
    """Alembic's configuration; data migrations that encrypt or decrypt use `keyring`."""
    # Imported here: only the db commands need Alembic, and importing it costs every other
    # command (and `--help`) a noticeable part of its start-up (issue 21).
    from alembic.config import Config as AlembicConfig

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
    session = factory(info={"audit_source": "cli"})  # audit.log.SOURCE_KEY
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


def app_keyring() -> object:
    """The app's keyring (or the stand-in that explains why there are no keys)."""
    return current_app.extensions["incidents.sessions"].kw["info"]["keyring"]


def live_keyring() -> Keyring:
    keyring = app_keyring()
    if isinstance(keyring, UnavailableKeyring):
        raise click.ClickException(str(keyring.error))
    assert isinstance(keyring, Keyring)  # noqa: S101 - narrowing for the type checker
    return keyring
