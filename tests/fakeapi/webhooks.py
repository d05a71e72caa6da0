"""Webhook delivery: Telegram's side of webhook mode, for the fake Bot API server.

Once the bot has called ``setWebhook``, every update is POSTed to the webhook, as Telegram
does:

* with the ``secret_token`` of ``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``;
* at most ``max_connections`` requests at once (``setWebhook``'s parameter, default 40);
* the updates of one chat one at a time, in order: the next one leaves when the previous
  one was answered (an assumption: Telegram documents no order, but keeps each chat's);
* an update is sent again, after ``retry_delay``, until the webhook answers 2xx.

Telegram calls the registered public HTTPS URL; TLS ends at a reverse proxy in front of the
bot. Here ``target`` is where that proxy would forward to (default: the registered URL).

    async with FakeBotApi() as server:
        async with WebhookDelivery(server, target="http://127.0.0.1:8080/telegram"):
            ...  # the bot in webhook mode there: users' updates now reach it by POST

``transport`` (an ``httpx.ASGITransport``, say) delivers to an app in process instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx

from .server import FakeBotApi

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _chat_of(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to (its order is kept), if any."""
    for kind, payload in update.items():
        if kind == "update_id" or not isinstance(payload, dict):
            continue
        message = payload.get("message", payload)
        chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        sender = payload.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return None


class WebhookDelivery:
    """POSTs the fake server's updates to the bot's webhook until stopped."""

    def __init__(
        self,
        server: FakeBotApi,
        *,
        target: str | None = None,
        retry_delay: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.server = server
        self.transport = transport
        self.target = target
        self.retry_delay = retry_delay
        self.delivered: list[int] = []  # update ids, in the order they were acknowledged
        self.failures = 0  # answers other than 2xx, and requests that could not be sent
        self._chats: dict[int | None, asyncio.Queue[dict[str, Any]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self._slots: asyncio.Semaphore | None = None

    async def __aenter__(self) -> WebhookDelivery:
        self._client = httpx.AsyncClient(timeout=60, transport=self.transport)
        self._runner = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for task in [*self._tasks, *([self._runner] if self._runner else [])]:
            task.cancel()
        await asyncio.gather(*self._tasks, *([self._runner] if self._runner else []),
                             return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def _webhook(self) -> tuple[str, str | None, int] | None:
        """The registered webhook: URL, secret token, max_connections; ``None`` when unset."""
        if not self.server.methods.webhook_url:
            return None
        params = self.server.calls("setWebhook")[-1].params
        return (
            self.server.methods.webhook_url,
            params.get("secret_token"),
            int(params.get("max_connections") or 40),
        )

    async def _run(self) -> None:
        offset: int | None = None
        while True:
            webhook = self._webhook()
            if webhook is None:  # updates wait until the bot calls setWebhook
                await asyncio.sleep(0.02)
                continue
            if self._slots is None:  # max_connections of the first setWebhook
                self._slots = asyncio.Semaphore(webhook[2])
            # Long polling the queue directly: taken updates are Telegram's to deliver now.
            allowed = self.server.methods.webhook_allowed_updates
            batch = await self.server.updates.get(offset, 100, 1, allowed)
            for update in batch:
                offset = update["update_id"] + 1
                chat = _chat_of(update)
                if chat not in self._chats:
                    self._chats[chat] = asyncio.Queue()
                    task = asyncio.create_task(self._deliver_chat(self._chats[chat]))
                    self._tasks.add(task)
                self._chats[chat].put_nowait(update)

    async def _deliver_chat(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        while True:
            update = await queue.get()
            while not await self._post(update):
                self.failures += 1
                await asyncio.sleep(self.retry_delay)
            self.delivered.append(update["update_id"])

    async def _post(self, update: dict[str, Any]) -> bool:
        webhook = self._webhook()
        assert webhook is not None and self._client is not None and self._slots is not None
        url, secret, _ = webhook
        headers = {SECRET_HEADER: secret} if secret else {}
        async with self._slots:
            with contextlib.suppress(httpx.HTTPError):
                response = await self._client.post(
                    self.target or url, json=update, headers=headers
                )
                return response.is_success
        return False
