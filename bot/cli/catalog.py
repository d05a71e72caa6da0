"""``tremplin catalog import|export|validate|template|history|rollback|check|confirm``, ``db
upgrade``.

Exit codes follow the command line contract: 0 success, 1 runtime failure (database, disk),
2 bad usage or invalid input, with every problem of a file on stderr as ``FILE:LINE:COLUMN: why``.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import hashlib
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.formats.csvio import write_csv
from catalog.formats.jsonio import write_json
from catalog.formats.validation import MAX_BYTES, InvalidCatalogue
from catalog.maintenance.audit import NothingToRollBack, history, rollback_last
from catalog.maintenance.check import Problem, check_catalogue, format_report, offer_problems
from catalog.maintenance.confirm import UnknownOffers, confirm_offers
from catalog.maintenance.importer import (
    Reading,
    UnknownFormat,
    content_format,
    file_format,
    import_offers,
    read_file,
    read_upload,
)
from catalog.maintenance.sample import ensure_catalogue
from catalog.offer import Offer
from catalog.settings import Settings
from catalog.store import migrations
from catalog.store.db import (
    COMMAND_WRITE_WAIT_SECONDS,
    create_engine,
    read_only,
    session_maker,
)
from catalog.store.models import ImportRecord
from catalog.store.offers import load_offers
from catalog.store.partner_models import Proposal

if TYPE_CHECKING:
    from catalog.formats.lheo import Inference
    from catalog.formats.open_data import Skipped

# The LHEO and Excel modules are imported by the functions that read or write those files:
# openpyxl (with numpy) and the LHEO reader cost more at start than a CSV import itself.

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def _error(message: str) -> None:
    print(f"tremplin: {message}", file=sys.stderr)


def _read(path: Path) -> bytes:
    # One byte over the limit is enough to refuse the file without reading gigabytes.
    with path.open("rb") as file:
        return file.read(MAX_BYTES + 1)


def _write(path: Path, content: str | bytes) -> None:
    # Write beside the target then rename: a failed export never leaves half a file.
    partial = path.with_name(f".{path.name}.partial")
    data = content.encode("utf-8") if isinstance(content, str) else content
    partial.write_bytes(data)
    os.replace(partial, path)


def _exported(offers: list[Offer], format: str) -> str | bytes:
    """The catalogue in ``format``; LHEO is read, never written."""
    if format == "lheo":
        raise UnknownFormat("cannot write LHEO (.xml): use .csv, .json or .xlsx")
    if format == "hsds":
        raise UnknownFormat("cannot write HSDS: use csv, json, xlsx or data-inclusion")
    if format == "xlsx":
        from catalog.formats.xlsxio import write_xlsx

        return write_xlsx(offers)
    if format == "data-inclusion":
        from catalog.formats.data_inclusion_export import write_data_inclusion

        return write_data_inclusion(offers)
    return write_json(offers) if format == "json" else write_csv(offers)


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
    for line in error.report(source):  # the first problems, then how many more
        print(line, file=sys.stderr)
    count = error.count
    print(f"{source}: {count} problem{'s' * (count != 1)}, nothing imported", file=sys.stderr)
    return EXIT_USAGE


class _NoDatabaseFolder(Exception):
    pass


async def _open(settings: Settings) -> AsyncEngine:
    # Say so plainly; aiosqlite would also print a thread traceback after a failed connect.
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        folder = Path(url.database).parent
        if not folder.is_dir():
            raise _NoDatabaseFolder(f"the folder of the database, {folder}, does not exist")
    # Waits for another import's write lock (saying so) rather than fail at once.
    engine = create_engine(settings.database_url, write_wait=COMMAND_WRITE_WAIT_SECONDS)
    try:
        await migrations.upgrade(engine)
    except BaseException:
        await engine.dispose()
        raise
    return engine


class _OpenDataUnnamed(Exception):
    """A JSON or CSV file refused as Tremplin's own that follows an open-data standard."""

    def __init__(self, format: str) -> None:
        name = "data·inclusion" if format == "data-inclusion" else "HSDS"
        super().__init__(f"looks like {name} services: use --format {format}")


def _reading(data: bytes, format: str, named: bool, today: date) -> Reading:
    """A file's reading; a .json or .csv file refused as Tremplin's own, when no ``--format``
    was ``named``, is said to be open data if its content is (the command line stays
    explicit)."""
    try:
        return read_file(data, format, today=today)
    except InvalidCatalogue:
        if not named and (flavour := content_format(data, format)) != format:
            raise _OpenDataUnnamed(flavour) from None
        raise


