"""The one entry point front ends call: one input of one chat, processed in one transaction.

Load the chat's state (locked on PostgreSQL, so two replicas never interleave one chat), run
the pure engine, apply its effects (favourites, language, erasing the user), record its facts
for the statistics under the citizen's pseudonym (``catalog.stats.events``), save the new state,
commit. A restart or another replica therefore resumes any conversation exactly where it was,
and the statistics never count a step that was not saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, select, update

from bot.chats import alerts, followups, offer_forms
from bot.chats.models import Citizen, ConversationRecord, Favourite
from bot.engine.context import (
    AnswerFollowUp,
    Context,
    Effect,
    ForgetUser,
    Outcome,
    Record,
    RemoveFavourite,
    SaveFavourite,
    SetAlerts,
    SetFollowUps,
    SetLanguage,
)
from bot.engine.dialogue import step
from bot.engine.inputs import Input
from bot.engine.replies import Reply
from bot.engine.state import Conversation
from catalog.i18n import normalise_language
from catalog.maintenance import proposals, reports
from catalog.maintenance.audit import forget_actor
from catalog.maintenance.pending import forget_pending
from catalog.schedule import local_now
from catalog.settings import Settings
from catalog.stats import events
from catalog.stats.facts import Kind
from catalog.store.db import Database
from catalog.store.models import utcnow
from catalog.store.snapshot import CatalogSnapshot
from catalog.store.transactions import run_transaction
from catalog.store.upsert import insert_on_conflict

# Looking at an offer in these ways is asked about ten days later (``bot.alerts.followups``).
_FOLLOWED = frozenset({Kind.OPENED, Kind.SAVED, Kind.MAP})

# The citizen's row says when they were last seen to within this: refreshing it at every step
# would be one more write per message, for a date nobody needs to the minute.
TOUCH_EVERY = timedelta(hours=1)

# SQLAlchemy Core on the tables, not the ORM: a step is a few small statements, and the ORM's
# unit of work would cost more than the statements themselves.
CITIZENS: Table = Citizen.__table__  # type: ignore[attr-defined]
CONVERSATIONS: Table = ConversationRecord.__table__  # type: ignore[attr-defined]
FAVOURITES: Table = Favourite.__table__  # type: ignore[attr-defined]


def _upsert_citizen(dialect: str) -> Any:
    statement = insert_on_conflict(dialect, CITIZENS)
    return statement.values(
        user_id=bindparam("user"), language=bindparam("lang"), active=True,
        first_seen=bindparam("now"), last_seen=bindparam("now"),
    ).on_conflict_do_update(
        index_elements=[CITIZENS.c.user_id],
        set_={"last_seen": statement.excluded.last_seen, "active": True},
    ).returning(CITIZENS.c.language)


# The statements of every step, built once: building a statement and its cache key each time
# cost SQLAlchemy more than SQLite takes to run it.
_UPSERT_CITIZEN = {dialect: _upsert_citizen(dialect) for dialect in ("postgresql", "sqlite")}
# The chat's state, locked (PostgreSQL), with what says whether the citizen's row needs a touch.
_LOCK_STATE = (
    select(CONVERSATIONS.c.state, CONVERSATIONS.c.updated_at, CITIZENS.c.active,
           CITIZENS.c.last_seen)
    .select_from(
        CONVERSATIONS.outerjoin(CITIZENS, CITIZENS.c.user_id == bindparam("user"))
    )
    .where(CONVERSATIONS.c.chat_id == bindparam("chat"))
    .with_for_update(of=CONVERSATIONS)
)
_FAVOURITES = (
    select(FAVOURITES.c.offer_id)
    .where(FAVOURITES.c.user_id == bindparam("user"))
    .order_by(FAVOURITES.c.saved_at, FAVOURITES.c.offer_id)
)
_SAVE_STATE = (
    update(CONVERSATIONS)
    .where(CONVERSATIONS.c.chat_id == bindparam("chat"))
    .values(state=bindparam("new_state"), user_id=bindparam("user"), updated_at=bindparam("now"))
)


def _touch_citizen(connection: Connection, user_id: int, language_code: str | None) -> str:
    """Create or refresh the citizen row; their language (remembered, or from Telegram)."""
    statement = _UPSERT_CITIZEN[connection.dialect.name]
    parameters = {"user": user_id, "lang": normalise_language(language_code), "now": utcnow()}
    return str(connection.execute(statement, parameters).scalar_one())


def _utc(moment: datetime) -> datetime:
    # SQLite keeps no time zone: the columns are UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _stale(active: bool | None, seen: datetime | None) -> bool:
    """Whether the citizen's row is missing, marked inactive, or last seen over
    ``TOUCH_EVERY`` ago."""
    if active is not True or seen is None:
        return True
    return utcnow() - _utc(seen) > TOUCH_EVERY


def _state(row: Any, retention: timedelta) -> Conversation:
    """The stored state; a fresh one (in the same language) once idle past ``retention``,
    even if the daily purge (:func:`purge_idle`) has not erased it yet."""
    state = Conversation.from_json(row.state)
    if row.updated_at is not None and utcnow() - _utc(row.updated_at) > retention:
        return Conversation(language=state.language)
    return state


def _load(
    connection: Connection, chat_id: int, user_id: int, language_code: str | None,
    retention: timedelta,
) -> Conversation:
    """The chat's state, locked for the step; a new chat's starts in the citizen's language."""
    lock = {"chat": chat_id, "user": user_id}
    row = connection.execute(_LOCK_STATE, lock).one_or_none()
    if row is not None and not _stale(row.active, row.last_seen):
        return _state(row, retention)
    # A new chat, or a citizen to mark active (or seen) again: one write more, not at each step.
    language = _touch_citizen(connection, user_id, language_code)
    if row is None:
        # Insert-or-nothing, then lock: two first messages of one chat cannot both insert.
        fresh = Conversation(language=language)
        connection.execute(
            insert_on_conflict(connection.dialect.name, CONVERSATIONS)
            .values(chat_id=chat_id, user_id=user_id, state=fresh.to_json(), updated_at=utcnow())
            .on_conflict_do_nothing()
        )
        row = connection.execute(_LOCK_STATE, lock).one()
    return _state(row, retention)


