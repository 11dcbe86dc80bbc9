"""`incidents audit`: the signing key, checkpoints (run `checkpoint` from cron), verification,
and the evidence files a local authority checks with `python -m incidents.audit.verifier`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.admin.audit.commands import record_verification
from incidents.admin.schools import get_school_by_urn
from incidents.audit import Action, parallel, record, tlog
from incidents.audit import signer as signing
from incidents.audit.evidence import (
    PIN_FILE,
    case_evidence,
    checkpoint_notes,
    disciplinary_evidence,
    export_log,
    log_folder,
    pinned_key,
    write_checkpoint_files,
)
from incidents.audit.log import sign_head
from incidents.audit.parallel import ParallelVerifyError
from incidents.audit.signed_state import SignerRefused
from incidents.audit.signer import Signer
from incidents.audit.signer import from_settings as load_signer
from incidents.audit.verify import Report, verify_school
from incidents.casework.disciplinary.commands import find_process_at
from incidents.casework.erasure.commands import find_case
from incidents.cli import cli
from incidents.cli.common import fail_with, service_session
from incidents.config import Settings
from incidents.crypto.keys import KeyFileError
from incidents.db import begin_snapshot
from incidents.errors import DomainError
from incidents.models import School
from incidents.models.audit import AuditLog


def _settings() -> Settings:
    settings: Settings = current_app.extensions["incidents.settings"]
    return settings


def _signer() -> Signer:
    loaded = load_signer(_settings())
    if isinstance(loaded, KeyFileError):
        raise click.ClickException(str(loaded))
    return loaded


def _schools(session: Session, urn: str | None) -> list[School]:
    if urn:
        try:
            return [get_school_by_urn(session, urn)]
        except DomainError as exc:
            raise fail_with(exc) from None
    return list(session.scalars(select(School).order_by(School.urn)))


@cli.group()
def audit() -> None:
    """The audit trail: signing key, checkpoints, verification and evidence."""


@audit.command("keygen")
@click.option("--if-missing", is_flag=True, help="Do nothing if the key file already exists.")
@with_appcontext
def keygen(if_missing: bool) -> None:
    """Create the Ed25519 checkpoint signing key (INCIDENTS_SIGNING_KEY_FILE, mode 600)."""
    path = _settings().signing_key_file
    if path is None:
        raise click.ClickException("INCIDENTS_SIGNING_KEY_FILE is not set")
    if path.exists() and if_missing:
        click.echo(f"Signing key {path} already exists; nothing to do.")
        return
    try:
        signing.generate(path)
    except KeyFileError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created the signing key {path} (mode 600).")
    click.echo(f"Verifier key to give your local authority: {_signer().verifier_key}")


@audit.command("public-key")
@with_appcontext
def public_key() -> None:
    """Print the verifier key the local authority pins (never the private key)."""
    click.echo(_signer().verifier_key)


@audit.command("checkpoint")
@click.option("--school", "urn", help="Only this school (URN); default: every school.")
@with_appcontext
def checkpoint(urn: str | None) -> None:
    """Sign a checkpoint of each log that grew, and write every checkpoint out as a file
    (suitable for cron, e.g. every 15 minutes). Run as the signer's user: it alone can read
    the signing key. Exits non-zero when a log was not signed (the reason is printed)."""
    signer = _signer()
    with service_session() as session:
        session.info["signer"] = signer
        try:
            lines, refused = scheduled_checkpoints(session, _schools(session, urn))
        except tlog.LogError as exc:
            raise click.ClickException(str(exc)) from None
        for line in lines:
            click.echo(line)
    for line in refused:
        click.echo(f"NOT SIGNED: {line}", err=True)
    if refused:
        raise SystemExit(1)


def scheduled_checkpoints(
    session: Session, schools: list[School], *, reason: str = "scheduled"
) -> tuple[list[str], list[str]]:
    """Sign a checkpoint of each school's log that grew and write the files out: one line per
    school for the operator, and one per log the signer refused to sign (the others are still
    signed). Shared by `audit checkpoint`, `jobs run` and `audit signer-serve` (reason "event":
    asked for straight after a high-stakes entry); the session carries the signer.
    Refuses (tlog.LogError) to sign with a key other than the one pinned for a log."""
    signer = session.info["signer"]
    folder = _folder()
    lines: list[str] = []
    refused: list[str] = []
    for school in schools:
        head = session.scalar(
            select(AuditLog).where(AuditLog.school_id == school.id).with_for_update()
        )
        if head is None or head.size == 0:
            continue
        pinned = pinned_key(folder, head.origin)
        if pinned is not None and pinned != signer.verifier_key:
            raise tlog.LogError(
                f"{school.urn}: the signing key is not the one pinned for this log: "
                "it was replaced. Nothing was signed"
            )
        try:
            sign_head(session, head, reason=reason, strict=True)
        except SignerRefused as exc:
            refused.append(f"{school.urn}: {exc}")
            continue
        session.flush()
        written = write_checkpoint_files(session, school.id, folder, signer.verifier_key)
        lines.append(
            f"{school.urn}: {head.size} entries; {len(written)} new checkpoint files in {folder}"
        )
    return lines, refused


def _folder() -> Path:
    return _settings().checkpoint_dir or Path(current_app.instance_path) / "checkpoints"


@audit.command("verify")
@click.option("--school", "urn", help="Only this school (URN); default: every school.")
@click.option(
    "--checkpoint",
    "held",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A checkpoint file held outside the database (repeatable).",
)
@click.option(
    "--key",
    "given_key",
    help="The verifier key to check against (or @FILE), e.g. the one your local authority "
    "pinned; default: the key pinned beside the checkpoint files.",
)
@click.option(
    "--unanchored",
    is_flag=True,
    help="Accept a log with no signed checkpoint (proves only that entries agree).",
)
@click.option(
    "--nice",
    "niceness",
    type=click.IntRange(0, 19),
    default=parallel.NICENESS,
    show_default=True,
    help="Lower the CPU priority of the verification and its worker processes by this much, "
    "so that pages served from the same machine come first; 0: leave it as it is.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, parallel.MAX_WORKERS),
    help="At most this many worker processes for a large log (default: one a core, at most "
    f"{parallel.MAX_WORKERS}; 1: this process alone). Where the web app shares the machine, "
    "cores - 1 leaves it a core.",
)
@with_appcontext
def verify(
    urn: str | None,
    held: tuple[str, ...],
    given_key: str | None,
    unanchored: bool,
    niceness: int,
    workers: int | None,
) -> None:
    """Recompute every log from its stored bytes and check it against every checkpoint (stored,
    written to AUDIT_CHECKPOINT_DIR, and given), under the pinned verifier key, and against
    every stored tree node. Exits non-zero, naming the first bad entry, if anything does not
    verify, or if nothing signed anchors the log (unless --unanchored). Each school's result is
    written to its own log (the admin's audit page shows the last one). Needs no signing key:
    run by the signer's user, it also checks the key file still holds the pinned key. Runs as
    background work (--nice): it holds no lock that pages wait for (issue 21)."""
    # Before any worker starts: they inherit it.
    parallel.lower_priority(niceness)
    loaded = load_signer(_settings())
    signer = None if isinstance(loaded, KeyFileError) else loaded
    folder = _folder()
    try:
        forced = _given(given_key)
    except tlog.LogError as exc:
        raise click.UsageError(str(exc)) from None
    external = [(f"checkpoint {p}", Path(p).read_text()) for p in held]
    failed = False
    with service_session() as session:
        for school in _schools(session, urn):
            head = session.get(AuditLog, school.id)
            origin = head.origin if head else ""
            pinned = pinned_key(folder, origin)
            vkey = forced or pinned or (signer.verifier_key if signer else None)
            if vkey is None:
                raise click.ClickException(
                    f"{school.urn}: no verifier key: give --key (the one your local authority "
                    "pinned), or run `incidents audit checkpoint` as the signer to pin it"
                )
            files = checkpoint_notes(folder, origin)
            # Issue 21: each school is read in a snapshot transaction of its own, which holds
            # no lock (appends, and so every audited page, go on meanwhile), and its result
            # is written and committed before the next school is read.
            session.commit()
            begin_snapshot(session)
            try:
                report = verify_school(
                    session,
                    school.id,
                    vkey=vkey,
                    external=[*external, *files],
                    unanchored=unanchored,
                    lock=False,
                    workers=workers,
                )
            except ParallelVerifyError as exc:
                # Not a finding about the log, which was not checked: say so, record nothing.
                raise click.ClickException(f"{school.urn}: could not verify: {exc}") from None
            session.commit()  # the read only ends
            record_verification(
                session,
                school_id=school.id,
                actor=None,
                report=report,
                key_replaced=signer is not None and signer.verifier_key != vkey,
            )
            session.commit()
            if not report.ok:
                failed = True
                for problem in report.problems:
                    click.echo(f"{school.urn}: NOT VERIFIED: {problem}", err=True)
                continue
            key_source = (
                "the key given"
                if forced
                else f"the key pinned in {log_folder(folder, origin) / PIN_FILE}"
                if pinned
                else "the signing key file's own key (NOT pinned: give --key, or run "
                "`incidents audit checkpoint` to pin it)"
            )
            click.echo(_proved(school.urn, report, len(files), key_source))
    if failed:
        raise SystemExit(1)


@audit.command("signer-forget")
@click.option("--school", "urn", required=True, help="URN of the school whose log it is.")
@click.option("--yes", is_flag=True, help="Confirm: you restored an older backup knowingly.")
@with_appcontext
def signer_forget(urn: str, yes: bool) -> None:
    """Make the signer forget the last head it signed for one school's log, after restoring
    an older backup on purpose (`incidents restore --accept-older`): otherwise it refuses to
    sign a log shorter than, or different from, what it signed before. Run as the signer."""
    signer = _signer()
    if signer.state is None:
        raise click.ClickException("this signer keeps no state")
    if not yes:
        raise click.UsageError(
            "Give --yes: the signer will then trust the log's current history as it stands"
        )
    with service_session() as session:
        school = _schools(session, urn)[0]
        head = session.get(AuditLog, school.id)
        origin = head.origin if head else ""
    try:
        forgot = signer.state.forget(origin)
    except tlog.LogError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{urn}: the signer forgot the head it last signed; the next checkpoint starts afresh"
        if forgot
        else f"{urn}: the signer had signed nothing for this log; nothing to forget"
    )


def _given(value: str | None) -> str | None:
    if value is None:
        return None
    key = Path(value[1:]).read_text().strip() if value.startswith("@") else value.strip()
    tlog.parse_verifier_key(key)
    return key


def _proved(urn: str, report: Report, files: int, key_source: str) -> str:
    """What a passing verification proved, and what it did not, in words."""
    if not report.checkpoints:
        if not report.entries:
            return f"{urn}: the log is empty; nothing to verify"
        return (
            f"{urn}: UNANCHORED: {report.entries} entries agree with each other and with their "
            "columns, but no signed checkpoint was checked, so nothing proves they are the "
            "entries that were written"
        )
    tail = report.entries - report.signed
    return (
        f"{urn}: verified {report.entries} entries; the first {report.signed} match "
        f"{report.checkpoints} signed checkpoints ({files} of them files written for the "
        f"local authority), checked with {key_source}"
        + (f"; the last {tail} are not yet covered by a signed checkpoint" if tail else "")
    )


@audit.command("prove")
@click.option("--school", "urn", required=True, help="URN of the case's school.")
@click.option("--case", "reference", help="Case reference, e.g. 2026-0042.")
@click.option(
    "--disciplinary",
    "process_ref",
    help="Id of a disciplinary process (shown on its case page): the bundle for a hearing.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="Where to write the evidence file (JSON).",
)
@with_appcontext
def prove(urn: str, reference: str | None, process_ref: str | None, out: str) -> None:
    """Write the evidence file for one case, or for one disciplinary process (its entries and
    its case's): inclusion proofs against the latest checkpoint, and consistency proofs
    between all checkpoints."""
    if (reference is None) == (process_ref is None):
        raise click.UsageError("Give either --case or --disciplinary (one of them)")
    signer = _signer()
    vkey = signer.verifier_key
    with service_session() as session:
        session.info["signer"] = signer
        try:
            school = get_school_by_urn(session, urn)
            if process_ref is not None:
                process = find_process_at(session, school_id=school.id, process_ref=process_ref)
                case, what = process.case, f"disciplinary process {process.id}"
                exported = ("disciplinary", process.id)
            else:
                case = find_case(session, school_id=school.id, reference=reference or "")
                what, exported = f"case {case.reference}", ("case", case.id)
            # A bundle is selected by the columns (case, object), so it is made only from a
            # log whose columns all agree with their leaves: one with an entry's case changed
            # would otherwise lose that entry silently (issue 19, item 1).
            checked = verify_school(session, school.id, vkey=vkey)
            if not checked.ok:
                raise click.ClickException(
                    "the audit log does not verify, so no evidence was written: "
                    + "; ".join(checked.problems[:3])
                )
            # The export is recorded, and checkpointed, before the proofs are made: the
            # evidence then covers everything up to and including its own making.
            record(
                session,
                school_id=school.id,
                action=Action.AUDIT_EXPORT,
                actor=None,
                case_id=case.id,
                object_type=exported[0],
                object_id=exported[1],
            )
            if process_ref is not None:
                data = disciplinary_evidence(session, school.id, exported[1], case.id, vkey)
            else:
                data = case_evidence(session, school.id, case.id, vkey)
        except DomainError as exc:
            raise fail_with(exc) from None
        except tlog.LogError as exc:
            raise click.ClickException(str(exc)) from None
    Path(out).write_text(json.dumps(data, indent=1))
    click.echo(f"Wrote {len(data['entries'])} entries of {what} to {out}")


@audit.command("export")
@click.option("--school", "urn", required=True, help="URN of the school.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="Where to write the export (JSON lines).",
)
@with_appcontext
def export(urn: str, out: str) -> None:
    """Export the whole log (leaves as stored, and checkpoints) for an outside verifier."""
    signer = _signer()
    with service_session() as session:
        session.info["signer"] = signer
        try:
            school = get_school_by_urn(session, urn)
            record(
                session,
                school_id=school.id,
                action=Action.AUDIT_EXPORT,
                actor=None,
                object_type="log",
            )
        except DomainError as exc:
            raise fail_with(exc) from None
        count = export_log(session, school.id, signer.verifier_key, Path(out))
    click.echo(f"Exported {count} entries to {out}")