def _print_skipped(source: str, skipped: list[Skipped], *, every: bool) -> None:
    if every:
        for item in skipped:
            print(item.format(source))
    if skipped:
        hint = "" if every else " (--dry-run lists them)"
        print(f"{source}: {len(skipped)} services left out, not learning offers{hint}")


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    # A wrong extension is refused before anything is read.
    format = args.format or file_format(path.name)
    data = await asyncio.to_thread(_read, path)
    reading = await asyncio.to_thread(_reading, data, format, bool(args.format), settings.today())
    offers, inferences = reading.offers, reading.inferences
    engine = await _open(settings)
    try:
        async with session_maker(engine)() as session:
            plan = await import_offers(
                session=session,
                offers=offers,
                source=path.name,
                checksum=hashlib.sha256(data).hexdigest(),
                format=format,
                actor=_actor(),
                replace=args.replace,
                dry_run=args.dry_run,
                scope=reading.scope,
            )
    finally:
        await engine.dispose()
    _print_inferences(args.file, inferences, every=args.dry_run)
    _print_skipped(args.file, reading.skipped, every=args.dry_run)
    print("\n".join(plan.summary(args.file, dry_run=args.dry_run)))
    return EXIT_OK


def _print_inferences(source: str, inferences: list[Inference], *, every: bool) -> None:
    if not inferences:
        return
    if every:
        for inference in inferences:
            print(inference.format(source))
    offers = len({inference.offer_id for inference in inferences})
    hint = "" if every else " (--dry-run lists them)"
    print(f"{source}: {len(inferences)} values inferred for {offers} offers{hint}")


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    format = args.format or file_format(path.name)
    _exported([], format)  # an unwritable format is refused before the database is opened
    if not args.force and await asyncio.to_thread(path.exists):
        _error(f"{args.file}: already exists; choose another name, or --force to overwrite it")
        return EXIT_USAGE
    engine = await _open(settings)
    try:
        async with session_maker(engine)() as session:
            # A fresh database holds the sample catalogue, as `match` and `chat` would show it.
            await ensure_catalogue(session=session)
            offers = await load_offers(session=session)
    finally:
        await engine.dispose()
    await asyncio.to_thread(_write, path, _exported(offers, format))
    print(f"{args.file}: {len(offers)} offers exported")
    return EXIT_OK


