"""the allegation route a LADO would sign off (issue 13, items 1, 2, 4, 5, 7, 8)

A LADO referral records who at the LADO spoke to the school, when, their threshold decision and
who they agreed investigates. A case records whether personal data was exposed (a breach record
on any track) and when the school became aware of it (the ICO's 72 hours run from that instant);
an allegation's outcome records who at the LADO agreed it, and when; the closing answers record
whether the person was removed from regulated activity (the DBS duty), whether a teacher was
dismissed for serious misconduct (the TRA), and whether a malicious or false allegation stays on
the personnel file at the person's request. Existing rows keep NULL (false for the exposure).
Three task kinds follow an allegation's outcome: the learning-lessons review, help for the child,
action against a pupil who lied.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-04 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
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
    "review_measure",
    "custom",
)
_NEW_TASK_KINDS = ("lessons_review", "consider_child_support", "consider_pupil_action")


def _task_kinds(kinds: tuple[str, ...]) -> None:
    # As in 0008 and 0011: the enum's CHECK constraint lists its values, so it is replaced.
    listed = ", ".join(f"'{k}'" for k in kinds)
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_task_task_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_task_task_kind"), f"kind IN ({listed})")


_CASE_COLUMNS = (
    ("breach_aware_at", sa.DateTime(timezone=True)),
    ("outcome_lado_officer_ct", sa.LargeBinary()),
    ("outcome_lado_agreed_on", sa.Date()),
    ("removed_from_regulated_activity", sa.Boolean()),
    ("teacher_serious_misconduct", sa.Boolean()),
    ("personnel_file_kept", sa.Boolean()),
)


def upgrade() -> None:
    _task_kinds(_OLD_TASK_KINDS + _NEW_TASK_KINDS)
    with op.batch_alter_table("referral") as batch:
        batch.add_column(sa.Column("officer_ct", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("spoke_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("threshold_met", sa.Boolean(), nullable=True))
        batch.add_column(
            sa.Column(
                "investigation",
                sa.Enum(
                    "school",
                    "agencies",
                    "none",
                    name="investigation",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=True,
            )
        )
    with op.batch_alter_table("case_file") as batch:
        batch.add_column(
            sa.Column(
                "personal_data_exposed", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        for name, type_ in _CASE_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_file") as batch:
        for name, _type in reversed(_CASE_COLUMNS):
            batch.drop_column(name)
        batch.drop_column("personal_data_exposed")
    with op.batch_alter_table("referral") as batch:
        batch.drop_constraint(op.f("ck_referral_investigation"), type_="check")
        batch.drop_column("investigation")
        batch.drop_column("threshold_met")
        batch.drop_column("spoke_at")
        batch.drop_column("officer_ct")
    _task_kinds(_OLD_TASK_KINDS)
