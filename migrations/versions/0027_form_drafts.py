"""form drafts: what a user typed into a form sent after their session ended, sealed

Issue 17, item 9. A new table only: nothing existing changes.

Revision ID: 0027_form_drafts
Revises: 0026_letters
Create Date: 2026-12-04 18:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027_form_drafts"
down_revision = "0026_letters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_draft",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_ct", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_form_draft_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_form_draft_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_draft")),
    )
    with op.batch_alter_table("form_draft", schema=None) as batch_op:
        batch_op.create_index("ix_form_draft_user_expires", ["user_id", "expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("form_draft", schema=None) as batch_op:
        batch_op.drop_index("ix_form_draft_user_expires")
    op.drop_table("form_draft")
