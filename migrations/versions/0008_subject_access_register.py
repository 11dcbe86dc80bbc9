"""the subject access register (UK GDPR Art 15): requests, their deadlines and exemptions used

New tables, and the task kinds that routing by source now creates (anonymous, governor,
external agency, self-report, monitoring). Who asked and every reason are stored sealed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 11:28:02.713567
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


_OLD_TASK_KINDS = (
    "explain_to_parent",
    "alert_dsl",
    "consider_csc_police",
    "confirm_suspension",
    "custom",
)
_NEW_TASK_KINDS = (
    "check_anonymous",
    "governor_reported",
    "agree_with_agency",
    "record_own_account",
    "preserve_evidence",
)


def _task_kinds(kinds: tuple[str, ...]) -> None:
    # The enum's CHECK constraint lists its values: it is replaced, not altered (SQLite
    # rebuilds the table in batch mode, PostgreSQL drops and adds the constraint).
    listed = ", ".join(f"'{k}'" for k in kinds)
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_task_task_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_task_task_kind"), f"kind IN ({listed})")


def upgrade() -> None:
    _task_kinds(_OLD_TASK_KINDS + _NEW_TASK_KINDS)
    op.create_table(
        "subject_access_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "requester_kind",
            sa.Enum(
                "data_subject",
                "parent_for_child",
                "representative",
                "other",
                name="requester_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("requester_ct", sa.LargeBinary(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("extension_reason_ct", sa.LargeBinary(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "responded",
                "withdrawn",
                "refused",
                name="sar_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("response_note_ct", sa.LargeBinary(), nullable=True),
        sa.Column("closing_reason_ct", sa.LargeBinary(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(state = 'responded') = (responded_on IS NOT NULL)",
            name=op.f("ck_subject_access_request_responded_has_date"),
        ),
        sa.CheckConstraint(
            "state IN ('open', 'responded') OR closing_reason_ct IS NOT NULL",
            name=op.f("ck_subject_access_request_closed_has_reason"),
        ),
        sa.CheckConstraint(
            "due_on >= received_on", name=op.f("ck_subject_access_request_due_after_received")
        ),
        sa.CheckConstraint(
            "extended = (extension_reason_ct IS NOT NULL)",
            name=op.f("ck_subject_access_request_extension_has_reason"),
        ),
        sa.CheckConstraint("number > 0", name=op.f("ck_subject_access_request_number_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_subject_access_request_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_subject_access_request_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_access_request")),
        sa.UniqueConstraint(
            "school_id",
            "year",
            "number",
            name=op.f("uq_subject_access_request_school_id_year_number"),
        ),
    )
    with op.batch_alter_table("subject_access_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subject_access_request_due_on"), ["due_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_subject_access_request_school_id"), ["school_id"], unique=False
        )

    op.create_table(
        "sar_exemption",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column(
            "exemption",
            sa.Enum(
                "third_party",
                "source_identity",
                "child_abuse_data",
                "serious_harm",
                "crime",
                "legal_privilege",
                name="exemption",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["subject_access_request.id"],
            name=op.f("fk_sar_exemption_request_id_subject_access_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "exemption", name=op.f("pk_sar_exemption")),
    )


def downgrade() -> None:
    # Tasks of the new kinds cannot be kept under the old constraint.
    listed = ", ".join(f"'{k}'" for k in _NEW_TASK_KINDS)
    op.execute(f"DELETE FROM task WHERE kind IN ({listed})")
    _task_kinds(_OLD_TASK_KINDS)
    op.drop_table("sar_exemption")
    with op.batch_alter_table("subject_access_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_access_request_school_id"))
        batch_op.drop_index(batch_op.f("ix_subject_access_request_due_on"))

    op.drop_table("subject_access_request")
