"""Settings: one typed object read once from ``TREMPLIN_*`` variables (and ``.env``).

These are the catalogue's settings (database, statistics, the city); the front ends' own
(Telegram token, webhook, admins...) are added by ``bot.settings.BotSettings``. Every rule about a
value is a validator here, so a bad value stops every command at start, naming its variable.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "TREMPLIN_"
DEFAULT_SQLITE_FILE = "tremplin.db"
# The pseudonym key (catalog.stats.events): a Telegram id has only about 10^10 values, so a short
# key could be found by trying them against a pseudonym. 32 characters of
# `secrets.token_urlsafe` carry 190 bits: far beyond any brute force.
MIN_KEY_LENGTH = 32


class SettingsError(Exception):
    """A missing or malformed setting, named by its environment variable."""

    def __init__(self, variable: str, reason: str) -> None:
        super().__init__(f"{variable}: {reason}")
        self.variable = variable
        self.reason = reason


class Settings(BaseSettings):
    """The catalogue's settings; see the configuration table in the README."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # `TREMPLIN_X=` (as .env.example leaves optional settings) counts as unset.
        env_ignore_empty=True,
    )

    database_url: str = Field(default=f"sqlite+aiosqlite:///{DEFAULT_SQLITE_FILE}")
    pseudonym_key: SecretStr | None = None
    city: str = "Clermont-Ferrand"
    # The city's time zone, and the hours (local, "START-END") when no alert is ever sent.
    timezone: str = "Europe/Paris"
    quiet_hours: str = "21-8"
    contact: str = "Espace Nelson Mandela, lieu ville apprenante de Clermont-Ferrand"
    stats_retention_days: int = Field(default=180, ge=1, le=3650)
    stats_min_count: int = Field(default=5, ge=1, le=1000)
    # A conversation (its answers and typed words) is erased after this many idle days.
    conversation_retention_days: int = Field(default=30, ge=1, le=3650)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must be sqlite+aiosqlite:///FILE or postgresql+asyncpg://...")
        return value

    @field_validator("pseudonym_key")
    @classmethod
    def _pseudonym_key(cls, value: SecretStr | None) -> SecretStr | None:
        # No key is allowed (statistics are then not recorded); a short one is refused.
        if value is None or not value.get_secret_value():
            return None
        if len(value.get_secret_value()) < MIN_KEY_LENGTH:
            raise ValueError(
                f"must be at least {MIN_KEY_LENGTH} random characters"
                " (python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError("must be an IANA time zone, such as Europe/Paris") from None
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        start, dash, end = value.strip().partition("-")
        if not (dash and start.isdigit() and end.isdigit()
                and 0 <= int(start) <= 23 and 0 <= int(end) <= 23):
            raise ValueError("must be START-END in whole hours from 0 to 23, such as 21-8")
        return f"{int(start)}-{int(end)}"

    def today(self) -> date:
        """Today in the city's time zone: the day files are read and offers confirmed on."""
        return datetime.now(ZoneInfo(self.timezone)).date()

    def is_quiet(self, now: datetime) -> bool:
        """Whether ``now`` (aware) falls in the quiet hours of the city's time zone; none when
        START equals END."""
        start, end = (int(hour) for hour in self.quiet_hours.split("-"))
        hour = now.astimezone(ZoneInfo(self.timezone)).hour
        if start == end:
            return False
        return start <= hour < end if start < end else hour >= start or hour < end


AnySettings = TypeVar("AnySettings", bound=Settings)


def load_settings(env_file: Path | None = Path(".env"), **overrides: Any) -> Settings:
    """Read the settings once; raise :class:`SettingsError` naming the first bad variable."""
    return read_settings(Settings, env_file, **overrides)


def read_settings(
    model: type[AnySettings], env_file: Path | None, **overrides: Any
) -> AnySettings:
    """``model`` read from the environment and ``env_file``, or :class:`SettingsError`."""
    try:
        return model(_env_file=env_file, **overrides)
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        raise SettingsError(ENV_PREFIX + field.upper(), first["msg"]) from None
