"""Sessions on cards and "Add to calendar" (issue 18): the .ics file parsed back, the next session
or today's hours in the citizen's locale, and the file end to end through the fake Bot API."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from factories import offer
from fakeapi import FakeBotApi
from icalendar import Calendar
from sqlmodel import update
from telegram_helpers import bot_settings, has_button, running_bot, walk_to_results

from bot.chats.database import Database
from bot.engine.cards import card, timing_text
from catalog.i18n import translator
from catalog.ics import offer_calendar
from catalog.store.models import OfferRecord

PARIS = ZoneInfo("Europe/Paris")
SESSIONS = "2026-12-02T14:00/16:00;2026-12-09T14:00/16:00;2026-12-16T14:00/16:00"
NOW = datetime(2026, 12, 3, 10, 0)


def _events(data: bytes) -> list[dict[str, object]]:
    calendar = Calendar.from_ical(data)
    return [dict(event.items()) for event in calendar.walk("VEVENT")]


def test_the_calendar_has_one_event_per_upcoming_session_in_the_city_zone() -> None:
    atelier = offer("atelier-1", title="Atelier numérique", sessions=SESSIONS,
                    address="1 place de Jaude", postcode="63000", url="https://example.org/a")
    data = offer_calendar(atelier, now=NOW, zone="Europe/Paris")
    calendar = Calendar.from_ical(data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = calendar.walk("VEVENT")
    assert [event.decoded("DTSTART") for event in events] == [  # the past one left out
        datetime(2026, 12, 9, 14, 0, tzinfo=PARIS), datetime(2026, 12, 16, 14, 0, tzinfo=PARIS)]
    assert [event.decoded("DTEND").hour for event in events] == [16, 16]
    assert b"DTSTART;TZID=Europe/Paris:20261209T140000" in data
    first = events[0]
    assert str(first["SUMMARY"]) == "Atelier numérique"
    assert str(first["LOCATION"]) == "1 place de Jaude, 63000 Clermont-Ferrand"
    assert str(first["URL"]) == "https://example.org/a"
    # Stable: the same file for the same offer, one UID per session.
    assert offer_calendar(atelier, now=NOW, zone="Europe/Paris") == data
    assert [str(e["UID"]) for e in events] == [
        "atelier-1-20261209T1400@tremplin", "atelier-1-20261216T1400@tremplin"]


def test_cards_show_the_next_session_or_today_s_hours_in_the_citizen_s_locale() -> None:
    en, fr = translator("en"), translator("fr")
    with_sessions = offer("s", sessions=SESSIONS)
    assert timing_text(with_sessions, en, NOW) == "Next session: Wednesday 9 December, 14:00–16:00"
    assert "mercredi 9 décembre, 14:00–16:00" in timing_text(with_sessions, fr, NOW)
    assert "December 2," not in card(with_sessions, en, saved=False, now=NOW).text
    assert timing_text(with_sessions, en, datetime(2026, 12, 17)) == ""  # all past: none shown
    place = offer("p", opening_hours="Mo-Fr 09:00-12:00,14:00-17:00; PH off")
    assert timing_text(place, en, NOW) == "Open today until 17:00"  # a Thursday
    assert timing_text(place, en, datetime(2026, 12, 5, 10, 0)) == "Closed today"  # Saturday
    assert "Open today until 17:00" in card(place, en, saved=False, now=NOW).text


@pytest.mark.asyncio
async def test_add_to_calendar_sends_the_sessions_as_an_ics_document(
    server: FakeBotApi, database: Database, database_url: str,
) -> None:
    first = date.today() + timedelta(days=7)
    sessions = f"{first}T14:00/16:00;{first + timedelta(days=7)}T14:00/16:00"
    async with database.sessions() as session:
        await session.exec(update(OfferRecord).values(sessions=sessions))
        await session.commit()
    user = server.user(8_400_000_001, "Ada", language_code="en")
    async with running_bot(bot_settings(server, database_url), database):
        await walk_to_results(user, "en")
        listed = next(m for m in reversed(user.messages) if m.has_button("Details"))
        assert "Next session:" in (listed.text or "")
        await user.press("Details", listed)
        details = await user.wait_for(has_button("Add to calendar"))
        await user.press("Add to calendar", details)
        sent = await user.wait_for(lambda m: m.kind == "document")
    assert sent.file is not None and (sent.file.file_name or "").endswith(".ics")
    events = Calendar.from_ical(sent.file.data).walk("VEVENT")
    starts = [event.decoded("DTSTART") for event in events]
    assert starts == [datetime.combine(day, datetime.min.time().replace(hour=14), PARIS)
                      for day in (first, first + timedelta(days=7))]
    assert all(event["DTSTART"].params["TZID"] == "Europe/Paris" for event in events)


def test_whole_days_are_all_day_events() -> None:
    fete = offer("fete", title="Fête de la science", sessions="2026-12-12;2026-12-20/2026-12-22")
    data = offer_calendar(fete, now=NOW, zone="Europe/Paris")
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in events] == [
        (date(2026, 12, 12), date(2026, 12, 13)), (date(2026, 12, 20), date(2026, 12, 23))]
    assert b"DTSTART;VALUE=DATE:20261212\r\nDTEND;VALUE=DATE:20261213" in data
    assert b"TZID" not in data and calendar.walk("VTIMEZONE") == []
    # On a card, a whole day has no time.
    text = timing_text(fete, translator("fr"), NOW)
    assert text == "Prochaine séance : samedi 12 décembre"
