"""people, routing and retention: legal holds

legal_hold: an inquiry, litigation or a police investigation that needs a case kept; while one
is open the case cannot be erased (issue 13, item 13). A new table: existing rows need nothing.

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-04 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
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


def downgrade() -> None:
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_hold_case_id"))
    op.drop_table("legal_hold")
