"""Offers as replies: the short card of a result, its details, its map, in the citizen's locale.

Offer texts come from the catalogue (French, or a translation when the catalogue has one); the
words around them are gettext strings, and dates, prices, distances and lists are formatted by
Babel for the citizen's locale ("3 décembre 2026", "12,50 €", "1,2 km", "A, B et C").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import cache

from babel import Locale
from babel.dates import format_date, format_skeleton, match_skeleton
from babel.lists import format_list
from babel.numbers import format_currency
from babel.units import format_unit

from bot.engine import actions
from bot.engine.replies import Button, Reply, Venue
from catalog.i18n import DEFAULT_LANGUAGE, Translator
from catalog.matching.reasons import age_reason
from catalog.offer import Offer
from catalog.places import place_in
from catalog.schedule import Session, opening_today, upcoming
from catalog.vocabulary import AUDIENCES, FORMAT_LABELS, MISSIONS

# A description longer than this is cut in the details (Telegram allows 4096 per message).
DESCRIPTION_LIMIT = 1500
# A card is one Telegram message whatever the data: each catalogue text on it is cut to these
# lengths (the contract's limits, or a little more), even in offers stored before the limits
# existed. The whole card stays under 2,048 characters, hence under 4,096 UTF-16 code units.
CARD_LIMITS = {"title": 200, "provider": 200, "when": 400, "where": 350, "price": 40,
               "reasons": 500}
# The details list this many upcoming sessions, then say how many more.
SHOWN_SESSIONS = 5
# A session this far ahead shows its year: within ~11 months, the day and month cannot be
# mistaken for the same day of another year.
_YEAR_FROM = timedelta(days=330)
_QUOTED = re.compile(r"('[^']*')")


def clip(text: str, limit: int) -> str:
    """``text``, or its first ``limit - 1`` characters and an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
# Looked up here, not inside gettext(): pybabel would extract the dict key as a msgid.
_ONLINE = FORMAT_LABELS["online"]


def price_text(offer: Offer, tr: Translator) -> str:
    """``Free``, the price in the citizen's currency format, or ``ask the organiser``."""
    if offer.price_eur is None:
        return tr.gettext("ask the organiser")
    if offer.is_free:
        return tr.gettext("Free")
    return format_currency(offer.price_eur, "EUR", locale=tr.locale)


def dates_text(offer: Offer, tr: Translator) -> str:
    """The start and end dates, e.g. ``From 8 September 2026 to 29 June 2027``."""
    start = offer.start_date and format_date(offer.start_date, "long", locale=tr.locale)
    end = offer.end_date and format_date(offer.end_date, "long", locale=tr.locale)
    if start and end:
        return tr.gettext("From {start} to {end}").format(start=start, end=end)
    if start:
        return tr.gettext("From {start}").format(start=start)
    if end:
        return tr.gettext("Until {end}").format(end=end)
    return ""


@cache
def _day_pattern(lang: str, year: bool) -> str:
    """The locale's pattern of a weekday, day and month (and year): CLDR's skeleton
    ``MMMMEEEEd`` with the weekday written out, as ICU widens it ("mercredi 9 décembre",
    "Wednesday 9 December", "9 Aralık Çarşamba"); Babel keeps the matched pattern's ``E``."""
    locale = Locale.parse(lang)
    skeleton = match_skeleton("yMMMMEEEEd" if year else "MMMMEEEEd", locale.datetime_skeletons)
    pattern = locale.datetime_skeletons[skeleton].pattern
    # Fields are letters outside quotes: only those runs of E are widened.
    return "".join(part if part.startswith("'") else re.sub("E+", "EEEE", part)
                   for part in _QUOTED.split(pattern))


def _day(day: date, tr: Translator, now: datetime) -> str:
    far = day - now.date() > _YEAR_FROM
    return str(format_date(day, _day_pattern(tr.locale, far), locale=tr.locale))


def _clock(moment: datetime, tr: Translator) -> str:
    return str(format_skeleton("Hm", moment, locale=tr.locale))  # 24 hours, as opening hours


def session_text(session: Session, tr: Translator, now: datetime) -> str:
    """``Wednesday 9 December, 14:00–16:00`` (or whole days, without a time) in the citizen's
    locale; the year only for a session more than ~11 months after ``now``."""
    start, end = session.start, session.end
    if session.all_day:
        last = (end - timedelta(days=1)).date()
        first = _day(start.date(), tr, now)
        return first if last == start.date() else f"{first} – {_day(last, tr, now)}"
    # The locale's glue of a date and a time: "{1}, {0}", "{1}، {0}", "{1} {0}".
    glue = str(Locale.parse(tr.locale).datetime_formats["full"])
    if end.date() == start.date():
        hours = f"{_clock(start, tr)}–{_clock(end, tr)}"
        return glue.format(hours, _day(start.date(), tr, now))
    return (f"{glue.format(_clock(start, tr), _day(start.date(), tr, now))} – "
            f"{glue.format(_clock(end, tr), _day(end.date(), tr, now))}")


