"""Offer freshness: the day each offer was last confirmed, and how often it must be.

Existing offers count as confirmed on the day they last changed (``updated_at``), every 12 months.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("review_months", sa.Integer(), nullable=False, server_default="12")
        )
    # date() is a function of SQLite and of PostgreSQL alike.
    offer = sa.table("offer", sa.column("updated_on", sa.Date()), sa.column("updated_at"))
    op.execute(offer.update().values(updated_on=sa.func.date(offer.c.updated_at)))
    with op.batch_alter_table("offer_before", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("review_months", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offer_before", schema=None) as batch_op:
        batch_op.drop_column("review_months")
        batch_op.drop_column("updated_on")
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_column("review_months")
        batch_op.drop_column("updated_on")
