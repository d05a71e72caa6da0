"""Where a database stands before an upgrade, when its version table cannot say.

Two cases:

* **created before migrations** (``create_all``, Tremplin before Alembic, or
  ``tremplin catalog import`` of an old version): no ``alembic_version``, but Tremplin's tables.
  The database is stamped with the newest revision whose every table and column it has, and
  the upgrade goes on from there. Which tables and columns each revision has is found by
  replaying the revisions on a scratch in-memory SQLite database (once per process).
* **version without tables**: ``alembic_version`` names a revision but not one of Tremplin's
  tables exists (they were dropped by hand, or by a test's ``drop_all``). Nothing can be lost:
  the version is cleared and the upgrade starts from an empty database.

Both run only when there is something to upgrade: Alembic is imported inside the functions
that use it (see :mod:`catalog.store.migrations.config`).
"""

from __future__ import annotations

import functools
import logging

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from catalog.store.migrations.config import alembic_config, history, model_metadata

logger = logging.getLogger(__name__)

VERSION_TABLE = "alembic_version"
Schema = frozenset[tuple[str, str]]  # (table, column) pairs


class UnknownSchema(Exception):
    """Tremplin's tables are there, but in a shape no revision ever had."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            "the database was created without migrations and matches no revision"
            f" (missing even from the first: {', '.join(missing[:5])})"
        )


def stamped_revision(connection: Connection) -> str | None:
    """The revision the version table names (``None``: no version table, or empty).

    Read with one query rather than Alembic's ``MigrationContext``: a database already at the
    newest revision is opened without importing Alembic (see
    :mod:`catalog.store.migrations.config`).
    """
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def _schema(connection: Connection) -> Schema:
    inspector = sa.inspect(connection)
    return frozenset(
        (table, column["name"])
        for (_, table), columns in inspector.get_multi_columns().items()
        if table != VERSION_TABLE
        for column in columns
    )


@functools.cache
def revision_schemas() -> tuple[tuple[str, Schema], ...]:
    """Each revision, oldest first, with the tables and columns a database has at it."""
    from alembic import command

    schemas: list[tuple[str, Schema]] = []
    engine = sa.create_engine("sqlite://")
    try:
        with engine.begin() as connection:
            config = alembic_config(connection=connection)
            for revision in history():
                command.upgrade(config, revision)
                schemas.append((revision, _schema(connection)))
    finally:
        engine.dispose()
    return tuple(schemas)


def prepare(connection: Connection) -> None:
    """Stamp or clear the version so that ``alembic upgrade`` starts from the truth."""
    from alembic import command

    current = stamped_revision(connection)
    tables = set(sa.inspect(connection).get_table_names()) - {VERSION_TABLE}
    ours = tables & set(model_metadata().tables)
    if current is not None:
        if not ours:
            logger.warning("event=schema_missing revision=%s action=start_over", current)
            command.stamp(alembic_config(connection=connection), "base", purge=True)
        return
    if not ours:
        return  # an empty database (or only other applications' tables)
    present = _schema(connection)
    matching = [revision for revision, schema in revision_schemas() if schema <= present]
    if not matching:
        first = revision_schemas()[0][1]
        raise UnknownSchema(sorted(f"{table}.{column}" for table, column in first - present))
    logger.warning("event=schema_adopted revision=%s", matching[-1])
    command.stamp(alembic_config(connection=connection), matching[-1])
