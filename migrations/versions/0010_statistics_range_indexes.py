"""statistics: one range index per dated count (outcomes, closing, open cases, referrals)

Replaces 0009's outcome index, which led with the outcome, so "recorded or closed in these
two years" read every case that had one. Indexes only: no data changes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 14:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index("ix_case_file_stats_outcome")
        batch_op.create_index(
            "ix_case_file_stats_decided", ["outcome_at", "outcome", "school_id"], unique=False
        )
        batch_op.create_index(
            "ix_case_file_stats_closed",
            ["closed_at", "became_aware_on", "outcome", "school_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_case_file_stats_open", ["state", "became_aware_on", "school_id"], unique=False
        )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_stats_made", ["made_at", "status", "due_at", "case_id"], unique=False
        )
    with op.batch_alter_table("policy_clause", schema=None) as batch_op:
        batch_op.create_index("ix_policy_clause_category", ["id", "category"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("policy_clause", schema=None) as batch_op:
        batch_op.drop_index("ix_policy_clause_category")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_stats_made")
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index("ix_case_file_stats_open")
        batch_op.drop_index("ix_case_file_stats_closed")
        batch_op.drop_index("ix_case_file_stats_decided")
        batch_op.create_index(
            "ix_case_file_stats_outcome",
            ["outcome", "outcome_at", "closed_at", "became_aware_on", "school_id"],
            unique=False,
        )
