"""An aiohttp transport for python-telegram-bot, replacing its default ``HTTPXRequest``.

Why: every Bot API call goes through PTB's request object, and the default one stacks httpx,
httpcore, anyio and h11, all pure Python. Profiling the bot put that stack at about 35% of its
CPU. aiohttp's HTTP parser and writer are compiled, and it has fewer layers per request, so
the same traffic costs much less CPU.

``AiohttpRequest`` behaves like ``HTTPXRequest`` where the bot can tell:

* the same requests on the wire: parameters form-encoded, files as multipart/form-data with
  the same field names, file names and content types, PTB's User-Agent, no redirects followed;
* the same timeouts: connect, read, write (``media_write_timeout`` for uploads) and pool, with
  PTB's ``DEFAULT_NONE`` meaning "the default given to the constructor";
* the same errors: ``TimedOut`` for any timeout, the pool one saying that nothing was sent,
  ``NetworkError`` for the rest; status codes are returned, never raised (PTB maps them).

Exception messages never contain the request URL, because it contains the bot token.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import ssl
import urllib.request
from typing import Final, TypeAlias
from urllib.parse import urlencode

import aiohttp
import certifi
from aiohttp.abc import AbstractStreamWriter
from aiohttp.payload import Payload
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

logger = logging.getLogger(__name__)

_POOL_TIMEOUT_MESSAGE: Final = (
    "Pool timeout: All connections in the connection pool are occupied. "
    "Request was *not* sent to Telegram. Consider adjusting the connection "
    "pool size or the pool timeout."
)
_FORM_CONTENT_TYPE: Final = "application/x-www-form-urlencoded"
# A body is written in slices of this size, each one within the write timeout: the same
# granularity as httpx, whose write timeout applies to each socket write.
_WRITE_CHUNK: Final = 64 * 1024
# aiohttp's writer only waits (drains) once more than 64 KiB are buffered. A body below this
# size, like that of every request without files, goes out without waiting: no timer needed.
_NEVER_WAITS: Final = 32 * 1024
# httpx escapes multipart parameters the HTML5 way; aiohttp (quote_fields=False) only
# backslash-escapes '"' and '\'. Escaping '"' and the control characters first makes aiohttp
# produce exactly httpx's bytes, and keeps a CR/LF in a file name out of the part headers.
_HTML5_ESCAPES: Final = {'"': "%22"} | {
    chr(code): f"%{code:02X}" for code in range(0x20) if code != 0x1B
}
_HTML5_ESCAPE_RE: Final = re.compile("|".join(map(re.escape, _HTML5_ESCAPES)))


def _html5_escape(value: str) -> str:
    return _HTML5_ESCAPE_RE.sub(lambda match: _HTML5_ESCAPES[match.group()], value)


def _redact(text: str, url: str) -> str:
    """``text`` without ``url`` or its path, which hold the bot token (``/bot<token>/...``)."""
    try:
        parsed = URL(url)
        origin = str(parsed.origin())
    except ValueError:  # not an absolute URL: hide all of it
        return text.replace(url, "<redacted>")
    for full in (url, str(parsed)):
        text = text.replace(full, f"{origin}/<redacted>")
    for path in (parsed.raw_path, parsed.path):
        if len(path) > 1:
            text = text.replace(path, "/<redacted>")
    return text


def _safe_message(error: BaseException, url: str) -> tuple[str, BaseException | None]:
    """A message for ``error`` without the token, and ``error`` if it is safe to chain.

    aiohttp puts the URL in some messages ("Connection timeout to host https://..."). Chaining
    such an exception would print the token in every logged traceback, so it is dropped.
    """
    name = type(error).__name__
    if type(error).__module__.startswith("aiohttp."):
        name = f"aiohttp.{name}"  # like HTTPXRequest's "httpx.ConnectError: ..."
    text = str(error)
    safe = _redact(text, url)
    return (f"{name}: {safe}" if safe else name), (error if safe == text else None)


def _proxy_for(url: URL, proxies: dict[str, str]) -> str | None:
    """The proxy of ``proxies`` (``urllib.request.getproxies()``) for ``url``, unless the
    standard library's ``proxy_bypass`` says to go direct (``NO_PROXY``, or the system's
    exceptions on macOS and Windows)."""
    proxy = proxies.get(url.scheme or "", proxies.get("all"))
    # With the port, so that a NO_PROXY entry with one ("example.org:443") applies to it only.
    address = f"{url.host or ''}:{url.port}" if url.port is not None else url.host or ""
    if not proxy or urllib.request.proxy_bypass(address):
        return None
    if not proxy.startswith(("http://", "https://")):
        logger.warning("proxy ignored: aiohttp supports only http:// and https:// proxies")
        return None
    return proxy


# PTB's own name for these, ``ODVInput[float]``, lives in a private module. A timeout is a
# number of seconds, ``None`` for no limit, or ``BaseRequest.DEFAULT_NONE`` for "not given".
Timeout: TypeAlias = object


def _seconds(timeout: Timeout, default: float | None) -> float | None:
    """``timeout`` in seconds, ``default`` when not given (PTB's documented ``is`` test)."""
    if timeout is BaseRequest.DEFAULT_NONE:
        return default
    if timeout is None or isinstance(timeout, int | float):
        return timeout
    raise TypeError(f"a timeout is a number of seconds or None, not {timeout!r}")


class WriteTimeoutError(TimeoutError):
    """Writing the request body took longer than the write timeout."""


class _Body(Payload):
    """A request body from bytes, written in slices, each one within ``write_timeout``.

    aiohttp has no write timeout. A TimeoutError raised while the body is written makes
    aiohttp drop the connection and raise that same TimeoutError from the request, which then
    becomes ``TimedOut`` like the other timeouts. The body is kept whole, so aiohttp can send
    it again if it retries on a fresh connection.
    """

    def __init__(self, body: bytes, content_type: str, write_timeout: float | None) -> None:
        super().__init__(body, content_type=content_type)
        self._body = body
        self._size = len(body)
        self._write_timeout = write_timeout

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return self._body.decode(encoding, errors)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return self._body

    async def write(self, writer: AbstractStreamWriter) -> None:
        await self.write_with_length(writer, None)

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: int | None
    ) -> None:
        view = memoryview(self._body)[:content_length]
        for start in range(0, len(view), _WRITE_CHUNK):
            chunk = view[start : start + _WRITE_CHUNK]
            if self._write_timeout is None or len(view) <= _NEVER_WAITS:
                await writer.write(chunk)
            else:
                try:
                    async with asyncio.timeout(self._write_timeout):
                        await writer.write(chunk)
                except TimeoutError:
                    raise WriteTimeoutError(
                        f"no write progress for {self._write_timeout} s"
                    ) from None


