"""Settings: parsed once, failing with the variable's name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.settings import BotSettings, load_bot_settings
from catalog.settings import MIN_KEY_LENGTH, Settings, SettingsError, load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TREMPLIN_DATABASE_URL", raising=False)
    settings = load_bot_settings(env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///tremplin.db"
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.admin_ids == []


def test_id_lists_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREMPLIN_ADMIN_IDS", "123, 456,")
    monkeypatch.setenv("TREMPLIN_MAINTAINER_IDS", "789")
    settings = load_bot_settings(env_file=None)
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
        load_bot_settings(env_file=None)
    assert raised.value.variable == variable


def test_env_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TREMPLIN_CITY", raising=False)
    env = tmp_path / ".env"
    env.write_text("TREMPLIN_CITY=Mannheim\n", encoding="utf-8")
    assert load_bot_settings(env_file=env).city == "Mannheim"


TOKEN = "123456789:AAHfakeTokenNeverUsedAnywhere_0123-x"


def test_token_is_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREMPLIN_TELEGRAM_TOKEN", f" {TOKEN}\n")
    settings = load_bot_settings(env_file=None)
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
        load_bot_settings(env_file=None)
    assert raised.value.variable == "TREMPLIN_TELEGRAM_TOKEN"
    assert main(["run"]) == 2  # before any network call: the settings are read first
    captured = capsys.readouterr()
    assert captured.out == "" and token not in captured.err
    (line,) = captured.err.splitlines()
    assert line.startswith("tremplin: invalid setting TREMPLIN_TELEGRAM_TOKEN: ")
    assert "like 123456789:AA... (digits, a colon, then 30 or more letters" in line


# ---- every rule about a value is a validator: a bad value stops any command at start

KEY = "k" * MIN_KEY_LENGTH
WEBHOOK = {"TREMPLIN_WEBHOOK_URL": "https://bot.example.org/telegram",
           "TREMPLIN_WEBHOOK_SECRET": "s3cret_Value-0"}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No ``TREMPLIN_*`` setting and no ``.env``; returns a database URL in ``tmp_path``."""
    for name in list(os.environ):
        if name.startswith("TREMPLIN_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("environment", "variable"),
    [
        ({"TREMPLIN_PSEUDONYM_KEY": "k" * (MIN_KEY_LENGTH - 1)}, "TREMPLIN_PSEUDONYM_KEY"),
        ({**WEBHOOK, "TREMPLIN_WEBHOOK_SECRET": ""}, "TREMPLIN_WEBHOOK_SECRET"),
        ({"TREMPLIN_WEBHOOK_URL": "https://bot.example.org/t"}, "TREMPLIN_WEBHOOK_SECRET"),
        ({**WEBHOOK, "TREMPLIN_WEBHOOK_SECRET": "with space"}, "TREMPLIN_WEBHOOK_SECRET"),
        ({**WEBHOOK, "TREMPLIN_WEBHOOK_SECRET": "x" * 257}, "TREMPLIN_WEBHOOK_SECRET"),
        ({"TREMPLIN_WEBHOOK_SECRET": "not/allowed"}, "TREMPLIN_WEBHOOK_SECRET"),
        ({**WEBHOOK, "TREMPLIN_WEBHOOK_URL": "https://x.org/healthz"}, "TREMPLIN_WEBHOOK_URL"),
        ({**WEBHOOK, "TREMPLIN_WEBHOOK_URL": "https://x.org/metrics"}, "TREMPLIN_WEBHOOK_URL"),
        ({**WEBHOOK, "TREMPLIN_WEBHOOK_URL": "https://x.org/{param}"}, "TREMPLIN_WEBHOOK_URL"),
        ({**WEBHOOK, "TREMPLIN_WEBHOOK_URL": "https:///telegram"}, "TREMPLIN_WEBHOOK_URL"),
        ({**WEBHOOK, "TREMPLIN_WEBHOOK_URL": "bot.example.org/t"}, "TREMPLIN_WEBHOOK_URL"),
        ({"TREMPLIN_TELEGRAM_API_URL": "api.telegram.org"}, "TREMPLIN_TELEGRAM_API_URL"),
        ({"TREMPLIN_LISTEN": "0.0.0.0:99999"}, "TREMPLIN_LISTEN"),
        ({"TREMPLIN_LISTEN": ":8080"}, "TREMPLIN_LISTEN"),
        ({"TREMPLIN_MAINTAINER_IDS": "12;34"}, "TREMPLIN_MAINTAINER_IDS"),
        ({"TREMPLIN_TELEGRAM_TOKEN": "123:" + "A" * 29}, "TREMPLIN_TELEGRAM_TOKEN"),
    ],
)
def test_a_bad_value_stops_any_command_with_exit_2_naming_its_variable(
    clean_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    environment: dict[str, str],
    variable: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    database = f"sqlite+aiosqlite:///{clean_env / 'tremplin.db'}"
    # `db upgrade` needs no token nor webhook: only the settings themselves can stop it.
    assert main(["--database-url", database, "db", "upgrade"]) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert line.startswith(f"tremplin: invalid setting {variable}: ")
    assert not (clean_env / "tremplin.db").exists()  # nothing was touched
    secret = environment.get(variable, "")
    if secret and ("SECRET" in variable or "KEY" in variable):
        assert secret not in line  # a secret is never repeated


def test_good_values_start(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in {**WEBHOOK, "TREMPLIN_PSEUDONYM_KEY": KEY,
                        "TREMPLIN_LISTEN": "[::]:8443"}.items():
        monkeypatch.setenv(name, value)
    settings = load_bot_settings(env_file=None)
    assert settings.webhook_secret is not None and settings.pseudonym_key is not None
    assert settings.webhook_secret.get_secret_value() == WEBHOOK["TREMPLIN_WEBHOOK_SECRET"]
    database = f"sqlite+aiosqlite:///{clean_env / 'tremplin.db'}"
    assert main(["--database-url", database, "db", "upgrade"]) == 0, capsys.readouterr().err


def test_no_pseudonym_key_is_allowed_and_an_empty_one_is_none() -> None:
    assert load_settings(env_file=None, pseudonym_key=None).pseudonym_key is None
    assert load_settings(env_file=None, pseudonym_key="").pseudonym_key is None


def test_the_catalogue_settings_know_no_front_end() -> None:
    front_end = {"telegram_token", "telegram_api_url", "admin_ids", "maintainer_ids",
                 "webhook_url", "webhook_secret", "listen"}
    assert front_end & Settings.model_fields.keys() == set()
    assert front_end <= BotSettings.model_fields.keys()
