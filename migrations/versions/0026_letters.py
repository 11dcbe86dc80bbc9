"""letters: the school's letter wording, the letters sent from a case, the letterhead address

Issue 17, item 8. Two new tables and one new nullable column: nothing existing changes.

Revision ID: 0026_letters
Revises: 0025_oidc_sign_in
Create Date: 2026-12-04 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_letters"
down_revision = "0025_oidc_sign_in"
branch_labels = None
depends_on = None

KINDS = ("parent", "suspension", "outcome", "sanction", "lado_summary")


def _kind() -> sa.Enum:
    return sa.Enum(*KINDS, name="kind", native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "letter_template",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("kind", _kind(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
            name=op.f("fk_letter_template_school_id_school"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_letter_template_updated_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_template")),
        sa.UniqueConstraint("school_id", "kind", name=op.f("uq_letter_template_school_id_kind")),
    )
    op.create_table(
        "sent_letter",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", _kind(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "post",
                "email",
                "by_hand",
                name="method",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("sent_by_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_ct", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_sent_letter_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["user_account.id"],
            name=op.f("fk_sent_letter_sent_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_letter")),
    )
    op.create_index(op.f("ix_sent_letter_case_id"), "sent_letter", ["case_id"], unique=False)
    with op.batch_alter_table("school_settings") as batch:
        batch.add_column(sa.Column("letter_address", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("school_settings") as batch:
        batch.drop_column("letter_address")
    op.drop_index(op.f("ix_sent_letter_case_id"), table_name="sent_letter")
    op.drop_table("sent_letter")
    op.drop_table("letter_template")
