"""`incidents evidence verify`: check every file of a case (or of every case in a school)
against the hash logged when it was uploaded, naming each file that no longer matches."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from incidents.admin.schools import get_school_by_urn
from incidents.casework.erasure.commands import find_case
from incidents.casework.evidence import commands as evidence
from incidents.cli import cli
from incidents.cli.common import fail_with, service_session
from incidents.errors import DomainError
from incidents.models import Case, EvidenceFile


@cli.group("evidence")
def evidence_group() -> None:
    """Files kept with cases (issue 14)."""


@evidence_group.command("verify")
@click.option("--school", "urn", required=True, help="URN of the school.")
@click.option("--case", "reference", help="Case reference, e.g. 2026-0042 (default: every case).")
@with_appcontext
def verify(urn: str, reference: str | None) -> None:
    """Read every kept file through, checking each chunk, the SHA-256 and the log's entry."""
    with service_session() as session:
        try:
            school = get_school_by_urn(session, urn)
            if reference is not None:
                cases = [find_case(session, school_id=school.id, reference=reference)]
            else:
                cases = list(
                    session.scalars(
                        select(Case).where(Case.school_id == school.id, Case.erased_at.is_(None))
                    )
                )
            problems: list[str] = []
            checked = 0
            for case in cases:
                for item in session.scalars(
                    select(EvidenceFile).where(
                        EvidenceFile.case_id == case.id, EvidenceFile.deleted_at.is_(None)
                    )
                ):
                    checked += 1
                    problem = evidence.verify(session, item)
                    if problem is not None:
                        problems.append(f"case {case.reference}, file {item.id}: {problem}")
        except DomainError as exc:
            raise fail_with(exc) from None
    for line in problems:
        click.echo(line, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} of {checked} files do not match the log")
    click.echo(f"{checked} files verified: each matches the hash logged when it was added")
