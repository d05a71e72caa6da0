"""Tables of catalogue maintenance: before-images for rollback, pending imports, maintainer roles.

No foreign keys: tests and ``db upgrade`` create and drop tables by metadata, and a before-image
must outlive nothing but its import row, which is never deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Column, Integer, LargeBinary, Table
from sqlmodel import Field, SQLModel

from catalog.store.models import OfferRecord, utcnow

_OFFER: Table = SQLModel.metadata.tables[OfferRecord.__tablename__]

# One row per offer an import added, updated, brought back or retired: the offer as it was just
# before (every column of ``offer``, same types, so restoring is exact), or, with ``existed``
# false, the mark of an offer the import created. A copy of the offer table's columns rather than
# a JSON blob: the database copies rows itself (INSERT ... SELECT) and types round-trip exactly.
offer_before = Table(
    "offer_before",
    SQLModel.metadata,
    Column("import_id", Integer, primary_key=True, autoincrement=False),
    Column("existed", Boolean, nullable=False),
    *(
        Column(column.name, column.type, primary_key=column.name == "id", nullable=True)
        for column in _OFFER.columns
    ),
)
OFFER_COLUMNS: tuple[str, ...] = tuple(column.name for column in _OFFER.columns)


class PendingImport(SQLModel, table=True):
    """A file a maintainer sent, checked but not applied yet, found again by its token.

    Kept in the database, not in memory, so that the "Apply" button works after a restart or on
    another replica; the file itself is kept and read again at apply time.
    """

    __tablename__ = "pending_import"

    token: str = Field(primary_key=True, max_length=16)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    source: str = ""
    format: str = ""
    checksum: str = ""
    # What the dry run showed (see ``catalog.maintenance.pending.fingerprint``): applying
    # something else would apply what the maintainer has not seen.
    fingerprint: str = ""
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class MaintainerRole(SQLModel, table=True):
    """A Telegram user an admin allowed to update the catalogue (besides the configured ids)."""

    __tablename__ = "maintainer_role"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    granted_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    granted_at: datetime = Field(default_factory=utcnow)
