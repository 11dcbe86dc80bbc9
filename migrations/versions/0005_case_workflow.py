"""case workflow: triage decisions, referrals, tasks, police holds, outcome and closure

New tables only, plus nullable columns and CHECK constraints on case_file: existing cases keep
their data and stay valid (none can yet be past "recorded").

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 14:14:25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "police_hold",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("placed_by_id", sa.Uuid(), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by_id", sa.Uuid(), nullable=True),
        sa.Column("result_ct", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint(
            "(lifted_at IS NULL) = (result_ct IS NULL) AND (lifted_at IS NULL) = (lifted_by_id IS NULL)",
            name=op.f("ck_police_hold_lifted_with_result"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_police_hold_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"],
            ["user_account.id"],
            name=op.f("fk_police_hold_lifted_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["placed_by_id"],
            ["user_account.id"],
            name=op.f("fk_police_hold_placed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_police_hold")),
    )
    with op.batch_alter_table("police_hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_police_hold_case_id"), ["case_id"], unique=False)

    op.create_table(
        "referral",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "agency",
            sa.Enum(
                "lado",
                "police",
                "childrens_social_care",
                "ico",
                "dbs",
                "tra",
                "other",
                name="agency",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "made",
                "acknowledged",
                "advice_received",
                "closed",
                "not_made",
                name="referral_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "method",
            sa.Enum(
                "phone",
                "email",
                "portal",
                name="referral_method",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("their_reference_ct", sa.LargeBinary(), nullable=True),
        sa.Column("advice_ct", sa.LargeBinary(), nullable=True),
        sa.Column("reasons_ct", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint(
            "status <> 'advice_received' OR advice_ct IS NOT NULL",
            name=op.f("ck_referral_advice_recorded"),
        ),
        sa.CheckConstraint(
            "status <> 'not_made' OR reasons_ct IS NOT NULL",
            name=op.f("ck_referral_not_made_reasons"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'not_made') OR (made_at IS NOT NULL AND method IS NOT NULL)",
            name=op.f("ck_referral_made_has_date_and_method"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_referral_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_referral_updated_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referral_due_at"), ["due_at"], unique=False)

    op.create_table(
        "task",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "explain_to_parent",
                "alert_dsl",
                "consider_csc_police",
                "confirm_suspension",
                "custom",
                name="task_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title_ct", sa.LargeBinary(), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'custom') = (title_ct IS NOT NULL)", name=op.f("ck_task_custom_has_title")
        ),
        sa.CheckConstraint(
            "(done_at IS NULL) = (done_by_id IS NULL)", name=op.f("ck_task_done_has_who_and_when")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user_account.id"], name=op.f("fk_task_assignee_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_task_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_task_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["user_account.id"], name=op.f("fk_task_done_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_due_on"), ["due_on"], unique=False)

    op.create_table(
        "triage_decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=False),
        sa.Column(
            "harmed_child",
            sa.Enum(
                "yes",
                "no",
                "unknown",
                name="harmed_child",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "criminal_offence",
            sa.Enum(
                "yes",
                "no",
                "unknown",
                name="criminal_offence",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "risk_of_harm",
            sa.Enum(
                "yes",
                "no",
                "unknown",
                name="risk_of_harm",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "unsuitable",
            sa.Enum(
                "yes",
                "no",
                "unknown",
                name="unsuitable",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "allegation",
                "low_level_concern",
                "policy_breach",
                "data_breach",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "previous_kind",
            sa.Enum(
                "allegation",
                "low_level_concern",
                "policy_breach",
                "data_breach",
                name="previous_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("reasons_ct", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_triage_decision_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_triage_decision_decided_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_decision")),
    )
    with op.batch_alter_table("triage_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_triage_decision_case_id"), ["case_id"], unique=False)

    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("child_words_ct", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "outcome",
                sa.Enum(
                    "substantiated",
                    "malicious",
                    "false",
                    "unsubstantiated",
                    "unfounded",
                    "upheld",
                    "not_upheld",
                    name="outcome",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("outcome_reasons_ct", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "employment_outcome",
                sa.Enum(
                    "continues",
                    "dismissed",
                    "resigned",
                    "left",
                    "not_employed",
                    name="employment_outcome",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("mention_in_references", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("retention_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("retention_rule", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))

    # The workflow's invariants (models/case.py). Existing rows satisfy them: before this
    # revision no case could be past "recorded" or have an outcome.
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_case_file_assessed_has_kind"),
            "state IN ('reported', 'recorded', 'erased') OR kind IS NOT NULL",
        )
        batch_op.create_check_constraint(
            op.f("ck_case_file_outcome_before_close"),
            "state NOT IN ('outcome_recorded', 'disciplinary', 'closed') OR outcome IS NOT NULL",
        )
        batch_op.create_check_constraint(
            op.f("ck_case_file_outcome_fits_kind"),
            "outcome IS NULL OR (kind = 'allegation' AND outcome IN ('substantiated', 'malicious', 'false', 'unsubstantiated', 'unfounded')) OR (kind <> 'allegation' AND outcome IN ('upheld', 'not_upheld'))",
        )
        batch_op.create_check_constraint(
            op.f("ck_case_file_closed_has_checklist"),
            "state <> 'closed' OR (closed_at IS NOT NULL AND retention_rule IS NOT NULL AND mention_in_references IS NOT NULL AND employment_outcome IS NOT NULL)",
        )


def downgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_case_file_closed_has_checklist"), type_="check")
        batch_op.drop_constraint(op.f("ck_case_file_outcome_fits_kind"), type_="check")
        batch_op.drop_constraint(op.f("ck_case_file_outcome_before_close"), type_="check")
        batch_op.drop_constraint(op.f("ck_case_file_assessed_has_kind"), type_="check")
        # The enum columns' own CHECK constraints go with them.
        batch_op.drop_constraint(op.f("ck_case_file_employment_outcome"), type_="check")
        batch_op.drop_constraint(op.f("ck_case_file_outcome"), type_="check")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("retention_rule")
        batch_op.drop_column("retention_until")
        batch_op.drop_column("mention_in_references")
        batch_op.drop_column("employment_outcome")
        batch_op.drop_column("outcome_at")
        batch_op.drop_column("outcome_reasons_ct")
        batch_op.drop_column("outcome")
        batch_op.drop_column("child_words_ct")

    with op.batch_alter_table("triage_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_triage_decision_case_id"))

    op.drop_table("triage_decision")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_due_on"))
        batch_op.drop_index(batch_op.f("ix_task_case_id"))
        batch_op.drop_index(batch_op.f("ix_task_assignee_id"))

    op.drop_table("task")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_due_at"))
        batch_op.drop_index(batch_op.f("ix_referral_case_id"))

    op.drop_table("referral")
    with op.batch_alter_table("police_hold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_police_hold_case_id"))

    op.drop_table("police_hold")
