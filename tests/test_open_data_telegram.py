"""End to end: open-data files (data·inclusion, HSDS) sent to the bot by a maintainer, told
apart by their content or named by the caption, through the fake Bot API server."""

from __future__ import annotations

import json

import pytest
import pytest_asyncio
from conftest import DATA
from fakeapi import BotMessage, FakeBotApi, SimUser
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram_helpers import bot_settings, running_bot

from bot.chats.database import Database
from bot.settings import BotSettings
from catalog.i18n import translator
from catalog.maintenance.importer import import_file
from catalog.store.db import SessionMaker
from catalog.store.offers import load_offers

pytestmark = pytest.mark.asyncio

MAINTAINER = 2001
VALID = (DATA / "catalog" / "valid.csv").read_bytes()
SERVICES = (DATA / "open_data" / "services.json").read_bytes()
SERVICES_CSV = (DATA / "open_data" / "services.csv").read_bytes()
HSDS_EXAMPLE = json.loads((DATA / "open_data" / "hsds_service_full.json").read_text("utf-8"))
HSDS_ID = "hsds-ac148810-d857-441c-9679-408f346de14b"
LEARNING = {"di-dora--atelier-ordi", "di-reseau-alpha--fle-soir", "di-dora--parents"}
tr = translator("en")


@pytest_asyncio.fixture
async def database(engine: AsyncEngine, sessions: SessionMaker) -> Database:
    async with sessions() as session:  # the city's own offers, which open data must not retire
        await import_file(session=session, data=VALID, source="valid.csv", actor="test")
    return Database(engine=engine, sessions=sessions)


@pytest.fixture
def settings(server: FakeBotApi, database_url: str) -> BotSettings:
    return bot_settings(server, database_url, maintainer_ids=[MAINTAINER])


async def _dry_run(
    user: SimUser, name: str, data: bytes, caption: str | None = None
) -> tuple[BotMessage, bytes]:
    await user.send_document(name, data, "application/json", caption=caption)
    summary = await user.wait_for(lambda m: m.has_button(tr.gettext("Cancel")))
    report = await user.wait_for(lambda m: m.kind == "document")
    assert report.file is not None
    return summary, report.file.data


async def _ids(database: Database) -> set[str]:
    async with database.sessions() as session:
        return {offer.id for offer in await load_offers(session=session)}


async def test_a_data_inclusion_file_is_read_as_such_and_applied(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    user = server.user(MAINTAINER, "Maud", language_code="en")
    before = await _ids(database)
    async with running_bot(settings, database):
        summary, report = await _dry_run(user, "services.json", SERVICES)
        text = summary.text or ""
        assert "3 offers in the file:" in text and "new: 3" in text
        assert "1 service of the file is left out: not a learning offer" in text
        # Its services' sources are its scope: the city's offers are not offered to retire.
        assert "not in the file" not in text
        assert summary.button_texts == [tr.gettext("Apply"), tr.gettext("Cancel")]
        assert b"services.json:[2]: dora--logement: left out, not a learning service" in report
        await user.press(tr.gettext("Apply"), summary)
        applied = await user.wait_for(lambda m: m.edited and "applied" in (m.text or ""))
        assert applied.text == "✅ services.json applied: 3 added, 0 updated, 0 retired."
    assert await _ids(database) == before | LEARNING  # housing left out
    assert server.violations == []


async def test_a_data_inclusion_csv_is_told_by_its_header(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    # The services CSV data·inclusion publishes, sent as it is downloaded: no caption needed.
    user = server.user(MAINTAINER, "Maud", language_code="en")
    async with running_bot(settings, database):
        await user.send_document("services.csv", SERVICES_CSV, "text/csv")
        summary = await user.wait_for(lambda m: m.has_button(tr.gettext("Cancel")))
        assert "new: 3" in (summary.text or "")
        assert "1 service of the file is left out: not a learning offer" in (summary.text or "")
        await user.press(tr.gettext("Apply"), summary)
        await user.wait_for(lambda m: m.edited and "3 added" in (m.text or ""))
    assert await _ids(database) >= LEARNING
    assert "di-dora--logement" not in await _ids(database)


async def test_an_hsds_page_is_read_as_such_and_applied(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    user = server.user(MAINTAINER, "Maud", language_code="en")
    page = json.dumps({"total_items": 1, "contents": [HSDS_EXAMPLE]}).encode()
    async with running_bot(settings, database):
        summary, report = await _dry_run(user, "directory.json", page)
        assert "new: 1" in (summary.text or "")
        assert "Missions and topics were inferred for 1 offer" in (summary.text or "")
        assert f"directory.json:[0].missions: {HSDS_ID}: ".encode() in report
        await user.press(tr.gettext("Apply"), summary)
        await user.wait_for(lambda m: m.edited and "1 added" in (m.text or ""))
    assert HSDS_ID in await _ids(database)
    assert server.violations == []


async def test_the_caption_names_the_format(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    user = server.user(MAINTAINER, "Maud", language_code="en")
    async with running_bot(settings, database):
        # No extension the bot knows: the caption says what the file is.
        summary, _ = await _dry_run(user, "export-du-jour.txt", SERVICES, "data·inclusion")
        assert "new: 3" in (summary.text or "")
        await user.press(tr.gettext("Cancel"), summary)
        await user.wait_for(lambda m: m.edited and m.text == "Cancelled: nothing was changed.")
        # Named HSDS, data·inclusion services are not HSDS ones: refused, with the field.
        await user.send_document("services.json", SERVICES, "application/json", caption="HSDS")
        refused = await user.wait_for(lambda m: "nothing was imported" in (m.text or ""))
        assert "service [0] name: required" in (refused.text or "")
    assert not await _ids(database) & LEARNING
    assert server.violations == []
