"""A fake Telegram Bot API server for end-to-end tests of the bot.

The real python-telegram-bot ``Application`` (real HTTP, real long polling) talks to
``FakeBotApi`` on 127.0.0.1; simulated users produce updates and observe what the bot
sent; every request is validated against the official API description and anything
Telegram would refuse is recorded in ``server.violations``.
"""

from .errors import ApiError
from .files import StoredFile
from .flood import FloodControl
from .html import FormattedText, HtmlParseError, format_text, parse_html, utf16_len
from .server import DEFAULT_TOKEN, FakeBotApi, Fault, RecordedRequest
from .spec import ApiSpec, UploadedFile
from .users import BotMessage, CallbackAnswer, ChatEvent, NoReply, SimChat, SimUser

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "ApiSpec",
    "BotMessage",
    "CallbackAnswer",
    "ChatEvent",
    "FakeBotApi",
    "Fault",
    "FloodControl",
    "FormattedText",
    "HtmlParseError",
    "NoReply",
    "RecordedRequest",
    "SimChat",
    "SimUser",
    "StoredFile",
    "UploadedFile",
    "format_text",
    "parse_html",
    "utf16_len",
]
