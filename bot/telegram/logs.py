"""Structured logs (``key=value``), without the bot token and without message texts at INFO."""

from __future__ import annotations

import logging
import re

# A Bot API token: digits, a colon, 35 url-safe characters. Redacted wherever it appears
# (URLs in exception messages, for instance), whatever the logger.
_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")


class _Redacting(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return _TOKEN.sub("<token>", super().format(record))


def configure(level: int = logging.INFO) -> None:
    """Log to stderr as ``time level logger message``; httpx at WARNING (it logs URLs)."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        _Redacting("ts=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
