"""Settings: one typed object read once from ``TREMPLIN_*`` variables (and ``.env``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "TREMPLIN_"
DEFAULT_SQLITE_FILE = "tremplin.db"
_BOT_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]{30,}")


class SettingsError(Exception):
    """A missing or malformed setting, named by its environment variable."""

    def __init__(self, variable: str, reason: str) -> None:
        super().__init__(f"{variable}: {reason}")
        self.variable = variable
        self.reason = reason


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


class Settings(BaseSettings):
    """Every setting of Tremplin; see the configuration table in the README."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # `TREMPLIN_X=` (as .env.example leaves optional settings) counts as unset.
        env_ignore_empty=True,
    )

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    database_url: str = Field(default=f"sqlite+aiosqlite:///{DEFAULT_SQLITE_FILE}")
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    maintainer_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    listen: str = "0.0.0.0:8080"
    pseudonym_key: SecretStr | None = None
    city: str = "Clermont-Ferrand"
    contact: str = "Espace Nelson Mandela, lieu ville apprenante de Clermont-Ferrand"
    stats_retention_days: int = Field(default=180, ge=1, le=3650)
    stats_min_count: int = Field(default=5, ge=1, le=1000)

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

    @field_validator("telegram_api_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None if value == "" else value
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must be sqlite+aiosqlite:///FILE or postgresql+asyncpg://...")
        return value

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be HOST:PORT, e.g. 0.0.0.0:8080")
        return value


def load_settings(env_file: Path | None = Path(".env"), **overrides: Any) -> Settings:
    """Read the settings once; raise :class:`SettingsError` naming the first bad variable."""
    try:
        return Settings(_env_file=env_file, **overrides)
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        raise SettingsError(ENV_PREFIX + field.upper(), first["msg"]) from None
