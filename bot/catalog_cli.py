"""``tremplin catalog import|export|validate`` and ``tremplin db upgrade``.

Exit codes follow the command line contract: 0 success, 1 runtime failure (database, disk),
2 bad usage or invalid input, with every problem of a file on stderr as ``FILE:LINE:COLUMN: why``.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from catalog.csvio import write_csv
from catalog.db import create_engine, create_schema, session_maker
from catalog.importer import ImportPlan, UnknownFormat, file_format, import_file, read_offers
from catalog.jsonio import write_json
from catalog.settings import Settings
from catalog.store import load_offers
from catalog.validation import MAX_BYTES, InvalidCatalogue

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def _error(message: str) -> None:
    print(f"tremplin: {message}", file=sys.stderr)


def _read(path: Path) -> bytes:
    # One byte over the limit is enough to refuse the file without reading gigabytes.
    with path.open("rb") as file:
        return file.read(MAX_BYTES + 1)


def _write(path: Path, text: str) -> None:
    # Write beside the target then rename: a failed export never leaves half a file.
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8", newline="")
    os.replace(partial, path)


def _first_line(error: Exception) -> str:
    # A statement error quotes its SQL and parameters: the driver's own message is enough.
    cause = getattr(error, "orig", None) or error
    return str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


def _report(source: str, error: InvalidCatalogue) -> int:
    for problem in error.problems:
        print(problem.format(source), file=sys.stderr)
    count = len(error.problems)
    print(f"{source}: {count} problem{'s' * (count != 1)}, nothing imported", file=sys.stderr)
    return EXIT_USAGE


def summary(source: str, plan: ImportPlan, *, dry_run: bool) -> list[str]:
    """The lines printed after an import: counts, and with ``dry_run`` every change by id."""
    lines: list[str] = []
    if dry_run:
        lines.append(f"{source}: {plan.read} offers; dry run, nothing was changed")
        lines += [f"  + {offer.id}  (new)" for offer in plan.added]
        lines += [f"  + {offer.id}  (retired, brought back)" for offer in plan.revived]
        lines += [f"  ~ {change.offer.id}  {', '.join(change.columns)}" for change in plan.updated]
        lines += [f"  - {id_}  (retired)" for id_ in plan.retired]
    verb = "would be " if dry_run else ""
    revived = f" ({len(plan.revived)} brought back)" if plan.revived else ""
    lines.append(
        f"{source}: {len(plan.added) + len(plan.revived)} {verb}added{revived},"
        f" {len(plan.updated)} {verb}updated, {len(plan.unchanged)} unchanged,"
        f" {len(plan.retired)} {verb}retired"
    )
    return lines


class _NoDatabaseFolder(Exception):
    pass


async def _open(settings: Settings) -> AsyncEngine:
    import bot.models  # noqa: F401  (registers the conversation tables before create_schema)

    # Say so plainly; aiosqlite would also print a thread traceback after a failed connect.
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        folder = Path(url.database).parent
        if not folder.is_dir():
            raise _NoDatabaseFolder(f"the folder of the database, {folder}, does not exist")
    engine = create_engine(settings.database_url)
    try:
        await create_schema(engine)
    except BaseException:
        await engine.dispose()
        raise
    return engine


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    file_format(path.name)  # a wrong extension is refused before anything is read
    data = await asyncio.to_thread(_read, path)
    engine = await _open(settings)
    try:
        async with session_maker(engine)() as session:
            plan = await import_file(
                session=session,
                data=data,
                source=path.name,
                actor=_actor(),
                replace=args.replace,
                dry_run=args.dry_run,
            )
    finally:
        await engine.dispose()
    print("\n".join(summary(args.file, plan, dry_run=args.dry_run)))
    return EXIT_OK


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    format = file_format(path.name)
    engine = await _open(settings)
    try:
        async with session_maker(engine)() as session:
            offers = await load_offers(session=session)
    finally:
        await engine.dispose()
    text = write_json(offers) if format == "json" else write_csv(offers)
    await asyncio.to_thread(_write, path, text)
    print(f"{args.file}: {len(offers)} offers exported")
    return EXIT_OK


async def _validate(args: argparse.Namespace) -> int:
    path = Path(args.file)
    format = file_format(path.name)
    offers = read_offers(await asyncio.to_thread(_read, path), format)
    print(f"{args.file}: {len(offers)} offers, no problem found")
    return EXIT_OK


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """``tremplin catalog import|export|validate FILE``."""
    try:
        if args.catalog_command == "import":
            return await _import(args, settings)
        if args.catalog_command == "export":
            return await _export(args, settings)
        return await _validate(args)
    except InvalidCatalogue as error:
        return _report(args.file, error)
    except UnknownFormat as error:
        _error(f"{args.file}: {error}")
        return EXIT_USAGE
    except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
        _error(f"{args.file}: {error.strerror or error}")
        return EXIT_USAGE if args.catalog_command != "export" else EXIT_FAILURE
    except (SQLAlchemyError, _NoDatabaseFolder) as error:
        _error(f"database error: {_first_line(error)}")
        return EXIT_FAILURE
    except OSError as error:  # the database server is unreachable, the disk is full...
        _error(f"{error}")
        return EXIT_FAILURE


async def upgrade(settings: Settings) -> int:
    """``tremplin db upgrade``: create every missing table."""
    url = make_url(settings.database_url).render_as_string(hide_password=True)
    try:
        engine = await _open(settings)
        await engine.dispose()
    except (SQLAlchemyError, OSError, _NoDatabaseFolder) as error:
        _error(f"cannot upgrade {url}: {_first_line(error)}")
        return EXIT_FAILURE
    print(f"database schema is up to date: {url}")
    return EXIT_OK
