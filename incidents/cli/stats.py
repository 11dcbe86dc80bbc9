"""`incidents stats publish`: publish the statistics releases for terms that have ended (the
scheduled job does the same every run), or a numbered revision of one release."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from incidents.cli import cli
from incidents.cli.common import fail_with, service_session
from incidents.clock import local_today
from incidents.errors import DomainError
from incidents.governance import releases
from incidents.governance.queries import StatsSettings
from incidents.models.base import utcnow

_SETTINGS = "incidents.stats"


@cli.group("stats")
def stats_group() -> None:
    """Governors' statistics: releases for terms that have ended."""


def settings() -> StatsSettings:
    found: StatsSettings = current_app.extensions[_SETTINGS]
    return found


@stats_group.command("publish")
@click.option("--year", type=click.IntRange(2000, 2100), help="Academic year, like 2025.")
@click.option(
    "--term", type=click.Choice(["autumn", "spring", "summer"]), help="The term to publish."
)
@click.option("--revise", is_flag=True, help="Publish a new revision of that term's release.")
@with_appcontext
def publish(year: int | None, term: str | None, revise: bool) -> None:
    """Publish every ended term not yet published; or, with --year and --term, that term
    (with --revise: a revision of it, counting cases recorded since)."""
    if (year is None) != (term is None):
        raise click.UsageError("Give both --year and --term, or neither")
    if revise and year is None:
        raise click.UsageError("--revise needs --year and --term")
    try:
        with service_session() as session:
            if year is None or term is None:
                made = releases.publish_due(
                    session, actor=None, today=local_today(), now=utcnow(), settings=settings()
                )
            else:
                made = [
                    releases.publish_release(
                        session,
                        actor=None,
                        year=year,
                        period=term,
                        now=utcnow(),
                        settings=settings(),
                        revise=revise,
                    )
                ]
    except DomainError as exc:
        raise fail_with(exc) from None
    if not made:
        click.echo("No term has ended without a release: nothing to publish.")
    for release in made:
        click.echo(f"Published: {releases.label(release)}")
