"""An offer's upcoming sessions as an iCalendar file (RFC 5545), built with ``icalendar``.

One ``VEVENT`` per upcoming session, its times in the city's zone (``TZID``) with that zone's
``VTIMEZONE``; the offer's place as ``LOCATION``, its page as ``URL``, and a ``UID`` that names
the offer and the session's start, so a calendar that imports the file twice keeps one event.
Pure: the bytes depend on the offer, ``now`` (local, naive) and the zone only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from catalog.offer import Offer
from catalog.schedule import upcoming

PRODID = "-//Tremplin//Learning offers//EN"
MEDIA_TYPE = "text/calendar"


def _location(offer: Offer) -> str:
    town = f"{offer.postcode} {offer.city}".strip()
    return ", ".join(part for part in (offer.address, town) if part) or offer.neighbourhood


def offer_calendar(offer: Offer, *, now: datetime, zone: str, domain: str = "tremplin") -> bytes:
    """The ``.ics`` file of ``offer``'s sessions not over at ``now``; empty of events if none."""
    tz = ZoneInfo(zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    for session in upcoming(offer.sessions, now):
        event = Event()
        stamp = session.start.strftime("%Y%m%dT%H%M")
        event.add("uid", f"{offer.id}-{stamp}@{domain}")
        # DTSTAMP (UTC) is when the object was made; the session's start keeps the file the
        # same for the same offer.
        event.add("dtstamp", session.start.replace(tzinfo=tz).astimezone(UTC))
        event.add("summary", offer.title)
        if session.all_day:
            event.add("dtstart", session.start.date())
            event.add("dtend", session.end.date())
        else:
            event.add("dtstart", session.start.replace(tzinfo=tz))
            event.add("dtend", session.end.replace(tzinfo=tz))
        location = _location(offer)
        if offer.format != "online" and location:
            event.add("location", location)
        if offer.url:
            event.add("url", offer.url)
        description = "\n".join(part for part in (offer.provider, offer.description) if part)
        event.add("description", description[:1000])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def file_name(offer: Offer) -> str:
    """``<offer id>.ics``: ids are ASCII letters, digits, dot, dash and underscore."""
    return f"{offer.id}.ics"

