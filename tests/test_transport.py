"""bot.telegram.transport.AiohttpRequest: on the wire like PTB's HTTPXRequest, same errors."""

from __future__ import annotations

import ast
import asyncio
import socket
import traceback
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import BodyPartReader, web
from fakeapi import FakeBotApi
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter
from yarl import URL

from bot.telegram.transport import AiohttpRequest, _proxy_for, _redact

TOKEN = "123456:SECRETtokenThatMustNeverBeLogged0000000"
# Characters httpx escapes in multipart file names: a quote, a backslash, a newline.
FILENAME = 'r\u00e9sum\u00e9 "final"\\\nv2.txt'


@dataclass
class Received:
    method: str
    path: str
    host: str
    headers: dict[str, str]
    body: bytes = b""
    # Multipart parts: (Content-Disposition, Content-Type of file parts, content).
    parts: list[tuple[str, str | None, bytes]] = field(default_factory=list)


@dataclass
class Recorder:
    url: str = ""
    received: list[Received] = field(default_factory=list)

    def api(self, method: str) -> str:
        return f"{self.url}/bot{TOKEN}/{method}"


def request_data(**params: object) -> RequestData:
    return RequestData([RequestParameter.from_input(name, value) for name, value in params.items()])


@pytest_asyncio.fixture
async def recorder() -> AsyncIterator[Recorder]:
    """A local HTTP server recording every request exactly as it arrived."""
    recorder = Recorder()

    async def handle(request: web.Request) -> web.StreamResponse:
        entry = Received(request.method, request.path, request.host, dict(request.headers))
        recorder.received.append(entry)
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                assert isinstance(part, BodyPartReader)
                file_type = part.headers.get("Content-Type") if part.filename else None
                entry.parts.append(
                    (part.headers["Content-Disposition"], file_type, bytes(await part.read()))
                )
        else:
            entry.body = await request.read()
        if request.path.endswith("/slow"):
            await asyncio.sleep(float(request.query["delay"]))
        if request.path.endswith("/fail"):
            return web.json_response({"ok": False, "description": "Bad Request: nope"}, status=400)
        if request.path.startswith("/file/"):
            return web.Response(body=b"\x00\x01downloaded\xff")
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    recorder.url = f"http://127.0.0.1:{port}"
    yield recorder
    await runner.cleanup()


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A port whose accept queue is full: connection attempts hang (SYNs are dropped)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = int(listener.getsockname()[1])
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    yield port
    for filler in fillers:
        filler.close()
    listener.close()


def assert_token_hidden(error: BaseException) -> None:
    """Neither the message nor the traceback that would be logged shows the token."""
    assert TOKEN not in str(error)
    assert TOKEN not in "".join(traceback.format_exception(error))


# ------------------------------------------------------------------ same requests as httpx


@pytest.mark.asyncio
async def test_form_parameters_are_sent_exactly_like_httpx(recorder: Recorder) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Oui & non ✓", callback_data="y")]])
    data = request_data(chat_id=1001, text="Café <b>& co</b>\nligne 2", reply_markup=markup)
    for transport in (HTTPXRequest(), AiohttpRequest()):
        async with transport:
            status, payload = await transport.do_request(
                recorder.api("sendMessage"), "POST", request_data=data
            )
        assert (status, payload) == (200, b'{"ok": true, "result": true}')
    by_httpx, by_aiohttp = recorder.received
    assert by_aiohttp.body == by_httpx.body
    assert b"reply_markup=%7B%22inline_keyboard%22" in by_aiohttp.body
    for name in ("Content-Type", "Content-Length", "User-Agent"):
        assert by_aiohttp.headers[name] == by_httpx.headers[name]
    assert by_aiohttp.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert by_aiohttp.headers["User-Agent"] == BaseRequest.USER_AGENT


