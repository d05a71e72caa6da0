"""What a citizen does with one offer: details, map, save, remove, and the saved list."""

from __future__ import annotations

from dataclasses import replace

from bot.engine import actions, cards
from bot.engine.context import Context, Outcome, RemoveFavourite, SaveFavourite, tr_of
from bot.engine.replies import Button, Reply
from bot.engine.state import Conversation, Step
from catalog.offer import Offer

# Saved offers a citizen can keep; the list is shown whole, so it stays short.
MAX_FAVOURITES = 20
FAVOURITES_SHOWN = 10


def resolve(ref: str, ctx: Context) -> str | None:
    """The offer id a button names, if the offer is in the catalogue or among the saved ones."""
    if not ref.startswith("#"):
        return ref if ref in ctx.favourites or ctx.index.get(ref) is not None else None
    return actions.resolve_offer(ref, [*ctx.favourites, *(offer.id for offer in ctx.index.offers)])


def _saved_menu(state: Conversation) -> tuple[Button, ...]:
    return (Button(tr_of(state).gettext("My saved offers"), "go:favs"),)


def _title(offer_id: str, ctx: Context, lang: str) -> str:
    offer = ctx.index.get(offer_id)
    return cards.title_of(offer, lang) if offer else offer_id


def _with_way_back(state: Conversation, reply: Reply) -> Reply:
    """``reply`` with a way back to the results page, when the citizen came from one."""
    if state.step != Step.RESULTS:
        return reply
    back = Button(tr_of(state).gettext("Back to the results"), "go:results")
    return replace(reply, buttons=(*reply.buttons, (back,)))


def details(state: Conversation, offer: Offer, ctx: Context) -> Outcome:
    """Everything about one offer."""
    reply = cards.details(offer, tr_of(state), saved=offer.id in ctx.favourites)
    return Outcome(state, (_with_way_back(state, reply),))


def show_map(state: Conversation, offer: Offer, ctx: Context) -> Outcome | None:
    """The offer's place as a venue; ``None`` when it has no coordinates."""
    reply = cards.map_reply(offer, tr_of(state), saved=offer.id in ctx.favourites)
    return Outcome(state, (_with_way_back(state, reply),)) if reply else None


def save(state: Conversation, offer_id: str, ctx: Context) -> Outcome:
    """Keep an offer in the citizen's saved list."""
    tr = tr_of(state)
    title = _title(offer_id, ctx, state.language)
    remove = Button(tr.gettext("Remove from saved"), actions.offer_action(actions.UNSAVE, offer_id))
    if offer_id in ctx.favourites:
        text = tr.gettext("Already saved: {title}.").format(title=title)
        return Outcome(state, (Reply(text, buttons=((remove, *_saved_menu(state)),)),))
    if len(ctx.favourites) >= MAX_FAVOURITES:
        text = tr.ngettext(
            "You have saved {n} offer, the most I can keep. Remove one first.",
            "You have saved {n} offers, the most I can keep. Remove one first.",
            len(ctx.favourites),
        ).format(n=len(ctx.favourites))
        return Outcome(state, (Reply(text, buttons=(_saved_menu(state),)),))
    text = tr.gettext("Saved: {title}. /favorites shows your saved offers.").format(title=title)
    reply = Reply(text, buttons=((remove, *_saved_menu(state)),))
    return Outcome(state, (_with_way_back(state, reply),), (SaveFavourite(offer_id),))


def unsave(state: Conversation, offer_id: str, ctx: Context) -> Outcome:
    """Remove an offer from the saved list."""
    tr = tr_of(state)
    title = _title(offer_id, ctx, state.language)
    if offer_id not in ctx.favourites:
        text = tr.gettext("This offer is not in your saved offers.")
        return Outcome(state, (Reply(text, buttons=(_saved_menu(state),)),))
    text = tr.gettext("Removed from your saved offers: {title}.").format(title=title)
    rows: list[tuple[Button, ...]] = [_saved_menu(state)]
    if ctx.index.get(offer_id) is not None:
        again = Button(tr.gettext("Save again"), actions.offer_action(actions.SAVE, offer_id))
        rows.insert(0, (again,))
    reply = _with_way_back(state, Reply(text, buttons=tuple(rows)))
    return Outcome(state, (reply,), (RemoveFavourite(offer_id),))


def favourites(state: Conversation, ctx: Context, menu: tuple[Button, ...]) -> Outcome:
    """The saved offers, most recent first; offers gone from the catalogue are dropped."""
    tr = tr_of(state)
    menu = tuple(button for button in menu if button.action != "go:favs")
    present = [offer for offer in map(ctx.index.get, reversed(ctx.favourites)) if offer]
    gone = tuple(
        RemoveFavourite(offer_id) for offer_id in ctx.favourites if ctx.index.get(offer_id) is None
    )
    notes: list[str] = []
    if gone:
        notes.append(tr.ngettext(
            "{n} saved offer is no longer available: I removed it.",
            "{n} saved offers are no longer available: I removed them.",
            len(gone),
        ).format(n=len(gone)))
    if not present:
        notes.append(tr.gettext(
            "You have no saved offers yet. Press “Save” under an offer to keep it here."))
        return Outcome(state, (Reply("\n".join(notes), buttons=(menu,)),), gone)
    header = tr.ngettext("You have saved {n} offer:", "You have saved {n} offers:",
                         len(present)).format(n=len(present))
    shown = [cards.card(offer, tr, saved=True) for offer in present[:FAVOURITES_SHOWN]]
    if len(present) > FAVOURITES_SHOWN:
        notes.append(tr.gettext("Only the {n} most recent are shown.").format(n=FAVOURITES_SHOWN))
    closing = Reply("\n".join([*notes, tr.gettext("What would you like to do next?")]),
                    buttons=(menu,))
    return Outcome(state, (Reply(header), *shown, closing), gone)
