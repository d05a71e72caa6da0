"""Partners' /propose forms in the database: one per person, saved at every answer, so a
restart or another replica resumes the form where it was (``bot.engine.offer_form``).

Synchronous functions on a Core ``Connection``, run in one transaction per answer
(``catalog.store.transactions.run_transaction``), as a conversation step.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Table, delete, select

from bot.chats.models import OfferForm
from bot.engine.offer_form import Form
from catalog.store.models import utcnow
from catalog.store.upsert import insert_on_conflict

FORMS: Table = OfferForm.__table__  # type: ignore[attr-defined]


def load(connection: Connection, *, user_id: int) -> Form | None:
    """The person's form in progress, or None (most messages: one primary-key read)."""
    state = connection.execute(
        select(FORMS.c.state).where(FORMS.c.user_id == user_id)).scalar_one_or_none()
    return None if state is None else Form.from_json(state)


def save(connection: Connection, *, user_id: int, chat_id: int, form: Form | None) -> None:
    """Keep ``form`` as the person's form; None ends it (confirmed or cancelled)."""
    if form is None:
        forget(connection, user_id=user_id)
        return
    statement = insert_on_conflict(connection.dialect.name, FORMS)
    values = {"chat_id": chat_id, "state": form.to_json(), "updated_at": utcnow()}
    connection.execute(statement.values(user_id=user_id, **values).on_conflict_do_update(
        index_elements=[FORMS.c.user_id], set_=values))


def forget(connection: Connection, *, user_id: int) -> None:
    """Erase the person's form in progress (/cancel, /start, /forget)."""
    connection.execute(delete(FORMS).where(FORMS.c.user_id == user_id))


def purge(connection: Connection, *, before: datetime) -> int:
    """Erase the forms idle since ``before``; how many."""
    return int(connection.execute(delete(FORMS).where(FORMS.c.updated_at < before)).rowcount
               or 0)
