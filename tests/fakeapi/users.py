"""Simulated Telegram users and chats, as seen from the test's side.

A ``SimUser`` produces updates (texts, commands, locations, documents, button presses)
and a ``SimChat`` records what the bot did in that chat (messages sent, edits,
deletions, chat actions), with ``wait_reply``/``wait_for`` helpers because the bot
processes updates asynchronously: after ``await user.send_text("/start")`` the answer
has not arrived yet, so tests wait for it (never ``sleep``).

Reading model: each chat keeps an ordered log of bot *events* (a message sent, edited
or deleted).  Each chat has a read cursor: ``wait_reply``/``wait_for`` consume events
after it, and every user action moves it to the end of the log, so "the reply" always
means "what the bot did after my last action".
"""

# The waiting helpers take a ``timeout`` argument on purpose: it is the API tests read
# best (``await user.wait_reply(timeout=2)``), hence no ASYNC109 here.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .html import utf16_len

if TYPE_CHECKING:
    from .files import FileStore, StoredFile

DEFAULT_TIMEOUT = 5.0


class NoReply(AssertionError):
    """The bot did not send/edit what was awaited in time (a test failure)."""


class World(Protocol):
    """What simulated users need from the server (implemented by ``FakeBotApi``)."""

    files: FileStore
    violations: list[dict[str, Any]]

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]: ...

    def register_callback_query(self, query_id: str, user: SimUser, chat: SimChat) -> None: ...


@dataclass
class BotMessage:
    """A message the bot sent, kept up to date with its edits.

    ``raw`` is the Bot API ``Message`` object as last returned to the bot; ``history``
    holds its previous versions (oldest first).  ``reply_markup`` is the markup as the
    bot sent it: unlike ``raw``, it also keeps reply keyboards / ForceReply /
    ReplyKeyboardRemove, which Telegram does not echo back in ``Message``.
    """

    chat_id: int
    message_id: int
    kind: str  # "message" (text), "venue", "location", "photo", "document"
    raw: dict[str, Any]
    reply_markup: dict[str, Any] | None = None
    file: StoredFile | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    @property
    def text(self) -> str | None:
        """The text, or the caption for media messages."""
        value = self.raw.get("text", self.raw.get("caption"))
        return value if isinstance(value, str) else None

    @property
    def entities(self) -> list[dict[str, Any]]:
        return list(self.raw.get("entities", self.raw.get("caption_entities", [])))

    @property
    def edited(self) -> bool:
        return bool(self.history)

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        markup = self.raw.get("reply_markup") or {}
        return [list(row) for row in markup.get("inline_keyboard", [])]

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline buttons, flattened row by row."""
        return [button for row in self.inline_keyboard for button in row]

    @property
    def button_texts(self) -> list[str]:
        return [button["text"] for button in self.buttons]

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Texts of a ReplyKeyboardMarkup sent with this message, if any."""
        if not self.reply_markup or "keyboard" not in self.reply_markup:
            return None
        return [
            [button if isinstance(button, str) else button["text"] for button in row]
            for row in self.reply_markup["keyboard"]
        ]

    @property
    def removes_keyboard(self) -> bool:
        return bool(self.reply_markup and self.reply_markup.get("remove_keyboard"))

    def button(self, label: str) -> dict[str, Any]:
        """The inline button whose text or callback_data is ``label``."""
        for button in self.buttons:
            if label in (button.get("text"), button.get("callback_data")):
                return button
        raise LookupError(
            f"no inline button {label!r} on message {self.message_id}; buttons: {self.button_texts}"
        )

    def has_button(self, label: str) -> bool:
        return any(label in (b.get("text"), b.get("callback_data")) for b in self.buttons)

    def __getitem__(self, key: str) -> Any:
        """Shortcut to the raw Message fields: ``msg["venue"]["title"]``."""
        return self.raw[key]

    def __repr__(self) -> str:
        state = " (deleted)" if self.deleted else " (edited)" if self.edited else ""
        return (
            f"BotMessage(#{self.message_id} {self.kind}{state} text={self.text!r} "
            f"buttons={self.button_texts})"
        )


@dataclass(frozen=True)
class ChatEvent:
    kind: Literal["sent", "edited", "deleted"]
    message: BotMessage