def session_lines(offer: Offer, tr: Translator, now: datetime | None) -> list[str]:
    """The details' upcoming sessions when there are several: the first
    :data:`SHOWN_SESSIONS`, then how many more (one is said as on the card)."""
    coming = upcoming(offer.sessions, now) if now else ()
    if len(coming) <= 1 or now is None:
        return []
    lines = [tr.gettext("Upcoming sessions:")]
    lines += [f"• {session_text(session, tr, now)}" for session in coming[:SHOWN_SESSIONS]]
    more = len(coming) - SHOWN_SESSIONS
    if more > 0:
        lines.append(tr.ngettext("…and {n} more session", "…and {n} more sessions", more)
                     .format(n=more))
    return lines


def timing_text(offer: Offer, tr: Translator, now: datetime | None) -> str:
    """The next session (past ones are never shown), else today's opening hours."""
    if now is None:
        return ""
    coming = upcoming(offer.sessions, now)
    if coming:
        session = session_text(coming[0], tr, now)
        return tr.gettext("Next session: {session}").format(session=session)
    hours = opening_today(offer.opening_hours, now) if offer.opening_hours else None
    if hours is None:
        return ""
    if not hours:
        return tr.gettext("Closed today")
    return tr.gettext("Open today until {time}").format(time=_clock(hours[-1][1], tr))


def when_text(offer: Offer, tr: Translator, now: datetime | None = None) -> str:
    """The next session or today's hours (at ``now``, the city's local time), the schedule (in
    the citizen's language when translated) and the dates, whichever given."""
    parts = [part for part in (timing_text(offer, tr, now), offer.schedule_in(tr.lang),
                               dates_text(offer, tr)) if part]
    return " · ".join(parts)


def distance_text(distance_km: float, tr: Translator) -> str:
    """``1.2 km`` (or ``1,2 km``...) in the citizen's locale."""
    return format_unit(round(distance_km, 1), "length-kilometer", length="short",
                       format="#,##0.#", locale=tr.locale)


def where_text(offer: Offer, tr: Translator, distance_km: float | None = None) -> str:
    """Where it happens: online, or the neighbourhood/city, with the distance when known."""
    if offer.format == "online":
        return tr.gettext(_ONLINE)
    place = place_in(offer.neighbourhood or offer.city or offer.address, tr)
    if distance_km is not None:
        distance = tr.gettext("{distance} away").format(distance=distance_text(distance_km, tr))
        place = f"{place} ({distance})" if place else distance
    if offer.format == "hybrid":
        online = tr.gettext(_ONLINE)
        place = f"{place} · {online}" if place else online
    return place


def title_of(offer: Offer, lang: str) -> str:
    """The offer's title in ``lang`` when translated, else in French."""
    return offer.title_in(lang)


def _french_note(offer: Offer, tr: Translator) -> list[str]:
    if tr.lang == DEFAULT_LANGUAGE or offer.is_translated(tr.lang):
        return []
    return [tr.gettext("(This offer is described in French.)")]


def offer_buttons(offer: Offer, tr: Translator, *, saved: bool, details: bool = True) -> tuple[
    tuple[Button, ...], ...
]:
    """Details, save (or remove), website (only with a url), map (only with coordinates)."""
    first: list[Button] = []
    if details:
        first.append(Button(tr.gettext("Details"), actions.offer_action(actions.DETAILS, offer.id)))
    if saved:
        first.append(Button(tr.gettext("Remove from saved"),
                            actions.offer_action(actions.UNSAVE, offer.id)))
    else:
        first.append(Button(tr.gettext("Save"), actions.offer_action(actions.SAVE, offer.id)))
    second: list[Button] = []
    if offer.url:
        second.append(Button(tr.gettext("Website"), url=offer.url))
    if offer.location is not None:
        second.append(Button(tr.gettext("Map"), actions.offer_action(actions.MAP, offer.id)))
    return tuple(row for row in (tuple(first), tuple(second)) if row)