@pytest.mark.asyncio
async def test_multipart_upload_is_sent_like_httpx(recorder: Recorder) -> None:
    document = InputFile(b"\x00binary\r\n--not-a-boundary\xff", filename=FILENAME)
    data = request_data(chat_id=1001, caption="Rapport été", document=document)
    for transport in (HTTPXRequest(), AiohttpRequest()):
        async with transport:
            status, _ = await transport.do_request(
                recorder.api("sendDocument"), "POST", request_data=data
            )
        assert status == 200
    by_httpx, by_aiohttp = recorder.received
    assert by_aiohttp.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    # Same part names, file name (escaped byte for byte like httpx), file type and content.
    assert by_aiohttp.parts == by_httpx.parts
    assert [disposition for disposition, _, _ in by_aiohttp.parts] == [
        'form-data; name="chat_id"',
        'form-data; name="caption"',
        'form-data; name="document"; filename="résumé %22final%22\\\\%0Av2.txt"',
    ]


@pytest.mark.asyncio
async def test_bare_post_has_no_body_and_no_content_type_like_httpx(recorder: Recorder) -> None:
    for transport in (HTTPXRequest(), AiohttpRequest()):
        async with transport:
            await transport.do_request(recorder.api("getMe"), "POST", request_data=RequestData())
    by_httpx, by_aiohttp = recorder.received
    assert "Content-Type" not in by_httpx.headers
    assert "Content-Type" not in by_aiohttp.headers
    assert by_aiohttp.body == by_httpx.body == b""


@pytest.mark.asyncio
async def test_error_status_is_returned_then_mapped_by_ptb(recorder: Recorder) -> None:
    async with AiohttpRequest() as transport:
        status, payload = await transport.do_request(recorder.api("fail"), "POST")
        assert status == 400
        assert b"Bad Request: nope" in payload
        with pytest.raises(BadRequest, match="Nope"):
            await transport.post(recorder.api("fail"), request_data=request_data(chat_id=1))


@pytest.mark.asyncio
async def test_file_download_is_a_get(recorder: Recorder) -> None:
    url = f"{recorder.url}/file/bot{TOKEN}/documents/file_1.bin"
    async with AiohttpRequest() as transport:
        assert await transport.do_request(url, "GET") == (200, b"\x00\x01downloaded\xff")
        assert await transport.retrieve(url) == b"\x00\x01downloaded\xff"
    assert [(r.method, r.body) for r in recorder.received] == [("GET", b""), ("GET", b"")]


@pytest.mark.asyncio
async def test_proxy_receives_the_requests(recorder: Recorder) -> None:
    async with AiohttpRequest(proxy=recorder.url) as transport:
        status, _ = await transport.do_request(
            f"http://api.telegram.invalid/bot{TOKEN}/getMe", "POST"
        )
    assert status == 200
    (received,) = recorder.received
    assert (received.host, received.path) == ("api.telegram.invalid", f"/bot{TOKEN}/getMe")


def test_socks_proxies_are_refused_up_front() -> None:
    with pytest.raises(ValueError, match="http"):
        AiohttpRequest(proxy="socks5://127.0.0.1:1080")


# ------------------------------------------------------------------ timeouts


@pytest.mark.asyncio
async def test_read_timeout_raises_timed_out(recorder: Recorder) -> None:
    async with AiohttpRequest(read_timeout=5) as transport:
        with pytest.raises(TimedOut, match="SocketTimeoutError") as caught:
            await transport.do_request(recorder.api("slow?delay=0.5"), "POST", read_timeout=0.2)
    assert_token_hidden(caught.value)


@pytest.mark.asyncio
async def test_long_polling_read_timeout_overrides_the_default(recorder: Recorder) -> None:
    # getUpdates passes read_timeout = default + poll timeout, longer than the server's wait.
    async with AiohttpRequest(read_timeout=0.2) as transport:
        assert transport.read_timeout == 0.2
        status, _ = await transport.do_request(
            recorder.api("slow?delay=0.6"), "POST", read_timeout=1.5
        )
        assert status == 200
        with pytest.raises(TimedOut):  # and the default still applies when none is given
            await transport.do_request(recorder.api("slow?delay=0.6"), "POST")


@pytest.mark.asyncio
async def test_pool_timeout_raises_timed_out_without_sending(recorder: Recorder) -> None:
    async with AiohttpRequest(connection_pool_size=1, pool_timeout=0.1) as transport:
        busy = asyncio.create_task(transport.do_request(recorder.api("slow?delay=0.5"), "POST"))
        await asyncio.sleep(0.1)
        with pytest.raises(TimedOut, match=r"Pool timeout: All connections .* \*not\* sent"):
            await transport.do_request(recorder.api("getMe"), "POST")
        assert (await busy)[0] == 200
        # The slot is free again.
        assert (await transport.do_request(recorder.api("getMe"), "POST"))[0] == 200
    assert [r.path.rsplit("/", 1)[1] for r in recorder.received] == ["slow", "getMe"]


