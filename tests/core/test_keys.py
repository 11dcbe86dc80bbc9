"""Key files and the `incidents keys` / `incidents shred` commands: creation, status, rotation
(including an interrupted one), shredding, and every kind of bad key file."""

from __future__ import annotations

import base64
import dataclasses
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from incidents import create_app
from incidents.admin import keys as key_service
from incidents.cli import cli
from incidents.crypto import keys
from incidents.crypto.keyring import Keyring
from incidents.crypto.keys import KeyFileError
from incidents.crypto.setup import load_material
from incidents.models import Case, DataKey, Role
from tests import factories


def run(app: Flask, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app), input=input)


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    return tmp_path / "secrets" / "keys.json"


@pytest.fixture
def file_app(settings, connection, key_path) -> Flask:
    """An app whose keys come from a real key file, sessions in the test's transaction."""
    keys.write_file(key_path, keys.generate(str(key_path)), new=True)
    file_settings = dataclasses.replace(settings, key_file=key_path)
    keyring = Keyring(load_material(file_settings), loader=lambda: load_material(file_settings))
    factory = sessionmaker(
        bind=connection,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
        info={"keyring": keyring},
    )
    return create_app(settings=file_settings, session_factory=factory, overrides={"TESTING": True})


def _db(app: Flask) -> Session:
    return app.extensions["incidents.sessions"]()


def test_keys_init_creates_a_private_key_file_once(settings, session_factory, tmp_path):
    path = tmp_path / "k" / "keys.json"
    app = create_app(
        settings=dataclasses.replace(settings, key_file=path),
        session_factory=session_factory,
        overrides={"TESTING": True},
    )
    result = run(app, "keys", "init")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    material = keys.load_file(path)
    assert material.current == 1 and len(material.keks[1]) == 32
    assert base64.b64encode(material.keks[1]).decode() not in result.output
    again = run(app, "keys", "init")
    assert again.exit_code != 0 and "refusing to overwrite" in again.output
    assert keys.load_file(path).keks == material.keks
    quiet = run(app, "keys", "init", "--if-missing")
    assert quiet.exit_code == 0 and "nothing to do" in quiet.output


def test_keys_status_counts_without_showing_keys(file_app, key_path):
    db = _db(file_app)
    school = factories.make_school(db)
    head = factories.make_user(db, school, Role.HEADTEACHER)
    factories.make_case(db, head)
    factories.make_case(db, head)
    db.commit()
    result = run(file_app, "keys", "status")
    assert result.exit_code == 0, result.output
    assert f"Keys from: {key_path}" in result.output
    assert "Current KEK version: 1" in result.output
    assert "case data keys: 2" in result.output and "school data keys: 1" in result.output
    secret = json.loads(key_path.read_text())["kek"]["1"]
    assert secret not in result.output


def test_rotation_rewraps_every_key_and_every_case_still_reads(file_app, key_path):
    db = _db(file_app)
    school = factories.make_school(db)
    head = factories.make_user(db, school, Role.HEADTEACHER)
    cases = [factories.make_case(db, head, narrative=f"narrative {i}") for i in range(5)]
    db.commit()
    before = {k.id: bytes(k.wrapped) for k in db.scalars(select(DataKey))}
    stored = {c.id: bytes(c.narrative_ct) for c in cases}

    result = run(file_app, "keys", "rotate", "--yes", "--batch-size", "2")
    assert result.exit_code == 0, result.output
    assert "Re-wrapped 6 data keys under version 2" in result.output
    assert keys.load_file(key_path).current == 2

    fresh = _db(file_app)
    rows = list(fresh.scalars(select(DataKey)))
    assert {k.kek_version for k in rows} == {2}
    assert all(bytes(k.wrapped) != before[k.id] for k in rows)
    # The data itself was not touched, and reads with a keyring that loads the new file.
    reader = Session(bind=fresh.connection(), info={"keyring": Keyring(keys.load_file(key_path))})
    for case in cases:
        again = reader.get(Case, case.id)
        assert bytes(again.narrative_ct) == stored[case.id]
        assert again.narrative.reveal() == case.narrative.reveal()


def test_an_interrupted_rotation_resumes(file_app, key_path, monkeypatch):
    db = _db(file_app)
    school = factories.make_school(db)
    head = factories.make_user(db, school, Role.HEADTEACHER)
    for _ in range(4):
        factories.make_case(db, head)
    db.commit()

    real = key_service.rewrap_batch
    calls = {"n": 0}

    def crash_after_first_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(key_service, "rewrap_batch", crash_after_first_batch)
    interrupted = run(file_app, "keys", "rotate", "--yes", "--batch-size", "2")
    assert interrupted.exit_code != 0
    monkeypatch.setattr(key_service, "rewrap_batch", real)

    status = run(file_app, "keys", "status")
    assert "A rotation is unfinished: 3 data keys to re-wrap" in status.output
    resumed = run(file_app, "keys", "rotate", "--yes")
    assert resumed.exit_code == 0, resumed.output
    assert "Resuming: 3 data keys" in resumed.output
    assert keys.load_file(key_path).current == 2  # no third version was made
    versions = _db(file_app).scalars(select(DataKey.kek_version)).all()
    assert set(versions) == {2}


