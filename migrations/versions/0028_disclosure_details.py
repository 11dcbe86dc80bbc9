"""disclosure details: when and where a disclosure was made, who was present, who received it

Issue 17, item 3. Four nullable columns on `case_file`: the moment (plain, like the dates) and
three sealed free-text answers (`*_ct`, under the case's key). Cases recorded before have none.

Revision ID: 0028
Revises: 0027_form_drafts
Create Date: 2026-12-04 18:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027_form_drafts"
branch_labels = None
depends_on = None

_SEALED = ("disclosure_place_ct", "disclosure_present_ct", "disclosure_received_by_ct")


def upgrade() -> None:
    with op.batch_alter_table("case_file") as batch:
        batch.add_column(sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=True))
        for name in _SEALED:
            batch.add_column(sa.Column(name, sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_file") as batch:
        for name in reversed(_SEALED):
            batch.drop_column(name)
        batch.drop_column("disclosed_at")
