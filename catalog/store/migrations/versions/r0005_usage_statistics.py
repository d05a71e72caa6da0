"""Usage statistics: raw pseudonymous events, and the daily counts kept after their purge.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stats_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "metric", "key"),
    )
    op.create_table(
        "stats_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_key", sa.String(length=64), nullable=False),
        sa.Column("conversation", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_stats_event_day"), "stats_event", ["day"], unique=False)
    op.create_index(op.f("ix_stats_event_user_key"), "stats_event", ["user_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_stats_event_user_key"), table_name="stats_event")
    op.drop_index(op.f("ix_stats_event_day"), table_name="stats_event")
    op.drop_table("stats_event")
    op.drop_table("stats_daily")
