"""case list indexes: case_subject by person, and the list's order within a school

Issue 21. Indexes only: no data changes. "The cases about me" is looked up by person on every
case list and home page; the list's first page is read from the end of (school, recorded_at,
number) instead of sorting all the school's cases.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 14:50:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_subject", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_subject_person_id"), ["person_id"], unique=False)
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_file_list", ["school_id", "recorded_at", "number"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index("ix_case_file_list")
    with op.batch_alter_table("case_subject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_subject_person_id"))
