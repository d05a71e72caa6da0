"""The migrations: they build exactly the models' schema, keep data from one revision to the
next, adopt databases made without them, and run once when replicas start together.

Each test starts from an empty database: every table is dropped, ``alembic_version`` included.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from catalog.store.db import create_engine
from catalog.store.migrations import current_revision, head, model_metadata, upgrade
from catalog.store.migrations.config import MODEL_MODULES, alembic_config, history, newest_revision

Rows = dict[str, list[dict[str, Any]]]


def _drop_everything(connection: sa.Connection) -> None:
    tables = sa.MetaData()
    tables.reflect(connection)
    tables.drop_all(connection)


@pytest_asyncio.fixture
async def empty(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a database without a single table."""
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(_drop_everything)
    yield engine
    async with engine.begin() as connection:
        await connection.run_sync(_drop_everything)
    await engine.dispose()


def _primary_key_nullable_on_postgresql(difference: Any, dialect: str) -> bool:
    """A model's nullable primary-key column: PostgreSQL makes it NOT NULL all the same
    (``create_all`` too), so the database cannot match the model there."""
    if dialect != "postgresql" or not isinstance(difference, list) or len(difference) != 1:
        return False
    kind, _, table, column, _, in_database, in_model = difference[0]
    metadata_column = model_metadata().tables[table].c[column]
    return (
        kind == "modify_nullable"
        and metadata_column.primary_key
        and (in_database, in_model) == (False, True)
    )