def card(
    offer: Offer,
    tr: Translator,
    *,
    saved: bool,
    reasons: Sequence[str] = (),
    distance_km: float | None = None,
    now: datetime | None = None,
) -> Reply:
    """The short card of one offer: who, when, where, price, why it fits; one message, each
    text cut to :data:`CARD_LIMITS` when longer. ``now``: the city's local time."""
    lines = [clip(offer.provider, CARD_LIMITS["provider"])]
    when = clip(when_text(offer, tr, now), CARD_LIMITS["when"])
    if when:
        lines.append(tr.gettext("When: {when}").format(when=when))
    where = clip(where_text(offer, tr, distance_km), CARD_LIMITS["where"])
    if where:
        lines.append(tr.gettext("Where: {where}").format(where=where))
    price = clip(price_text(offer, tr), CARD_LIMITS["price"])
    lines.append(tr.gettext("Price: {price}").format(price=price))
    if reasons:
        why = clip(" · ".join(reasons), CARD_LIMITS["reasons"])
        lines.append(tr.gettext("Why it fits: {reasons}").format(reasons=why))
    lines += _french_note(offer, tr)
    return Reply(
        text="\n".join(lines),
        title=clip(title_of(offer, tr.lang), CARD_LIMITS["title"]),
        buttons=offer_buttons(offer, tr, saved=saved),
    )


def _language_names(offer: Offer, tr: Translator) -> str:
    names = Locale.parse(tr.locale).languages
    return format_list([names.get(code, code) for code in offer.languages], locale=tr.locale)


def details(offer: Offer, tr: Translator, *, saved: bool, now: datetime | None = None) -> Reply:
    """Everything the catalogue says about one offer (``now``: the city's local time)."""
    lines: list[str] = []
    description = offer.description_in(tr.lang)
    if description:
        cut = description[:DESCRIPTION_LIMIT]
        lines += [cut + ("…" if len(description) > DESCRIPTION_LIMIT else ""), ""]
    lines.append(tr.gettext("By: {provider}").format(provider=offer.provider))
    sessions = session_lines(offer, tr, now)
    # Several sessions are listed on their own lines; else the next one, or today's hours, go
    # in "When" as on the card.
    when = when_text(offer, tr, None if sessions else now)
    if when:
        lines.append(tr.gettext("When: {when}").format(when=when))
    lines += sessions
    address = ", ".join(
        part for part in (offer.address, f"{offer.postcode} {offer.city}".strip()) if part
    )
    if offer.format != "online" and (address or offer.neighbourhood):
        place = " · ".join(part for part in (address, place_in(offer.neighbourhood, tr)) if part)
        lines.append(tr.gettext("Where: {where}").format(where=place))
    format_label = FORMAT_LABELS.get(offer.format) or FORMAT_LABELS["in_person"]
    lines.append(tr.gettext("Format: {format}").format(format=tr.gettext(format_label)))
    lines.append(tr.gettext("Price: {price}").format(price=price_text(offer, tr)))
    ages = age_reason(offer.age_min, offer.age_max)
    if ages:
        lines.append(ages.text(tr))
    if offer.audiences:
        audiences = format_list(
            [tr.gettext(AUDIENCES[code]) for code in offer.audiences if code in AUDIENCES],
            locale=tr.locale,
        )
        lines.append(tr.gettext("For: {audiences}").format(audiences=audiences))
    lines.append(tr.gettext("Taught in: {languages}").format(
        languages=_language_names(offer, tr)))
    if offer.wheelchair_accessible is True:
        lines.append(tr.gettext("Wheelchair accessible"))
    elif offer.wheelchair_accessible is False:
        lines.append(tr.gettext("Not wheelchair accessible"))
    if offer.phone:
        lines.append(tr.gettext("Phone: {phone}").format(phone=offer.phone))
    if offer.email:
        lines.append(tr.gettext("Email: {email}").format(email=offer.email))
    missions = [tr.gettext(MISSIONS[code]) for code in offer.missions if code in MISSIONS]
    if missions:
        lines.append(tr.gettext("Learning city: {missions}").format(
            missions=format_list(missions, locale=tr.locale)))
    if offer.updated_on:  # when the organiser or a maintainer last confirmed it
        lines.append(tr.gettext("Updated on {date}").format(
            date=format_date(offer.updated_on, "long", locale=tr.locale)))
    lines += _french_note(offer, tr)
    return Reply(
        text="\n".join(lines),
        title=title_of(offer, tr.lang),
        buttons=offer_buttons(offer, tr, saved=saved, details=False),
    )


def map_reply(offer: Offer, tr: Translator, *, saved: bool) -> Reply | None:
    """The offer's place as a venue, or ``None`` when the catalogue has no coordinates."""
    if offer.latitude is None or offer.longitude is None:
        return None
    title = title_of(offer, tr.lang)
    address = ", ".join(
        part for part in (offer.address, f"{offer.postcode} {offer.city}".strip()) if part
    ) or offer.neighbourhood or offer.city
    return Reply(
        text=tr.gettext("{title}: {address}").format(title=title, address=address or "—"),
        venue=Venue(latitude=offer.latitude, longitude=offer.longitude, title=title[:128],
                    address=(address or title)[:256]),
        buttons=offer_buttons(offer, tr, saved=saved),
    )
