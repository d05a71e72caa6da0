"""The bot's settings: the catalogue's, plus those of the front ends (Telegram, webhook, roles).

``tremplin`` reads them once at start (``bot.cli.main``); every rule about a value is a validator
below, so a bad value stops every command before any request, naming its ``TREMPLIN_*`` variable.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import NoDecode

from catalog.settings import Settings, read_settings

# The webhook server's own routes (bot.telegram.webhook): the public URL may not take them.
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
_BOT_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]{30,}")
# Telegram's own rule for secret_token: 1-256 characters, A-Z a-z 0-9 _ and -.
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Plain path characters only: Starlette reads "{...}" in a route as a parameter.
_PATH = re.compile(r"/[A-Za-z0-9._~/-]*")


def _id_list(value: object) -> list[int]:
    """Parse ``"123, 456"`` into ids; a clear error names the bad item."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        items = value
    else:
        items = [item.strip() for item in str(value).split(",") if item.strip()]
    ids: list[int] = []
    for item in items:
        text = str(item).strip()
        if not text.lstrip("-").isdigit():
            raise ValueError(f"{text!r} is not a Telegram user id (expected digits)")
        ids.append(int(text))
    return ids


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value.rstrip("/")


class BotSettings(Settings):
    """Every setting of Tremplin; see the configuration table in the README."""

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    maintainer_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    webhook_url: str | None = None
    # Checked even when unset: webhook mode requires it (see _webhook_secret).
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    listen: str = "0.0.0.0:8080"
    # The webhook server's guards against slow or numerous clients (bot.telegram.webhook):
    # connections and requests at once (more are answered 503), seconds an idle kept-alive
    # connection stays open, seconds a client has to send a request's headers (and its body).
    webhook_max_connections: int = Field(default=256, ge=1, le=100_000)
    webhook_keep_alive: int = Field(default=15, ge=1, le=300)
    webhook_header_timeout: float = Field(default=10.0, gt=0, le=40)

    @field_validator("admin_ids", "maintainer_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> list[int]:
        return _id_list(value)

    @field_validator("telegram_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        # Checked here, so that a mistyped token stops every command at start, before any
        # request; the message never repeats the value (it is a secret).
        if value is None or not value.get_secret_value().strip():
            return value
        token = value.get_secret_value().strip()
        if not _BOT_TOKEN.fullmatch(token):
            raise ValueError(
                "expected a bot token from @BotFather, like 123456789:AA... (digits, a colon,"
                " then 30 or more letters, digits, _ or -)"
            )
        return SecretStr(token)

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return _http_url(value)

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        # http:// is allowed: a self-hosted Bot API server accepts it, api.telegram.org not.
        value = _http_url(value)
        parts = urlsplit(value)
        path = parts.path or "/"
        if not parts.hostname:
            raise ValueError("has no host name")
        if not _PATH.fullmatch(path):
            raise ValueError("its path may only use A-Z a-z 0-9 . _ ~ / -")
        if path in (HEALTH_PATH, METRICS_PATH):
            raise ValueError(f"its path {path} is reserved")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        secret = value.get_secret_value() if value is not None else ""
        if not secret:
            if info.data.get("webhook_url"):
                # Without it, anybody who finds the URL could post forged updates as any user.
                raise ValueError(
                    "is required in webhook mode (1-256 characters: letters, digits, _ and -)"
                )
            return None
        if not _SECRET.fullmatch(secret):
            raise ValueError("must be 1-256 characters: letters, digits, _ and -")
        return value

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be HOST:PORT, e.g. 0.0.0.0:8080")
        return value


def load_bot_settings(env_file: Path | None = Path(".env"), **overrides: Any) -> BotSettings:
    """Read every setting once; :class:`~catalog.settings.SettingsError` names a bad variable."""
    return read_settings(BotSettings, env_file, **overrides)
