"""The fake Telegram Bot API HTTP server.

Usage (inside an async test)::

    async with FakeBotApi() as server:
        app = (
            ApplicationBuilder()
            .token(server.token)
            .base_url(server.base_url)            # f"{server.url}/bot"
            .base_file_url(server.base_file_url)  # f"{server.url}/file/bot"
            .build()
        )
        user = server.user(user_id=1001, first_name="Alice", language_code="fr")
        ...
        assert server.violations == []

Request pipeline, in this order (each failure is answered as Telegram would):

1. parameters are read from the query string and the body (form-urlencoded, multipart
   with file parts, or JSON);
2. the token must be the configured one (401 Unauthorized);
3. the method must exist in the API description, case-insensitively (404 Not Found);
4. parameters are validated against the description (400);
5. injected faults (``fail_next``, ``block_user``) fire, *after* validation so that an
   invalid request is reported even while a fault is armed;
6. the method runs (semantic checks: 400, 403...).

Every non-injected error is appended to ``violations``: it means the bot did something
the real API refuses (or, for unknown parameters, silently ignores).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .errors import STATUS_DESCRIPTIONS, ApiError, bad_request
from .files import FileStore
from .flood import FloodControl
from .methods import BotMethods, Handler
from .spec import ApiSpec, SchemaError, UploadedFile
from .updates import PollSuperseded, UpdateQueue
from .users import SimChat, SimUser

DEFAULT_TOKEN = "123456789:AAFakeTokenForTremplinEndToEndTests0"
MAX_REQUEST_SIZE = 64 * 1024 * 1024


@dataclass
class RecordedRequest:
    """One API call, as logged in ``FakeBotApi.requests``."""

    method: str
    params: dict[str, Any]  # as received: strings, plus UploadedFile for file parts
    status: int = 200
    result: Any = None
    description: str | None = None
    injected: bool = False
    at: float = field(default_factory=time.monotonic)  # when it was received

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Fault:
    method: str  # canonical method name, or "*" for any method
    status: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | None = None

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.method not in ("*", method):
            return False
        return self.chat_id is None or params.get("chat_id") == self.chat_id


@dataclass
class _Block:
    description: str


class FakeBotApi:
    """Fake Bot API server on 127.0.0.1 (random free port), run in the test's loop."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "tremplin_test_bot",
        bot_first_name: str = "Tremplin",
        strict_html: bool = True,
        check_responses: bool = True,
        spec: ApiSpec | None = None,
        flood: FloodControl | None = None,
    ) -> None:
        self.token = token
        # Telegram's message limits (None: unlimited), see fakeapi.flood.
        self.flood = flood
        self.spec = spec or ApiSpec.load()
        # Telegram tokens start with the bot's user id.
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.strict_html = strict_html
        self.check_responses = check_responses

        self.requests: list[RecordedRequest] = []
        self.violations: list[dict[str, Any]] = []
        self.downloads: list[str] = []  # file paths downloaded by the bot
        self.files = FileStore()
        self.updates = UpdateQueue(self.spec.update_types)
        self.methods = BotMethods(self)

        self._users: dict[int, SimUser] = {}
        self._chats: dict[int, SimChat] = {}
        self._callback_queries: dict[str, SimUser] = {}
        self._blocked: dict[int, _Block] = {}
        self._faults: list[Fault] = []
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # ------------------------------------------------------------- lifecycle

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_REQUEST_SIZE)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_download)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_path)
        # No access log (noise), short shutdown: held long polls are released in stop().
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        self.updates.close()  # answer held getUpdates now instead of after their timeout
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:41234``."""
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url()`` / ``Bot(base_url=...)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder().base_file_url()`` / ``Bot(base_file_url=...)``."""
        return f"{self.url}/file/bot"

    # ------------------------------------------------------ simulated world

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        is_premium: bool | None = None,
    ) -> SimUser:
        """Get or create a user and its private chat (chat id == user id)."""
        if user_id in self._users:
            return self._users[user_id]
        if user_id <= 0:
            raise ValueError("user ids are positive")
        info: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat_info: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value is not None:
                info[key] = chat_info[key] = value
        if language_code is not None:
            info["language_code"] = language_code
        if is_premium:
            info["is_premium"] = True
        chat = SimChat(self, chat_info)
        user = SimUser(self, info, chat)
        self._chats[user_id] = chat
        self._users[user_id] = user
        return user

    def group(
        self,
        chat_id: int,
        title: str = "Test group",
        *,
        type: str = "supergroup",  # mirrors the Bot API field name
        username: str | None = None,
    ) -> SimChat:
        """Get or create a group/supergroup chat (negative id)."""
        if chat_id in self._chats:
            return self._chats[chat_id]
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        if type not in ("group", "supergroup"):
            raise ValueError("type must be 'group' or 'supergroup'")
        info: dict[str, Any] = {"id": chat_id, "type": type, "title": title}
        if username is not None:
            info["username"] = username
        chat = SimChat(self, info)
        self._chats[chat_id] = chat
        return chat

    def chat(self, chat_id: int) -> SimChat:
        return self._chats[chat_id]

    def find_chat(self, chat_id: int | str) -> SimChat | None:
        if isinstance(chat_id, int):
            return self._chats.get(chat_id)
        if chat_id.startswith("@"):
            for chat in self._chats.values():
                if chat.info.get("username", "").lower() == chat_id[1:].lower():
                    return chat
        return None

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (escape hatch for update kinds users cannot produce).

        The payload is checked against the API description first, so a hand-written
        update that PTB could not parse fails here, in the test, with a clear message.
        """
        field = self.spec.types["Update"].fields.get(kind)
        if field is None or kind == "update_id":
            raise ValueError(f"unknown update type {kind!r}")
        try:
            self.spec.check_union(payload, field.types, kind, None, None)
        except SchemaError as exc:
            raise ValueError(f"malformed {kind} update: {exc}") from None
        return self.updates.push(kind, payload)

    def register_callback_query(self, query_id: str, user: SimUser, chat: SimChat) -> None:
        self._callback_queries[query_id] = user

    def take_callback_query(self, query_id: str) -> SimUser | None:
        """The user who pressed, once: a query can be answered only one time."""
        return self._callback_queries.pop(query_id, None)

    @property
    def commands(self) -> dict[tuple[str, str], list[dict[str, str]]]:
        """setMyCommands state: (scope JSON, language_code) -> commands."""
        return self.methods.commands

    def my_commands(
        self, language_code: str = "", scope: dict[str, Any] | None = None
    ) -> list[str]:
        """Command names registered for a scope/language (default scope by default)."""
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return [c["command"] for c in self.methods.commands.get(key, [])]

    def calls(self, method: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method]

    # ------------------------------------------------------------- faults

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int | None = None,
        *,
        description: str | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``times`` valid calls of ``method`` ("*" = any) fail.

        ``status=429`` answers "Too Many Requests: retry after N" with
        ``parameters.retry_after`` (PTB raises ``RetryAfter``); 500/502/... answer the
        usual server errors (PTB raises ``NetworkError``); other statuses need
        ``description`` unless listed in ``STATUS_DESCRIPTIONS``.
        """
        if method != "*":
            spec = self.spec.method(method)
            if spec is None:
                raise ValueError(f"unknown Bot API method {method!r}")
            method = spec.name
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
            description = description or f"Too Many Requests: retry after {retry_after}"
        elif description is None:
            if status not in STATUS_DESCRIPTIONS:
                raise ValueError(f"give a description for HTTP status {status}")
            description = STATUS_DESCRIPTIONS[status]
        self._faults.append(
            Fault(
                method, status, description, retry_after if status == 429 else None, times, chat_id
            )
        )

    @property
    def pending_faults(self) -> list[Fault]:
        return [f for f in self._faults if f.remaining > 0]

    def block_user(
        self, user_id: int, description: str = "Forbidden: bot was blocked by the user"
    ) -> None:
        """Every call targeting this user's chat now answers 403 (not a violation)."""
        self._blocked[user_id] = _Block(description)

    def unblock_user(self, user_id: int) -> None:
        self._blocked.pop(user_id, None)

    def set_handler(self, method: str, handler: Handler) -> None:
        """Implement (or override) a method: ``async def handler(params) -> result``."""
        spec = self.spec.method(method)
        if spec is None:
            raise ValueError(f"unknown Bot API method {method!r}")
        self.methods.handlers[spec.name] = handler

    def _injected_fault(self, method: str, params: dict[str, Any]) -> ApiError | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.matches(method, params):
                fault.remaining -= 1
                return ApiError(
                    fault.status, fault.description, retry_after=fault.retry_after, injected=True
                )
        chat_id = params.get("chat_id")
        if isinstance(chat_id, int) and chat_id in self._blocked:
            return ApiError(403, self._blocked[chat_id].description, injected=True)
        return None

    # ---------------------------------------------------------------- HTTP

    async def _read_params(
        self, request: web.Request
    ) -> tuple[dict[str, str], dict[str, UploadedFile]]:
        raw: dict[str, str] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if not request.body_exists:
            return raw, files
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("JSON body must be an object")
            # Like the real server: JSON values are taken as their string form.
            for key, value in body.items():
                if value is not None:
                    raw[key] = value if isinstance(value, str) else json.dumps(value)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(
                        key, value.filename, value.content_type, value.file.read()
                    )
                    value.file.close()
                else:
                    raw[key] = str(value)
        else:
            raise bad_request(f"unsupported Content-Type {content_type!r}")
        return raw, files

    @staticmethod
    def _respond(error: ApiError | None, result: Any = None) -> web.Response:
        if error is None:
            return web.json_response({"ok": True, "result": result})
        return web.json_response(error.payload(), status=error.error_code)

    def _record(
        self, method: str, params: dict[str, Any], error: ApiError | None, result: Any = None
    ) -> None:
        entry = RecordedRequest(method, params)
        if error is None:
            entry.result = result
        else:
            entry.status = error.error_code
            entry.description = error.description
            entry.injected = error.injected
            if not error.injected:
                self.violations.append(
                    {
                        "method": method,
                        "params": params,
                        "description": error.description,
                        "error_code": error.error_code,
                    }
                )
        self.requests.append(entry)

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        try:
            raw, files = await self._read_params(request)
            params = {**raw, **files}
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            spec = self.spec.method(method)
            if spec is None:
                raise ApiError(404, "Not Found")
            method = spec.name
            parsed = self.spec.parse_params(spec, raw, files)
            fault = self._injected_fault(method, parsed)
            if fault is None and self.flood is not None:
                fault = self.flood.check(method, parsed)
            if fault is not None:
                raise fault
            result = await self._run(method, parsed, request)
        except ApiError as error:
            self._record(method, params, error)
            return self._respond(error)
        self._record(method, params, None, result)
        return self._respond(None, result)

    async def _run(self, method: str, params: dict[str, Any], request: web.Request) -> Any:
        handler: Callable[[dict[str, Any]], Awaitable[Any]] | None = self.methods.handlers.get(
            method
        )
        if handler is None:
            raise ApiError(501, f"Not Implemented: the fake Bot API has no handler for {method}")
        try:
            result = await handler(params)
        except PollSuperseded:
            # PTB cancels its pending poll when stopping and polls once more: the
            # superseded request then has nobody listening, which is not a bug.  The
            # client's disconnection may reach us slightly after the new poll, so give
            # it a moment (only a live second poller pays this delay).
            abandoned = False
            for _ in range(50):
                transport = request.transport
                abandoned = transport is None or transport.is_closing()
                if abandoned:
                    break
                await asyncio.sleep(0.01)
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
                injected=abandoned,
            ) from None
        if self.check_responses:
            spec = self.spec.methods[method]
            try:
                self.spec.check_union(result, spec.returns, "result", None, None)
            except SchemaError as exc:
                raise ApiError(
                    500, f"Internal Server Error: fake API bug, invalid result: {exc}"
                ) from None
        return result

    async def _handle_download(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        error: ApiError | None = None
        if request.match_info["token"] != self.token:
            error = ApiError(401, "Unauthorized")
        else:
            stored = self.files.by_path(path)
            if stored is not None:
                self.downloads.append(path)
                return web.Response(
                    body=stored.data, content_type=stored.mime_type or "application/octet-stream"
                )
            error = ApiError(404, "Not Found")
        self._record("<download>", {"path": path}, error)
        return self._respond(error)

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        error = ApiError(404, "Not Found")
        self._record("<unknown path>", {"path": request.path}, error)
        return self._respond(error)

    def __repr__(self) -> str:
        where = self.url if self._port else "not started"
        return (
            f"FakeBotApi({where}, {len(self.requests)} requests, {len(self.violations)} violations)"
        )
