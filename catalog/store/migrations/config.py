"""Alembic configured in code: the scripts ship inside the package, so no ``alembic.ini``.

A wheel install (``pip install .``) carries ``catalog/store/migrations/{env.py, script.py.mako,
versions/}``, and ``tremplin db upgrade`` works from any folder.

Alembic is imported by the functions that run it, not here: every command opens the database
through :func:`catalog.store.migrations.upgrade`, and a database already at the newest revision (the
usual case) needs none of Alembic, whose import alone cost a third of ``tremplin match``.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from alembic.config import Config
    from alembic.script import ScriptDirectory

SCRIPTS = Path(__file__).resolve().parent
# A revision's file name (see ``file_template`` below): "r0003_offer_audit.py" is revision 0003.
_REVISION_FILE = re.compile(r"r(\d{4})_\w+\.py")

# Every module that declares tables. The migrations describe the whole database, the bot's
# tables included: ``bot.chats.models`` is named here, not imported at the top, so that ``catalog``
# still never imports ``bot`` except to compare the models with the migrations
# (autogenerate, tests). A new table module goes here; tests/test_migrations.py checks that
# no module declaring a table is missing.
MODEL_MODULES = (
    "catalog.store.models",
    "catalog.store.audit_models",
    "catalog.store.partner_models",
    "catalog.store.leases",
    "catalog.stats.events",
    "catalog.stats.aggregates",
    "bot.chats.models",
)


def model_metadata() -> MetaData:
    """``SQLModel.metadata`` with every table of :data:`MODEL_MODULES` registered."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return SQLModel.metadata


def alembic_config(*, connection: Connection | None = None, url: str | None = None) -> Config:
    """The Alembic configuration: the packaged scripts, run on ``connection`` (or ``url``)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.set_main_option("path_separator", "os")
    # "r0003_offer_audit.py": a valid module name, so ruff and mypy check revisions like code.
    config.set_main_option("file_template", "r%%(rev)s_%%(slug)s")
    if url is not None:
        # ConfigParser interpolates "%": a percent-encoded password must survive it.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The newest revision."""
    revision = scripts().get_current_head()
    assert revision is not None, "no migration at all"
    return revision


def newest_revision() -> str | None:
    """The newest revision from the names of the version files alone, without Alembic.

    Revisions are numbered in order (``python -m catalog.store.migrations revision``) and the
    history is linear, so the newest is the highest number. ``None`` when a file does not follow
    that pattern (a revision written by hand): then only Alembic can tell.
    """
    numbers: list[str] = []
    for path in (SCRIPTS / "versions").glob("*.py"):
        found = _REVISION_FILE.fullmatch(path.name)
        if found is None:
            if path.name != "__init__.py":
                return None
            continue
        numbers.append(found.group(1))
    return max(numbers, default=None)


def history() -> list[str]:
    """Every revision, oldest first (the history is linear)."""
    return [script.revision for script in reversed(list(scripts().walk_revisions()))]


def render_item(
    type_: str, item: Any, autogen_context: AutogenContext
) -> str | Literal[False]:
    """Write SQLModel's column types as plain SQLAlchemy ones in generated revisions.

    A revision is frozen history: it must not depend on sqlmodel's internal types, which
    are only ``String`` and ``DateTime(timezone=True)`` with Python-side conversions.
    """
    if type_ == "type" and isinstance(item, AutoString):
        length = getattr(item.impl_instance, "length", None)
        return f"sa.String(length={length})" if length else "sa.String()"
    if type_ == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
