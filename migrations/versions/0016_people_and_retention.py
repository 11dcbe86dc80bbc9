"""people, routing and retention: legal holds, an opaque person-to-user link, a deputy case
manager

- legal_hold: an inquiry, litigation or a police investigation that needs a case kept; while one
  is open the case cannot be erased (issue 13, item 13). A new table.
- person.user_id (a clear link from the people cases are about to user accounts) becomes
  person.account_ct (the user's id sealed under the school's key) and person.account_index (a
  keyed blind index of it), so a database reader cannot join cases to users (issue 19, item 10).
  Existing links are sealed on upgrade with the keys the settings name (as 0002 did), and opened
  back on downgrade; a database with no linked person needs no keys.
- school.deputy_case_manager_id: who manages a case when neither the head nor the chair can
  (issue 13, item 3).
- the task-kind CHECK constraint widened for "tell_parents" (issue 13, item 9).

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-04 11:30:00
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


_TASK_KINDS = (
    "explain_to_parent",
    "alert_dsl",
    "consider_csc_police",
    "confirm_suspension",
    "check_anonymous",
    "governor_reported",
    "agree_with_agency",
    "record_own_account",
    "preserve_evidence",
    "custom",
    "review_measure",
    # Added by 0015 (after an allegation's outcome).
    "lessons_review",
    "consider_child_support",
    "consider_pupil_action",
)
_NEW_TASK_KINDS = ("tell_parents",)


def _task_kinds(kinds: tuple[str, ...]) -> None:
    # As in 0011: the enum's CHECK constraint lists its values, so it is replaced.
    listed = ", ".join(f"'{k}'" for k in kinds)
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_task_task_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_task_task_kind"), f"kind IN ({listed})")


def upgrade() -> None:
    _task_kinds(_TASK_KINDS + _NEW_TASK_KINDS)
    op.create_table(
        "legal_hold",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "inquiry",
                "litigation",
                "police",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("placed_by_id", sa.Uuid(), nullable=False),
        sa.Column("reason_ct", sa.LargeBinary(), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by_id", sa.Uuid(), nullable=True),
        sa.Column("lift_reason_ct", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint(
            "(lifted_at IS NULL) = (lift_reason_ct IS NULL) AND (lifted_at IS NULL) = "
            "(lifted_by_id IS NULL)",
            name=op.f("ck_legal_hold_lifted_with_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_legal_hold_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"],
            ["user_account.id"],
            name=op.f("fk_legal_hold_lifted_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["placed_by_id"],
            ["user_account.id"],
            name=op.f("fk_legal_hold_placed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_hold")),
    )
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_hold_case_id"), ["case_id"], unique=False)

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_ct", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("account_index", sa.LargeBinary(length=16), nullable=True))
    bind = op.get_bind()
    linked = list(
        bind.execute(sa.text("SELECT id, school_id, user_id FROM person WHERE user_id IS NOT NULL"))
    )
    if linked:
        _seal_links(bind, linked)
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_person_school_id_user_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_person_school_id_account_index"), ["school_id", "account_index"]
        )
        batch_op.drop_constraint(batch_op.f("fk_person_user_id_user_account"), type_="foreignkey")
        batch_op.drop_column("user_id")

    with op.batch_alter_table("school", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deputy_case_manager_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            "fk_school_deputy_case_manager_id",
            "user_account",
            ["deputy_case_manager_id"],
            ["id"],
        )


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _keyring(bind: sa.Connection) -> Any:
    from sqlalchemy.orm import Session

    from incidents.config import load_settings
    from incidents.crypto.keyring import Keyring
    from incidents.crypto.setup import load_material

    # The caller's keyring (incidents db upgrade, tests), else the keys the settings name.
    config = op.get_context().config
    keyring = config.attributes.get("keyring") if config else None
    if not isinstance(keyring, Keyring):
        keyring = Keyring(load_material(load_settings()))
    return keyring, Session(bind=bind, info={"keyring": keyring})


def _seal_links(bind: sa.Connection, rows: list[Any]) -> None:
    from incidents.sensitive import Place

    keyring, session = _keyring(bind)
    for row_id, school_id, user_id in rows:
        school, person, user = _uuid(school_id), _uuid(row_id), _uuid(user_id)
        place = Place("person", "account", person, f"school:{school}")
        sealed = keyring.seal(session, place, school, None, str(user))
        session.flush()  # writes any new data key before the field that uses it
        bind.execute(
            sa.text("UPDATE person SET account_ct = :ct, account_index = :bi WHERE id = :id"),
            {"ct": sealed, "bi": keyring.blind_index(school, "account", str(user)), "id": row_id},
        )


def _open_links(bind: sa.Connection) -> None:
    from incidents.sensitive import Place

    rows = list(
        bind.execute(
            sa.text("SELECT id, school_id, account_ct FROM person WHERE account_ct IS NOT NULL")
        )
    )
    if not rows:
        return
    keyring, session = _keyring(bind)
    for row_id, school_id, sealed in rows:
        place = Place("person", "account", _uuid(row_id), f"school:{_uuid(school_id)}")
        user = uuid.UUID(keyring.open(session, place, bytes(sealed)))
        bind.execute(
            sa.text("UPDATE person SET user_id = :user WHERE id = :id"),
            {"user": user.hex if bind.dialect.name == "sqlite" else user, "id": row_id},
        )


def downgrade() -> None:
    op.execute("DELETE FROM task WHERE kind = 'tell_parents'")
    _task_kinds(_TASK_KINDS)
    with op.batch_alter_table("school", schema=None) as batch_op:
        batch_op.drop_constraint("fk_school_deputy_case_manager_id", type_="foreignkey")
        batch_op.drop_column("deputy_case_manager_id")

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Uuid(), nullable=True))
    _open_links(op.get_bind())
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_person_user_id_user_account"), "user_account", ["user_id"], ["id"]
        )
        batch_op.drop_constraint(batch_op.f("uq_person_school_id_account_index"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_person_school_id_user_id"), ["school_id", "user_id"]
        )
        batch_op.drop_column("account_index")
        batch_op.drop_column("account_ct")

    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_hold_case_id"))
    op.drop_table("legal_hold")
