"""A small web site on 127.0.0.1 for the link check: each path answers one way, and the server
counts the connections open at once (what a polite checker bounds). HTTP/1.1 with keep-alive,
written on asyncio streams so that every connection is seen."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# path -> (status for HEAD, status for GET, Location or "")
ROUTES: dict[str, tuple[int, int, str]] = {
    "/ok": (200, 200, ""),
    "/moved": (301, 301, "/ok"),
    "/gone": (404, 404, ""),
    "/removed": (410, 410, ""),
    "/loop-a": (302, 302, "/loop-b"),
    "/loop-b": (302, 302, "/loop-a"),
    "/no-head": (405, 200, ""),
    "/slow": (200, 200, ""),  # answers after ``slow_seconds``
}


class LinkSite:
    """The site; ``most_open`` counts connections, ``requests`` the requests.

    Paths may carry a query (``/ok?n=12``): a thousand distinct URLs answering alike.
    """

    def __init__(
        self,
        slow_seconds: float = 30.0,
        delay_seconds: float = 0.0,
        tls: ssl.SSLContext | None = None,  # HTTPS with this server context
    ) -> None:
        self.tls = tls
        self.slow_seconds = slow_seconds
        self.delay_seconds = delay_seconds  # every answer waits this long (a busy server)
        self.port = 0
        self.open_now = 0
        self.most_open = 0
        self.connections = 0
        self.requests: list[tuple[str, str, str]] = []  # method, path, User-Agent
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[object]] = set()

    def url(self, path: str) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", 0, backlog=2048, ssl=self.tls
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Open at this moment: this one, and those whose client has not closed its end. Asked of
        # the sockets themselves: a close the loop has not yet handled is a close all the same.
        live = 1 + sum(not _peer_closed(other) for other in self._writers)
        self._writers.add(writer)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self.open_now += 1
        self.connections += 1
        self.most_open = max(self.most_open, live)
        try:
            while await self._answer(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass  # the site stops
        finally:
            self._tasks.discard(task)
            self._writers.discard(writer)
            self.open_now -= 1
            writer.close()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        request = await reader.readuntil(b"\r\n\r\n")
        lines = request.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        path = target.split("?", 1)[0]
        self.requests.append((method, path, headers.get("User-Agent", "")))
        head_status, get_status, location = ROUTES.get(path, (404, 404, ""))
        if path == "/slow" and await self._closed_within(reader, self.slow_seconds):
            return False  # the client gave up: its connection is no longer open
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        status = head_status if method == "HEAD" else get_status
        body = b"" if method == "HEAD" else b"<html>ok</html>"
        extra = f"Location: {location}\r\n" if location else ""
        writer.write(
            f"HTTP/1.1 {status} X\r\n{extra}Content-Length: {len(body)}\r\n\r\n".encode() + body
        )
        await writer.drain()
        return True

    @staticmethod
    async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
        """Wait ``seconds`` unless the client closes first (then True): the count stays true."""
        try:
            return await asyncio.wait_for(reader.read(1), seconds) == b""
        except TimeoutError:
            return False


def _peer_closed(writer: asyncio.StreamWriter) -> bool:
    """Whether the client closed (or reset) the connection, peeking at a copy of its socket."""
    sock = writer.get_extra_info("socket")
    if sock is None or sock.fileno() < 0:
        return True
    with socket.socket(fileno=os.dup(sock.fileno())) as probe:
        try:
            return probe.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False  # open, nothing to read
        except OSError:
            return True


@contextmanager
def site_in_thread(slow_seconds: float = 30.0, delay_seconds: float = 0.0) -> Iterator[LinkSite]:
    """The site served by its own event loop in a thread: for code that runs ``asyncio.run``."""
    site = LinkSite(slow_seconds=slow_seconds, delay_seconds=delay_seconds)
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(site.start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield site
    finally:
        asyncio.run_coroutine_threadsafe(site.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