@dataclass(frozen=True)
class CallbackAnswer:
    """One answerCallbackQuery call as the user received it."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


class _Signal:
    """'Something changed' notification for waiters in the same event loop."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._event  # captured before checking: no lost wake-up
            if condition():
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return condition()


class SimChat:
    """A chat (private, group or supergroup) and everything the bot did in it."""

    def __init__(self, world: World, info: dict[str, Any]) -> None:
        self.world = world
        self.info = info  # the Bot API Chat object
        self.messages: list[BotMessage] = []
        self.events: list[ChatEvent] = []
        self.user_messages: list[dict[str, Any]] = []
        self.chat_actions: list[str] = []
        self.left = False  # the bot called leaveChat
        self._message_ids = itertools.count(1)
        self._bot_by_id: dict[int, BotMessage] = {}
        self._user_by_id: dict[int, dict[str, Any]] = {}
        self._cursor = 0
        self._signal = _Signal()
        # Telegram's chat_instance is an opaque per-chat string in callback queries.
        self.chat_instance = str(abs(self.id) * 7919 + 104729)

    @property
    def id(self) -> int:
        return int(self.info["id"])

    @property
    def type(self) -> str:
        return str(self.info["type"])

    # ----------------------------------------------------------- bookkeeping

    def next_message_id(self) -> int:
        return next(self._message_ids)

    def bot_message(self, message_id: int) -> BotMessage | None:
        return self._bot_by_id.get(message_id)

    def user_message(self, message_id: int) -> dict[str, Any] | None:
        return self._user_by_id.get(message_id)

    def add_user_message(self, message: dict[str, Any]) -> None:
        self.user_messages.append(message)
        self._user_by_id[message["message_id"]] = message
        self.mark_read()

    def record(self, kind: Literal["sent", "edited", "deleted"], message: BotMessage) -> None:
        if kind == "sent":
            self.messages.append(message)
            self._bot_by_id[message.message_id] = message
        self.events.append(ChatEvent(kind, message))
        self._signal.notify()

    def record_action(self, action: str) -> None:
        self.chat_actions.append(action)
        self._signal.notify()

    def mark_read(self) -> None:
        """Consider everything the bot did so far as already seen."""
        self._cursor = len(self.events)

    @property
    def last_message(self) -> BotMessage | None:
        alive = [m for m in self.messages if not m.deleted]
        return alive[-1] if alive else None

    @property
    def last_keyboard_message(self) -> BotMessage | None:
        """The latest bot message still carrying an inline keyboard."""
        for message in reversed(self.messages):
            if not message.deleted and message.inline_keyboard:
                return message
        return None

    @property
    def texts(self) -> list[str | None]:
        return [m.text for m in self.messages if not m.deleted]

    # ---------------------------------------------------------------- waiting

    def _unread(self) -> Iterator[ChatEvent]:
        while self._cursor < len(self.events):
            event = self.events[self._cursor]
            self._cursor += 1
            yield event

    async def wait_for(
        self,
        predicate: Callable[[BotMessage], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        kinds: tuple[str, ...] = ("sent", "edited"),
    ) -> BotMessage:
        """Wait for a new bot message or edit (after the read cursor) matching ``predicate``.

        Events that do not match are consumed.  Raises ``NoReply`` on timeout, with
        the bot's recent activity and the server's violations to ease debugging.
        """
        found: list[BotMessage] = []

        def scan() -> bool:
            for event in self._unread():
                if event.kind in kinds and (predicate is None or predicate(event.message)):
                    found.append(event.message)
                    return True
            return False

        if await self._signal.wait_until(scan, timeout):
            return found[0]
        raise NoReply(self._timeout_report(timeout))

    async def wait_reply(self, timeout: float = DEFAULT_TIMEOUT) -> BotMessage:
        """The next message sent or edited by the bot in this chat."""
        return await self.wait_for(None, timeout)

    async def wait_replies(self, count: int, timeout: float = DEFAULT_TIMEOUT) -> list[BotMessage]:
        return [await self.wait_for(None, timeout) for _ in range(count)]

    async def wait_action(self, action: str = "typing", timeout: float = DEFAULT_TIMEOUT) -> None:
        start = len(self.chat_actions)
        if not await self._signal.wait_until(lambda: action in self.chat_actions[start:], timeout):
            raise NoReply(f"no sendChatAction({action!r}) in chat {self.id} within {timeout}s")

    async def expect_no_reply(self, within: float = 0.3) -> None:
        """Assert the bot stays silent (no send/edit) for ``within`` seconds."""
        await asyncio.sleep(within)
        unexpected = [e for e in self._unread() if e.kind != "deleted"]
        if unexpected:
            raise AssertionError(
                f"expected no reply in chat {self.id}, got: "
                + ", ".join(f"{e.kind} {e.message!r}" for e in unexpected)
            )

    def _timeout_report(self, timeout: float) -> str:
        recent = ", ".join(f"{e.kind} {e.message!r}" for e in self.events[-5:]) or "nothing"
        lines = [
            f"no matching bot reply in chat {self.id} within {timeout}s.",
            f"  last bot events in this chat: {recent}",
        ]
        if self.world.violations:
            lines.append("  API violations so far:")
            lines += [f"    {v['method']}: {v['description']}" for v in self.world.violations[-5:]]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"SimChat({self.id}, {self.type}, {len(self.messages)} bot messages)"


class SimUser:
    """A human Telegram user talking to the bot.

    By default actions happen in the user's private chat (whose id equals the user id);
    pass ``chat=group`` to act in a group.  Reading helpers (``messages``,
    ``wait_reply``...) look at the private chat.
    """

    def __init__(self, world: World, info: dict[str, Any], private_chat: SimChat) -> None:
        self.world = world
        self.info = info  # the Bot API User object
        self.chat = private_chat
        self.callback_answers: list[CallbackAnswer] = []
        self._answers_signal = _Signal()
        self._query_ids = itertools.count(1)
        self.last_query_id: str | None = None

    @property
    def id(self) -> int:
        return int(self.info["id"])

    @property
    def first_name(self) -> str:
        return str(self.info["first_name"])

    @property
    def language_code(self) -> str | None:
        return self.info.get("language_code")

    # ---- reading, delegated to the private chat

    @property
    def messages(self) -> list[BotMessage]:
        return self.chat.messages

    @property
    def last_message(self) -> BotMessage | None:
        return self.chat.last_message

    async def wait_reply(self, timeout: float = DEFAULT_TIMEOUT) -> BotMessage:
        return await self.chat.wait_reply(timeout)

    async def wait_for(
        self,
        predicate: Callable[[BotMessage], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> BotMessage:
        return await self.chat.wait_for(predicate, timeout)

    async def expect_no_reply(self, within: float = 0.3) -> None:
        await self.chat.expect_no_reply(within)

    # ---- sending

    async def send_message(self, chat: SimChat | None = None, **content: Any) -> dict[str, Any]:
        """Send a raw message: ``content`` is merged into the Bot API Message object."""
        target = chat or self.chat
        message: dict[str, Any] = {
            "message_id": target.next_message_id(),
            "from": self.info,
            "chat": target.info,
            "date": int(time.time()),
            **content,
        }
        target.add_user_message(message)
        self.world.push_update("message", message)
        await asyncio.sleep(0)  # let a held getUpdates answer right away
        return message

    async def send_text(
        self, text: str, *, chat: SimChat | None = None, reply_to: int | None = None
    ) -> dict[str, Any]:
        """Send a text; a leading ``/command`` gets its ``bot_command`` entity."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        if reply_to is not None:
            target = chat or self.chat
            original = target.user_message(reply_to) or (
                bot_msg.raw if (bot_msg := target.bot_message(reply_to)) else None
            )
            if original is None:
                raise LookupError(f"no message {reply_to} in chat {target.id}")
            content["reply_to_message"] = {
                k: v for k, v in original.items() if k != "reply_to_message"
            }
        return await self.send_message(chat, **content)

    async def send_location(
        self, latitude: float, longitude: float, *, chat: SimChat | None = None
    ) -> dict[str, Any]:
        return await self.send_message(
            chat, location={"latitude": latitude, "longitude": longitude}
        )

    async def send_contact(
        self, phone_number: str, *, chat: SimChat | None = None
    ) -> dict[str, Any]:
        contact = {"phone_number": phone_number, "first_name": self.first_name, "user_id": self.id}
        return await self.send_message(chat, contact=contact)

    async def send_document(
        self,
        filename: str,
        data: bytes,
        mime_type: str = "application/octet-stream",
        *,
        caption: str | None = None,
        chat: SimChat | None = None,
    ) -> dict[str, Any]:
        """Send a file; the bot can ``getFile`` it and download the same bytes."""
        stored = self.world.files.add("document", data, file_name=filename, mime_type=mime_type)
        content: dict[str, Any] = {"document": stored.as_document()}
        if caption is not None:
            content["caption"] = caption
        return await self.send_message(chat, **content)

    async def send_photo(
        self,
        data: bytes = b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9",
        *,
        caption: str | None = None,
        chat: SimChat | None = None,
    ) -> dict[str, Any]:
        stored = self.world.files.add("photo", data, mime_type="image/jpeg")
        content: dict[str, Any] = {"photo": stored.as_photo()}
        if caption is not None:
            content["caption"] = caption
        return await self.send_message(chat, **content)

    async def send_sticker(
        self, emoji: str = "👍", *, chat: SimChat | None = None
    ) -> dict[str, Any]:
        stored = self.world.files.add("sticker", b"RIFF-fake-webp", mime_type="image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.file_size,
        }
        return await self.send_message(chat, sticker=sticker)

    async def send_voice(
        self, data: bytes = b"OggS-fake-opus", duration: int = 2, *, chat: SimChat | None = None
    ) -> dict[str, Any]:
        stored = self.world.files.add("voice", data, mime_type="audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.file_size,
        }
        return await self.send_message(chat, voice=voice)

    # ---- buttons

    async def press(
        self, label: str, message: BotMessage | None = None, *, chat: SimChat | None = None
    ) -> str:
        """Click the inline button whose text or callback_data is ``label``.

        Defaults to the latest bot message that has an inline keyboard.  Returns the
        callback query id (see ``wait_callback_answer``).
        """
        target = chat or self.chat
        message = message or target.last_keyboard_message
        if message is None:
            raise LookupError(f"no bot message with an inline keyboard in chat {target.id}")
        if message.deleted:
            raise LookupError(f"message {message.message_id} was deleted by the bot")
        button = message.button(label)
        if "callback_data" not in button:
            raise LookupError(f"button {button['text']!r} has no callback_data: {button}")
        return await self.press_data(button["callback_data"], message, chat=target)

    async def press_data(
        self, data: str, message: BotMessage | None = None, *, chat: SimChat | None = None
    ) -> str:
        """Send a callback query with arbitrary (possibly forged or stale) data."""
        target = chat or self.chat
        message = message or target.last_message
        if message is None:
            raise LookupError(f"no bot message to attach a callback query to in chat {target.id}")
        query_id = f"{self.id}{next(self._query_ids):06d}"
        self.last_query_id = query_id
        target.mark_read()
        self.world.register_callback_query(query_id, self, target)
        self.world.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": self.info,
                "message": message.raw,
                "chat_instance": target.chat_instance,
                "data": data,
            },
        )
        await asyncio.sleep(0)
        return query_id

    def record_callback_answer(self, answer: CallbackAnswer) -> None:
        self.callback_answers.append(answer)
        self._answers_signal.notify()

    async def wait_callback_answer(
        self, query_id: str | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> CallbackAnswer:
        """Wait for answerCallbackQuery (for ``query_id``, or the latest press)."""
        query_id = query_id or self.last_query_id

        def answered() -> CallbackAnswer | None:
            for answer in reversed(self.callback_answers):
                if query_id in (None, answer.callback_query_id):
                    return answer
            return None

        if await self._answers_signal.wait_until(lambda: answered() is not None, timeout):
            result = answered()
            assert result is not None
            return result
        raise NoReply(
            f"callback query {query_id or '(any)'} of user {self.id} not answered in {timeout}s"
        )

    def __repr__(self) -> str:
        return f"SimUser({self.id}, {self.first_name!r}, lang={self.language_code!r})"
