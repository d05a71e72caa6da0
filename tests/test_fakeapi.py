"""Tests of the fake Bot API server, driven by the real python-telegram-bot client.

Two clients are used: a bare ``telegram.Bot`` (direct calls: errors surface as
exceptions) and a full ``Application`` doing real long polling against the fake, as
the bot's end-to-end tests will.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from fakeapi import FakeBotApi, NoReply, format_text
from fakeapi.html import HtmlParseError
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

ALICE = 1001


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest_asyncio.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(
        server.token, base_url=server.base_url, base_file_url=server.base_file_url
    ) as client:
        yield client


def _keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=label.lower())] for label in labels]
    )


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        "<b>Bienvenue</b> !", parse_mode="HTML", reply_markup=_keyboard("Yes", "No")
    )


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    assert update.effective_chat is not None
    await update.effective_chat.send_action("typing")
    await update.effective_message.reply_text(update.effective_message.text)


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    if query.data not in ("yes", "no"):
        await query.answer("Bouton expiré", show_alert=True)
        return
    await query.answer(f"OK {query.data}")
    await query.edit_message_text(f"Vous avez choisi : {query.data}")


@pytest_asyncio.fixture
async def app(server: FakeBotApi) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    application = (
        ApplicationBuilder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    application.add_handler(CallbackQueryHandler(_pressed))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    # PTB's shutdown (cancelled long poll, final confirming getUpdates) is clean too.
    assert [v for v in server.violations if v["method"] == "getUpdates"] == []
    assert any(call.params["timeout"] == "0" for call in server.calls("getUpdates"))


# --------------------------------------------------------------------- Application


@pytest.mark.asyncio
async def test_application_round_trip(
    server: FakeBotApi, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    alice = server.user(user_id=ALICE, first_name="Alice", language_code="fr")

    await alice.send_text("bonjour")
    reply = await alice.wait_reply(timeout=3)
    assert reply.text == "bonjour"
    assert reply.kind == "message"
    assert reply["from"]["is_bot"] is True
    assert "typing" in alice.chat.chat_actions

    await alice.send_text("/start")
    welcome = await alice.wait_reply(timeout=3)
    assert welcome.text == "Bienvenue !"
    assert welcome.entities == [{"type": "bold", "offset": 0, "length": 9}]
    assert welcome.button_texts == ["Yes", "No"]

    query_id = await alice.press("Yes")
    answer = await alice.wait_callback_answer(query_id, timeout=3)
    assert answer.text == "OK yes"
    edited = await alice.wait_for(lambda message: message.edited, timeout=3)
    assert edited is welcome  # edits update the stored message in place
    assert edited.text == "Vous avez choisi : yes"
    assert edited.edited and edited.history[0]["text"] == "Bienvenue !"
    assert edited.inline_keyboard == []  # an edit without reply_markup drops the keyboard

    # A forged / stale payload reaches the bot too, and gets answered.
    await alice.press_data("forged-data")
    assert (await alice.wait_callback_answer(timeout=3)).show_alert is True
    await alice.expect_no_reply(within=0.2)

    assert server.violations == []


@pytest.mark.asyncio
async def test_application_in_group_and_commands_entity(
    server: FakeBotApi, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    alice = server.user(ALICE, "Alice")
    group = server.group(chat_id=-100500, title="Atelier")
    message = await alice.send_text("/start@tremplin_test_bot", chat=group)
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 24}]
    reply = await group.wait_reply(timeout=3)
    assert reply.text == "Bienvenue !" and reply.chat_id == -100500
    # PTB quotes the command in groups: reply_parameters resolved to reply_to_message.
    assert reply["reply_to_message"]["message_id"] == message["message_id"]
    assert alice.messages == []  # nothing in the private chat
    assert server.violations == []


# ------------------------------------------------------------------ direct Bot calls


@pytest.mark.asyncio
async def test_get_me_webhook_and_commands(server: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.username == "tremplin_test_bot" and me.id == 123456789
    assert await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict):
        await bot.get_updates()
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    assert await bot.delete_webhook(drop_pending_updates=True)
    server.violations.clear()  # the Conflict above was a deliberate misuse

    assert await bot.set_my_commands([("start", "Commencer"), ("aide", "Aide")], language_code="fr")
    assert [c.command for c in await bot.get_my_commands(language_code="fr")] == ["start", "aide"]
    assert server.my_commands("fr") == ["start", "aide"]
    assert await bot.get_my_commands() == ()
    assert await bot.delete_my_commands(language_code="fr")
    assert server.my_commands("fr") == []
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Start", "Majuscule interdite")])
    assert [v["description"] for v in server.violations] == ["Bad Request: BOT_COMMAND_INVALID"]


@pytest.mark.asyncio
async def test_get_updates_long_polling_and_offsets(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(ALICE, "Alice", language_code="fr")

    poll = asyncio.create_task(bot.get_updates(timeout=3600))
    await asyncio.wait_for(server.updates.until_held(), 10)
    assert not poll.done()  # nothing to give yet: held
    await alice.send_text("/start")
    # Answered because the update was queued: its hour-long timeout cannot have expired.
    updates = await asyncio.wait_for(poll, 30)
    assert len(updates) == 1 and updates[0].message is not None
    assert updates[0].message.text == "/start"
    assert updates[0].message.from_user is not None
    assert updates[0].message.from_user.language_code == "fr"

    # Not confirmed yet: delivered again; confirmed by offset = last id + 1.
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id]
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()

    poll = asyncio.create_task(bot.get_updates(timeout=1))
    await asyncio.wait_for(server.updates.until_held(), 10)
    assert not poll.done()  # held while there is nothing to give...
    assert await poll == ()  # ...and answered empty at its timeout
    assert server.updates.held == 0

    await alice.send_location(48.85, 2.35)
    await alice.send_sticker()
    await alice.send_voice()
    await alice.send_photo()
    kinds = await bot.get_updates(limit=10, timeout=0, allowed_updates=["message"])
    message = kinds[0].message
    assert message is not None and message.location is not None
    assert message.location.latitude == 48.85
    assert [
        bool(u.message and (u.message.sticker or u.message.voice or u.message.photo))
        for u in kinds[1:]
    ] == [
        True,
        True,
        True,
    ]
    assert server.violations == []


@pytest.mark.asyncio
async def test_send_message_kinds(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(ALICE, "Alice")
    sent = await bot.send_message(
        ALICE,
        "Choisissez <i>un</i> lieu 👇",
        parse_mode="HTML",
        reply_markup=ReplyKeyboardMarkup([["Paris", "Lyon"]], resize_keyboard=True),
    )
    assert sent.text == "Choisissez un lieu 👇" and sent.message_id == 1
    assert alice.messages[-1].reply_keyboard == [["Paris", "Lyon"]]
    assert "reply_markup" not in alice.messages[-1].raw  # reply keyboards are not echoed

    venue = await bot.send_venue(ALICE, 45.76, 4.83, "Médiathèque", "1 rue de la Paix")
    assert venue.venue is not None and venue.venue.title == "Médiathèque"
    await bot.send_location(ALICE, 45.76, 4.83)
    photo = await bot.send_photo(ALICE, b"\x89PNG fake", caption="<b>Plan</b>", parse_mode="HTML")
    assert photo.caption == "Plan" and photo.photo
    assert [m.kind for m in alice.messages] == ["message", "venue", "location", "photo"]
    assert alice.messages[-1].file is not None and alice.messages[-1].file.data == b"\x89PNG fake"
    # Re-sending by file_id works, with a wrong id it does not.
    await bot.send_photo(ALICE, photo.photo[-1].file_id)
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(ALICE, "not-a-file-id")
    with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
        await bot.send_message(424242, "personne")
    assert len(server.violations) == 2
    assert server.calls("sendVenue")[0].params["title"] == "Médiathèque"


@pytest.mark.asyncio
async def test_document_upload_and_download(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(ALICE, "Alice")
    await alice.send_document("programme.pdf", b"%PDF-1.4 fake", "application/pdf", caption="voici")
    (update,) = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.document is not None
    assert update.message.document.file_name == "programme.pdf"
    file = await update.message.document.get_file()
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 fake"

    sent = await bot.send_document(ALICE, b"a;b\n1;2\n", filename="export.csv", caption="Export")
    assert sent.document is not None and sent.document.file_name == "export.csv"
    stored = alice.messages[-1]
    assert stored.kind == "document" and stored.text == "Export"
    assert stored.file is not None and stored.file.data == b"a;b\n1;2\n"
    downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"a;b\n1;2\n"
    with pytest.raises(BadRequest, match=r"(?i)Invalid file_id"):
        await bot.get_file("nope")
    assert len(server.violations) == 1


# ----------------------------------------------------------------------- violations


@pytest.mark.asyncio
async def test_unknown_parameter(server: FakeBotApi, bot: Bot) -> None:
    server.user(ALICE, "Alice")
    with pytest.raises(BadRequest, match=r'(?i)unknown parameter "colour"'):
        await bot.send_message(ALICE, "x", api_kwargs={"colour": "red"})
    (violation,) = server.violations
    assert violation["method"] == "sendMessage"
    assert violation["params"]["colour"] == "red"
    assert server.requests[-1].status == 400


@pytest.mark.asyncio
async def test_wrong_types_and_malformed_markup(server: FakeBotApi, bot: Bot) -> None:
    server.user(ALICE, "Alice")
    with pytest.raises(BadRequest, match=r'(?i)"message_id" must be of type Integer'):
        await bot.edit_message_text("x", chat_id=ALICE, message_id="abc")  # type: ignore[arg-type]
    with pytest.raises(BadRequest, match=r"(?i)latitude"):
        await bot.send_location(ALICE, "north", 2.0)  # type: ignore[arg-type]

    url = f"{server.base_url}{server.token}/sendMessage"
    bad_markup = {"inline_keyboard": [[{"text": "Oui", "callback": "yes"}]]}
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url, json={"chat_id": ALICE, "text": "x", "reply_markup": bad_markup}
        ) as resp:
            body = await resp.json()
        assert resp.status == 400 and body["ok"] is False and body["error_code"] == 400
        assert "reply_markup.inline_keyboard[0][0].callback" in body["description"]
        async with session.post(
            url, data={"chat_id": str(ALICE), "text": "x", "reply_markup": "{oops"}
        ) as resp:
            body = await resp.json()
        assert body["description"] == "Bad Request: can't parse reply keyboard markup JSON object"
        upload = aiohttp.FormData()
        upload.add_field("chat_id", str(ALICE))
        upload.add_field("text", b"not a file", filename="text.txt")
        async with session.post(url, data=upload) as resp:
            assert "can't be a file upload" in (await resp.json())["description"]
        async with session.post(url, data={"text": "x"}) as resp:
            assert (await resp.json())["description"] == "Bad Request: chat_id is empty"
        async with session.post(
            url, json={"chat_id": ALICE, "text": "ok", "disable_notification": "maybe"}
        ) as resp:
            assert "must be of type Boolean" in (await resp.json())["description"]
    assert len(server.violations) == 7


@pytest.mark.asyncio
async def test_text_length_and_empty_text(server: FakeBotApi, bot: Bot) -> None:
    server.user(ALICE, "Alice")
    await bot.send_message(ALICE, "é" * 4096)
    # Tags do not count: 4096 characters once parsed.
    await bot.send_message(ALICE, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    assert server.violations == []
    with pytest.raises(BadRequest, match=r"(?i)Message is too long"):
        await bot.send_message(ALICE, "a" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)Message text is empty"):
        await bot.send_message(ALICE, "   ")
    with pytest.raises(BadRequest, match=r"(?i)Message text is empty"):
        await bot.send_message(ALICE, "<b></b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)Message caption is too long"):
        await bot.send_photo(ALICE, b"img", caption="c" * 1025)
    assert [v["description"] for v in server.violations] == [
        "Bad Request: message is too long",
        "Bad Request: message text is empty",
        "Bad Request: message text is empty",
        "Bad Request: message caption is too long",
    ]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<b>gras", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("ligne<br>suivante", 'Unsupported start tag "br" at byte offset 5'),
        ("3 < 4", 'Unsupported start tag "" at byte offset 2'),
        ("Recherche & Développement", 'Unescaped "&" (write &amp;) at byte offset 10'),
        ('<span class="spoiler">x</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_bad_html(server: FakeBotApi, bot: Bot, html: str, error: str) -> None:
    server.user(ALICE, "Alice")
    with pytest.raises(BadRequest, match=r"(?i)Can't parse entities"):
        await bot.send_message(ALICE, html, parse_mode="HTML")
    (violation,) = server.violations
    assert violation["description"].startswith("Bad Request: can't parse entities: " + error)


@pytest.mark.asyncio
async def test_callback_data_limit(server: FakeBotApi, bot: Bot) -> None:
    server.user(ALICE, "Alice")
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="x" * 64)]])
    await bot.send_message(ALICE, "64 bytes", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("ko", callback_data="é" * 32 + "x")]])
    with pytest.raises(BadRequest, match=r"(?i)Button_data_invalid"):
        await bot.send_message(ALICE, "65 bytes", reply_markup=too_long)
    assert [v["description"] for v in server.violations] == ["Bad Request: BUTTON_DATA_INVALID"]


@pytest.mark.asyncio
async def test_edits(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(ALICE, "Alice")
    sent = await bot.send_message(ALICE, "Menu", reply_markup=_keyboard("A", "B"))
    with pytest.raises(BadRequest, match=r"(?i)Message is not modified"):
        await bot.edit_message_text(
            "Menu", chat_id=ALICE, message_id=sent.message_id, reply_markup=_keyboard("A", "B")
        )
    with pytest.raises(BadRequest, match=r"(?i)Message is not modified"):
        await bot.edit_message_reply_markup(
            ALICE, sent.message_id, reply_markup=_keyboard("A", "B")
        )
    with pytest.raises(BadRequest, match=r"(?i)Message to edit not found"):
        await bot.edit_message_text("x", chat_id=ALICE, message_id=999)
    assert len(server.violations) == 3 and server.violations[0]["description"] == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    server.violations.clear()

    await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=_keyboard("C"))
    assert alice.messages[0].button_texts == ["C"]
    await bot.edit_message_text("Menu 2", chat_id=ALICE, message_id=sent.message_id)
    message = alice.messages[0]
    assert message.text == "Menu 2" and message.inline_keyboard == []
    assert [h.get("reply_markup") is not None for h in message.history] == [True, True]
    assert len(alice.messages) == 1
    assert await bot.delete_message(ALICE, sent.message_id)
    assert message.deleted and alice.chat.last_message is None
    assert server.violations == []


@pytest.mark.asyncio
async def test_answer_callback_query_rules(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(ALICE, "Alice")
    await bot.send_message(ALICE, "Menu", reply_markup=_keyboard("Yes"))
    query_id = await alice.press("yes")  # by callback_data (or by text "Yes")
    (update,) = await bot.get_updates(timeout=0)
    assert update.callback_query is not None and update.callback_query.data == "yes"
    assert update.callback_query.message is not None
    with pytest.raises(BadRequest, match=r"(?i)Message_too_long"):
        await update.callback_query.answer("x" * 201)
    assert await update.callback_query.answer("x" * 200)
    assert alice.callback_answers[-1].callback_query_id == query_id
    with pytest.raises(BadRequest, match=r"(?i)Query is too old"):
        await update.callback_query.answer("twice")
    assert len(server.violations) == 2
    with pytest.raises(LookupError):
        await alice.press("Missing")


# ---------------------------------------------------------------------------- faults


@pytest.mark.asyncio
async def test_retry_after_then_success(
    server: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without this opt-in, PTB 22 warns (PTBDeprecationWarning) whenever it builds a
    # RetryAfter, which fails under filterwarnings=error.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    alice = server.user(ALICE, "Alice")
    server.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter, match=r"(?i)Flood control exceeded") as raised:
        await bot.send_message(ALICE, "un")
    assert raised.value.retry_after == dt.timedelta(seconds=7)
    assert server.requests[-1].status == 429 and server.requests[-1].injected
    await bot.send_message(ALICE, "deux")
    assert alice.chat.texts == ["deux"]

    server.fail_next("sendMessage", status=502)
    with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
        await bot.send_message(ALICE, "trois")
    server.fail_next("*", status=500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.get_me()
    assert server.pending_faults == []
    assert [r.status for r in server.requests[-5:]] == [429, 200, 502, 500, 500]
    assert server.violations == []


@pytest.mark.asyncio
async def test_blocked_user(server: FakeBotApi, bot: Bot) -> None:
    server.user(ALICE, "Alice")
    bob = server.user(1002, "Bob")
    server.block_user(1002)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(1002, "coucou")
    await bot.send_message(ALICE, "coucou")
    assert bob.messages == []
    assert server.violations == []
    assert server.requests[-2].status == 403 and server.requests[-2].injected


@pytest.mark.asyncio
async def test_raw_http_errors(server: FakeBotApi) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.base_url}{server.token}/sendTelepathy") as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with session.get(f"{server.base_url}999:wrong/getMe") as resp:
            assert resp.status == 401
            assert (await resp.json())["description"] == "Unauthorized"
        # Method names are case-insensitive, GET with a query string works.
        async with session.get(f"{server.base_url}{server.token}/GETME?") as resp:
            assert (await resp.json())["result"]["is_bot"] is True
    assert [v["error_code"] for v in server.violations] == [404, 401]


@pytest.mark.asyncio
async def test_second_poller_gets_conflict(server: FakeBotApi) -> None:
    async with (
        Bot(server.token, base_url=server.base_url) as first,
        Bot(server.token, base_url=server.base_url) as second,
    ):
        held = asyncio.create_task(first.get_updates(timeout=3))
        await asyncio.wait_for(server.updates.until_held(), 10)
        second_poll = asyncio.create_task(second.get_updates(timeout=0))
        with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates request"):
            await held
        assert await second_poll == ()
    assert [v["error_code"] for v in server.violations] == [409]


@pytest.mark.asyncio
async def test_wait_reply_timeout_reports_violations(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(ALICE, "Alice")
    with pytest.raises(BadRequest):
        await bot.send_message(ALICE, "<oops>", parse_mode="HTML")
    with pytest.raises(NoReply, match=r"(?i)can't parse entities"):
        await alice.wait_reply(timeout=0.1)


# ------------------------------------------------------------------------ HTML unit


def test_html_entities_offsets_in_utf16() -> None:
    formatted = format_text(
        '👍 <b>gras <i>et italique</i></b> <a href="https://ex.org/?a=1&amp;b=2">lien</a> &lt;3',
        "HTML",
        None,
    )
    assert formatted.text == "👍 gras et italique lien <3"
    assert formatted.entities == [
        {"type": "bold", "offset": 3, "length": 16},
        {"type": "italic", "offset": 8, "length": 11},
        {"type": "text_link", "offset": 20, "length": 4, "url": "https://ex.org/?a=1&b=2"},
    ]
    pre = format_text('<pre><code class="language-python">x = 1</code></pre>', "HTML", None)
    assert pre.entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]
    assert format_text("R&D", "HTML", None, strict=False).text == "R&D"  # Telegram's leniency
    with pytest.raises(HtmlParseError):
        format_text("R&D", "HTML", None)


def test_malformed_simulated_update_is_refused() -> None:
    server = FakeBotApi()
    with pytest.raises(ValueError, match=r"message\.chat"):
        server.push_update("message", {"message_id": 1, "date": 0, "text": "no chat"})


def test_reply_markup_json_is_checked_against_the_spec() -> None:
    server = FakeBotApi()
    spec = server.spec.method("sendMessage")
    assert spec is not None
    ok = json.dumps({"keyboard": [[{"text": "Paris"}]], "one_time_keyboard": True})
    assert server.spec.parse_params(spec, {"chat_id": "1", "text": "x", "reply_markup": ok}, {})


@pytest.mark.asyncio
async def test_misc_methods_and_custom_handler(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(ALICE, "Alice")
    group = server.group(-100777, "Club")
    assert await bot.send_chat_action(ALICE, "typing")
    assert alice.chat.chat_actions == ["typing"]
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(ALICE, "dancing")
    photo = await bot.send_photo(ALICE, b"img", caption="avant")
    await bot.edit_message_caption(ALICE, photo.message_id, caption="après")
    assert alice.last_message is not None and alice.last_message.text == "après"
    assert await bot.leave_chat(-100777)
    assert group.left
    with pytest.raises(Forbidden):
        await bot.send_message(-100777, "encore là ?")
    assert await bot.log_out() and await bot.close()

    async def get_chat(params: dict[str, Any]) -> dict[str, Any]:
        gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
        return {
            "id": params["chat_id"],
            "type": "private",
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys((*gifts, "gifts_from_channels"), False),
        }

    with pytest.raises(NetworkError, match=r"(?i)no handler for getChat"):
        await bot.get_chat(ALICE)
    server.set_handler("getChat", get_chat)
    assert (await bot.get_chat(ALICE)).id == ALICE
    assert [v["error_code"] for v in server.violations] == [400, 403, 501]
