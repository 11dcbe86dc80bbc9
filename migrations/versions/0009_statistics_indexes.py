"""covering indexes for the governors' statistics (cases by period, outcomes and closing)

Indexes only: no data changes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 12:44:17.573873
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_file_stats_aware",
            ["became_aware_on", "school_id", "kind", "source", "state", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_case_file_stats_outcome",
            ["outcome", "outcome_at", "closed_at", "became_aware_on", "school_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index("ix_case_file_stats_outcome")
        batch_op.drop_index("ix_case_file_stats_aware")