def _favourites(connection: Connection, user_id: int) -> tuple[str, ...]:
    return tuple(connection.execute(_FAVOURITES, {"user": user_id}).scalars().all())


def forget(
    connection: Connection, *, user_id: int, chat_id: int, user_key: str | None = None
) -> None:
    """Delete every row about the citizen and their chat, their statistics events included
    when ``user_key`` (their pseudonym) is given (not committed). A maintainer's files waiting
    for an answer go too; their name in the import history becomes their pseudonym."""
    if user_key is not None:
        events.forget(connection, user_key=user_key)
    forget_pending(connection, user_id=user_id)
    proposals.forget(connection, user_id=user_id)
    reports.forget(connection, user_id=user_id)
    alerts.forget(connection, user_id=user_id)
    followups.forget(connection, user_id=user_id)
    offer_forms.forget(connection, user_id=user_id)
    forget_actor(connection, user_id=user_id, pseudonym=user_key)
    connection.execute(delete(FAVOURITES).where(FAVOURITES.c.user_id == user_id))
    connection.execute(
        delete(CONVERSATIONS).where(
            (CONVERSATIONS.c.chat_id == chat_id) | (CONVERSATIONS.c.user_id == user_id)
        )
    )
    connection.execute(delete(CITIZENS).where(CITIZENS.c.user_id == user_id))


def _apply(
    connection: Connection, effect: Effect, user_id: int, chat_id: int, user_key: str | None
) -> None:
    match effect:
        case SaveFavourite(offer_id=offer_id):
            connection.execute(
                insert_on_conflict(connection.dialect.name, FAVOURITES)
                .values(user_id=user_id, offer_id=offer_id, saved_at=utcnow())
                .on_conflict_do_nothing()
            )
        case RemoveFavourite(offer_id=offer_id):
            connection.execute(delete(FAVOURITES).where(
                (FAVOURITES.c.user_id == user_id) & (FAVOURITES.c.offer_id == offer_id)))
        case SetLanguage(language=language):
            connection.execute(
                update(CITIZENS).where(CITIZENS.c.user_id == user_id).values(language=language))
        case ForgetUser():
            forget(connection, user_id=user_id, chat_id=chat_id, user_key=user_key)
        case SetAlerts(watch=watch) if watch is None:
            alerts.forget(connection, user_id=user_id)
        case SetAlerts(watch=watch) if watch is not None:
            kept = connection.execute(
                select(CITIZENS.c.language).where(CITIZENS.c.user_id == user_id)).scalar()
            alerts.subscribe(connection, user_id=user_id, chat_id=chat_id,
                             language=str(kept or normalise_language(None)), watch=watch)
        case SetFollowUps(on=on):
            followups.switch(connection, user_id=user_id, on=on)
        case AnswerFollowUp():
            pass  # applied with its fact for the statistics: see _answered
        case Record(kind=kind, facts=facts) if kind in _FOLLOWED:
            looked_at = facts.get("offer")
            if isinstance(looked_at, str):
                followups.note(connection, user_id=user_id, chat_id=chat_id, offer_id=looked_at)
        case Record():
            pass  # written all together, after the effects: see _facts


