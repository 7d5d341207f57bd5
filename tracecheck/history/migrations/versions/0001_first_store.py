"""The first history store: batches, quality per agency, requests' matching keys, serial deletions.

Revision ID: 0001
Revises:
Create Date: 2026-11-30

A migration is a snapshot: it spells out its tables rather than importing
``tracecheck.history.tables``, which follows the newest revision.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _quality() -> list[sa.Column]:
    return [sa.Column("rows", sa.Integer, nullable=False), sa.Column("usable_serial", sa.Integer, nullable=False),
            sa.Column("missing_import_marking", sa.Integer, nullable=False),
            sa.Column("duplicate_rows", sa.Integer, nullable=False),
            sa.Column("prior_duplicate_rows", sa.Integer, nullable=False),
            sa.Column("request_age_median", sa.Float)]


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("sheet", sa.Text),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.String(10), nullable=False),
        sa.Column("tracecheck_version", sa.String(32), nullable=False),
        sa.Column("rule_pack", sa.String(64), nullable=False),
        sa.Column("stored_rows", sa.Integer, nullable=False),
        *_quality(),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "agency_quality",
        sa.Column("batch", sa.Integer, primary_key=True),
        sa.Column("agency", sa.Text, primary_key=True),
        *_quality(),
    )
    op.create_table(
        "requests",
        sa.Column("batch", sa.Integer, primary_key=True),
        sa.Column("row", sa.BigInteger, primary_key=True),
        sa.Column("sheet", sa.Text),
        sa.Column("request_id", sa.Text),
        *(sa.Column(name, sa.Text) for name in ("serial", "folded")),
        sa.Column("serial_key", sa.BigInteger),
        *(sa.Column(name, sa.Text) for name in ("undone", "maker", "importer", "model", "caliber")),
        sa.Column("recovery", sa.Integer),
        *(sa.Column(name, sa.Text) for name in ("agency", "agency_name", "row_data")),
    )
    op.create_index("ix_requests_serial_key", "requests", ["serial_key"])
    op.create_index("ix_requests_event", "requests", ["maker", "model", "caliber", "recovery"])
    op.create_table(
        "serial_deletions",
        sa.Column("key", sa.BigInteger, primary_key=True),
        sa.Column("batch", sa.Integer, primary_key=True),
        sa.Column("row", sa.BigInteger, primary_key=True),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    for table in ("serial_deletions", "requests", "agency_quality", "batches"):
        op.drop_table(table)
