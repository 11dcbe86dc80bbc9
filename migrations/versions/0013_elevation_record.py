"""a re-authentication grant names the one record it opens

A grant was for a purpose in a sign-in session, so revealing one case's sealed reporter also
revealed another's for five minutes without asking. Grants now carry the record they are for.
Existing grants (at most minutes old, and only records of why access was taken) keep NULL: they
open nothing new.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 09:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("elevation") as batch:
        batch.add_column(sa.Column("record_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("elevation") as batch:
        batch.drop_column("record_id")
