"""Tables of what partners and citizens send about the catalogue: proposals and problem reports.

A proposal is a catalogue file a partner (anyone who is not a maintainer) sent to the bot, valid,
waiting for a maintainer's decision; a report is a citizen's "Report a problem" on an offer.
The sender's ids, language, file and typed text are personal data: ``/forget`` erases them
(``catalog.maintenance.proposals.forget`` and ``catalog.maintenance.reports.forget``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, LargeBinary
from sqlmodel import Field, SQLModel

from catalog.store.models import utcnow


class Proposal(SQLModel, table=True):
    """A partner's checked file and its offers' ids; ``pending``, ``approved`` or ``rejected``."""

    __tablename__ = "proposal"

    id: int | None = Field(default=None, primary_key=True)
    # Null once the partner asked /forget (the decision and the offers' ids stay).
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    language: str = Field(default="fr", max_length=8)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    source: str = Field(default="", max_length=100)
    format: str = Field(default="", max_length=8)
    checksum: str = Field(default="", max_length=64)
    offers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # What the proposal changed when it was checked (see catalog.maintenance.pending.fingerprint):
    # approving applies that, or nothing.
    fingerprint: str = Field(default="", max_length=32)
    # The file, read again on approval; emptied once decided or forgotten.
    data: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default="pending", max_length=16, index=True)
    reason: str = Field(default="", max_length=300)
    decided_at: datetime | None = None
    decided_by: str = Field(default="", max_length=100)
    import_id: int | None = None


class ProblemReport(SQLModel, table=True):
    """A citizen's report that an offer is wrong: a reason code and, for ``other``, a short text
    scrubbed of personal data."""

    __tablename__ = "problem_report"

    id: int | None = Field(default=None, primary_key=True)
    offer_id: str = Field(max_length=64, index=True)
    reason: str = Field(max_length=16)
    text: str = Field(default="", max_length=300)
    # Null once the citizen asked /forget (the report stays, without its text).
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    at: datetime = Field(default_factory=utcnow, index=True)
