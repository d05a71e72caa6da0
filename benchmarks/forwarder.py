"""A tiny round-robin HTTP forwarder: the load balancer in front of several webhook replicas.

Telegram posts every update to one URL; behind it, a reverse proxy spreads the requests over
the replicas. This one sends each request to the next replica in turn (nginx's default) and
hands the replica's answer back, so Telegram's retry-until-200 still holds end to end.
"""

from __future__ import annotations

import itertools
from collections import Counter

from aiohttp import ClientSession, web

# Only what the webhook reads: the body's type and Telegram's secret.
_FORWARDED = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


class RoundRobin:
    """Listens on 127.0.0.1 (a free port) and forwards to ``backends`` in turn."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.counts: Counter[str] = Counter()
        self._next = itertools.cycle(backends)
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self.url = ""

    async def __aenter__(self) -> RoundRobin:
        self._session = ClientSession()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        backend = next(self._next)
        self.counts[backend] += 1
        headers = {name: request.headers[name] for name in _FORWARDED if name in request.headers}
        async with self._session.request(
            request.method, backend + request.path_qs, headers=headers, data=await request.read()
        ) as answer:
            return web.Response(status=answer.status, body=await answer.read())