@pytest.mark.asyncio
async def test_connect_timeout_raises_timed_out_without_the_token(unanswered_port: int) -> None:
    # aiohttp's own message is "Connection timeout to host <the whole URL>".
    async with AiohttpRequest(connect_timeout=0.2) as transport:
        with pytest.raises(TimedOut, match="ConnectionTimeoutError") as caught:
            await transport.do_request(
                f"http://127.0.0.1:{unanswered_port}/bot{TOKEN}/getMe", "POST"
            )
    assert_token_hidden(caught.value)
    assert f"http://127.0.0.1:{unanswered_port}/<redacted>" in str(caught.value)


@pytest.mark.asyncio
async def test_stalled_upload_hits_the_media_write_timeout() -> None:
    # A server that accepts but never reads: the upload fills the socket buffers and stalls.
    # No read timeout applies yet (the body is not sent), only the write timeout does.
    connections: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    big = InputFile(b"x" * (32 * 1024 * 1024), filename="big.bin")
    try:
        async with AiohttpRequest(write_timeout=60, media_write_timeout=0.3) as transport:
            with pytest.raises(TimedOut, match=r"no write progress for 0\.3 s") as caught:
                await transport.do_request(
                    f"http://127.0.0.1:{port}/bot{TOKEN}/sendDocument",
                    "POST",
                    request_data=request_data(chat_id=1, document=big),
                    read_timeout=None,
                )
        assert_token_hidden(caught.value)
    finally:
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()


# ------------------------------------------------------------------ network errors


@pytest.mark.asyncio
async def test_connection_refused_raises_network_error_without_the_token(
    closed_port: int,
) -> None:
    async with AiohttpRequest() as transport:
        with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError") as caught:
            await transport.do_request(f"http://127.0.0.1:{closed_port}/bot{TOKEN}/getMe", "POST")
    assert not isinstance(caught.value, TimedOut)
    assert f"127.0.0.1:{closed_port}" in str(caught.value)
    assert_token_hidden(caught.value)


def test_redact_keeps_only_the_origin() -> None:
    url = f"https://api.telegram.org/file/bot{TOKEN}/documents/a b.pdf"
    text = f"Connection timeout to host {url}; path /file/bot{TOKEN}/documents/a%20b.pdf"
    assert _redact(text, url) == (
        "Connection timeout to host https://api.telegram.org/<redacted>; path /<redacted>"
    )


# ------------------------------------------------------------------ lifecycle


@pytest.mark.asyncio
async def test_initialize_and_shutdown_are_idempotent(recorder: Recorder) -> None:
    transport = AiohttpRequest()
    await transport.initialize()
    session = transport._session
    await transport.initialize()
    assert transport._session is session is not None
    await transport.shutdown()
    assert session.closed
    await transport.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        await transport.do_request(recorder.api("getMe"), "POST")
    # PTB may initialize a bot again after shutting it down.
    await transport.initialize()
    assert (await transport.do_request(recorder.api("getMe"), "POST"))[0] == 200
    await transport.shutdown()


@pytest.mark.asyncio
async def test_a_request_before_initialize_opens_the_session(recorder: Recorder) -> None:
    transport = AiohttpRequest()
    try:
        assert (await transport.do_request(recorder.api("getMe"), "POST"))[0] == 200
        assert transport._session is not None
    finally:
        await transport.shutdown()
    assert transport._session is None


# ------------------------------------------------------------------ a real Bot


