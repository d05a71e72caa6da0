"""The fake Bot API's webhook delivery (``fakeapi.webhooks``): Telegram pushing updates."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
from fakeapi import FakeBotApi
from fakeapi.webhooks import WebhookDelivery
from replica_helpers import SECRET, URL, webhook_settings
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram_helpers import has_button

from bot.chats.database import Database
from bot.telegram.application import build_application, serve_webhook
from catalog.maintenance.sample import ensure_catalogue
from catalog.store.db import SessionMaker

pytestmark = pytest.mark.asyncio



async def test_the_bot_in_webhook_mode_gets_pushed_updates(
    server: FakeBotApi, engine: AsyncEngine, sessions: SessionMaker, database_url: str
) -> None:
    async with sessions() as session:
        await ensure_catalogue(session=session)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = webhook_settings(server, database_url).model_copy(
        update={"listen": f"127.0.0.1:{port}"}
    )
    application = build_application(settings, database=Database(engine, sessions))
    stop = asyncio.Event()
    target = f"http://127.0.0.1:{port}/telegram"
    async with WebhookDelivery(server, target=target) as delivery:
        serving = asyncio.create_task(serve_webhook(application, settings, stop))
        try:
            user = server.user(4001, "Flo", language_code="en")
            await user.send_text("/start")
            await user.wait_for(has_button("Me"), timeout=20)
            await user.press("Me")
            await user.wait_for(has_button("26 to 44"))
        finally:
            stop.set()
            await asyncio.wait_for(serving, 20)
    assert server.methods.webhook_url == URL
    assert len(delivery.delivered) == 2


async def test_updates_are_retried_until_acknowledged_in_each_chats_order(
    server: FakeBotApi,
) -> None:
    received: list[tuple[int, int, str]] = []  # chat, update id, secret
    refusals = {"left": 2}

    async def webhook(request: Request) -> Response:
        update = await request.json()
        if refusals["left"]:
            refusals["left"] -= 1
            return Response(status_code=500)
        chat = update["message"]["chat"]["id"]
        secret = request.headers["x-telegram-bot-api-secret-token"]
        received.append((chat, update["update_id"], secret))
        return Response(status_code=200)

    app = Starlette(routes=[Route("/hook", webhook, methods=["POST"])])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient() as bot:  # the bot's setWebhook call
        answer = await bot.post(
            f"{server.base_url}{server.token}/setWebhook",
            json={"url": "https://x.org/hook", "secret_token": SECRET},
        )
        assert answer.json()["ok"]
    users = [server.user(4100 + n, f"U{n}") for n in range(3)]
    for number in range(4):
        for user in users:
            await user.send_text(f"message {number}")
    async with WebhookDelivery(
        server, target="http://fake/hook", retry_delay=0.01, transport=transport
    ) as delivery:
        for _ in range(200):
            if len(delivery.delivered) == 12:
                break
            await asyncio.sleep(0.01)
    assert delivery.failures == 2
    assert {secret for _, _, secret in received} == {SECRET}
    for user in users:
        ids = [update_id for chat, update_id, _ in received if chat == user.id]
        assert ids == sorted(ids) and len(ids) == 4

