"""`incidents backup` and `incidents restore`: a consistent snapshot of the database while the
app runs (SQLite's online backup API; `pg_dump` from an exported snapshot on PostgreSQL), the
checkpoint files, and a manifest of each audit log's size and root, read from that same
snapshot. Never the key files: they are backed up separately (docs/operate.md says why and how).

A restore goes into an empty database only, and refuses a backup older than a checkpoint held
outside (the local authority's copy): that would silently drop audit entries someone else has
seen. `incidents audit verify --checkpoint ...` then proves the restored log is the one backed up.

subprocess runs only pg_dump and pg_restore, with arguments built here and no shell.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL, Connection

from incidents.audit import tlog
from incidents.audit.evidence import checkpoint_files
from incidents.audit.signer import from_settings as load_signer
from incidents.cli import cli
from incidents.config import Settings
from incidents.crypto.keys import KeyFileError

FORMAT = "incidents-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
CHECKPOINTS = "checkpoints"
HEADS = "SELECT origin, size, root FROM audit_log ORDER BY origin"


@dataclass(frozen=True)
class LogHead:
    origin: str
    size: int
    root: str  # hex

    def as_json(self) -> dict[str, Any]:
        return {"origin": self.origin, "size": self.size, "root": self.root}


def _settings() -> Settings:
    settings: Settings = current_app.extensions["incidents.settings"]
    return settings


def _database_url() -> URL:
    return make_url(str(current_app.config["DATABASE_URL"]))


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise click.ClickException("DATABASE_URL names no SQLite file to back up or restore")
    return Path(url.database)


def _private_file(path: Path) -> None:
    """Create `path` empty, readable by its owner only (it holds the whole database)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _heads(rows: Any) -> list[LogHead]:
    return [LogHead(origin, int(size), bytes(root).hex()) for origin, size, root in rows]


def _pg_env(url: URL) -> dict[str, str]:
    """libpq's own variables: the password never appears on a command line (or in `ps`)."""
    env = dict(os.environ)
    for name, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
    ):
        if value is not None:
            env[name] = str(value)
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise click.ClickException(
            f"{name} is not installed: install the PostgreSQL client (apt-get install "
            "postgresql-client, the same major version as the server)"
        )
    return found


def _run(args: list[str], url: URL) -> None:
    # Our own arguments (the tool's full path, options, a database name), no shell.
    done = subprocess.run(  # noqa: S603 # nosec B603
        args, env=_pg_env(url), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise click.ClickException(f"{Path(args[0]).name} failed: {last}")


# --- backup ------------------------------------------------------------------------------------


def _backup_sqlite(url: URL, out: Path) -> tuple[list[LogHead], str]:
    source = _sqlite_path(url)
    if not source.exists():
        raise click.ClickException(f"The database {source} does not exist")
    target = out / SQLITE_FILE
    _private_file(target)
    # The online backup API copies a consistent picture while the app goes on writing; the
    # manifest is then read from the copy itself, so the two cannot disagree.
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)
        heads = _heads(copy.execute(HEADS))
        revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    return heads, str(revision)


def _backup_postgresql(url: URL, out: Path) -> tuple[list[LogHead], str]:
    pg_dump = _tool("pg_dump")
    target = out / PG_FILE
    _private_file(target)
    engine = create_engine(url.set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as conn:
            # One snapshot for the manifest and the dump: pg_dump joins this transaction's
            # snapshot while it is open, so an append in between is in neither.
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
            heads = _heads(conn.execute(text(HEADS)))
            revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    f"--dbname={url.database}",
                ],
                url,
            )
    finally:
        engine.dispose()
    return heads, str(revision)


def _copy_checkpoints(folder: Path | None, out: Path) -> list[str]:
    target = out / CHECKPOINTS
    target.mkdir(mode=0o700)
    if folder is None or not folder.is_dir():
        return []
    copied = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / relative)
        copied.append(relative.as_posix())
    return copied


def _prepare_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise click.ClickException(f"{out} already exists: give a new or empty folder")
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"Cannot create {out}: {exc.strerror}") from None


@cli.command("backup")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A new or empty folder for the snapshot, the checkpoint files and the manifest.",
)
@with_appcontext
def backup(out: Path) -> None:
    """Back up the database while the app runs, with the checkpoint files and a manifest of
    each audit log's size and root. The key files are never included: back them up apart."""
    url = _database_url()
    _prepare_out(out)
    try:
        if url.get_backend_name() == "sqlite":
            kind, snapshot = "sqlite", SQLITE_FILE
            heads, revision = _backup_sqlite(url, out)
        else:
            kind, snapshot = "postgresql", PG_FILE
            heads, revision = _backup_postgresql(url, out)
        settings = _settings()
        checkpoints = _copy_checkpoints(settings.checkpoint_dir, out)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # never leave half a backup that looks whole
        raise
    manifest = {
        "format": FORMAT,
        "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": kind,
        "snapshot": snapshot,
        "sha256": _sha256(out / snapshot),
        "schema_revision": revision,
        "logs": [head.as_json() for head in heads],
        "checkpoint_files": checkpoints,
        "keys": "not included: back up the key file and the signing key separately",
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    click.echo(f"Backed up the {kind} database to {out / snapshot}")
    for head in heads:
        click.echo(f"  {head.origin}: {head.size} entries, root {head.root[:16]}...")
    click.echo(f"  {len(checkpoints)} checkpoint files; manifest in {out / MANIFEST}")
    click.echo(
        f"Not in this backup: the key file ({settings.key_file}) and the signing key "
        f"({settings.signing_key_file}). Back them up separately: without the key file no "
        "encrypted record in this backup can be read."
    )


# --- restore -----------------------------------------------------------------------------------


def _manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise click.ClickException(f"{folder} holds no {MANIFEST}: it is not an incidents backup")
    try:
        data = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError):
        raise click.ClickException(f"{path} is not valid JSON: the backup is damaged") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise click.ClickException(f"{path} is not an {FORMAT} manifest")
    snapshot = folder / str(data.get("snapshot"))
    if data.get("snapshot") not in (SQLITE_FILE, PG_FILE) or not snapshot.is_file():
        raise click.ClickException(f"The backup's database file is missing from {folder}")
    if _sha256(snapshot) != data.get("sha256"):
        raise click.ClickException(
            f"{snapshot} does not match its checksum in the manifest: the backup is damaged"
        )
    return data