def _differences(connection: sa.Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    dialect = connection.dialect.name
    return [
        difference
        for difference in compare_metadata(context, model_metadata())
        if not _primary_key_nullable_on_postgresql(difference, dialect)
    ]


async def _differences_with_models(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as connection:
        return await connection.run_sync(_differences)


# ---- a generic row for any column type, so that every revision step is tested with data


def _value(column: sa.Column[Any], n: int, dialect: str) -> Any:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return n % 2 == 0
    if isinstance(kind, sa.Integer):
        return n + 1
    if isinstance(kind, sa.String):
        return f"{column.name}-{n}"[: kind.length or None]
    if isinstance(kind, sa.DateTime):
        moment = datetime(2026, 1, 1 + n, 12, 30, tzinfo=UTC)
        return moment if dialect == "postgresql" else moment.replace(tzinfo=None)
    if isinstance(kind, sa.Date):
        return date(2026, 2, 1 + n)
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return Decimal("12.50") + n
    if isinstance(kind, sa.Float):
        return 1.5 + n
    if isinstance(kind, sa.JSON):
        return {"n": n, "words": ["é", "ü"]}
    if isinstance(kind, sa.LargeBinary):
        return bytes([n, 0, 255])
    raise AssertionError(f"no test value for {column.table.name}.{column.name}: {kind!r}")


def _fill(connection: sa.Connection) -> Rows:
    """Two rows in every table (but Alembic's); the rows as read back."""
    tables = sa.MetaData()
    tables.reflect(connection)
    dialect = connection.dialect.name
    names = [table.name for table in tables.sorted_tables if table.name != "alembic_version"]
    for name in names:
        table = tables.tables[name]
        rows = [{c.name: _value(c, n, dialect) for c in table.columns} for n in range(2)]
        connection.execute(table.insert(), rows)
    return _read(connection, dict.fromkeys(names))


def _read(connection: sa.Connection, columns: Mapping[str, Sequence[str] | None]) -> Rows:
    """The rows of each table, in primary-key order: the columns given (``None``: all)."""
    tables = sa.MetaData()
    tables.reflect(connection)
    rows: Rows = {}
    for name, wanted in columns.items():
        table = tables.tables[name]  # a revision that drops a table must change this test
        query = sa.select(*(table.c[n] for n in wanted or table.c.keys()))
        query = query.order_by(*table.primary_key.columns)
        rows[name] = [dict(row._mapping) for row in connection.execute(query)]
    return rows


def _again(before: Rows) -> Callable[[sa.Connection], Rows]:
    """Read the same columns of the same tables again."""
    return lambda connection: _read(
        connection, {name: list(rows[0]) for name, rows in before.items()}
    )


async def _run(engine: AsyncEngine, work: Any) -> Any:
    async with engine.begin() as connection:
        return await connection.run_sync(work)


# ---- the tests


@pytest.mark.asyncio
async def test_upgrade_from_empty_gives_exactly_the_models_schema(empty: AsyncEngine) -> None:
    result = await upgrade(empty)
    assert (result.before, result.after) == (None, head())
    assert await _differences_with_models(empty) == []
    assert (await upgrade(empty)).before == head()  # idempotent


@pytest.mark.parametrize("revision", history()[1:])
@pytest.mark.asyncio
async def test_each_revision_keeps_the_data_of_the_one_before(
    empty: AsyncEngine, revision: str
) -> None:
    previous = history()[history().index(revision) - 1]
    await upgrade(empty, previous)
    before = await _run(empty, _fill)
    result = await upgrade(empty, revision)
    assert (result.before, result.after) == (previous, revision)
    assert await _run(empty, _again(before)) == before


@pytest.mark.asyncio
async def test_a_database_made_by_create_all_is_adopted_at_head(empty: AsyncEngine) -> None:
    await _run(empty, model_metadata().create_all)  # what the tests' fixture does
    result = await upgrade(empty)
    assert (result.before, result.after) == (None, head())
    assert await _differences_with_models(empty) == []


@pytest.mark.asyncio
async def test_an_older_database_without_migrations_is_upgraded_with_its_data(
    empty: AsyncEngine,
) -> None:
    # The schema of the last release before migrations (0002), made without Alembic.
    await upgrade(empty, "0002")
    await _run(empty, lambda c: c.execute(sa.text("DROP TABLE alembic_version")))
    before = await _run(empty, _fill)
    result = await upgrade(empty)
    assert (result.before, result.after) == (None, head())
    assert await _run(empty, _again(before)) == before
    assert await _differences_with_models(empty) == []


@pytest.mark.asyncio
async def test_a_version_whose_tables_were_dropped_starts_over(empty: AsyncEngine) -> None:
    await upgrade(empty)
    await _run(empty, model_metadata().drop_all)  # leaves alembic_version behind
    await upgrade(empty)
    assert await _differences_with_models(empty) == []


@pytest.mark.asyncio
async def test_a_schema_no_revision_had_is_refused(empty: AsyncEngine) -> None:
    from catalog.store.migrations import UnknownSchema

    await _run(empty, lambda c: c.execute(sa.text("CREATE TABLE offer (id VARCHAR(64))")))
    with pytest.raises(UnknownSchema, match="matches no revision"):
        await upgrade(empty)


@pytest.mark.asyncio
async def test_downgrade_to_nothing_and_up_again(empty: AsyncEngine) -> None:
    await upgrade(empty)

    def down(connection: sa.Connection) -> list[str]:
        command.downgrade(alembic_config(connection=connection), "base")
        return sa.inspect(connection).get_table_names()

    assert await _run(empty, down) == ["alembic_version"]
    await upgrade(empty)
    assert await _differences_with_models(empty) == []


@pytest.mark.asyncio
async def test_replicas_starting_together_migrate_once(
    empty: AsyncEngine, database_url: str
) -> None:
    others = [create_engine(database_url) for _ in range(3)]
    try:
        results = await asyncio.gather(*(upgrade(engine) for engine in [empty, *others]))
    finally:
        for engine in others:
            await engine.dispose()
    # One of them found the database empty; every other one waited and found it at head.
    befores = [result.before for result in results]
    assert befores.count(None) == 1 and befores.count(head()) == 3
    assert await current_revision(empty) == head()



def test_the_newest_revision_read_from_file_names_is_alembics_head() -> None:
    # A database at it is opened without Alembic (catalog.store.migrations.runner): they must agree.
    assert newest_revision() == head()


@pytest.mark.asyncio
async def test_a_database_at_head_is_left_as_it_is(empty: AsyncEngine) -> None:
    await upgrade(empty)
    result = await upgrade(empty)
    assert (result.before, result.after) == (head(), head())
    assert await _differences_with_models(empty) == []

def test_every_table_module_is_known_to_the_migrations() -> None:
    # In a fresh interpreter: this one may have imported anything already.
    script = """
import importlib, json, pkgutil
from sqlmodel import SQLModel
from catalog.store.migrations.config import model_metadata
known = sorted(model_metadata().tables)
for package in ("catalog", "bot"):
    for module in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
        if not module.name.startswith(("catalog.store.migrations.", "bot.__main__")):
            importlib.import_module(module.name)
print(json.dumps([known, sorted(SQLModel.metadata.tables)]))
"""
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    known, every = json.loads(output)
    assert known == every, f"add the new table's module to MODEL_MODULES {MODEL_MODULES}"
