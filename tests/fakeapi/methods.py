"""Implementations of the Bot API methods the fake supports.

Handlers receive parameters already validated and coerced against the API description
(see ``spec.py``); here live the *semantic* rules Telegram enforces on top of the
schema (message length, HTML, callback_data size, "message is not modified"...), and
the state changes visible to tests (messages recorded in the simulated chats).

Every handler returns the JSON ``result`` or raises ``ApiError``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .errors import ApiError, bad_request, forbidden
from .files import MAX_DOWNLOAD_SIZE, StoredFile
from .html import MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, FormattedText, HtmlParseError, format_text
from .spec import UploadedFile
from .users import BotMessage, CallbackAnswer, SimChat

if TYPE_CHECKING:
    from .server import FakeBotApi

Handler = Callable[[dict[str, Any]], Awaitable[Any]]

MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_COMMANDS = 100
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def _now() -> int:
    return int(time.time())


class BotMethods:
    def __init__(self, server: FakeBotApi) -> None:
        self.server = server
        # (canonical scope JSON, language_code) -> list of BotCommand
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook_url = ""
        self.webhook_allowed_updates: list[str] | None = None
        self.handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "sendLocation": self.send_location,
            "sendVenue": self.send_venue,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "getFile": self.get_file,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "sendChatAction": self.send_chat_action,
            "leaveChat": self.leave_chat,
            "close": self.true,
            "logOut": self.true,
        }

    # ------------------------------------------------------------ helpers

    async def true(self, params: dict[str, Any]) -> bool:
        return True

    def _chat(self, chat_id: int | str) -> SimChat:
        chat = self.server.find_chat(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.left:
            raise forbidden("bot is not a member of the group chat")
        return chat

    def _format(
        self,
        text: str,
        params: dict[str, Any],
        *,
        entities_key: str = "entities",
        caption: bool = False,
    ) -> FormattedText:
        parse_mode = params.get("parse_mode")
        if parse_mode is not None and parse_mode.lower() == "none":
            parse_mode = None
        try:
            formatted = format_text(
                text, parse_mode, params.get(entities_key), strict=self.server.strict_html
            )
        except HtmlParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
        except ValueError as exc:
            if "parse_mode" in str(exc):
                raise bad_request("unsupported parse_mode") from None
            raise bad_request(f"can't parse entities: {exc}") from None
        if caption:
            if formatted.length > MAX_CAPTION_LENGTH:
                raise bad_request("message caption is too long")
        else:
            if not formatted.text:
                raise bad_request("message text is empty")
            if formatted.length > MAX_TEXT_LENGTH:
                raise bad_request("message is too long")
        return formatted

    @staticmethod
    def _check_markup(markup: dict[str, Any] | None) -> None:
        """Rules on keyboards that the schema cannot express."""
        if not markup:
            return
        if "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                for button in row:
                    data = button.get("callback_data")
                    if (
                        data is not None
                        and not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                    ):
                        raise bad_request("BUTTON_DATA_INVALID")
                    actions = set(button) - {"text", "icon_custom_emoji_id", "style"}
                    if not actions:
                        raise bad_request(
                            "can't parse inline keyboard button: "
                            "Text buttons are unallowed in the inline keyboard"
                        )
                    if not button["text"]:
                        raise bad_request(
                            "can't parse inline keyboard button: Text must be non-empty"
                        )
        if "keyboard" in markup:
            for row in markup["keyboard"]:
                for button in row:
                    if isinstance(button, dict) and not button.get("text"):
                        raise bad_request("can't parse keyboard button: Text must be non-empty")

    def _reply_to(self, chat: SimChat, params: dict[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        if not reply:
            return None
        target_chat = self._chat(reply["chat_id"]) if "chat_id" in reply else chat
        message_id = reply["message_id"]
        original = target_chat.user_message(message_id)
        if (
            original is None
            and (bot_msg := target_chat.bot_message(message_id))
            and not bot_msg.deleted
        ):
            original = bot_msg.raw
        if original is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        # The replied message is embedded without its own reply_to_message.
        return {k: v for k, v in original.items() if k != "reply_to_message"}

    def _send(
        self,
        params: dict[str, Any],
        kind: str,
        content: dict[str, Any],
        file: StoredFile | None = None,
    ) -> dict[str, Any]:
        """Record a new bot message in the target chat and return the Message object."""
        chat = self._chat(params["chat_id"])
        markup = params.get("reply_markup")
        self._check_markup(markup)
        reply_to = self._reply_to(chat, params)
        raw: dict[str, Any] = {
            "message_id": chat.next_message_id(),
            "from": self.server.bot_user,
            "chat": chat.info,
            "date": _now(),
        }
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        raw.update(content)
        # Only inline keyboards are part of the Message object Telegram returns.
        if markup and "inline_keyboard" in markup:
            raw["reply_markup"] = markup
        message = BotMessage(
            chat_id=chat.id,
            message_id=raw["message_id"],
            kind=kind,
            raw=raw,
            reply_markup=markup,
            file=file,
        )
        chat.record("sent", message)
        return raw

    def _caption(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("caption") is None:
            return {}
        formatted = self._format(
            params["caption"], params, entities_key="caption_entities", caption=True
        )
        content: dict[str, Any] = {}
        if formatted.text:
            content["caption"] = formatted.text
        if formatted.entities:
            content["caption_entities"] = formatted.entities
        return content

    def _input_file(self, value: UploadedFile | str, kind: str) -> StoredFile:
        """Resolve an InputFile-or-String parameter: upload, file_id or HTTP URL."""
        files = self.server.files
        if isinstance(value, UploadedFile):
            return files.add(
                kind,
                value.data,
                file_name=value.filename or None,
                mime_type=value.content_type or None,
            )
        existing = files.get(value)
        if existing is not None:
            compatible = {"photo": {"photo"}, "document": {"document", "photo", "voice"}}
            if existing.kind not in compatible.get(kind, {kind}):
                raise bad_request(
                    f"can't use file of type {existing.kind.capitalize()} as {kind.capitalize()}"
                )
            return existing
        if value.startswith(("http://", "https://")):
            # Telegram would download it; the fake records the URL with empty content.
            name = value.rstrip("/").rsplit("/", 1)[-1] or None
            return files.add(kind, b"", file_name=name, source_url=value)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _editable(self, params: dict[str, Any]) -> tuple[SimChat, BotMessage]:
        if params.get("inline_message_id") is not None:
            raise bad_request("MESSAGE_ID_INVALID")  # inline mode is not simulated
        if params.get("chat_id") is None:
            raise bad_request("chat_id is empty")
        if params.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        chat = self._chat(params["chat_id"])
        message = chat.bot_message(params["message_id"])
        if message is None or message.deleted:
            if chat.user_message(params["message_id"]) is not None:
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return chat, message

    def _apply_edit(
        self, chat: SimChat, message: BotMessage, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Apply ``changes`` (None values remove keys) or fail with 'not modified'."""
        new_raw = dict(message.raw)
        for key, value in changes.items():
            if value is None:
                new_raw.pop(key, None)
            else:
                new_raw[key] = value
        if all(new_raw.get(k) == message.raw.get(k) for k in changes):
            raise bad_request(NOT_MODIFIED)
        new_raw["edit_date"] = _now()
        message.history.append(message.raw)
        message.raw = new_raw
        if "reply_markup" in changes:
            message.reply_markup = changes["reply_markup"]
        chat.record("edited", message)
        return new_raw

    # ------------------------------------------------------------ methods

    async def get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.server.bot_user

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        allowed = params.get("allowed_updates")
        if allowed is not None:
            unknown = sorted(set(allowed) - set(self.server.updates.update_types))
            if unknown:
                raise bad_request(f"unknown update types in allowed_updates: {unknown}")
        return await self.server.updates.get(
            params.get("offset"), params.get("limit"), params.get("timeout"), allowed
        )

    async def set_webhook(self, params: dict[str, Any]) -> bool:
        url = params["url"]
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        self.webhook_allowed_updates = params.get("allowed_updates")
        if params.get("drop_pending_updates"):
            self.server.updates.drop_pending()
        return True

    async def delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self.server.updates.drop_pending()
        return True

    async def get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.server.updates.pending),
        }
        if self.webhook_url and self.webhook_allowed_updates is not None:
            info["allowed_updates"] = self.webhook_allowed_updates
        return info

    async def send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        formatted = self._format(params["text"], params)
        content: dict[str, Any] = {"text": formatted.text}
        if formatted.entities:
            content["entities"] = formatted.entities
        if params.get("link_preview_options"):
            content["link_preview_options"] = params["link_preview_options"]
        return self._send(params, "message", content)

    @staticmethod
    def _location(params: dict[str, Any]) -> dict[str, Any]:
        latitude, longitude = params["latitude"], params["longitude"]
        if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
            raise bad_request("wrong latitude/longitude specified")  # hypothetical wording
        location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        for key in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
            if params.get(key) is not None:
                location[key] = params[key]
        return location

    async def send_location(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send(params, "location", {"location": self._location(params)})

    async def send_venue(self, params: dict[str, Any]) -> dict[str, Any]:
        location = self._location(params)
        venue: dict[str, Any] = {
            "location": location,
            "title": params["title"],
            "address": params["address"],
        }
        for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            if params.get(key) is not None:
                venue[key] = params[key]
        # Telegram fills both "venue" and "location" for venue messages.
        return self._send(params, "venue", {"venue": venue, "location": location})

    async def send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        self._chat(params["chat_id"])  # fail on an unknown chat before storing anything
        caption = self._caption(params)
        stored = self._input_file(params["photo"], "photo")
        content = {"photo": stored.as_photo(), **caption}
        if params.get("has_spoiler"):
            content["has_media_spoiler"] = True
        return self._send(params, "photo", content, stored)

    async def send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        self._chat(params["chat_id"])
        caption = self._caption(params)
        stored = self._input_file(params["document"], "document")
        return self._send(params, "document", {"document": stored.as_document(), **caption}, stored)

    async def edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._editable(params)
        if "text" not in message.raw:
            raise bad_request("there is no text in the message to edit")
        if params.get("text") is None:
            raise bad_request("message text is empty")
        formatted = self._format(params["text"], params)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        # Omitting reply_markup in an edit removes the inline keyboard, as in Telegram.
        return self._apply_edit(
            chat,
            message,
            {
                "text": formatted.text,
                "entities": formatted.entities or None,
                "reply_markup": markup or None,
            },
        )

    async def edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._editable(params)
        if message.kind not in ("photo", "document"):
            raise bad_request("there is no caption in the message to edit")
        caption = self._caption(params)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        return self._apply_edit(
            chat,
            message,
            {
                "caption": caption.get("caption"),
                "caption_entities": caption.get("caption_entities"),
                "reply_markup": markup or None,
            },
        )

    async def edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._editable(params)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        return self._apply_edit(chat, message, {"reply_markup": markup or None})

    async def delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params["chat_id"])
        message = chat.bot_message(params["message_id"])
        if message is None or message.deleted:
            if chat.user_message(params["message_id"]) is not None:
                return True  # deleting a user's message in a private chat is allowed
            raise bad_request("message to delete not found")
        message.deleted = True
        chat.record("deleted", message)
        return True

    async def answer_callback_query(self, params: dict[str, Any]) -> bool:
        text = params.get("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        query = self.server.take_callback_query(params["callback_query_id"])
        if query is None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        query.record_callback_answer(
            CallbackAnswer(
                callback_query_id=params["callback_query_id"],
                text=text,
                show_alert=bool(params.get("show_alert", False)),
                url=params.get("url"),
                cache_time=params.get("cache_time"),
            )
        )
        return True

    async def get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.server.files.get(params["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise bad_request("file is too big")
        return stored.as_file()

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code") or ""

    async def set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params["commands"]
        if len(commands) > MAX_COMMANDS:
            raise bad_request("too many commands")
        for command in commands:
            if not _COMMAND_RE.fullmatch(command["command"]):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.commands.get(self._commands_key(params), [])

    async def delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def send_chat_action(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params["chat_id"])
        if params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.record_action(params["action"])
        return True

    async def leave_chat(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params["chat_id"])
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        chat.left = True
        return True
