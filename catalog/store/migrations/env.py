"""Alembic's entry point: run the migrations on the caller's connection, or on a URL.

Tremplin calls Alembic from async code (:func:`catalog.store.migrations.upgrade`): it opens an async
engine, takes the lock, and hands the synchronous face of its connection over in
``config.attributes["connection"]`` (``AsyncConnection.run_sync``). Without a connection (a
developer's own Alembic command with ``sqlalchemy.url`` set), this file opens the async engine
itself, with the same SQLite pragmas as the bot.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from catalog.store.db import create_engine
from catalog.store.migrations.config import model_metadata, render_item


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        # Only autogenerate reads it: the revisions themselves never import a model.
        target_metadata=model_metadata(),
        # SQLite cannot ALTER most things: generated revisions copy the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=True,
    )
    # Inside the caller's transaction this starts nothing: the caller commits, once, so that
    # a failed revision leaves the schema as it was (PostgreSQL and SQLite both have
    # transactional DDL).
    with context.begin_transaction():
        context.run_migrations()


async def _run_on_url(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


def _offline() -> None:
    """``--sql``: print the DDL instead of running it (for a DBA's review)."""
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=model_metadata(),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def _online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url to run the migrations on")
    asyncio.run(_run_on_url(url))


if context.is_offline_mode():
    _offline()
else:
    _online()