def test_a_running_keyring_picks_up_a_rotation_made_elsewhere(file_app, key_path):
    db = _db(file_app)
    school = factories.make_school(db)
    case = factories.make_case(db, factories.make_user(db, school, Role.HEADTEACHER))
    db.commit()
    stale = Keyring(keys.load_file(key_path), loader=lambda: keys.load_file(key_path))
    assert run(file_app, "keys", "rotate", "--yes").exit_code == 0
    reader = Session(bind=db.connection(), info={"keyring": stale})
    assert reader.get(Case, case.id).narrative.reveal() == case.narrative.reveal()
    assert stale.material.current == 2


def test_rotation_refuses_keys_given_in_the_environment(settings, session_factory, key_path):
    keys.write_file(key_path, keys.generate(), new=True)
    env_settings = dataclasses.replace(settings, keys_json=key_path.read_text(), key_file=None)
    app = create_app(
        settings=env_settings, session_factory=session_factory, overrides={"TESTING": True}
    )
    app.extensions["incidents.sessions"].kw["info"]["keyring"] = Keyring(
        load_material(env_settings)
    )
    result = run(app, "keys", "rotate", "--yes")
    assert result.exit_code != 0 and "INCIDENTS_KEY_FILE" in result.output


def test_rotation_asks_before_it_starts(file_app, key_path):
    result = run(file_app, "keys", "rotate", input="n\n")
    assert result.exit_code != 0
    assert keys.load_file(key_path).current == 1


@pytest.mark.parametrize("batch", ["0", "abc", "-5"])
def test_rotation_batch_size_must_be_a_positive_number(file_app, batch):
    result = run(file_app, "keys", "rotate", "--yes", "--batch-size", batch)
    assert result.exit_code != 0 and "--batch-size" in result.output


def test_shred_command_erases_after_confirmation(file_app):
    db = _db(file_app)
    school = factories.make_school(db)
    case = factories.make_case(db, factories.make_user(db, school, Role.HEADTEACHER))
    db.commit()
    declined = run(
        file_app,
        "shred",
        "--school",
        school.urn,
        "--case",
        case.reference,
        "--rule",
        "Retention 10y",
        input="n\n",
    )
    assert declined.exit_code != 0
    assert _db(file_app).get(Case, case.id).erased_at is None
    result = run(
        file_app,
        "shred",
        "--school",
        school.urn,
        "--case",
        case.reference,
        "--rule",
        "Retention 10y",
        "--override-reason",
        "Test: an open case",
        input="y\n",
    )
    assert result.exit_code == 0, result.output
    assert f"Case {case.reference} erased under: Retention 10y" in result.output
    erased = _db(file_app).get(Case, case.id)
    assert erased.erasure_rule == "Retention 10y" and erased.state.value == "erased"
    destroyed = _db(file_app).scalar(
        select(func.count())
        .select_from(DataKey)
        .where(DataKey.case_id == case.id, DataKey.wrapped.is_(None))
    )
    assert destroyed == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--case", "2026-9999", "--rule", "r"], "No case '2026-9999'"),
        (["--case", "{ref}", "--rule", " "], "Enter the retention rule"),
        (["--case", "{ref}"], "Missing option '--rule'"),
        # Issue 13, item 13: an open case is not erased without an override and its reason.
        (["--case", "{ref}", "--rule", "r"], "is still open"),
    ],
)
def test_shred_command_bad_input_changes_nothing(file_app, args, message):
    db = _db(file_app)
    school = factories.make_school(db)
    case = factories.make_case(db, factories.make_user(db, school, Role.HEADTEACHER))
    db.commit()
    args = [a.replace("{ref}", case.reference) for a in args]
    result = run(file_app, "shred", "--school", school.urn, "--yes", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert _db(file_app).get(Case, case.id).erased_at is None


def test_commands_that_need_keys_say_which_file_is_missing(settings, session_factory, tmp_path):
    from incidents.crypto.setup import build_keyring

    missing = dataclasses.replace(settings, key_file=tmp_path / "nowhere" / "keys.json")
    app = create_app(settings=missing, session_factory=session_factory, overrides={"TESTING": True})
    app.extensions["incidents.sessions"].kw["info"]["keyring"] = build_keyring(missing)
    result = run(app, "keys", "status")
    assert result.exit_code != 0
    assert "nowhere/keys.json is missing" in result.output and "keys init" in result.output


def _good() -> dict:
    return json.loads(keys._dump(keys.generate()))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: "not json at all", "not JSON"),
        (lambda d: {**d, "format": "something-else"}, "not an incidents key file"),
        (lambda d: {**d, "kek": {}}, "no key-encryption keys"),
        (lambda d: {**d, "kek": {"1": "@@@"}}, "not valid base64"),
        (lambda d: {**d, "kek": {"1": base64.b64encode(b"short").decode()}}, "must be 32 bytes"),
        (lambda d: {**d, "kek": {"one": d["kek"]["1"]}}, "whole numbers"),
        (lambda d: {**d, "current": 7}, "current version 7 has no key"),
        (lambda d: {k: v for k, v in d.items() if k != "blind_index"}, "blind-index key"),
    ],
)
def test_a_malformed_key_file_is_explained(tmp_path, mutate, message):
    path = tmp_path / "keys.json"
    content = mutate(_good())
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match=message):
        keys.load_file(path)


def test_a_key_file_readable_by_others_is_refused(tmp_path):
    path = tmp_path / "keys.json"
    keys.write_file(path, keys.generate(), new=True)
    path.chmod(0o640)
    with pytest.raises(KeyFileError, match="chmod 600"):
        keys.load_file(path)


def test_key_material_never_shows_in_its_repr():
    material = keys.generate()
    assert base64.b64encode(material.keks[1]).decode() not in repr(material)
    assert material.keks[1].hex() not in repr(material)