def _held_checkpoints(folder: Path, vkey: str) -> dict[str, int]:
    """The largest size each log's checkpoints held outside cover, after checking each one's
    signature (a forged file must not block, or allow, a restore)."""
    newest: dict[str, int] = {}
    for path in checkpoint_files(folder):
        try:
            checkpoint = tlog.open_checkpoint(path.read_text(), vkey)
        except (tlog.LogError, UnicodeDecodeError, ValueError) as exc:
            raise click.ClickException(f"{path} is not a valid checkpoint: {exc}") from None
        newest[checkpoint.origin] = max(newest.get(checkpoint.origin, 0), checkpoint.size)
    return newest


def _older_than_held(data: dict[str, Any], held: dict[str, int]) -> list[str]:
    sizes = {log["origin"]: int(log["size"]) for log in data.get("logs", [])}
    return [
        f"{origin}: a checkpoint held outside covers {size} entries, the backup has "
        f"{sizes.get(origin, 0)}"
        for origin, size in sorted(held.items())
        if size > sizes.get(origin, 0)
    ]


@contextmanager
def _connection(url: URL) -> Iterator[Connection]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _is_empty(url: URL) -> bool:
    if url.get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        if not path.exists() or path.stat().st_size == 0:
            return True
    query = (
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        if url.get_backend_name() == "sqlite"
        else "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
    )
    with _connection(url) as conn:
        return bool(conn.scalar(text(query)) == 0)


def _restore_sqlite(snapshot: Path, url: URL) -> None:
    target = _sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        _private_file(target)
    with closing(sqlite3.connect(snapshot)) as copy, closing(sqlite3.connect(target)) as live:
        copy.backup(live)


def _restore_postgresql(snapshot: Path, url: URL) -> None:
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={url.database}",
            str(snapshot),
        ],
        url,
    )


def _restored_heads(url: URL) -> list[LogHead]:
    with _connection(url) as conn:
        return _heads(conn.execute(text(HEADS)))


@cli.command("restore")
@click.option(
    "--from",
    "folder",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder written by `incidents backup`.",
)
@click.option(
    "--checkpoints",
    "held",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Checkpoint files held outside (e.g. the local authority's copies); default: "
    "AUDIT_CHECKPOINT_DIR when it exists.",
)
@click.option(
    "--accept-older",
    is_flag=True,
    help="Restore even though checkpoints held outside cover entries this backup lacks.",
)
@with_appcontext
def restore(folder: Path, held: Path | None, accept_older: bool) -> None:
    """Restore a backup into an empty database (DATABASE_URL), after checking it against the
    checkpoints held outside. Then run `incidents audit verify --checkpoint ...`."""
    url = _database_url()
    data = _manifest(folder)
    kind = "sqlite" if url.get_backend_name() == "sqlite" else "postgresql"
    if data["database"] != kind:
        raise click.ClickException(
            f"This is a {data['database']} backup and DATABASE_URL is a {kind} database: "
            "restore it into the same kind of database"
        )
    settings = _settings()
    folder_held = held or settings.checkpoint_dir
    if folder_held is not None and folder_held.is_dir():
        signer = load_signer(settings)
        if isinstance(signer, KeyFileError):
            raise click.ClickException(
                f"{signer}: restore the signing key first, to check the held checkpoints"
            )
        older = _older_than_held(data, _held_checkpoints(folder_held, signer.verifier_key))
        if older and not accept_older:
            raise click.ClickException(
                "This backup is older than the newest checkpoint held outside; entries others "
                "have seen would be lost. " + "; ".join(older) + ". Restore a newer backup, "
                "or give --accept-older to restore this one knowingly."
            )
        for problem in older:
            click.echo(f"Restoring an older backup: {problem}", err=True)
    if not _is_empty(url):
        raise click.ClickException(
            "The database DATABASE_URL names is not empty: restore only into a new, empty one"
        )
    snapshot = folder / str(data["snapshot"])
    if kind == "sqlite":
        _restore_sqlite(snapshot, url)
    else:
        _restore_postgresql(snapshot, url)
    restored = [head.as_json() for head in _restored_heads(url)]
    if restored != data["logs"]:
        raise click.ClickException("The restored audit logs do not match the backup's manifest")
    click.echo(f"Restored {data['made_at']} backup ({len(restored)} audit logs) from {folder}.")
    click.echo(
        "Now prove it: incidents audit verify --checkpoint FILE ... with the checkpoint files "
        "held outside (the backup's own are in " + str(folder / CHECKPOINTS) + ")."
    )
