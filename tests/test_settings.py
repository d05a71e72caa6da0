"""Settings: parsed once, failing with the variable's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from catalog.settings import SettingsError, load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TREMPLIN_DATABASE_URL", raising=False)
    settings = load_settings(env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///tremplin.db"
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.admin_ids == []


def test_id_lists_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREMPLIN_ADMIN_IDS", "123, 456,")
    monkeypatch.setenv("TREMPLIN_MAINTAINER_IDS", "789")
    settings = load_settings(env_file=None)
    assert settings.admin_ids == [123, 456]
    assert settings.maintainer_ids == [789]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TREMPLIN_ADMIN_IDS", "123,alice"),
        ("TREMPLIN_DATABASE_URL", "mysql://x"),
        ("TREMPLIN_TELEGRAM_API_URL", "ftp://example"),
        ("TREMPLIN_LISTEN", "8080"),
        ("TREMPLIN_STATS_MIN_COUNT", "zero"),
    ],
)
def test_malformed_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None)
    assert raised.value.variable == variable


def test_env_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TREMPLIN_CITY", raising=False)
    env = tmp_path / ".env"
    env.write_text("TREMPLIN_CITY=Mannheim\n", encoding="utf-8")
    assert load_settings(env_file=env).city == "Mannheim"


TOKEN = "123456789:AAHfakeTokenNeverUsedAnywhere_0123-x"


def test_token_is_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREMPLIN_TELEGRAM_TOKEN", f" {TOKEN}\n")
    settings = load_settings(env_file=None)
    assert TOKEN not in repr(settings)
    assert settings.telegram_token is not None
    assert settings.telegram_token.get_secret_value() == TOKEN


@pytest.mark.parametrize(
    "token",
    ["abc", "987654321", "987654321:short", "bot123456789:" + "A" * 35, "123:" + "A" * 29 + "!"],
)
def test_a_malformed_token_stops_every_command_at_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], token: str
) -> None:
    monkeypatch.setenv("TREMPLIN_TELEGRAM_TOKEN", token)
    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None)
    assert raised.value.variable == "TREMPLIN_TELEGRAM_TOKEN"
    assert main(["run"]) == 2  # before any network call: the settings are read first
    captured = capsys.readouterr()
    assert captured.out == "" and token not in captured.err
    (line,) = captured.err.splitlines()
    assert line.startswith("tremplin: invalid setting TREMPLIN_TELEGRAM_TOKEN: ")
    assert "like 123456789:AA... (digits, a colon, then 30 or more letters" in line