async def _validate(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    format = args.format or file_format(path.name)
    data = await asyncio.to_thread(_read, path)
    reading = await asyncio.to_thread(_reading, data, format, bool(args.format), settings.today())
    _print_inferences(args.file, reading.inferences, every=True)
    _print_skipped(args.file, reading.skipped, every=True)
    print(f"{args.file}: {len(reading.offers)} offers, no problem found")
    return EXIT_OK


async def _template(args: argparse.Namespace) -> int:
    from catalog.formats.xlsxio import EXAMPLE

    path = Path(args.file)
    content = _exported([EXAMPLE], file_format(path.name))
    if not args.force and await asyncio.to_thread(path.exists):
        _error(f"{args.file}: already exists; choose another name, or --force to overwrite it")
        return EXIT_USAGE
    await asyncio.to_thread(_write, path, content)
    print(
        f"{args.file}: header row and one example row ({EXAMPLE.id}) written; replace the example"
        " with your offers (validate and import refuse it as it is)"
    )
    return EXIT_OK


def _history_line(record: ImportRecord) -> str:
    undone = (
        f"  [rolled back {record.rolled_back_at:%Y-%m-%d %H:%M} by {record.rolled_back_by}]"
        if record.rolled_back_at
        else ""
    )
    return (
        f"#{record.id}  {record.at:%Y-%m-%d %H:%M:%S}  {record.actor}  {record.source}"
        f" ({record.format}, sha256 {record.checksum[:12]})  +{record.added} ~{record.updated}"
        f" ={record.unchanged} -{record.retired}{undone}"
    )


async def _history(args: argparse.Namespace, settings: Settings) -> int:
    engine = await _open(settings)
    try:
        async with session_maker(engine)() as session:
            records = await history(session=await read_only(session), limit=args.limit)
    finally:
        await engine.dispose()
    print("\n".join(map(_history_line, records)) if records else "no import yet")
    return EXIT_OK


async def _rollback(args: argparse.Namespace, settings: Settings) -> int:
    engine = await _open(settings)
    try:
        async with session_maker(engine)() as session:
            done = await rollback_last(session=session, actor=_actor(), dry_run=args.dry_run)
    finally:
        await engine.dispose()
    verb = "would roll back" if args.dry_run else "rolled back"
    record = done.undone
    print(
        f"{verb} import #{record.id} ({record.source}, {record.at:%Y-%m-%d %H:%M} by"
        f" {record.actor}): {done.deleted} offers it added removed,"
        f" {done.restored} offers restored"
    )
    return EXIT_OK


def _today(args: argparse.Namespace) -> date | None:
    try:
        return date.fromisoformat(args.today) if args.today else date.today()
    except ValueError:
        _error(f"--today {args.today!r}: expected a date as YYYY-MM-DD")
        return None


async def _check(args: argparse.Namespace, settings: Settings) -> int:
    today = _today(args)
    if today is None:
        return EXIT_USAGE
    if args.links and (args.timeout <= 0 or args.concurrency < 1):
        _error("--timeout must be above 0 and --concurrency at least 1")
        return EXIT_USAGE
    engine = await _open(settings)
    try:
        async with session_maker(engine)() as session:
            report = await check_catalogue(session=session, today=today)
            offers = await load_offers(session=session) if args.links else []
    finally:
        await engine.dispose()
    problems = offer_problems(report)
    if args.links:
        # aiohttp is loaded for --links only: `catalog check` alone starts as fast as before.
        from catalog.maintenance.links import check_links

        found = await check_links(
            ((offer.id, offer.url) for offer in offers),
            concurrency=args.concurrency,
            seconds=args.timeout,
        )
        links = [Problem(item.offer, "link", f"{item.url}: {item.detail}") for item in found]
        problems = sorted([*problems, *links], key=lambda item: (item.offer, item.kind))
    else:
        links = []
    if args.json:
        print(json.dumps({
            "today": today.isoformat(),
            "active": report.active,
            "problems": [
                {"offer": item.offer, "kind": item.kind, "detail": item.detail}
                for item in problems
            ],
        }, ensure_ascii=False))
        return EXIT_OK
    lines = format_report(report)
    if args.links:
        if links and not report.findings:
            lines.pop()  # "nothing to look at": there is
        lines.append(f"  links that do not answer: {len(links)}")
        lines += [f"    {item.offer}  {item.detail}" for item in links]
    print("\n".join(lines))
    return EXIT_OK


async def _confirm(args: argparse.Namespace, settings: Settings) -> int:
    today = _today(args)
    if today is None:
        return EXIT_USAGE
    engine = await _open(settings)
    try:
        async with session_maker(engine)() as session:
            plan = await confirm_offers(session=session, ids=args.ids, today=today, actor=_actor())
    finally:
        await engine.dispose()
    print(
        f"{len(plan.updated)} offers confirmed on {today.isoformat()}"
        f" ({len(plan.unchanged)} already were); `tremplin catalog rollback` undoes it"
    )
    return EXIT_OK


async def _proposals(args: argparse.Namespace, settings: Settings) -> int:
    from catalog.maintenance import proposals

    engine = await _open(settings)
    try:
        async with session_maker(engine)() as session:
            if args.proposals_command is None:
                found = await proposals.proposals(session=session)
            else:
                decided = await _decide(args, session)
                if isinstance(decided, int):
                    return decided
                found = [decided]
    except proposals.NotPending as error:
        _error(str(error))
        return EXIT_USAGE
    finally:
        await engine.dispose()
    if args.proposals_command is not None:
        await _tell_partner(settings, found[0])
        return EXIT_OK
    if args.json:
        print(json.dumps({"proposals": [
            {"id": item.id, "status": item.status, "offers": item.offers} for item in found
        ]}, ensure_ascii=False))
        return EXIT_OK
    for item in found:
        reason = f"  ({item.reason})" if item.reason else ""
        print(f"#{item.id}  {item.status:8}  {item.created_at:%Y-%m-%d %H:%M}  {item.source}"
              f"  {len(item.offers)} offers{reason}")
    if not found:
        print("no proposals")
    return EXIT_OK


async def _decide(args: argparse.Namespace, session: AsyncSession) -> Proposal | int:
    """Approve or reject; an exit code when approving needs --approve-changes or is outdated."""
    from catalog.maintenance import proposals

    actor = _actor()
    if args.proposals_command == "reject":
        if not args.reason.strip():
            _error("--reason: say why (the partner is told)")
            return EXIT_USAGE
        return await proposals.reject(
            session=session, proposal_id=args.id, reason=args.reason, actor=actor)
    proposal = await proposals.pending(session=session, proposal_id=args.id)
    offers = read_upload(proposal.data, proposal.format).offers
    plan = await proposals.replan(session=session, proposal=proposal, offers=offers)
    changes = await proposals.existing_changes(session=session, plan=plan)
    await session.rollback()
    if changes and not args.approve_changes:
        print(f"proposal {args.id} changes offers already in the catalogue:")
        print("\n".join(f"  {line}" for line in changes))
        _error("nothing imported: add --approve-changes to approve these changes")
        return EXIT_USAGE
    result = await proposals.approve(
        session=session, proposal_id=args.id, offers=offers, actor=actor)
    if isinstance(result, proposals.Outdated):
        _error(f"the catalogue changed while proposal {args.id} was approved: run it again")
        return EXIT_FAILURE
    print("\n".join(result.plan.summary(f"proposal {args.id}", dry_run=False)))
    print("`tremplin catalog rollback` undoes it")
    return result.proposal


async def _tell_partner(settings: Settings, proposal: Proposal) -> None:
    """The partner is told through the Bot API when a token is set; else it is said here."""
    token = getattr(settings, "telegram_token", None)
    if proposal.chat_id is None:
        return
    if token is None or not token.get_secret_value():
        print(f"proposal {proposal.id} {proposal.status}; TREMPLIN_TELEGRAM_TOKEN is not set:"
              " the partner was not told")
        return
    from telegram import Bot

    from catalog.maintenance.proposals import outcome_text

    root = str(getattr(settings, "telegram_api_url", "https://api.telegram.org")).rstrip("/")
    async with Bot(token.get_secret_value(), base_url=f"{root}/bot",
                   base_file_url=f"{root}/file/bot") as bot:
        await bot.send_message(proposal.chat_id, outcome_text(proposal))
    print(f"proposal {proposal.id} {proposal.status}; the partner was told")


async def _reports(args: argparse.Namespace, settings: Settings) -> int:
    from catalog.maintenance import reports

    engine = await _open(settings)
    try:
        async with session_maker(engine)() as session:
            found = await reports.reports(session=await read_only(session))
    finally:
        await engine.dispose()
    if args.json:
        print(json.dumps({"reports": [
            {"offer": item.offer_id, "reason": item.reason, "at": item.at.isoformat()}
            for item in found
        ]}, ensure_ascii=False))
        return EXIT_OK
    for item in found:
        text = f"  {item.text}" if item.text else ""
        print(f"{item.at:%Y-%m-%d %H:%M}  {item.offer_id}  {item.reason}{text}")
    if not found:
        print("no reports")
    return EXIT_OK


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """``tremplin catalog import|export|validate|template FILE``, ``history|rollback|check``."""
    command = args.catalog_command
    source = getattr(args, "file", "")  # history, rollback and check have none
    try:
        if command == "import":
            return await _import(args, settings)
        if command == "export":
            return await _export(args, settings)
        if command == "template":
            return await _template(args)
        if command == "history":
            return await _history(args, settings)
        if command == "rollback":
            return await _rollback(args, settings)
        if command == "check":
            return await _check(args, settings)
        if command == "confirm":
            return await _confirm(args, settings)
        if command == "proposals":
            return await _proposals(args, settings)
        if command == "reports":
            return await _reports(args, settings)
        return await _validate(args, settings)
    except UnknownOffers as error:
        _error(str(error))
        return EXIT_USAGE
    except NothingToRollBack:
        _error("nothing to roll back: no applied import is left")
        return EXIT_FAILURE
    except InvalidCatalogue as error:
        return _report(source, error)
    except _OpenDataUnnamed as error:
        _error(f"{source}: {error}")
        return EXIT_USAGE
    except UnknownFormat as error:
        _error(f"{source}: {error}")
        return EXIT_USAGE
    except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
        _error(f"{source}: {error.strerror or error}")
        return EXIT_USAGE if command not in ("export", "template") else EXIT_FAILURE
    except (SQLAlchemyError, _NoDatabaseFolder) as error:
        _error(f"database error: {_first_line(error)}")
        return EXIT_FAILURE
    except BrokenPipeError:
        raise  # the reader of stdout left: bot.cli.main stops quietly
    except OSError as error:  # the database server is unreachable, the disk is full...
        _error(f"{error}")
        return EXIT_FAILURE


async def upgrade(settings: Settings) -> int:
    """``tremplin db upgrade``: apply the migrations (``catalog.store.migrations``), up to date."""
    url = make_url(settings.database_url).render_as_string(hide_password=True)
    try:
        engine = await _open(settings)
        try:
            revision = await migrations.current_revision(engine)
        finally:
            await engine.dispose()
    except (SQLAlchemyError, OSError, _NoDatabaseFolder, migrations.UnknownSchema) as error:
        _error(f"cannot upgrade {url}: {_first_line(error)}")
        return EXIT_FAILURE
    print(f"database schema is up to date: {url} (revision {revision})")
    return EXIT_OK
