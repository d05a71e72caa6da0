"""Sessions and opening hours (issue 18): two text columns of the offer, empty for existing ones.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_COLUMNS = ("sessions", "opening_hours")


def upgrade() -> None:
    with op.batch_alter_table("offer", schema=None) as batch_op:
        for name in _COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.String(), nullable=False, server_default="")
            )
    with op.batch_alter_table("offer_before", schema=None) as batch_op:
        for name in _COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offer_before", schema=None) as batch_op:
        for name in reversed(_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("offer", schema=None) as batch_op:
        for name in reversed(_COLUMNS):
            batch_op.drop_column(name)
