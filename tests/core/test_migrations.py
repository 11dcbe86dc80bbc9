"""Migrations: an empty database upgrades to head and back down, with data in it, and the models
match the migrations (what `alembic check` verifies). Runs on SQLite, and on PostgreSQL in a
throwaway database when TEST_DATABASE_URL points at PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from incidents.cli import alembic_config
from incidents.crypto.keyring import Keyring
from incidents.crypto.keys import generate
from incidents.db import Base, make_engine
from incidents.demo import build_demo
from tests.own_database import own_database


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    with own_database(tmp_path, "migrations") as url:
        yield url


def test_upgrade_to_head_and_down_to_base_with_data(empty_database_url):
    keyring = Keyring(generate())
    config = alembic_config(empty_database_url, keyring)
    command.upgrade(config, "head")
    engine = make_engine(empty_database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with Session(engine, info={"keyring": keyring}) as session:
            build_demo(session, password="a demo password for tests")
            session.commit()
        with engine.connect() as conn:
            # The models and the migrations agree: nothing left for autogenerate to do.
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        engine.dispose()
        command.downgrade(config, "base")
        left = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert left == set()
        command.upgrade(config, "head")
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_constraints_follow_the_naming_convention(empty_database_url):
    command.upgrade(alembic_config(empty_database_url), "head")
    engine = make_engine(empty_database_url)
    try:
        inspector = inspect(engine)
        for table in Base.metadata.tables:
            for fk in inspector.get_foreign_keys(table):
                assert fk["name"].startswith(f"fk_{table}_"), fk
            for uq in inspector.get_unique_constraints(table):
                assert uq["name"].startswith(f"uq_{table}_"), uq
            pk = inspector.get_pk_constraint(table)
            if engine.dialect.name == "postgresql":
                assert pk["name"] == f"pk_{table}"
    finally:
        engine.dispose()


def test_0016_seals_existing_person_links_and_opens_them_on_downgrade(empty_database_url):
    """Issue 19, item 10: a person's clear user_id becomes a sealed link and a blind index; the
    downgrade puts the clear id back, so nothing is lost either way."""
    import uuid
    from datetime import UTC, datetime

    from sqlalchemy import select, text

    from incidents.models import Person
    from incidents.models.person import account_index_of

    keyring = Keyring(generate())
    config = alembic_config(empty_database_url, keyring)
    command.upgrade(config, "0013")
    engine = make_engine(empty_database_url)
    school, user, person = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    sqlite = engine.dialect.name == "sqlite"

    def key(value: uuid.UUID) -> object:
        return value.hex if sqlite else value

    now = datetime(2026, 3, 1, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO school (id, name, urn, created_at) "
                    "VALUES (:id, 'S', '123456', :at)"
                ),
                {"id": key(school), "at": now},
            )
            conn.execute(
                text(
                    "INSERT INTO user_account (id, school_id, email, display_name, "
                    "password_hash, is_active, created_at) VALUES (:id, :school, "
                    "'h@s.example', 'A Head', 'x', true, :at)"
                ),
                {"id": key(user), "school": key(school), "at": now},
            )
            conn.execute(
                text(
                    "INSERT INTO person (id, school_id, kind, name_ct, user_id, created_at) "
                    "VALUES (:id, :school, 'staff', :name, :user, :at)"
                ),
                {
                    "id": key(person),
                    "school": key(school),
                    "name": b"x",
                    "user": key(user),
                    "at": now,
                },
            )
        engine.dispose()
        command.upgrade(config, "head")
        with Session(engine, info={"keyring": keyring}) as session:
            row = session.scalar(
                select(Person).where(
                    Person.account_index == account_index_of(session, school, user)
                )
            )
            assert row is not None and row.id == person and row.user_id == user
            sealed = session.execute(text("SELECT account_ct FROM person")).scalar_one()
            assert user.hex.encode() not in bytes(sealed) and str(user).encode() not in bytes(
                sealed
            )
        engine.dispose()
        command.downgrade(config, "0013")
        with engine.connect() as conn:
            restored = conn.execute(text("SELECT user_id FROM person")).scalar_one()
        assert uuid.UUID(str(restored)) == user
    finally:
        engine.dispose()


def test_existing_citations_become_version_1_of_their_clause(empty_database_url):
    """Migration 0017 (issue 19, item 14): every clause's text becomes its version 1, and every
    citation made before versioning points at it."""
    keyring = Keyring(generate())
    config = alembic_config(empty_database_url, keyring)
    command.upgrade(config, "head")
    engine = make_engine(empty_database_url)
    try:
        with Session(engine, info={"keyring": keyring}) as session:
            build_demo(session, password="a demo password for tests")
            session.commit()
        engine.dispose()
        command.downgrade(config, "0017-1")  # as it was: citations name only the clause
        command.upgrade(config, "0017")
        with engine.connect() as conn:
            versions = conn.execute(
                text(
                    "SELECT v.clause_id, v.number, v.text = c.text FROM policy_clause_version v "
                    "JOIN policy_clause c ON c.id = v.clause_id"
                )
            ).all()
            clauses = conn.execute(text("SELECT count(*) FROM policy_clause")).scalar_one()
            assert len(versions) == clauses > 0
            assert all(number == 1 and same for _id, number, same in versions)
            cited = conn.execute(
                text(
                    "SELECT count(*), count(v.id) FROM case_clause cc LEFT JOIN "
                    "policy_clause_version v ON v.id = cc.version_id "
                    "AND v.clause_id = cc.clause_id AND v.number = 1"
                )
            ).one()
            assert cited[0] == cited[1] > 0
    finally:
        engine.dispose()
