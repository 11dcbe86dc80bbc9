"""stats releases: figures for a closed term, protected once and stored as published

Issue 18. New tables only. A release keeps the text of each published cell (a number, `c` or
`x`), never the counts behind a hidden one.

Revision ID: 0030
Revises: 0028
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stats_release",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "period IN ('autumn', 'spring', 'summer')", name=op.f("ck_stats_release_period")
        ),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_stats_release_revision")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_release")),
        sa.UniqueConstraint(
            "academic_year",
            "period",
            "revision",
            name=op.f("uq_stats_release_academic_year_period_revision"),
        ),
    )
    op.create_table(
        "stats_release_page",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=36), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["stats_release.id"],
            name=op.f("fk_stats_release_page_release_id_stats_release"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
            name=op.f("fk_stats_release_page_school_id_school"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_release_page")),
        sa.UniqueConstraint(
            "release_id", "scope", name=op.f("uq_stats_release_page_release_id_scope")
        ),
    )
    op.create_index(
        op.f("ix_stats_release_page_release_id"),
        "stats_release_page",
        ["release_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_stats_release_page_release_id"), table_name="stats_release_page")
    op.drop_table("stats_release_page")
    op.drop_table("stats_release")
