"""End to end: catalogue maintainers in Telegram, through the fake Bot API server.

A maintainer sends a file, reads the dry run, applies or cancels; /export and /catalog; admins
grant the role. Anyone else's file is refused unread. Every test ends with no request that the
real Telegram would refuse.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
import pytest_asyncio
from conftest import DATA
from fakeapi import BotMessage, FakeBotApi, SimUser
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram_helpers import bot_settings, has, running_bot

from bot.chats.database import Database
from bot.settings import BotSettings
from catalog.formats.csvio import read_csv, write_csv
from catalog.formats.xlsxio import write_xlsx
from catalog.i18n import translator
from catalog.maintenance.audit import history
from catalog.maintenance.importer import import_file
from catalog.maintenance.pending import pending_count
from catalog.store.db import SessionMaker
from catalog.store.offers import load_offers

pytestmark = pytest.mark.asyncio

MAINTAINER, ADMIN, CITIZEN = 2001, 2009, 3001
VALID = (DATA / "catalog" / "valid.csv").read_bytes()
HEADER, NUM, FLE, LIRE = VALID.decode().splitlines()
CHANGED = "\n".join(
    [
        HEADER,
        NUM.replace("Atelier smartphone", "Atelier tablette"),
        FLE,
        LIRE,
        NUM.replace("num-01", "new-04"),
    ]
).encode()
tr = translator("en")


@pytest_asyncio.fixture
async def database(engine: AsyncEngine, sessions: SessionMaker) -> Database:
    async with sessions() as session:
        await import_file(session=session, data=VALID, source="valid.csv", actor="test")
    return Database(engine=engine, sessions=sessions)


@pytest.fixture
def settings(server: FakeBotApi, database_url: str) -> BotSettings:
    return bot_settings(server, database_url, maintainer_ids=[MAINTAINER], admin_ids=[ADMIN])


async def dry_run(user: SimUser, name: str, data: bytes) -> tuple[BotMessage, BotMessage]:
    """Send a file; the summary (with its buttons) and the attached report."""
    await user.send_document(name, data, "application/octet-stream")
    summary = await user.wait_for(lambda m: m.has_button(tr.gettext("Cancel")))
    report = await user.wait_for(lambda m: m.kind == "document")
    return summary, report


async def offers(database: Database) -> dict[str, Any]:
    async with database.sessions() as session:
        return {offer.id: offer for offer in await load_offers(session=session)}


async def test_upload_summary_then_apply(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    user = server.user(MAINTAINER, "Maud", language_code="en")
    async with running_bot(settings, database):
        summary, report = await dry_run(user, "catalogue.csv", CHANGED)
        assert "catalogue.csv: checked, nothing has changed yet." in (summary.text or "")
        for line in ("4 offers in the file:", "new: 1", "updated: 1", "fields: title ×1"):
            assert line in (summary.text or "")
        assert summary.button_texts == [tr.gettext("Apply"), tr.gettext("Cancel")]
        assert report.file is not None and report.file.file_name == "catalogue.csv.dry-run.txt"
        assert b"  + new-04  (new)" in report.file.data
        assert len(await offers(database)) == 3  # a dry run
        await user.press(tr.gettext("Apply"), summary)
        applied = await user.wait_for(lambda m: m.edited and "applied" in (m.text or ""))
        assert applied.text == "✅ catalogue.csv applied: 1 added, 1 updated, 0 retired."
        assert applied.buttons == []
    stored = await offers(database)
    assert stored["num-01"].title == "Atelier tablette" and "new-04" in stored
    async with database.sessions() as session:
        assert (await history(session=session))[0].actor == f"telegram:{MAINTAINER}"
        assert await pending_count(session=session) == 0
    assert len(server.calls("getFile")) == 1 and len(server.downloads) == 1
    assert server.violations == []


async def test_upload_then_cancel(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    user = server.user(MAINTAINER, "Maud", language_code="en")
    before = await offers(database)
    async with running_bot(settings, database):
        summary, _ = await dry_run(user, "catalogue.csv", CHANGED)
        apply = summary.button(tr.gettext("Apply"))["callback_data"]
        await user.press(tr.gettext("Cancel"), summary)
        await user.wait_for(lambda m: m.edited and m.text == "Cancelled: nothing was changed.")
        # The token is gone: a second press (an old client) is politely turned down.
        query = await user.press_data(apply, summary)
        answer = await user.wait_callback_answer(query)
        assert answer.text == "This import is no longer waiting. Send the file again."
    assert await offers(database) == before
    async with database.sessions() as session:
        assert await pending_count(session=session) == 0
        assert len(await history(session=session)) == 1
    assert server.violations == []


async def test_anyone_elses_file_is_refused_unread(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    """Unless it is a catalogue file: then it is a proposal (tests/test_proposals_telegram.py)."""
    citizen = server.user(CITIZEN, "Cid", language_code="en")
    async with running_bot(settings, database):
        await citizen.send_document("catalogue.pdf", CHANGED, "application/pdf")
        await citizen.wait_for(has("I can only read text, buttons and locations."))
        # /export and /catalog are unknown commands for a citizen; forged buttons do nothing.
        await citizen.send_text("/export")
        await citizen.wait_reply()
        query = await citizen.press_data("imp:a:AAAAAAAAAAAA")
        answer = await citizen.wait_callback_answer(query)
        assert answer.text == "Only catalogue maintainers can do this."
    assert server.calls("getFile") == [] and server.downloads == []
    assert server.calls("sendDocument") == []
    assert len(await offers(database)) == 3
    assert server.violations == []


async def test_export_and_check_report(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    user = server.user(MAINTAINER, "Maud", language_code="en")
    async with running_bot(settings, database):
        await user.send_text("/export")
        exported = await user.wait_for(lambda m: m.kind == "document")
        assert exported.text == "The catalogue: 3 offers."
        assert exported.file is not None and exported.file.file_name is not None
        assert exported.file.file_name.endswith(".csv")
        stored = list((await offers(database)).values())
        assert exported.file.data.decode() == write_csv(stored)
        await user.send_text("/export xlsx")
        workbook = await user.wait_for(lambda m: m.kind == "document")
        assert workbook.file is not None
        sheet = load_workbook(io.BytesIO(workbook.file.data)).active
        assert sheet is not None and sheet.max_row == 4
        await user.send_text("/catalog")
        report = await user.wait_for(has("Catalogue check: 3 active offers."))
        assert "Missions with few offers:" in (report.text or "")
    assert server.violations == []


async def test_the_check_of_250_offers_of_one_title_is_sent_whole(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    # Their 250 ids fill more than a message: the cut falls outside <code> (or Telegram would
    # refuse the whole message, and the maintainer get nothing).
    rows = [NUM.replace("num-01", f"atelier-numerique-{number:04d}") for number in range(250)]
    async with database.sessions() as session:
        await import_file(
            session=session, data="\n".join([HEADER, *rows]).encode(), source="same.csv",
            actor="test",
        )
    user = server.user(MAINTAINER, "Maud", language_code="en")
    async with running_bot(settings, database):
        await user.send_text("/catalog")
        await user.wait_for(has("Topics with few offers:"))  # the last line
    texts = "".join(message.text or "" for message in user.messages)
    assert all(f"atelier-numerique-{number:04d}" in texts for number in range(250))
    assert server.violations == []


async def test_a_file_with_problems_lists_them_with_their_lines(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    user = server.user(MAINTAINER, "Maud", language_code="en")
    bad = [HEADER] + [NUM.replace("num-01", f"bad id {n}") for n in range(25)]
    async with running_bot(settings, database):
        await user.send_document("bad.csv", "\n".join(bad).encode(), "text/csv")
        message = await user.wait_for(has("25 problems, nothing was imported."))
        text = message.text or ""
        assert "• line 2, id: 'bad id 0' contains ' '; use only A-Z a-z 0-9 . _ -" in text
        assert "• line 21, id:" in text and "line 22," not in text
        assert "…and 5 more problems." in text
        listing = await user.wait_for(lambda m: m.kind == "document")
        assert listing.file is not None
        lines = listing.file.data.decode().splitlines()
        assert len(lines) == 25 and lines[-1].startswith("bad.csv:26:id: 'bad id 24'")
        assert not message.buttons
    assert server.violations == []


async def test_a_file_over_the_limit_is_not_downloaded(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    user = server.user(MAINTAINER, "Maud", language_code="en")
    stored = server.files.add("document", b"id\n", file_name="big.csv", mime_type="text/csv")
    async with running_bot(settings, database):
        await user.send_message(document={**stored.as_document(), "file_size": 11 * 2**20})
        await user.wait_for(has("This file is larger than 10 MB: I did not read it."))
        await user.send_document("notes.pdf", b"%PDF", "application/pdf")
        await user.wait_for(has("JSON (Tremplin's, data·inclusion or Open Referral HSDS)"))
    assert server.calls("getFile") == []
    assert server.violations == []


async def test_lheo_file_reports_its_inferences(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    user = server.user(MAINTAINER, "Maud", language_code="en")
    onisep = (DATA / "lheo" / "exemple-bts-onisep-2.2.xml").read_bytes()
    async with running_bot(settings, database):
        summary, report = await dry_run(user, "onisep.xml", onisep)
        assert "Missions and topics were inferred for 1 offer" in (summary.text or "")
        assert report.file is not None
        assert b":topics: lheo-9436_18706-9436_18706-9436_18706: career (NSF 312" in (
            report.file.data
        )
        await user.press(tr.gettext("Apply"), summary)
        await user.wait_for(lambda m: m.edited and "1 added" in (m.text or ""))
    assert "lheo-9436_18706-9436_18706-9436_18706" in await offers(database)
    assert server.violations == []


async def test_a_workbook_can_retire_the_offers_it_lacks(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    user = server.user(MAINTAINER, "Maud", language_code="en")
    only_one = write_xlsx(read_csv("\n".join([HEADER, NUM]).encode()))
    async with running_bot(settings, database):
        summary, _ = await dry_run(user, "un.xlsx", only_one)
        retire = "Apply and retire the 2 absent offers"
        assert summary.button_texts == [retire, tr.gettext("Cancel")]  # nothing else to apply
        assert "in the catalogue but not in the file: 2" in (summary.text or "")
        await user.press(retire, summary)
        await user.wait_for(lambda m: m.edited and "2 retired" in (m.text or ""))
    assert list(await offers(database)) == ["num-01"]
    assert server.violations == []


async def test_a_plan_outdated_by_another_import_is_checked_again(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    user = server.user(MAINTAINER, "Maud", language_code="en")
    async with running_bot(settings, database):
        summary, _ = await dry_run(user, "catalogue.csv", CHANGED)
        other = VALID.replace(b"Heure du conte", b"Contes")
        async with database.sessions() as session:
            await import_file(session=session, data=other, source="other.csv", actor="cli")
        await user.press(tr.gettext("Apply"), summary)
        await user.wait_for(lambda m: m.edited and "nothing was applied" in (m.text or ""))
        fresh, _ = await dry_run_answer(user)
        assert "updated: 2" in (fresh.text or "")
        await user.press(tr.gettext("Apply"), fresh)
        await user.wait_for(lambda m: m.edited and "2 updated" in (m.text or ""))
    assert (await offers(database))["lire-03"].title == "Heure du conte en famille"
    assert server.violations == []


async def dry_run_answer(user: SimUser) -> tuple[BotMessage, BotMessage]:
    summary = await user.wait_for(lambda m: m.has_button(tr.gettext("Cancel")))
    return summary, await user.wait_for(lambda m: m.kind == "document")


async def test_a_dry_run_survives_a_restart(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    user = server.user(MAINTAINER, "Maud", language_code="en")
    async with running_bot(settings, database):
        summary, _ = await dry_run(user, "catalogue.csv", CHANGED)
    async with running_bot(settings, database):  # another process: the plan is in the database
        await user.press(tr.gettext("Apply"), summary)
        await user.wait_for(lambda m: m.edited and "applied" in (m.text or ""))
    assert "new-04" in await offers(database)
    assert server.violations == []


async def test_admins_grant_and_revoke_the_role(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    admin = server.user(ADMIN, "Ada", language_code="en")
    helper = server.user(CITIZEN, "Cid", language_code="en")
    server.user(MAINTAINER, "Maud", language_code="en")  # told of the proposal at the end
    async with running_bot(settings, database):
        await helper.send_text(f"/grant {CITIZEN}")  # not an admin: an unknown command
        await helper.wait_reply()
        await admin.send_text("/grant")
        await admin.wait_for(has("Write the Telegram user id after the command"))
        # 19 digits, over the 64-bit range: an answer, not an OverflowError in the database.
        await admin.send_text("/grant 9999999999999999999")
        await admin.wait_for(has("9999999999999999999 is not a Telegram user id"))
        await admin.send_text("/revoke 0")
        await admin.wait_for(has("0 is not a Telegram user id"))
        await admin.send_text(f"/grant {CITIZEN}")
        await admin.wait_for(has(f"{CITIZEN} can now update the catalogue."))
        await dry_run(helper, "catalogue.csv", CHANGED)
        await admin.send_text(f"/revoke {CITIZEN}")
        await admin.wait_for(has(f"{CITIZEN} can no longer update the catalogue"))
        await helper.send_document("catalogue.csv", CHANGED, "text/csv")
        await helper.wait_for(has("awaits review"))  # a partner's proposal now, no dry run
    assert len(server.calls("getFile")) == 2
    assert server.violations == []
