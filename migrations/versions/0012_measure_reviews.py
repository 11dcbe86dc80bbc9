"""a sanction or measure's reviews: each decision (continue, end, change), its reasons, what
changes, the end date or next review date, and who reviewed

A new table, measure_review, with CHECK constraints tying each decision to the fields it needs.
Existing measures need no data: none has been reviewed.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "measure_review",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("measure_id", sa.Uuid(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum(
                "continue",
                "end",
                "vary",
                name="decision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("reasons_ct", sa.LargeBinary(), nullable=False),
        sa.Column("changes_ct", sa.LargeBinary(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("reviewed_by_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(decision = 'end') = (ends_on IS NOT NULL)",
            name=op.f("ck_measure_review_end_has_date"),
        ),
        sa.CheckConstraint(
            "(decision = 'vary') = (changes_ct IS NOT NULL)",
            name=op.f("ck_measure_review_change_has_description"),
        ),
        sa.CheckConstraint(
            "decision <> 'end' OR next_review_on IS NULL",
            name=op.f("ck_measure_review_ended_not_reviewed"),
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= reviewed_on",
            name=op.f("ck_measure_review_end_not_before_review"),
        ),
        sa.CheckConstraint(
            "next_review_on IS NULL OR next_review_on > reviewed_on",
            name=op.f("ck_measure_review_next_after_review"),
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["disciplinary_measure.id"],
            name=op.f("fk_measure_review_measure_id_disciplinary_measure"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["user_account.id"],
            name=op.f("fk_measure_review_reviewed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_review")),
    )
    with op.batch_alter_table("measure_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measure_review_measure_id"), ["measure_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("measure_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_review_measure_id"))
    op.drop_table("measure_review")
