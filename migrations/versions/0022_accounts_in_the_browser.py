"""accounts in the browser: single-use account links, sealed link tokens in the outbox, and the
new email kinds and elevation purpose

Issue 16. A new table (account_token: only hashes of the invitation and password-reset links);
new nullable columns (outbox_message.link_secret_ct; person's sealed email and job title, the
email's blind index, start and leaving dates); three CHECK constraints widened to take the new
enum values (nothing existing is refused by the wider lists).

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-04 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0020"
branch_labels = None
depends_on = None

OLD_KINDS = [
    "new_case",
    "child_disclosure",
    "clock_halfway",
    "clock_due_today",
    "clock_overdue",
    "task_assigned",
    "audit_verify_failed",
    "checkpoints_stopped",
    "digest",
]
NEW_KINDS = [*OLD_KINDS, "account_invitation", "password_reset", "case_access_granted"]
OLD_PURPOSES = ["reveal_reporter", "open_closed_case", "export"]
NEW_PURPOSES = [*OLD_PURPOSES, "grant_case_access"]
# (table, constraint name as the naming convention's %(constraint_name)s, column)
CHECKS = (
    ("outbox_message", "outbox_kind", "kind"),
    ("alert", "alert_kind", "kind"),
    ("elevation", "elevation_purpose", "purpose"),
)


def _values(name: str, new: bool) -> list[str]:
    if name == "elevation_purpose":
        return NEW_PURPOSES if new else OLD_PURPOSES
    return NEW_KINDS if new else OLD_KINDS


def _recheck(new: bool) -> None:
    for table, name, column in CHECKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
            batch_op.create_check_constraint(name, sa.column(column).in_(_values(name, new)))


def upgrade() -> None:
    op.create_table(
        "account_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "invitation",
                "password_reset",
                name="token_purpose",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_account_token_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_account_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_token_token_hash")),
    )
    with op.batch_alter_table("account_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_token_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_token_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_secret_ct", sa.LargeBinary(), nullable=True))
    # The staff list (issue 16): work email (sealed, with a blind index to match an import
    # on), job title (sealed), start date and leaving date.
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_ct", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("email_index", sa.LargeBinary(length=16), nullable=True))
        batch_op.add_column(sa.Column("job_title_ct", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("started_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_person_email_index"), ["email_index"], unique=False)
    _recheck(new=True)


def downgrade() -> None:
    # The new kinds' rows cannot satisfy the old constraints: they go first.
    op.execute(
        sa.text(
            "DELETE FROM alert WHERE kind IN ('account_invitation', 'password_reset', 'case_access_granted')"
        )
    )
    op.execute(
        sa.text(
            "DELETE FROM outbox_message WHERE kind IN ('account_invitation', 'password_reset', 'case_access_granted')"
        )
    )
    op.execute(sa.text("DELETE FROM elevation WHERE purpose = 'grant_case_access'"))
    _recheck(new=False)
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_email_index"))
        batch_op.drop_column("left_on")
        batch_op.drop_column("started_on")
        batch_op.drop_column("job_title_ct")
        batch_op.drop_column("email_index")
        batch_op.drop_column("email_ct")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("link_secret_ct")
    with op.batch_alter_table("account_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_token_user_id"))
        batch_op.drop_index(batch_op.f("ix_account_token_school_id"))
    op.drop_table("account_token")