@pytest.mark.asyncio
async def test_real_bot_on_the_fake_bot_api(server: FakeBotApi) -> None:
    alice = server.user(1001, "Alice", language_code="fr")
    bot = Bot(
        server.token,
        base_url=server.base_url,
        base_file_url=server.base_file_url,
        request=AiohttpRequest(),
        # A default read timeout shorter than the poll: long polling must still work.
        get_updates_request=AiohttpRequest(connection_pool_size=1, read_timeout=0.5),
    )
    async with bot:
        me = await bot.get_me()
        assert me.is_bot
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="yes")]])
        sent = await bot.send_message(
            alice.id, "Bonjour <b>Alice</b> &amp; co", "HTML", reply_markup=markup
        )
        assert sent.reply_markup == markup
        document = await bot.send_document(
            alice.id, document=b"col1;col2\n1;2\n", filename="r\u00e9sultats.csv", caption="Été"
        )
        assert document.document is not None
        assert document.document.file_name == "r\u00e9sultats.csv"

        assert await bot.get_updates(timeout=1) == ()  # the server holds the poll 1 s
        await alice.send_document("notes.txt", b"some notes", "text/plain")
        (update,) = await bot.get_updates(timeout=1)
        assert update.message is not None and update.message.document is not None
        telegram_file = await bot.get_file(update.message.document.file_id)
        assert await telegram_file.download_as_bytearray() == bytearray(b"some notes")

    assert alice.messages[0].has_button("Oui")
    assert alice.messages[1].kind == "document"
    assert alice.messages[1].file is not None
    assert alice.messages[1].file.data == b"col1;col2\n1;2\n"
    assert server.violations == []


@pytest.mark.asyncio
async def test_the_environment_proxy_is_honoured_like_httpx(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", recorder.url)
    monkeypatch.setenv("NO_PROXY", "localhost,.internal.example")
    async with AiohttpRequest() as transport:
        status, _ = await transport.do_request(
            f"http://api.telegram.invalid/bot{TOKEN}/getMe", "POST"
        )
        assert status == 200
        # A host NO_PROXY names goes direct: here, nothing listens there.
        with pytest.raises(NetworkError):
            await transport.do_request(f"http://bot.internal.example/bot{TOKEN}/getMe", "POST")
    (received,) = recorder.received
    assert (received.host, received.path) == ("api.telegram.invalid", f"/bot{TOKEN}/getMe")


@pytest.mark.parametrize(
    ("url", "no_proxy", "bypassed"),
    [
        ("https://api.telegram.org/bot1/getMe", "", False),
        ("https://api.telegram.org/bot1/getMe", "*", True),
        ("https://api.telegram.org/bot1/getMe", "telegram.org", True),
        ("https://api.telegram.org/bot1/getMe", " .TELEGRAM.org ", True),
        ("https://api.telegram.org/bot1/getMe", "telegram.org:443", True),
        ("https://api.telegram.org/bot1/getMe", "telegram.org:80", False),
        ("https://api.telegram.org/bot1/getMe", "gram.org", False),
        ("http://localhost:8081/bot1/getMe", "example.org,localhost", True),
    ],
)
def test_no_proxy_follows_the_standard_library(
    url: str, no_proxy: str, bypassed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_PROXY", no_proxy)
    monkeypatch.delenv("no_proxy", raising=False)
    proxies = {"http": "http://proxy.invalid:3128", "https": "http://proxy.invalid:3128"}
    assert (_proxy_for(URL(url), proxies) is None) is bypassed


def test_a_socks_proxy_in_the_environment_is_ignored_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    proxies = {"https": "socks5://127.0.0.1:1080"}
    assert _proxy_for(URL("https://api.telegram.org/bot1/getMe"), proxies) is None
    assert "proxy ignored" in caplog.text


def _private_telegram_imports(source: str) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return [name for name in names if name.split(".")[0] == "telegram"
            and any(part.startswith("_") for part in name.split(".")[1:])]


def test_the_private_import_check_catches_them() -> None:
    assert _private_telegram_imports(
        "from telegram._utils.types import ODVInput\n"
        "import telegram.ext._application\n"
        "from telegram.request import _requestparameter\n"
        "from telegram.request import BaseRequest\n"
        "from telegram.ext import Application\n"
    ) == ["telegram._utils.types", "telegram._utils.types.ODVInput",
          "telegram.ext._application", "telegram.request._requestparameter"]


def test_the_bot_uses_only_public_telegram_modules() -> None:
    """A private module (``telegram._utils``...) can change in any PTB release, without notice."""
    root = Path(__file__).parent.parent
    offenders = {
        str(path.relative_to(root)): found
        for path in sorted((root / "bot").rglob("*.py"))
        if (found := _private_telegram_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
