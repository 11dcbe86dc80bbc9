"""`incidents reset-2fa`: an administrator's answer to a lost phone (audited)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from incidents.accounts import two_factor
from incidents.accounts.oidc.settings import passwords_back_on
from incidents.accounts.users import normalise_email
from incidents.admin.schools import get_school_by_urn
from incidents.cli import cli
from incidents.cli.common import service_session
from incidents.errors import InvalidInput, NotFound
from incidents.models import User


@cli.command("reset-2fa")
@click.option("--email", required=True, help="Email address the user signs in with.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def reset_two_factor_command(email: str, yes: bool) -> None:
    """Remove a user's second factor and sign them out everywhere; they set it up again at
    their next sign-in. Check who is asking first: this is how an account is taken over."""
    try:
        address = normalise_email(email)
    except InvalidInput as exc:
        raise click.ClickException("; ".join(exc.errors.values())) from None
    if not yes:
        click.confirm(f"Reset two-factor sign-in for {address}?", abort=True)
    with service_session() as session:
        user = session.scalar(select(User).where(User.email == address))
        if user is None:
            raise click.ClickException("No user has that email address.")
        two_factor.reset(session, actor=None, user=user)
    click.echo("Two-factor sign-in reset. They will set it up again when they next sign in.")


@cli.group("sign-in")
def sign_in_group() -> None:
    """How a school signs in (its identity provider)."""


@sign_in_group.command("passwords-on")
@click.option("--urn", required=True, help="The school's URN.")
@with_appcontext
def passwords_on_command(urn: str) -> None:
    """The break-glass path: switch password sign-in back on for a school whose identity
    provider is down or misconfigured while passwords are off (audited)."""
    with service_session() as session:
        try:
            school = get_school_by_urn(session, urn)
        except NotFound as exc:
            raise click.ClickException(str(exc)) from None
        changed = passwords_back_on(session, school=school)
    click.echo(
        "Password sign-in is on again for this school."
        if changed
        else "Password sign-in was already on for this school."
    )
