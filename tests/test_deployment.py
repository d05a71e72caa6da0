"""Deployment files, checked like code: no Docker engine runs here, so the Compose file is
validated against the Compose JSON schema, the Dockerfile is read for what the image must do,
and .env.example is compared with the settings themselves."""

from __future__ import annotations

import copy
import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.settings import BotSettings
from catalog.settings import ENV_PREFIX

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
# Variables of .env.example that Docker Compose reads and the bot does not.
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "WEBHOOK_DOMAIN"}
_ASSIGNMENT = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")
_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def _validator() -> jsonschema.Draft7Validator:
    schema = json.loads((DATA / "compose-spec.json").read_text())
    return jsonschema.Draft7Validator(schema)


# ---- docker-compose.yml


def test_compose_file_validates_against_the_compose_schema() -> None:
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in _validator().iter_errors(_compose())
    ]
    assert errors == []


def test_the_schema_catches_a_typo() -> None:
    # Guards the test above: a schema that accepted anything would prove nothing.
    broken = copy.deepcopy(_compose())
    broken["services"]["bot"]["restrat"] = broken["services"]["bot"].pop("restart")
    assert not _validator().is_valid(broken)


def test_the_schema_is_the_shared_reference() -> None:
    # shared/ lies beside the repository on every machine of the project, CI's included.
    reference = ROOT.parent / "shared" / "reference" / "compose-spec.json"
    assert json.loads((DATA / "compose-spec.json").read_text()) == json.loads(
        reference.read_text()
    )


def _active(services: dict[str, Any], *profiles: str) -> set[str]:
    """The services `docker compose [--profile P]... up` starts."""
    return {
        name
        for name, service in services.items()
        if not service.get("profiles") or set(service["profiles"]) & set(profiles)
    }


def test_profiles_give_polling_by_default_and_a_proxy_for_webhooks() -> None:
    services = _compose()["services"]
    assert _active(services) == {"db", "bot"}
    assert _active(services, "webhook") == {"db", "bot", "caddy"}
    # One bot service whatever the profile: a polling bot and a webhook bot never run together.
    assert [name for name in services if services[name].get("build")] == ["bot"]


def test_the_database_is_postgresql_with_a_volume_and_a_healthcheck() -> None:
    compose = _compose()
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:16")
    [volume] = db["volumes"]
    assert volume.split(":")[0] in compose["volumes"]
    assert volume.endswith(":/var/lib/postgresql/data")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_the_bot_waits_for_the_database_restarts_and_reads_env() -> None:
    bot = _compose()["services"]["bot"]
    assert bot["build"] == "."
    assert bot["env_file"] == ".env"
    assert bot["restart"] == "unless-stopped"
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    url = bot["environment"]["TREMPLIN_DATABASE_URL"]
    assert url.startswith("postgresql+asyncpg://tremplin:") and url.endswith("@db:5432/tremplin")
    BotSettings(_env_file=None, database_url=url)  # a valid setting


