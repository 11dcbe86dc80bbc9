"""`incidents backup` and `incidents restore` (issue 20, item 3), on SQLite and, when
TEST_DATABASE_URL is set, on PostgreSQL: back up while the app runs, restore into an empty
database, and prove it with `audit verify` against checkpoints held outside; an older backup
than a held checkpoint is refused unless the operator accepts it, and then verification says
the log was truncated. Every option's bad input gives one clear message and changes nothing."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, make_url, select

from incidents import create_app
from incidents.admin.schools import get_school_by_urn
from incidents.audit import signer as signing
from incidents.cli.backup import _is_empty
from incidents.config import Settings
from incidents.crypto import keys as key_store
from incidents.models import Case, Role
from tests import factories
from tests.conftest import run_cli
from tests.own_database import own_database


@dataclasses.dataclass
class Source:
    """A live database with two schools' cases, backed up twice: `older` before more cases
    were recorded and checkpointed (the checkpoint files in `held` cover them), `newer` after."""

    app: Flask
    settings: Settings
    older: Path
    newer: Path
    held: Path


def _app(settings: Settings) -> Flask:
    return create_app(settings=settings, overrides={"TESTING": True})


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def _add_cases(app: Flask, n: int, *, first: bool) -> None:
    db = app.extensions["incidents.sessions"]()
    try:
        for urn in ("100001", "100002"):
            school = factories.make_school(db, urn=urn) if first else get_school_by_urn(db, urn)
            head = factories.make_user(db, school, Role.HEADTEACHER)
            for _ in range(n):
                factories.make_case(db, head)
        db.commit()
    finally:
        db.close()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    folder = tmp_path_factory.mktemp("backup-source")
    key_file, signing_key = folder / "keys" / "keys.json", folder / "keys" / "audit.key"
    key_file.parent.mkdir(mode=0o700)
    key_store.write_file(key_file, key_store.generate(str(key_file)), new=True)
    signing.generate(signing_key)
    with own_database(folder, "ops_source") as url:
        settings = Settings(
            env="testing",
            secret_key="test-secret-key-that-is-long-enough-to-use",
            database_url=url,
            instance_path=folder / "instance",
            session_cookie_secure=False,
            ratelimit_enabled=False,
            key_file=key_file,
            signing_key_file=signing_key,
            checkpoint_dir=folder / "checkpoints",
        )
        app = _app(settings)
        _ok(run_cli(app, "db", "upgrade"))
        _add_cases(app, 2, first=True)
        _ok(run_cli(app, "audit", "checkpoint"))
        older = folder / "older"
        _ok(run_cli(app, "backup", "--out", str(older)))
        _add_cases(app, 3, first=False)
        _ok(run_cli(app, "audit", "checkpoint"))
        newer = folder / "newer"
        _ok(run_cli(app, "backup", "--out", str(newer)))
        yield Source(app, settings, older, newer, folder / "checkpoints")
        app.extensions["incidents.engine"].dispose()


@pytest.fixture
def target(source: Source, tmp_path: Path) -> Iterator[Flask]:
    """An app on a new, empty database, with the same keys (restored separately)."""
    with own_database(tmp_path, "ops_target") as url:
        app = _app(dataclasses.replace(source.settings, database_url=url))
        yield app
        app.extensions["incidents.engine"].dispose()


def _verify(app: Flask, held: Path, urn: str) -> Result:
    """`audit verify` of one school against its checkpoint files held outside."""
    files = sorted(held.glob(f"*_{urn}/*.checkpoint"))
    assert files
    held_args = [arg for p in files for arg in ("--checkpoint", str(p))]
    return run_cli(app, "audit", "verify", "--school", urn, *held_args)


def _cases(app: Flask) -> int:
    db = app.extensions["incidents.sessions"]()
    try:
        return db.scalar(select(func.count()).select_from(Case)) or 0
    finally:
        db.close()


def test_a_backup_holds_the_snapshot_checkpoints_and_manifest_but_never_the_keys(source):
    manifest = json.loads((source.newer / "manifest.json").read_text())
    assert manifest["database"] in ("sqlite", "postgresql")
    assert [(log["origin"].rsplit("/", 1)[1], log["size"] > 0) for log in manifest["logs"]] == [
        ("100001", True),
        ("100002", True),
    ]
    assert manifest["checkpoint_files"]
    assert (source.newer / "checkpoints" / manifest["checkpoint_files"][0]).is_file()
    names = {p.name for p in source.newer.rglob("*")}
    assert not names & {"keys.json", "audit.key"}
    key_bytes = source.settings.key_file.read_bytes()  # type: ignore[union-attr]
    assert all(key_bytes not in p.read_bytes() for p in source.newer.rglob("*") if p.is_file())


def test_the_backup_reminds_the_operator_to_back_up_the_keys(source, tmp_path):
    result = _ok(run_cli(source.app, "backup", "--out", str(tmp_path / "b")))
    assert "Not in this backup: the key file" in result.output
    assert str(source.settings.key_file) in result.output


def test_restore_into_an_empty_database_then_verify_against_held_checkpoints(source, target):
    result = _ok(run_cli(target, "restore", "--from", str(source.newer)))
    assert "Restored" in result.output
    assert _cases(target) == _cases(source.app) == 10
    for urn in ("100001", "100002"):
        assert "verified" in _ok(_verify(target, source.held, urn)).output


def test_a_backup_older_than_a_held_checkpoint_is_refused(source, target):
    result = run_cli(target, "restore", "--from", str(source.older))
    assert result.exit_code == 1
    assert "This backup is older than the newest checkpoint held outside" in result.output
    assert not _tables(target)


def test_an_older_backup_restored_knowingly_fails_verification_as_truncated(source, target):
    result = _ok(run_cli(target, "restore", "--from", str(source.older), "--accept-older"))
    assert "Restoring an older backup" in result.output
    assert _cases(target) == 4
    verified = _verify(target, source.held, "100001")
    assert verified.exit_code == 1
    assert "the log was truncated" in verified.output


def _tables(app: Flask) -> bool:
    return not _is_empty(make_url(app.config["DATABASE_URL"]))


# --- bad input, option by option ---------------------------------------------------------------


def test_backup_needs_out(source):
    result = run_cli(source.app, "backup")
    assert result.exit_code == 2
    assert "Missing option '--out'" in result.output


@pytest.mark.parametrize(
    ("what", "status", "message"),
    [
        ("non-empty folder", 1, "already exists: give a new or empty folder"),
        ("file", 2, "is a file"),
        ("inside a file", 1, "Cannot create"),
    ],
)
def test_backup_refuses_an_out_that_is_not_a_new_or_empty_folder(
    source, tmp_path, what, status, message
):
    out = {
        "non-empty folder": tmp_path / "full",
        "file": tmp_path / "a-file",
        "inside a file": tmp_path / "a-file" / "backup",
    }[what]
    if what == "non-empty folder":
        out.mkdir()
        (out / "keep.txt").write_text("the operator's own file")
    else:
        (tmp_path / "a-file").write_text("not a folder")
    result = run_cli(source.app, "backup", "--out", str(out))
    assert result.exit_code == status
    assert message in result.output
    if what == "non-empty folder":
        assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_backup_makes_the_folders_it_needs(source, tmp_path):
    out = tmp_path / "backups" / "nightly"
    _ok(run_cli(source.app, "backup", "--out", str(out)))
    assert (out / "manifest.json").is_file()
    assert oct(out.stat().st_mode & 0o777) == oct(0o700)


def test_restore_needs_from(target):
    result = run_cli(target, "restore")
    assert result.exit_code == 2
    assert "Missing option '--from'" in result.output


def _damaged_copy(source: Source, tmp_path: Path, how: str) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(source.newer, copy)
    manifest = copy / "manifest.json"
    data = json.loads(manifest.read_text())
    if how == "no manifest":
        manifest.unlink()
    elif how == "not JSON":
        manifest.write_text("{not json")
    elif how == "another format":
        manifest.write_text(json.dumps({**data, "format": "something-else/9"}))
    elif how == "snapshot missing":
        (copy / data["snapshot"]).unlink()
    elif how == "snapshot changed":
        with (copy / data["snapshot"]).open("ab") as handle:
            handle.write(b"\0")
    elif how == "other database kind":
        other = "postgresql" if data["database"] == "sqlite" else "sqlite"
        manifest.write_text(json.dumps({**data, "database": other}))
    return copy


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("no manifest", "it is not an incidents backup"),
        ("not JSON", "is not valid JSON"),
        ("another format", "is not an incidents-backup/1 manifest"),
        ("snapshot missing", "database file is missing"),
        ("snapshot changed", "does not match its checksum"),
        ("other database kind", "restore it into the same kind of database"),
    ],
)
def test_restore_refuses_a_damaged_backup_and_writes_nothing(
    source, target, tmp_path, how, message
):
    result = run_cli(target, "restore", "--from", str(_damaged_copy(source, tmp_path, how)))
    assert result.exit_code == 1
    assert message in result.output
    assert not _tables(target)


def test_restore_from_a_missing_folder(target, tmp_path):
    result = run_cli(target, "restore", "--from", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_restore_refuses_a_database_that_is_not_empty(source):
    result = run_cli(source.app, "restore", "--from", str(source.newer))
    assert result.exit_code == 1
    assert "is not empty: restore only into a new, empty one" in result.output


def test_restore_refuses_a_missing_checkpoints_folder(source, target, tmp_path):
    result = run_cli(
        target, "restore", "--from", str(source.newer), "--checkpoints", str(tmp_path / "none")
    )
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_restore_refuses_a_forged_held_checkpoint(source, target, tmp_path):
    forged = tmp_path / "held"
    forged.mkdir()
    real = sorted(source.held.rglob("*.checkpoint"))[-1].read_text()
    (forged / "forged.checkpoint").write_text(real.replace("\n", "\n\n", 1))
    result = run_cli(target, "restore", "--from", str(source.newer), "--checkpoints", str(forged))
    assert result.exit_code == 1
    assert "is not a valid checkpoint" in result.output
    assert not _tables(target)
