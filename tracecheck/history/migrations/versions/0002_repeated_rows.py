"""Rows repeated in a batch or from an earlier one, each once, per batch and per agency.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

``duplicate_rows`` and ``prior_duplicate_rows`` overlap (a row can be both), so their sum can pass
the batch's rows; ``repeated_rows`` counts each repeated row once. Batches recorded before this
revision keep NULL (unknown): their counts were not kept row by row.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("batches", "agency_quality"):
        op.add_column(table, sa.Column("repeated_rows", sa.Integer, nullable=True))


def downgrade() -> None:
    for table in ("batches", "agency_quality"):
        with op.batch_alter_table(table) as batch:  # SQLite drops a column by copying the table
            batch.drop_column("repeated_rows")
