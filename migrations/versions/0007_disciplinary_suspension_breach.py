"""disciplinary processes and sanctions, suspension decisions, the personal data breach record

New tables only: existing cases keep their data and stay valid. The state invariants (a
concluded staff process has an outcome, a suspension has its confirmation deadline, a breach
decision has its reasons) are CHECK constraints, as in 0005.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 11:21:46
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disciplinary_process",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "staff",
                "parent_carer",
                "governor",
                "volunteer",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "stage",
            sa.Enum(
                "investigation",
                "hearing",
                "concluded",
                "discontinued",
                name="stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by_id", sa.Uuid(), nullable=False),
        sa.Column("hearing_on", sa.Date(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "no_action",
                "management_advice",
                "first_written_warning",
                "final_written_warning",
                "dismissal",
                name="outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("hr_reference_ct", sa.LargeBinary(), nullable=True),
        sa.Column("reasons_ct", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR kind = 'staff'",
            name=op.f("ck_disciplinary_process_outcome_only_for_staff"),
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('no_action', 'management_advice') OR hearing_on IS NOT NULL",
            name=op.f("ck_disciplinary_process_sanction_follows_hearing"),
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR stage = 'concluded'",
            name=op.f("ck_disciplinary_process_outcome_concludes"),
        ),
        sa.CheckConstraint(
            "stage <> 'concluded' OR kind <> 'staff' OR outcome IS NOT NULL",
            name=op.f("ck_disciplinary_process_concluded_staff_has_outcome"),
        ),
        sa.CheckConstraint(
            "stage <> 'discontinued' OR reasons_ct IS NOT NULL",
            name=op.f("ck_disciplinary_process_discontinued_has_reasons"),
        ),
        sa.CheckConstraint(
            "stage <> 'hearing' OR hearing_on IS NOT NULL",
            name=op.f("ck_disciplinary_process_hearing_has_date"),
        ),
        sa.CheckConstraint(
            "stage <> 'hearing' OR kind = 'staff'",
            name=op.f("ck_disciplinary_process_hearing_only_for_staff"),
        ),
        sa.CheckConstraint(
            "stage NOT IN ('concluded', 'discontinued') OR ended_on IS NOT NULL",
            name=op.f("ck_disciplinary_process_finished_has_date"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_disciplinary_process_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_disciplinary_process_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["user_account.id"],
            name=op.f("fk_disciplinary_process_started_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disciplinary_process")),
        sa.UniqueConstraint(
            "case_id", "person_id", name=op.f("uq_disciplinary_process_case_id_person_id")
        ),
    )
    with op.batch_alter_table("disciplinary_process", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disciplinary_process_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_disciplinary_process_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "breach_record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("ico_referral_id", sa.Uuid(), nullable=True),
        sa.Column("facts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("what_happened_ct", sa.LargeBinary(), nullable=True),
        sa.Column("data_involved_ct", sa.LargeBinary(), nullable=True),
        sa.Column("people_affected", sa.Integer(), nullable=True),
        sa.Column("affects_pupils", sa.Boolean(), nullable=False),
        sa.Column("affects_parents", sa.Boolean(), nullable=False),
        sa.Column("affects_staff", sa.Boolean(), nullable=False),
        sa.Column("affects_governors", sa.Boolean(), nullable=False),
        sa.Column("affects_others", sa.Boolean(), nullable=False),
        sa.Column("likely_effects_ct", sa.LargeBinary(), nullable=True),
        sa.Column("remedial_action_ct", sa.LargeBinary(), nullable=True),
        sa.Column("report_to_ico", sa.Boolean(), nullable=True),
        sa.Column("report_reasons_ct", sa.LargeBinary(), nullable=True),
        sa.Column("report_decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("people_told", sa.Boolean(), nullable=True),
        sa.Column("told_on", sa.Date(), nullable=True),
        sa.Column("not_told_reasons_ct", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint(
            "(facts_at IS NULL) = (what_happened_ct IS NULL) AND (facts_at IS NULL) = (people_affected IS NULL)",
            name=op.f("ck_breach_record_facts_recorded_together"),
        ),
        sa.CheckConstraint(
            "(report_to_ico IS NULL) = (report_reasons_ct IS NULL) AND (report_to_ico IS NULL) = (report_decided_at IS NULL)",
            name=op.f("ck_breach_record_ico_decision_has_reasons"),
        ),
        sa.CheckConstraint(
            "people_affected IS NULL OR people_affected > 0",
            name=op.f("ck_breach_record_people_positive"),
        ),
        sa.CheckConstraint(
            "people_told IS NULL OR (people_told AND told_on IS NOT NULL AND not_told_reasons_ct IS NULL) OR (NOT people_told AND told_on IS NULL AND not_told_reasons_ct IS NOT NULL)",
            name=op.f("ck_breach_record_told_has_date_or_reasons"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_breach_record_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ico_referral_id"],
            ["referral.id"],
            name=op.f("fk_breach_record_ico_referral_id_referral"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_record")),
        sa.UniqueConstraint("case_id", name=op.f("uq_breach_record_case_id")),
    )
    op.create_table(
        "disciplinary_measure",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("process_id", sa.Uuid(), nullable=False),
        sa.Column(
            "measure",
            sa.Enum(
                "photography_withdrawn",
                "mobile_phone_withdrawn",
                "premises_restricted",
                "governor_suspended",
                "governor_removed",
                "appointing_body_referral",
                "role_ended",
                "supervised",
                "other",
                name="measure",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("details_ct", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "measure <> 'other' OR details_ct IS NOT NULL",
            name=op.f("ck_disciplinary_measure_other_has_details"),
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on",
            name=op.f("ck_disciplinary_measure_end_after_start"),
        ),
        sa.CheckConstraint(
            "review_on IS NULL OR review_on >= starts_on",
            name=op.f("ck_disciplinary_measure_review_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_disciplinary_measure_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["disciplinary_process.id"],
            name=op.f("fk_disciplinary_measure_process_id_disciplinary_process"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disciplinary_measure")),
    )
    with op.batch_alter_table("disciplinary_measure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disciplinary_measure_process_id"), ["process_id"], unique=False
        )

    op.create_table(
        "suspension_decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("reasons_ct", sa.LargeBinary(), nullable=False),
        sa.Column("confirmation_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmation_sent_on", sa.Date(), nullable=True),
        sa.Column("confirmation_task_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "confirmation_sent_on IS NULL OR suspended",
            name=op.f("ck_suspension_decision_confirmation_only_for_suspension"),
        ),
        sa.CheckConstraint(
            "suspended = (confirmation_due_at IS NOT NULL)",
            name=op.f("ck_suspension_decision_suspension_has_confirmation_due"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_suspension_decision_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["confirmation_task_id"],
            ["task.id"],
            name=op.f("fk_suspension_decision_confirmation_task_id_task"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_suspension_decision_decided_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_suspension_decision_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suspension_decision")),
    )
    with op.batch_alter_table("suspension_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suspension_decision_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_suspension_decision_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "suspension_alternative",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column(
            "alternative",
            sa.Enum(
                "redeployment",
                "supervision",
                "move_child",
                "other_location",
                "working_from_home",
                "other",
                name="alternative",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("rejected_because_ct", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["suspension_decision.id"],
            name=op.f("fk_suspension_alternative_decision_id_suspension_decision"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suspension_alternative")),
        sa.UniqueConstraint(
            "decision_id",
            "alternative",
            name=op.f("uq_suspension_alternative_decision_id_alternative"),
        ),
    )
    with op.batch_alter_table("suspension_alternative", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suspension_alternative_decision_id"), ["decision_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("suspension_alternative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suspension_alternative_decision_id"))

    op.drop_table("suspension_alternative")
    with op.batch_alter_table("suspension_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suspension_decision_person_id"))
        batch_op.drop_index(batch_op.f("ix_suspension_decision_case_id"))

    op.drop_table("suspension_decision")
    with op.batch_alter_table("disciplinary_measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disciplinary_measure_process_id"))

    op.drop_table("disciplinary_measure")
    op.drop_table("breach_record")
    with op.batch_alter_table("disciplinary_process", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disciplinary_process_person_id"))
        batch_op.drop_index(batch_op.f("ix_disciplinary_process_case_id"))

    op.drop_table("disciplinary_process")
