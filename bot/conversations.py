"""The one entry point front ends call: one input of one chat, processed in one transaction.

Load the chat's state (locked on PostgreSQL, so two replicas never interleave one chat), run
the pure engine, apply its effects (favourites, language, erasing the user), record its facts
for the statistics under the citizen's pseudonym (``catalog.events``), save the new state,
commit. A restart or another replica therefore resumes any conversation exactly where it was,
and the statistics never count a step that was not saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import (
    Context,
    Effect,
    ForgetUser,
    Outcome,
    Record,
    RemoveFavourite,
    SaveFavourite,
    SetLanguage,
)
from bot.engine import step
from bot.inputs import Input
from bot.models import Citizen, ConversationRecord, Favourite
from bot.replies import Reply
from bot.state import Conversation
from catalog import events
from catalog.db import SessionMaker
from catalog.facts import Kind
from catalog.i18n import normalise_language
from catalog.models import utcnow
from catalog.settings import Settings
from catalog.snapshot import CatalogSnapshot


def _insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that supports ``ON CONFLICT`` on the session's database."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


async def _touch_citizen(session: AsyncSession, user_id: int, language_code: str | None) -> str:
    """Create or refresh the citizen row; their language (remembered, or from Telegram)."""
    now = utcnow()
    # Written first on purpose: on SQLite the transaction takes the write lock at once and
    # waits (busy timeout) instead of failing later when upgrading a read lock.
    statement = _insert(session, Citizen).values(
        user_id=user_id, language=normalise_language(language_code), active=True,
        first_seen=now, last_seen=now,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[Citizen.__table__.c.user_id],  # type: ignore[attr-defined]
        set_={"last_seen": now, "active": True},
    ).returning(Citizen.__table__.c.language)  # type: ignore[attr-defined]
    return str((await session.exec(statement)).scalar_one())


async def _load(session: AsyncSession, chat_id: int, user_id: int, language: str) -> Conversation:
    query = select(ConversationRecord).where(col(ConversationRecord.chat_id) == chat_id)
    record = (await session.exec(query.with_for_update())).first()
    if record is None:
        # Insert-or-nothing, then lock: two first messages of one chat cannot both insert.
        fresh = Conversation(language=language)
        await session.exec(
            _insert(session, ConversationRecord)
            .values(chat_id=chat_id, user_id=user_id, state=fresh.to_json(), updated_at=utcnow())
            .on_conflict_do_nothing()
        )
        record = (await session.exec(query.with_for_update())).one()
    return Conversation.from_json(record.state)


async def _favourites(session: AsyncSession, user_id: int) -> tuple[str, ...]:
    query = (
        select(Favourite.offer_id)
        .where(col(Favourite.user_id) == user_id)
        .order_by(col(Favourite.saved_at), col(Favourite.offer_id))
    )
    return tuple((await session.exec(query)).all())


async def forget(
    *, session: AsyncSession, user_id: int, chat_id: int, user_key: str | None = None
) -> None:
    """Delete every row about the citizen and their chat, their statistics events included
    when ``user_key`` (their pseudonym) is given (not committed)."""
    if user_key is not None:
        await events.forget(session=session, user_key=user_key)
    await session.exec(delete(Favourite).where(col(Favourite.user_id) == user_id))
    await session.exec(
        delete(ConversationRecord).where(
            (col(ConversationRecord.chat_id) == chat_id)
            | (col(ConversationRecord.user_id) == user_id)
        )
    )
    await session.exec(delete(Citizen).where(col(Citizen.user_id) == user_id))


async def _apply(
    session: AsyncSession, effect: Effect, user_id: int, chat_id: int, user_key: str | None
) -> None:
    match effect:
        case SaveFavourite(offer_id=offer_id):
            await session.exec(
                _insert(session, Favourite)
                .values(user_id=user_id, offer_id=offer_id, saved_at=utcnow())
                .on_conflict_do_nothing()
            )
        case RemoveFavourite(offer_id=offer_id):
            await session.exec(delete(Favourite).where(
                (col(Favourite.user_id) == user_id) & (col(Favourite.offer_id) == offer_id)))
        case SetLanguage(language=language):
            await session.exec(
                update(Citizen).where(col(Citizen.user_id) == user_id).values(language=language))
        case ForgetUser():
            await forget(session=session, user_id=user_id, chat_id=chat_id, user_key=user_key)
        case Record():
            pass  # written all together, after the effects: see _facts


def _facts(outcome: Outcome, new: bool) -> list[tuple[str, Mapping[str, object]]]:
    """The step's facts for the statistics; after /forget only that it happened, anonymous."""
    if outcome.forgets:
        return [(Kind.FORGET, {})]
    facts = [(effect.kind, effect.facts) for effect in outcome.effects
             if isinstance(effect, Record)]
    # A state never greeted is a chat seen for the first time (or again after /forget).
    return [(Kind.NEW, {}), *facts] if new else facts


async def process(
    *,
    sessions: SessionMaker,
    chat_id: int,
    user_id: int,
    language_code: str | None,
    event: Input,
    catalog: CatalogSnapshot,
    settings: Settings,
    today: date | None = None,
) -> list[Reply]:
    """Process one input of one chat and return the replies to show, in order."""
    # The catalogue first, in a session of its own: rebuilding the index after an import takes
    # a while, and the step's transaction (which holds the chat's lock, and on SQLite the
    # database's write lock) must not wait for it.
    async with sessions() as session:
        index = await catalog.index(session=session)
    async with sessions() as session:
        language = await _touch_citizen(session, user_id, language_code)
        state = await _load(session, chat_id, user_id, language)
        context = Context(
            index=index,
            today=today or date.today(),
            favourites=await _favourites(session, user_id),
            city=settings.city,
            contact=settings.contact,
        )
        outcome = step(state, event, context)
        key = events.stats_key(settings)
        user_key = events.pseudonym(key, user_id) if key else None
        for effect in outcome.effects:
            await _apply(session, effect, user_id, chat_id, user_key)
        if user_key is not None:
            await events.record(session=session, user_key=user_key, day=context.today,
                                language=outcome.state.language,
                                facts=_facts(outcome, new=not state.greeted))
        if not outcome.forgets:
            await session.exec(
                update(ConversationRecord)
                .where(col(ConversationRecord.chat_id) == chat_id)
                .values(state=outcome.state.to_json(), user_id=user_id, updated_at=utcnow())
            )
        await session.commit()
    return list(outcome.replies)


async def mark_inactive(
    *, sessions: SessionMaker, user_id: int, settings: Settings | None = None,
    today: date | None = None,
) -> None:
    """The citizen blocked the bot: stop counting them as reachable (and count it, anonymously,
    when statistics are recorded)."""
    async with sessions() as session:
        language = (await session.exec(
            update(Citizen).where(col(Citizen.user_id) == user_id).values(active=False)
            .returning(Citizen.__table__.c.language)  # type: ignore[attr-defined]
        )).scalar_one_or_none()
        if settings is not None and events.stats_key(settings):
            await events.record(session=session, user_key="", day=today or date.today(),
                                language=language or normalise_language(None),
                                facts=[(Kind.BLOCKED, {})])
        await session.commit()