def test_caddy_proxies_to_the_port_the_bot_listens_on() -> None:
    services = _compose()["services"]
    port = services["bot"]["environment"]["TREMPLIN_LISTEN"].rpartition(":")[2]
    assert port in services["bot"]["expose"]
    caddy = services["caddy"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert re.search(rf"name bot\s+port {port}\b", caddyfile)
    assert "{$WEBHOOK_DOMAIN}" in caddyfile
    assert caddy["depends_on"]["bot"]["condition"] == "service_healthy"


def test_named_volumes_are_declared() -> None:
    compose = _compose()
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in compose["volumes"], f"{name}: undeclared volume {source}"


def _interpolations(node: object) -> list[tuple[str, str]]:
    """Every ``${VAR...}`` of a Compose document: (variable, operator)."""
    if isinstance(node, dict):
        return [found for value in node.values() for found in _interpolations(value)]
    if isinstance(node, list):
        return [found for value in node for found in _interpolations(value)]
    if isinstance(node, str):
        return [(m.group(1), m.group(2) or "") for m in _INTERPOLATION.finditer(node)]
    return []


def test_every_compose_variable_is_documented_in_env_example() -> None:
    documented = set(_env_example())
    used = {name for name, _ in _interpolations(_compose())}
    assert used, "no ${...} found: the pattern is broken"
    assert used - documented == set()


def test_profile_services_require_no_variable() -> None:
    # Compose interpolates inactive services too: a ${VAR:?} in a profile's service would stop
    # a plain `docker compose up` when VAR is only meant for that profile.
    for name, service in _compose()["services"].items():
        if service.get("profiles"):
            assert [v for v, op in _interpolations(service) if "?" in op] == [], name


# ---- .env.example


def _env_example() -> dict[str, tuple[bool, str, list[str]]]:
    """Each variable of .env.example: (commented out, value, the comment block above it)."""
    variables: dict[str, tuple[bool, str, list[str]]] = {}
    comments: list[str] = []
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = _ASSIGNMENT.match(line)
        if match:
            commented, name, value = match.groups()
            assert name not in variables, f"{name} appears twice"
            variables[name] = (commented is not None, value, comments)
            comments = []
        elif line.startswith("#"):
            comments.append(line.lstrip("# ").strip())
        else:
            comments = []  # a blank line ends a comment block
    return variables


def _setting_variables() -> set[str]:
    return {ENV_PREFIX + name.upper() for name in BotSettings.model_fields}


def test_env_example_documents_every_setting() -> None:
    variables = _env_example()
    assert _setting_variables() - set(variables) == set()


def test_env_example_has_no_unknown_variable() -> None:
    # A typo (TREMPLIN_WEBHOOK_SECRETS) would be ignored silently by the bot.
    assert set(_env_example()) - _setting_variables() - COMPOSE_ONLY == set()


def test_every_variable_has_its_own_comment() -> None:
    for name, (_, _, comments) in _env_example().items():
        assert any(len(text) > 20 for text in comments), f"{name} has no explanation above it"


def test_documented_defaults_are_the_real_defaults() -> None:
    fields = BotSettings.model_fields
    for name, (commented, value, _) in _env_example().items():
        field = fields.get(name.removeprefix(ENV_PREFIX).lower())
        if field is None or not commented or not isinstance(field.default, str | int):
            continue
        assert value == str(field.default), f"{name}: .env.example says {value!r}"


def test_env_example_is_a_valid_configuration(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text((ROOT / ".env.example").read_text())
    BotSettings(_env_file=env)


# ---- Dockerfile


def _dockerfile() -> list[tuple[str, str]]:
    """The instructions of the Dockerfile: (INSTRUCTION, arguments), continuations joined."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def _final_stage() -> list[tuple[str, str]]:
    instructions = _dockerfile()
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def test_the_image_is_python_3_11_slim() -> None:
    args = dict(a.split("=", 1) for k, a in _dockerfile() if k == "ARG" and "=" in a)
    bases = [a.split()[0] for k, a in _dockerfile() if k == "FROM"]
    assert {args.get(base.strip("${}"), base) for base in bases} == {"python:3.11-slim"}


def test_the_image_runs_as_an_unprivileged_user() -> None:
    users = [a for k, a in _final_stage() if k == "USER"]
    assert users, "no USER: the bot would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_the_image_has_a_healthcheck_that_exists() -> None:
    [healthcheck] = [a for k, a in _final_stage() if k == "HEALTHCHECK"]
    command = healthcheck.split("CMD", 1)[1]
    script = Path(json.loads(command)[-1]).name
    copies = [a.split() for k, a in _final_stage() if k == "COPY"]
    sources = [c[-2] for c in copies if c[-1].endswith(script)]
    assert sources and (ROOT / sources[0]).is_file()


def test_the_image_compiles_the_translations() -> None:
    runs = " ".join(a for k, a in _dockerfile() if k == "RUN")
    assert "bot.i18n_tasks compile" in runs or "pybabel compile" in runs
    assert runs.index("compile") < runs.index("pip install --no-deps .")


def test_the_image_migrates_then_runs_the_bot() -> None:
    [cmd] = [a for k, a in _final_stage() if k == "CMD"]
    shell = json.loads(cmd)[-1]
    assert re.fullmatch(r"tremplin db upgrade && exec tremplin run", shell)
    assert shlex.split(shell)  # well-formed


def test_dockerignore_keeps_secrets_out_and_the_sources_in() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        result = False
        for pattern in patterns:
            negated = pattern.startswith("!")
            if fnmatch.fnmatch(path, pattern.lstrip("!").removeprefix("**/")):
                result = not negated
        return result

    for secret in (".env", ".env.production", "tremplin.db", ".git"):
        assert ignored(secret), secret
    needed = ["pyproject.toml", "README.md", "bot", "catalog", "locales", "deploy/healthcheck.py"]
    for path in needed:
        assert (ROOT / path).exists(), path
        assert not ignored(path), path


# ---- deploy/healthcheck.py


def _healthcheck(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    return subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "healthcheck.py")],
        cwd=tmp_path,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_healthcheck_in_polling_mode_asks_the_database(tmp_path: Path) -> None:
    good = _healthcheck(tmp_path, TREMPLIN_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/t.db")
    assert good.returncode == 0, good.stderr
    bad = _healthcheck(
        tmp_path, TREMPLIN_DATABASE_URL="sqlite+aiosqlite:////nonexistent-directory/t.db"
    )
    assert bad.returncode == 1


class _Healthz(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.parametrize(("status", "exit_code"), [(200, 0), (503, 1), (None, 1)])
def test_healthcheck_in_webhook_mode_asks_healthz(
    tmp_path: Path, status: int | None, exit_code: int
) -> None:
    handler = type("Handler", (_Healthz,), {"status": status or 200})
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        port = server.server_address[1]
        if status is None:
            server.server_close()  # nothing listens on the port any more
        else:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        result = _healthcheck(
            tmp_path,
            TREMPLIN_WEBHOOK_URL="https://bot.example.org/telegram",
            TREMPLIN_WEBHOOK_SECRET="healthcheck_Secret-0",  # required with a webhook URL
            TREMPLIN_LISTEN=f"0.0.0.0:{port}",
        )
        if status is not None:
            server.shutdown()
    assert result.returncode == exit_code, result.stderr
