"""The Docker HEALTHCHECK of the bot's container: exit 0 when healthy, 1 when not.

Webhook mode (``TREMPLIN_WEBHOOK_URL`` set): the bot's own ``GET /healthz``, which shows that
its HTTP server answers and that its database is reachable.

Long polling has no HTTP server to ask, so the check is only that the database answers
``SELECT 1``. That is the honest limit of it: a bot process that has died ends the container
(and the restart policy starts a new one), but a polling loop that is alive and stuck would
not show here.
"""

from __future__ import annotations

import asyncio
import sys
import urllib.request

from bot.settings import load_bot_settings
from catalog.settings import SettingsError


def _local_url(listen: str) -> str:
    """The ``/healthz`` URL on this machine for ``TREMPLIN_LISTEN`` (0.0.0.0, ::, or a host)."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def _webhook_healthy(listen: str) -> bool:
    try:
        with urllib.request.urlopen(_local_url(listen), timeout=5) as response:
            return bool(response.status == 200)
    except OSError:  # refused, timed out, or an HTTP error status (503)
        return False


async def _database_healthy(url: str) -> bool:
    from bot.telegram.webhook import database_ok  # the same check as /healthz
    from catalog.store.db import create_engine

    engine = create_engine(url)
    try:
        return await database_ok(engine)
    finally:
        await engine.dispose()


def main() -> int:
    try:
        settings = load_bot_settings()
    except SettingsError as error:
        print(f"unhealthy: invalid setting {error}", file=sys.stderr)
        return 1
    if settings.webhook_url:
        healthy = _webhook_healthy(settings.listen)
    else:
        healthy = asyncio.run(_database_healthy(settings.database_url))
    if not healthy:
        print("unhealthy", file=sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
