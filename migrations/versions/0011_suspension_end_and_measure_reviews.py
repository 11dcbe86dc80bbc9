"""suspensions end (date, reasons, who), a late written confirmation says why, and a sanction's
review date opens a task for the case manager

New nullable columns on suspension_decision (lifted_on, lifted_reasons_ct, lifted_by_id,
late_reason_ct) with their CHECK constraints; disciplinary_measure.review_task_id; the task-kind
CHECK constraint widened for "review_measure". Existing rows need no data: none has ended.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


_OLD_TASK_KINDS = (
    "explain_to_parent",
    "alert_dsl",
    "consider_csc_police",
    "confirm_suspension",
    "check_anonymous",
    "governor_reported",
    "agree_with_agency",
    "record_own_account",
    "preserve_evidence",
    "custom",
)
_NEW_TASK_KINDS = ("review_measure",)


def _task_kinds(kinds: tuple[str, ...]) -> None:
    # As in 0008: the enum's CHECK constraint lists its values, so it is replaced.
    listed = ", ".join(f"'{k}'" for k in kinds)
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_task_task_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_task_task_kind"), f"kind IN ({listed})")


def upgrade() -> None:
    _task_kinds(_OLD_TASK_KINDS + _NEW_TASK_KINDS)
    with op.batch_alter_table("suspension_decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("late_reason_ct", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("lifted_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("lifted_reasons_ct", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("lifted_by_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_suspension_decision_lifted_by_id_user_account"),
            "user_account",
            ["lifted_by_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_suspension_decision_late_reason_only_when_sent"),
            "late_reason_ct IS NULL OR confirmation_sent_on IS NOT NULL",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_suspension_decision_lift_only_for_suspension"),
            "lifted_on IS NULL OR suspended",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_suspension_decision_lift_not_before_decision"),
            "lifted_on IS NULL OR lifted_on >= decided_on",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_suspension_decision_lift_has_reasons"),
            "(lifted_on IS NULL) = (lifted_reasons_ct IS NULL)",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_suspension_decision_lift_has_who"),
            "(lifted_on IS NULL) = (lifted_by_id IS NULL)",
        )
    with op.batch_alter_table("disciplinary_measure", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_task_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_disciplinary_measure_review_task_id_task"),
            "task",
            ["review_task_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_disciplinary_measure_review_task_has_date"),
            "review_task_id IS NULL OR review_on IS NOT NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("disciplinary_measure", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_disciplinary_measure_review_task_has_date"), type_="check"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_disciplinary_measure_review_task_id_task"), type_="foreignkey"
        )
        batch_op.drop_column("review_task_id")
    with op.batch_alter_table("suspension_decision", schema=None) as batch_op:
        for name in (
            "lift_has_who",
            "lift_has_reasons",
            "lift_not_before_decision",
            "lift_only_for_suspension",
            "late_reason_only_when_sent",
        ):
            batch_op.drop_constraint(batch_op.f(f"ck_suspension_decision_{name}"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_suspension_decision_lifted_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("lifted_by_id")
        batch_op.drop_column("lifted_reasons_ct")
        batch_op.drop_column("lifted_on")
        batch_op.drop_column("late_reason_ct")
    # Review tasks cannot be kept under the old constraint (their measures no longer name them).
    listed = ", ".join(f"'{k}'" for k in _NEW_TASK_KINDS)
    op.execute(f"DELETE FROM task WHERE kind IN ({listed})")
    _task_kinds(_OLD_TASK_KINDS)
