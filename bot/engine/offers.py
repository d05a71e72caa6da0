"""What a citizen does with one offer: details, map, save, remove, and the saved list."""

from __future__ import annotations

import zlib
from dataclasses import replace

from bot.engine import actions, cards
from bot.engine.context import Context, Outcome, RemoveFavourite, SaveFavourite, tr_of
from bot.engine.replies import Button, Document, Reply
from bot.engine.state import Conversation, Step
from catalog import ics
from catalog.i18n import N_, Translator
from catalog.offer import Offer
from catalog.schedule import upcoming

# "Report a problem": the reasons a citizen taps (codes of catalog.maintenance.reports).
REPORT_REASONS: tuple[tuple[str, str], ...] = (
    ("closed", N_("Closed or no longer exists")),
    ("times", N_("Wrong times")),
    ("place", N_("Wrong place")),
    ("price", N_("Wrong price")),
    ("link", N_("The link does not work")),
    ("other", N_("Something else")),
)
# p:<ref> asks why; p<n>:<ref> is reason n. Ids too long for the room left travel hashed.
REPORT = "p"
_REPORT_ROOM = 60
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


def report_action(offer_id: str, reason: int | None = None) -> str:
    """``p:<ref>`` (ask why) or ``p<reason>:<ref>``; the front end resolves ``ref`` with
    :func:`bot.engine.actions.resolve_offer`."""
    ref = actions.offer_action(REPORT, offer_id).partition(":")[2]
    if len(ref) > _REPORT_ROOM:
        ref = f"#{zlib.crc32(offer_id.encode()):08x}"  # as actions.offer_action hashes it
    return f"{REPORT}{'' if reason is None else reason}:{ref}"


def report_reasons(offer_id: str, tr: Translator) -> Reply:
    """What is wrong with the offer: one button per reason."""
    buttons = [Button(tr.gettext(label), report_action(offer_id, number))
               for number, (_, label) in enumerate(REPORT_REASONS)]
    return Reply(tr.gettext("What is wrong with this offer?"), buttons=tuple(
        (button,) for button in buttons))


def details(state: Conversation, offer: Offer, ctx: Context) -> Outcome:
    """Everything about one offer, and a way to report a problem with it."""
    tr = tr_of(state)
    reply = cards.details(offer, tr, saved=offer.id in ctx.favourites, now=ctx.local_now)
    rows = reply.buttons
    if upcoming(offer.sessions, ctx.local_now):
        add = actions.offer_action(actions.CALENDAR, offer.id)
        rows = (*rows, (Button(tr.gettext("Add to calendar"), add),))
    report = Button(tr.gettext("Report a problem"), report_action(offer.id))
    reply = replace(reply, buttons=(*rows, (report,)))
    return Outcome(state, (_with_way_back(state, reply),))


def calendar(state: Conversation, offer: Offer, ctx: Context) -> Outcome:
    """The offer's upcoming sessions as a calendar file, or why there is none."""
    tr = tr_of(state)
    sessions = upcoming(offer.sessions, ctx.local_now)
    if not sessions:
        text = tr.gettext("This offer has no upcoming session to add to a calendar.")
        return Outcome(state, (_with_way_back(state, Reply(text)),))
    content = ics.offer_calendar(offer, now=ctx.local_now, zone=ctx.timezone)
    text = tr.ngettext(
        "{title}: {n} session. Open the file to add it to your calendar.",
        "{title}: {n} sessions. Open the file to add them to your calendar.",
        len(sessions),
    ).format(title=cards.title_of(offer, state.language), n=len(sessions))
    document = Document(ics.file_name(offer), ics.MEDIA_TYPE, content)
    return Outcome(state, (_with_way_back(state, Reply(text, document=document)),))


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
    shown = [cards.card(offer, tr, saved=True, now=ctx.local_now)
             for offer in present[:FAVOURITES_SHOWN]]
    if len(present) > FAVOURITES_SHOWN:
        notes.append(tr.gettext("Only the {n} most recent are shown.").format(n=FAVOURITES_SHOWN))
    closing = Reply("\n".join([*notes, tr.gettext("What would you like to do next?")]),
                    buttons=(menu,))
    return Outcome(state, (Reply(header), *shown, closing), gone)
