"""Catalogue maintenance: rollback of imports, pending imports, maintainer roles.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _offer_columns() -> list[sa.Column[object]]:
    """The columns of ``offer`` as of this revision, all nullable (a before-image)."""
    return [
        sa.Column("id", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("translations", sa.JSON(), nullable=True),
        sa.Column("provider", sa.String(), nullable=True),
        sa.Column("missions", sa.JSON(), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=True),
        sa.Column("keywords", sa.JSON(), nullable=True),
        sa.Column("audiences", sa.JSON(), nullable=True),
        sa.Column("age_min", sa.Integer(), nullable=True),
        sa.Column("age_max", sa.Integer(), nullable=True),
        sa.Column("price_eur", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("format", sa.String(), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=True),
        sa.Column("address", sa.String(), nullable=True),
        sa.Column("postcode", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("neighbourhood", sa.String(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("schedule", sa.String(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("wheelchair_accessible", sa.Boolean(), nullable=True),
        sa.Column("retired", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    op.add_column(
        "import_record", sa.Column("rolled_back_at", sa.DateTime(timezone=True), nullable=True)
    )
    # Existing imports were never rolled back: "" fills the new column, then the default goes,
    # as in the model (SQLite rebuilds the table for that: batch mode).
    op.add_column(
        "import_record",
        sa.Column("rolled_back_by", sa.String(), nullable=False, server_default=""),
    )
    with op.batch_alter_table("import_record") as batch:
        batch.alter_column("rolled_back_by", server_default=None)
    op.create_table(
        "offer_before",
        sa.Column("import_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("existed", sa.Boolean(), nullable=False),
        *_offer_columns(),
        sa.PrimaryKeyConstraint("import_id", "id"),
    )
    op.create_table(
        "pending_import",
        sa.Column("token", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("checksum", sa.String(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("token"),
    )
    op.create_index(
        op.f("ix_pending_import_created_at"), "pending_import", ["created_at"], unique=False
    )
    op.create_table(
        "maintainer_role",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("granted_by", sa.BigInteger(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("maintainer_role")
    op.drop_index(op.f("ix_pending_import_created_at"), table_name="pending_import")
    op.drop_table("pending_import")
    op.drop_table("offer_before")
    with op.batch_alter_table("import_record") as batch:
        batch.drop_column("rolled_back_by")
        batch.drop_column("rolled_back_at")
