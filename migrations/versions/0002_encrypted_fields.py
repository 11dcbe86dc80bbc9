"""Encrypt personal fields: data keys, ciphertext columns, the surname blind index.

Existing clear text is encrypted on upgrade (with the keys the settings name) and decrypted back
on downgrade, so no case is lost either way. A database with no people, cases or notes needs no
keys to migrate.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 13:46:03
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, clear column, ciphertext column, nullable, scope) for every personal field.
FIELDS = (
    ("person", "name", "name_ct", False, "school"),
    ("case_file", "narrative", "narrative_ct", False, "case"),
    ("case_file", "reporter_identity", "reporter_identity_ct", True, "case"),
    ("note", "body", "body_ct", False, "case"),
    ("note", "reason", "reason_ct", True, "case"),
)
OLD_CHECK = (
    "(corrects_id IS NULL AND reason IS NULL) OR (corrects_id IS NOT NULL AND reason IS NOT NULL)"
)
NEW_CHECK = "(corrects_id IS NULL AND reason_ct IS NULL) OR (corrects_id IS NOT NULL AND reason_ct IS NOT NULL)"


def _rows(bind: sa.Connection, table: str, clear: str, encrypted: str) -> Iterator[Any]:
    """Each row with what the place of its field needs: id, school id, case id."""
    if table == "person":
        query = f"SELECT id, school_id, NULL AS case_id, {clear}, {encrypted} FROM person"
    elif table == "case_file":
        query = f"SELECT id, school_id, id AS case_id, {clear}, {encrypted} FROM case_file"
    else:
        query = (
            f"SELECT note.id, case_file.school_id, note.case_id, note.{clear}, note.{encrypted} "
            "FROM note JOIN case_file ON case_file.id = note.case_id"
        )
    yield from bind.execute(sa.text(query))


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _keyring(bind: sa.Connection) -> Any:
    from sqlalchemy.orm import Session

    from incidents.config import load_settings
    from incidents.crypto.keyring import Keyring
    from incidents.crypto.setup import load_material

    # The caller's keyring (incidents db upgrade, tests), else the keys the settings name.
    keyring = op.get_context().config.attributes.get("keyring") if op.get_context().config else None
    if not isinstance(keyring, Keyring):
        keyring = Keyring(load_material(load_settings()))
    session = Session(bind=bind, info={"keyring": keyring})
    return keyring, session


def _has_personal_data(bind: sa.Connection) -> bool:
    return any(
        bind.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None
        for table in ("person", "case_file", "note")
    )


def upgrade() -> None:
    op.create_table(
        "data_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column(
            "scope",
            sa.Enum(
                "case", "school", name="scope", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kek_version", sa.Integer(), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(scope = 'case' AND case_id IS NOT NULL) OR (scope = 'school' AND case_id IS NULL)",
            name=op.f("ck_data_key_scope_matches_case"),
        ),
        sa.CheckConstraint(
            "(wrapped IS NULL) = (destroyed_at IS NOT NULL)",
            name=op.f("ck_data_key_destroyed_has_no_key"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_data_key_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_key")),
        sa.UniqueConstraint(
            "school_id",
            "scope",
            "case_id",
            "version",
            name=op.f("uq_data_key_school_id_scope_case_id_version"),
        ),
    )
    with op.batch_alter_table("data_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_key_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_key_kek_version"), ["kek_version"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_key_school_id"), ["school_id"], unique=False)

    for table, _clear, encrypted, _nullable, _scope in FIELDS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(encrypted, sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("surname_index", sa.LargeBinary(length=16), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_person_surname_index"), ["surname_index"], unique=False
        )

    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("erasure_rule", sa.String(length=200), nullable=True))
        batch_op.create_check_constraint(
            "erased_has_date_and_rule",
            "(state = 'erased') = (erased_at IS NOT NULL AND erasure_rule IS NOT NULL)",
        )

    bind = op.get_bind()
    if _has_personal_data(bind):
        _encrypt_existing(bind)

    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_note_correction_has_reason"), type_="check")
    for table, clear, encrypted, nullable, _scope in FIELDS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(encrypted, existing_type=sa.LargeBinary(), nullable=nullable)
            batch_op.drop_column(clear)
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.create_check_constraint("correction_has_reason", NEW_CHECK)


def _encrypt_existing(bind: sa.Connection) -> None:
    from incidents.models.person import surname_of
    from incidents.sensitive import Place

    keyring, session = _keyring(bind)
    for table, clear, encrypted, _nullable, scope in FIELDS:
        for row in list(_rows(bind, table, clear, encrypted)):
            if row[3] is None:
                continue
            school_id, row_id = _uuid(row[1]), _uuid(row[0])
            case_id = _uuid(row[2]) if scope == "case" else None
            place = Place(
                table, clear, row_id, f"case:{case_id}" if case_id else f"school:{school_id}"
            )
            sealed = keyring.seal(session, place, school_id, case_id, row[3])
            session.flush()  # writes any new data key before the field that uses it
            values: dict[str, Any] = {"ct": sealed, "id": row[0]}
            extra = ""
            if table == "person":
                surname = surname_of(row[3])
                values["bi"] = (
                    keyring.blind_index(school_id, "surname", surname) if surname else None
                )
                extra = ", surname_index = :bi"
            bind.execute(
                sa.text(f"UPDATE {table} SET {encrypted} = :ct{extra} WHERE id = :id"), values
            )


def downgrade() -> None:
    for table, clear, _encrypted, _nullable, _scope in FIELDS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(clear, sa.TEXT(), nullable=True))
    bind = op.get_bind()
    if _has_personal_data(bind):
        _decrypt_existing(bind)
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_note_correction_has_reason"), type_="check")
    for table, clear, encrypted, nullable, _scope in FIELDS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(clear, existing_type=sa.TEXT(), nullable=nullable)
            batch_op.drop_column(encrypted)
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.create_check_constraint("correction_has_reason", OLD_CHECK)
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_case_file_erased_has_date_and_rule"), type_="check")
        batch_op.drop_column("erasure_rule")
        batch_op.drop_column("erased_at")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_surname_index"))
        batch_op.drop_column("surname_index")
    with op.batch_alter_table("data_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_key_school_id"))
        batch_op.drop_index(batch_op.f("ix_data_key_kek_version"))
        batch_op.drop_index(batch_op.f("ix_data_key_case_id"))
    op.drop_table("data_key")


def _decrypt_existing(bind: sa.Connection) -> None:
    """Back to clear text. A field whose case was shredded cannot come back: it is left as a
    note that it was erased, so the downgrade does not fail on a lawful erasure."""
    from incidents.crypto.envelope import CryptoError
    from incidents.sensitive import Place

    keyring, session = _keyring(bind)
    for table, clear, encrypted, _nullable, scope in FIELDS:
        for row in list(_rows(bind, table, clear, encrypted)):
            if row[4] is None:
                continue
            school_id, row_id = _uuid(row[1]), _uuid(row[0])
            case_id = _uuid(row[2]) if scope == "case" else None
            place = Place(
                table, clear, row_id, f"case:{case_id}" if case_id else f"school:{school_id}"
            )
            try:
                value = keyring.open(session, place, bytes(row[4]))
            except CryptoError:
                value = "[erased]"
            bind.execute(
                sa.text(f"UPDATE {table} SET {clear} = :v WHERE id = :id"),
                {"v": value, "id": row[0]},
            )
