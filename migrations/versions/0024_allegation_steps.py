"""allegation steps: reporting restriction ends, meetings, informing, KCSIE clocks, employers,
school settings

Issue 13, what is missing. New tables only: nothing existing changes.

Revision ID: 0024
Revises: 0022
Create Date: 2026-12-04 14:42:46.208682
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "school_settings",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("tell_before_monitoring", sa.Boolean(), nullable=True),
        sa.Column("lado_working_days", sa.Integer(), nullable=False),
        sa.Column("data_breach_years", sa.Integer(), nullable=True),
        sa.Column("policy_breach_years", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "data_breach_years IS NULL OR data_breach_years BETWEEN 1 AND 50",
            name=op.f("ck_school_settings_data_breach_years_in_range"),
        ),
        sa.CheckConstraint(
            "lado_working_days BETWEEN 1 AND 5",
            name=op.f("ck_school_settings_lado_days_in_range"),
        ),
        sa.CheckConstraint(
            "policy_breach_years IS NULL OR policy_breach_years BETWEEN 1 AND 50",
            name=op.f("ck_school_settings_policy_breach_years_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
            name=op.f("fk_school_settings_school_id_school"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", name=op.f("pk_school_settings")),
    )
    op.create_table(
        "case_meeting",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "strategy",
                "allegation_management",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attendees_ct", sa.LargeBinary(), nullable=False),
        sa.Column("decisions_ct", sa.LargeBinary(), nullable=False),
        sa.Column("who_tells_ct", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_case_meeting_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_meeting_recorded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_meeting")),
    )
    with op.batch_alter_table("case_meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_meeting_case_id"), ["case_id"], unique=False)

    op.create_table(
        "informing_step",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "accused",
                "parents",
                "parents_update",
                "parents_outcome",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("told_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agreed_with_lado", sa.Boolean(), nullable=False),
        sa.Column("agreed_with_police", sa.Boolean(), nullable=True),
        sa.Column("told_by_ct", sa.LargeBinary(), nullable=False),
        sa.Column("what_said_ct", sa.LargeBinary(), nullable=False),
        sa.Column("contact_ct", sa.LargeBinary(), nullable=True),
        sa.Column("support_ct", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_informing_step_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_informing_step_recorded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_informing_step")),
    )
    with op.batch_alter_table("informing_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_informing_step_case_id"), ["case_id"], unique=False)

    op.create_table(
        "reporting_restriction_end",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "charged",
                "lifted",
                "not_a_teacher",
                name="reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("ended_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note_ct", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_reporting_restriction_end_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"],
            ["user_account.id"],
            name=op.f("fk_reporting_restriction_end_ended_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_restriction_end")),
    )
    with op.batch_alter_table("reporting_restriction_end", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reporting_restriction_end_case_id"), ["case_id"], unique=True
        )

    op.create_table(
        "case_clock",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "unfounded",
                "report_action",
                "hearing",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_case_clock_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_clock_started_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_case_clock_task_id_task")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_clock")),
    )
    with op.batch_alter_table("case_clock", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_clock_case_id"), ["case_id"], unique=False)

    op.create_table(
        "employing_organisation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "agency",
                "contractor",
                "lettings",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name_ct", sa.LargeBinary(), nullable=False),
        sa.Column("contact_ct", sa.LargeBinary(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("stopped_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_employing_organisation_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_employing_organisation_recorded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_employing_organisation_task_id_task")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employing_organisation")),
    )
    with op.batch_alter_table("employing_organisation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_employing_organisation_case_id"), ["case_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("school_settings")
    with op.batch_alter_table("employing_organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employing_organisation_case_id"))

    op.drop_table("employing_organisation")
    with op.batch_alter_table("case_clock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_clock_case_id"))

    op.drop_table("case_clock")
    with op.batch_alter_table("reporting_restriction_end", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reporting_restriction_end_case_id"))

    op.drop_table("reporting_restriction_end")
    with op.batch_alter_table("informing_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_informing_step_case_id"))

    op.drop_table("informing_step")
    with op.batch_alter_table("case_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_meeting_case_id"))

    op.drop_table("case_meeting")