class AiohttpRequest(BaseRequest):
    """:class:`telegram.request.BaseRequest` on one ``aiohttp.ClientSession``.

    Args:
        connection_pool_size: How many requests may be in flight at once, so how many
            connections the pool holds (HTTP/1.1 sends one request at a time per connection).
        read_timeout: Default seconds to wait for each read of the response (``None``: no
            limit). ``getUpdates`` passes a longer one for long polling.
        write_timeout: Default seconds for each write of a request body without files.
        connect_timeout: Default seconds to open a connection: DNS, TCP and TLS.
        pool_timeout: Default seconds to wait for a free connection when all are in use.
        media_write_timeout: Like ``write_timeout``, for requests that upload files.
        proxy: An ``http://`` or ``https://`` proxy URL for every request. Without one, the
            ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``NO_PROXY`` variables are honoured, as httpx
            does; unlike httpx, aiohttp has no SOCKS support (such a variable is ignored, with
            a warning).
    """

    __slots__ = (
        "_connect_timeout",
        "_default_timeout",
        "_env_proxies",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_proxy",
        "_proxy_by_origin",
        "_read_timeout",
        "_session",
        "_shut_down",
        "_slots",
        "_ssl_context",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 16,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        proxy: str | None = None,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        if proxy is not None and not proxy.startswith(("http://", "https://")):
            raise ValueError("aiohttp supports only http:// and https:// proxies")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._proxy = proxy
        # The environment's proxies, read once (aiohttp's trust_env would parse the variables
        # again at every request), then resolved once per origin (NO_PROXY included).
        self._env_proxies = urllib.request.getproxies() if proxy is None else {}
        self._proxy_by_origin: dict[str, str | None] = {}
        self._default_timeout = self._client_timeout(read_timeout, connect_timeout)
        # httpx verifies servers against certifi's CA bundle, not the system's: do the same,
        # so that switching transport cannot break TLS on a host with stale CA certificates.
        self._ssl_context = ssl.create_default_context(cafile=certifi.where())
        self._session: aiohttp.ClientSession | None = None
        # Free connections. Waiting here, rather than in aiohttp's connector, is what tells a
        # pool timeout (nothing sent) from a connect timeout: aiohttp's ``connect`` timeout
        # covers both the wait for a free connection and opening a new one.
        self._slots: asyncio.Semaphore | None = None
        self._shut_down = False

    @staticmethod
    def _client_timeout(read: float | None, connect: float | None) -> aiohttp.ClientTimeout:
        # ``connect`` bounds DNS resolution plus every connection attempt (the slot is already
        # ours, see ``_slots``), ``sock_connect`` each attempt, as httpx's connect timeout does.
        # ``sock_read`` is restarted by every read and only starts once the body is sent: the
        # same as httpx's read timeout. No total: long polling sets its own read timeout.
        return aiohttp.ClientTimeout(
            total=None, connect=connect, sock_connect=connect, sock_read=read
        )

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout, as passed to the constructor."""
        return self._read_timeout

    def _open(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        connector = aiohttp.TCPConnector(limit=self._pool_size, ssl=self._ssl_context)
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.USER_AGENT},
            # Telegram sets no cookies; a dummy jar also saves the cookie work per request.
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=self._default_timeout,
            proxy=self._proxy,
        )
        # Created here rather than in __init__: a semaphore belongs to the loop it is used on.
        self._slots = asyncio.Semaphore(self._pool_size)
        self._shut_down = False
        return self._session, self._slots

    async def initialize(self) -> None:
        """Open the session; does nothing if it is already open."""
        if self._session is None or self._session.closed:
            self._open()

    async def shutdown(self) -> None:
        """Close the session and its connections; does nothing if already closed."""
        session, self._session, self._slots = self._session, None, None
        self._shut_down = True
        if session is not None:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        write_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        connect_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        pool_timeout: Timeout = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; returns the status code and the body, whatever the status."""
        if self._session is not None and self._slots is not None:
            session, slots = self._session, self._slots
        elif self._shut_down:
            # Like HTTPXRequest: a request after shutdown() is a bug, not a reason to leak a
            # session nobody will close.
            raise RuntimeError("This AiohttpRequest is shut down; call initialize() first")
        else:
            session, slots = self._open()

        has_files = request_data is not None and request_data.contains_files
        write = _seconds(
            write_timeout, self._media_write_timeout if has_files else self._write_timeout
        )
        pool = _seconds(pool_timeout, self._pool_timeout)
        if read_timeout is BaseRequest.DEFAULT_NONE and connect_timeout is BaseRequest.DEFAULT_NONE:
            timeout = self._default_timeout  # most requests: no new ClientTimeout
        else:
            timeout = self._client_timeout(
                _seconds(read_timeout, self._read_timeout),
                _seconds(connect_timeout, self._connect_timeout),
            )

        body: _Body | None = None
        skip_auto_headers: tuple[str, ...] | None = None
        if request_data is not None and has_files:
            body = await self._multipart(request_data, write)
        elif request_data is not None and (parameters := request_data.json_parameters):
            # What httpx sends for ``data=``: urlencode() of the JSON-encoded values.
            body = _Body(urlencode(parameters).encode(), _FORM_CONTENT_TYPE, write)
        elif method == "POST":
            # httpx sends a bare POST (getMe, close...) without a Content-Type.
            skip_auto_headers = ("Content-Type",)

        proxy = self._env_proxy(url) if self._env_proxies else None
        if slots.locked():
            try:
                async with asyncio.timeout(pool):
                    await slots.acquire()
            except TimeoutError:
                raise TimedOut(_POOL_TIMEOUT_MESSAGE) from None
        else:
            await slots.acquire()  # free: returns at once, so no timer to arm
        try:
            async with session.request(
                method,
                url,
                data=body,
                timeout=timeout,
                skip_auto_headers=skip_auto_headers,
                allow_redirects=False,
                proxy=proxy,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # asyncio's, and aiohttp's ServerTimeoutError family
            message, cause = _safe_message(error, url)
            raise TimedOut(f"Timed out: {message}") from cause
        except (aiohttp.ClientError, OSError) as error:
            message, cause = _safe_message(error, url)
            raise NetworkError(message) from cause
        finally:
            slots.release()

    def _env_proxy(self, url: str) -> str | None:
        """The proxy the environment sets for ``url``'s origin, or ``None``."""
        origin = url.split("/", 3)[2] if url.count("/") >= 2 else ""
        key = f"{url.partition(':')[0]}://{origin}"
        if key not in self._proxy_by_origin:
            self._proxy_by_origin[key] = _proxy_for(URL(url), self._env_proxies)
        return self._proxy_by_origin[key]

    @staticmethod
    async def _multipart(request_data: RequestData, write_timeout: float | None) -> _Body:
        """The multipart body httpx builds from ``data=json_parameters, files=multipart_data``.

        Serialized up front so that ``_Body`` can apply the write timeout to each slice.
        """
        form = aiohttp.FormData(quote_fields=False, default_to_multipart=True)
        for name, value in request_data.json_parameters.items():
            form.add_field(_html5_escape(name), value)
        for name, (filename, content, mimetype) in request_data.multipart_data.items():
            form.add_field(
                _html5_escape(name),
                # aiohttp warns about raw bytes over 1 MiB; a BytesIO is the same content.
                io.BytesIO(content) if isinstance(content, bytes) else content,
                filename=_html5_escape(filename),
                content_type=mimetype,
            )
        writer = form()
        return _Body(await writer.as_bytes(), writer.content_type, write_timeout)
