"""Structured logs (``key=value``), without the bot token, Telegram ids or message texts.

A person is named in a log by the start of their statistics pseudonym (a keyed hash,
``catalog.stats.events``), or ``-`` when no pseudonym key is set: never by their Telegram id.
python-telegram-bot logs whole updates (message texts included) at DEBUG, and httpx and aiohttp
log request URLs: their loggers stay at INFO or above, whatever the bot's level.
"""

from __future__ import annotations

import logging
import re

from catalog.settings import Settings
from catalog.stats.events import pseudonym, stats_key

# A Bot API token: digits, a colon, 35 url-safe characters. Redacted wherever it appears
# (URLs in exception messages, for instance), whatever the logger.
_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")


# Loggers that would write what citizens say (python-telegram-bot's updates at DEBUG) or
# request URLs (the HTTP clients): never below these levels.
QUIET: dict[str, int] = {
    "telegram": logging.INFO, "telegram.ext": logging.INFO, "telegram.bot": logging.INFO,
    "httpx": logging.WARNING, "httpcore": logging.WARNING, "aiohttp": logging.WARNING,
    "apscheduler": logging.WARNING, "alembic": logging.WARNING,
}
# Hex digits of the pseudonym in a log line: enough to follow one person through the logs.
SHOWN_DIGITS = 12


def person(settings: Settings, user_id: int | None) -> str:
    """How ``user_id`` is named in a log: its pseudonym's start, or ``-`` (no key, no user)."""
    key = stats_key(settings)
    if key is None or user_id is None:
        return "-"
    return pseudonym(key, user_id)[:SHOWN_DIGITS]


class _Redacting(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return _TOKEN.sub("<token>", super().format(record))


def configure(level: int = logging.INFO) -> None:
    """Log to stderr as ``time level logger message``; the :data:`QUIET` loggers no lower
    than their level, even when ``level`` is DEBUG."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        _Redacting("ts=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, floor in QUIET.items():
        logging.getLogger(name).setLevel(max(floor, level))
