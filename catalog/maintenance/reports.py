"""Citizens' problem reports on offers ("Report a problem" under an offer's details).

A report is a reason code and, for ``other``, a short text the front end scrubbed of personal
data. Listed by ``tremplin catalog reports``, counted by ``catalog check`` while newer than the
offer's last update (an import or a confirmation answers them), sent to maintainers daily.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.store.models import OfferRecord, utcnow
from catalog.store.partner_models import ProblemReport

REASONS = ("closed", "times", "place", "price", "link", "other")
TEXT_LIMIT = 300
MAX_PER_DAY = 10  # reports one person can send in 24 hours


class TooMany(Exception):
    """The person sent :data:`MAX_PER_DAY` reports in the last 24 hours."""


async def add(
    *, session: AsyncSession, offer_id: str, reason: str, user_id: int, text: str = ""
) -> ProblemReport:
    """Keep a report; :class:`ValueError` for an unknown reason, :class:`TooMany` past the cap."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}: one of {', '.join(REASONS)}")
    recent = select(func.count()).select_from(ProblemReport).where(
        col(ProblemReport.user_id) == user_id,
        col(ProblemReport.at) > utcnow() - timedelta(days=1))
    if int((await session.exec(recent)).one()) >= MAX_PER_DAY:
        raise TooMany()
    report = ProblemReport(offer_id=offer_id[:64], reason=reason, user_id=user_id,
                           text=text.strip()[:TEXT_LIMIT] if reason == "other" else "")
    session.add(report)
    await session.commit()
    await session.refresh(report)
    return report


async def set_text(*, session: AsyncSession, user_id: int, text: str) -> bool:
    """The text of the person's latest ``other`` report of the last hour, if it has none yet."""
    query = select(ProblemReport).where(
        col(ProblemReport.user_id) == user_id, col(ProblemReport.reason) == "other",
        col(ProblemReport.at) > utcnow() - timedelta(hours=1),
    ).order_by(col(ProblemReport.id).desc()).limit(1)
    report = (await session.exec(query)).first()
    if report is None or report.text:
        return False
    report.text = text.strip()[:TEXT_LIMIT]
    session.add(report)
    await session.commit()
    return True


async def reports(*, session: AsyncSession, since: datetime | None = None) -> list[ProblemReport]:
    """The reports (since ``since``), oldest first."""
    query = select(ProblemReport).order_by(col(ProblemReport.at), col(ProblemReport.id))
    if since is not None:
        query = query.where(col(ProblemReport.at) >= since)
    return list((await session.exec(query)).all())


async def open_reports(*, session: AsyncSession) -> dict[str, Counter[str]]:
    """Per active offer, its reasons reported since it was last updated (imported, confirmed)."""
    query = select(ProblemReport.offer_id, ProblemReport.reason, ProblemReport.at,
                   OfferRecord.updated_at).join(
        OfferRecord, col(OfferRecord.id) == col(ProblemReport.offer_id)).where(
        col(OfferRecord.retired).is_(False))
    found: dict[str, Counter[str]] = {}
    for offer_id, reason, at, updated_at in (await session.exec(query)).all():
        if _aware(at) >= _aware(updated_at):
            found.setdefault(offer_id, Counter())[reason] += 1
    return found


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def forget(connection: Connection, *, user_id: int) -> None:
    """/forget: the person's reports stay, without their id or text (not committed)."""
    table = ProblemReport.__table__  # type: ignore[attr-defined]
    connection.execute(
        update(table).where(table.c.user_id == user_id).values(user_id=None, text=""))
