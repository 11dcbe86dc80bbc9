"""`incidents keys` (init, status, rotate), `incidents shred` and `incidents retention review`:
the encryption keys, and erasing cases at the end of retention by destroying theirs."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from incidents.admin import keys as key_service
from incidents.admin.schools import get_school_by_urn
from incidents.casework.erasure.commands import (
    due_for_erasure,
    find_case,
    school_of,
    shred_case,
)
from incidents.cli import cli
from incidents.cli.common import fail_with, live_keyring, service_session
from incidents.config import Settings
from incidents.crypto import keys as key_store
from incidents.crypto.keys import KeyFileError
from incidents.errors import DomainError


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
    keyring = live_keyring()
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
    default=5000,
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
    keyring = live_keyring()
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
@click.option(
    "--override-reason",
    default=None,
    help="Only to erase an open case, or one before its retention date: why (audited).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def shred_command(
    urn: str, reference: str, rule: str, override_reason: str | None, yes: bool
) -> None:
    """Erase a closed case past its retention date for good, by destroying its data keys
    (crypto-shredding). Never under a legal hold; earlier only with --override-reason."""
    keyring = live_keyring()
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
            shred_case(
                session,
                actor=None,
                case=case,
                rule=rule,
                keyring=keyring,
                override_reason=override_reason,
            )
            click.echo(f"Case {case.reference} erased under: {rule.strip()}")
    except DomainError as exc:
        raise fail_with(exc) from None


@cli.group()
def retention() -> None:
    """Retention: which closed cases have reached the end of their retention period."""


@retention.command("review")
@click.option("--school", "urn", default=None, help="Only this school (URN); default: all.")
@click.option(
    "--erase",
    is_flag=True,
    help="Ask, case by case, whether to erase it now (the operator confirms each).",
)
@with_appcontext
def retention_review(urn: str | None, erase: bool) -> None:
    """List the closed cases past their retention date and under no legal hold. Run it from
    cron to be told; run it with --erase at a terminal to erase them, confirming each."""
    keyring = live_keyring() if erase else None
    try:
        with service_session() as session:
            school_id = get_school_by_urn(session, urn).id if urn else None
            due = due_for_erasure(session, school_id=school_id)
            if not due:
                click.echo("No case is due for erasure.")
                return
            click.echo(f"{len(due)} case(s) due for erasure:")
            for case in due:
                school = school_of(session, case)
                click.echo(
                    f"  {school.urn} {case.reference}: kept until "
                    f'{case.retention_until} under "{case.retention_rule}"'
                )
            if keyring is None:
                click.echo("Run `incidents retention review --erase` to erase them, one by one.")
                return
            erased = 0
            for case in due:
                school = school_of(session, case)
                if not click.confirm(f"Erase case {case.reference} at {school.name} now?"):
                    click.echo(f"  {case.reference} kept.")
                    continue
                rule = case.retention_rule or "End of the retention period"
                shred_case(session, actor=None, case=case, rule=rule, keyring=keyring)
                # One transaction per case: a later refusal does not undo an earlier erasure.
                session.commit()
                erased += 1
                click.echo(f"  {case.reference} erased under: {rule}")
            click.echo(f"{erased} case(s) erased.")
    except DomainError as exc:
        raise fail_with(exc) from None
