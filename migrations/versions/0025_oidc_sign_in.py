"""sign-in with the school's identity provider: its OpenID Connect settings, the link from a
user to their provider account, and the elevation purpose for changing them

Issue 16, item 6. Two new tables; the elevation purpose CHECK widened (nothing existing is
refused by the wider list).

Revision ID: 0025_oidc_sign_in
Revises: 0024
Create Date: 2026-12-04 18:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_oidc_sign_in"
down_revision = "0024"
branch_labels = None
depends_on = None

OLD_PURPOSES = ["reveal_reporter", "open_closed_case", "export", "grant_case_access"]
NEW_PURPOSES = [*OLD_PURPOSES, "sign_in_settings"]


def _recheck(purposes: list[str]) -> None:
    with op.batch_alter_table("elevation", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_elevation_elevation_purpose"), type_="check")
        batch_op.create_check_constraint("elevation_purpose", sa.column("purpose").in_(purposes))


def upgrade() -> None:
    op.create_table(
        "sign_in_settings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("provider_name", sa.String(length=40), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("client_id", sa.String(length=300), nullable=False),
        sa.Column("client_secret_ct", sa.LargeBinary(), nullable=False),
        sa.Column("allowed_domains", sa.String(length=1000), nullable=False),
        sa.Column("trust_provider_mfa", sa.Boolean(), nullable=False),
        sa.Column("passwords_off", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
            name=op.f("fk_sign_in_settings_school_id_school"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_settings")),
        sa.UniqueConstraint("school_id", name=op.f("uq_sign_in_settings_school_id")),
    )
    op.create_table(
        "provider_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("subject_index", sa.LargeBinary(length=16), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_provider_link_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_provider_link_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_link")),
        sa.UniqueConstraint("subject_index", name=op.f("uq_provider_link_subject_index")),
        sa.UniqueConstraint("user_id", name=op.f("uq_provider_link_user_id")),
    )
    with op.batch_alter_table("provider_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provider_link_school_id"), ["school_id"], unique=False)
    _recheck(NEW_PURPOSES)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM elevation WHERE purpose = 'sign_in_settings'"))
    _recheck(OLD_PURPOSES)
    with op.batch_alter_table("provider_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_link_school_id"))
    op.drop_table("provider_link")
    op.drop_table("sign_in_settings")
