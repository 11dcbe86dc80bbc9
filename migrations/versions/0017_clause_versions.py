"""clause text is versioned, and a case cites the version in force when it was recorded

Editing a clause rewrote it in place on every case that cited it, so an administrator could
change what old cases say was breached. Each clause's present text becomes its version 1, and
every existing citation points at it.

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-04 12:00:00
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    version = op.create_table(
        "policy_clause_version",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clause_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clause_id"],
            ["policy_clause.id"],
            name=op.f("fk_policy_clause_version_clause_id_policy_clause"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_clause_version")),
        sa.UniqueConstraint(
            "clause_id", "number", name=op.f("uq_policy_clause_version_clause_id_number")
        ),
    )
    assert version is not None  # noqa: S101 - create_table returns the table
    bind = op.get_bind()
    clause = sa.table(
        "policy_clause",
        sa.column("id", sa.Uuid()),
        sa.column("text", sa.Text()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    rows = bind.execute(sa.select(clause.c.id, clause.c.text, clause.c.created_at)).all()
    if rows:
        now = datetime.now(UTC)
        op.bulk_insert(
            version,
            [
                {
                    "id": uuid.uuid4(),
                    "clause_id": row.id,
                    "number": 1,
                    "text": row.text,
                    "created_at": row.created_at or now,
                }
                for row in rows
            ],
        )
    with op.batch_alter_table("case_clause") as batch:
        batch.add_column(sa.Column("version_id", sa.Uuid(), nullable=True))
    citation = sa.table(
        "case_clause", sa.column("clause_id", sa.Uuid()), sa.column("version_id", sa.Uuid())
    )
    first = (
        sa.select(version.c.id)
        .where(version.c.clause_id == citation.c.clause_id, version.c.number == 1)
        .scalar_subquery()
    )
    bind.execute(sa.update(citation).values(version_id=first))
    with op.batch_alter_table("case_clause") as batch:
        batch.alter_column("version_id", existing_type=sa.Uuid(), nullable=False)
        batch.create_foreign_key(
            batch.f("fk_case_clause_version_id_policy_clause_version"),
            "policy_clause_version",
            ["version_id"],
            ["id"],
        )


def downgrade() -> None:
    # The clause keeps its latest text; older wordings are lost, as before versioning.
    with op.batch_alter_table("case_clause") as batch:
        batch.drop_constraint(
            batch.f("fk_case_clause_version_id_policy_clause_version"), type_="foreignkey"
        )
        batch.drop_column("version_id")
    op.drop_table("policy_clause_version")
