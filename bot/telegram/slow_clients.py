"""uvicorn's HTTP protocol with a deadline on request headers (uvicorn has none).

A client that opens a connection and sends its headers a byte at a time (slowloris) would hold
the connection for as long as it likes: uvicorn's keep-alive timeout only starts after a
response. Here every request's headers must be complete within ``header_timeout`` seconds of
the connection (or of the request's first byte on a kept-alive connection), or the connection
is closed.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _HeaderDeadline(HttpToolsProtocol):
    header_timeout: float = 10.0
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()  # a new request on a kept-alive connection

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.logger.warning("event=webhook_slow_headers")
            self.transport.close()


def headers_within(seconds: float) -> type[HttpToolsProtocol]:
    """The protocol class for ``uvicorn.Config(http=...)``, with its header deadline."""
    return type("HeaderDeadline", (_HeaderDeadline,), {"header_timeout": seconds})