def _answered(connection: Connection, effect: AnswerFollowUp,
              user_id: int) -> list[tuple[str, Mapping[str, object]]]:
    """Keep a follow-up's answer; its fact for the statistics, if it was kept (once)."""
    kept = followups.answer(connection, user_id=user_id, offer_id=effect.offer_id,
                            given=effect.answer, reason=effect.reason)
    if not kept:
        return []
    about = {"offer": effect.offer_id, "missions": effect.missions}
    if effect.answer is not None:
        return [(Kind.FOLLOWUP, {**about, "answer": effect.answer})]
    return [(Kind.FOLLOWUP_WHY, {**about, "reason": effect.reason})]


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
    database: Database,
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
    async with database.sessions() as session:
        index = await catalog.index(session=session)
    key = events.stats_key(settings)
    user_key = events.pseudonym(key, user_id) if key else None
    # "Today" is the city's (TREMPLIN_TIMEZONE), not the server's.
    now = local_now(settings.timezone)
    day = today or now.date()

    def transaction(connection: Connection) -> Outcome:
        # The whole step in one synchronous function: one hop to the database's thread on
        # SQLite (see catalog.store.transactions), and nothing else can run in the middle of it.
        state = _load(connection, chat_id, user_id, language_code,
                      timedelta(days=settings.conversation_retention_days))
        context = Context(
            index=index,
            today=day,
            now=None if today else now,
            timezone=settings.timezone,
            favourites=_favourites(connection, user_id),
            alerts=alerts.subscribed(connection, user_id),
            followups=followups.enabled(connection, user_id),
            city=settings.city,
            contact=settings.contact,
            retention_days=settings.conversation_retention_days,
        )
        outcome = step(state, event, context)
        answered: list[tuple[str, Mapping[str, object]]] = []
        for effect in outcome.effects:
            if isinstance(effect, AnswerFollowUp):
                answered += _answered(connection, effect, user_id)
            else:
                _apply(connection, effect, user_id, chat_id, user_key)
        if user_key is not None:
            events.record(connection, user_key=user_key, day=day,
                          language=outcome.state.language,
                          facts=_facts(outcome, new=not state.greeted) + answered)
        if not outcome.forgets:
            connection.execute(_SAVE_STATE, {"chat": chat_id, "new_state": outcome.state.to_json(),
                                             "user": user_id, "now": utcnow()})
        return outcome

    outcome = await run_transaction(database, transaction)
    return list(outcome.replies)


async def mark_inactive(
    *, database: Database, user_id: int, settings: Settings | None = None,
    today: date | None = None,
) -> None:
    """The citizen blocked the bot: stop counting them as reachable (and count it, anonymously,
    when statistics are recorded)."""
    recorded = settings is not None and events.stats_key(settings) is not None
    day = today or date.today()

    def transaction(connection: Connection) -> None:
        language = connection.execute(
            update(CITIZENS).where(CITIZENS.c.user_id == user_id).values(active=False)
            .returning(CITIZENS.c.language)
        ).scalar_one_or_none()
        if recorded:
            events.record(connection, user_key="", day=day,
                          language=language or normalise_language(None),
                          facts=[(Kind.BLOCKED, {})])

    await run_transaction(database, transaction)


async def purge_idle(
    *, database: Database, retention_days: int, now: datetime | None = None
) -> int:
    """Erase the conversations (answers, typed words) and /propose forms idle for more than
    ``retention_days``; how many conversations (the bot's daily housekeeping, ``tremplin jobs
    run conversations``). Saved offers and the citizen's language stay; a conversation idle
    that long is not resumed even before it is erased."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)

    def transaction(connection: Connection) -> int:
        idle = CONVERSATIONS.c.updated_at < cutoff
        result = connection.execute(delete(CONVERSATIONS).where(idle))
        offer_forms.purge(connection, before=cutoff)
        return int(result.rowcount or 0)

    return await run_transaction(database, transaction)
