"""Sessions and opening hours (issue 18): the cells' rules, the upcoming sessions, today's hours."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from factories import offer

from catalog.formats.columns import parse_row
from catalog.formats.data_inclusion import read_data_inclusion_report
from catalog.formats.hsds import read_hsds_report
from catalog.formats.validation import InvalidCatalogue
from catalog.matching.matcher import CatalogIndex, eligible, match
from catalog.matching.profile import Profile
from catalog.offer import Offer
from catalog.schedule import last_day, local_now, opening_today, parse_sessions, upcoming

HSDS_EXAMPLE = Path(__file__).parent / "data" / "open_data" / "hsds_service_full.json"
BASE = {"id": "a", "title": "Atelier", "provider": "Médiathèque", "missions": "digital"}


def test_sessions_are_read_in_order_in_their_canonical_form() -> None:
    offer = parse_row({**BASE, "sessions": " 2026-12-16T14:00/16:00 ;2026-12-09T14:00/16:00"})
    assert isinstance(offer, Offer)
    assert offer.sessions == "2026-12-09T14:00/16:00;2026-12-16T14:00/16:00"


def test_a_bad_interval_is_named_with_the_character_it_starts_at() -> None:
    problems = parse_row({**BASE, "sessions": "2026-12-09T14:00/16:00;2026-13-16T14:00/16:00"})
    assert problems == [("sessions", "session '2026-13-16T14:00/16:00' at character 24:"
                                     " month must be in 1..12")]
    backwards = parse_row({**BASE, "sessions": "2026-12-09T14:00/13:00"})
    assert backwards == [("sessions", "session '2026-12-09T14:00/13:00' at character 1:"
                                      " ends before it starts")]
    words = parse_row({**BASE, "sessions": "mercredi 14h"})
    assert isinstance(words, list) and "2026-12-09T14:00/16:00" in words[0][1]


def test_unparsable_opening_hours_are_refused_with_line_and_column() -> None:
    offer = parse_row({**BASE, "opening_hours": "Mo-Fr 09:00-12:00; PH off"})
    assert isinstance(offer, Offer) and offer.opening_hours == "Mo-Fr 09:00-12:00; PH off"
    problems = parse_row({**BASE, "opening_hours": "Mo-Fr 25:00-99"})
    assert isinstance(problems, list)
    assert problems[0][0] == "opening_hours"
    assert "is not OpenStreetMap opening hours at line 1, column 7" in problems[0][1]


def test_past_sessions_are_not_upcoming_and_the_last_day_is_known() -> None:
    cell = "2026-12-02T14:00/16:00;2026-12-09T14:00/16:00;2026-12-20/2026-12-22"
    now = datetime(2026, 12, 9, 15, 0)
    assert [s.start for s in upcoming(cell, now)] == [
        datetime(2026, 12, 9, 14, 0), datetime(2026, 12, 20, 0, 0)]
    assert upcoming(cell, datetime(2026, 12, 23)) == ()
    assert last_day(cell) == date(2026, 12, 22)
    assert last_day("") is None


def test_opening_today_keeps_the_open_hours_still_to_come() -> None:
    hours = "Mo-Fr 09:00-12:00,14:00-17:00; PH off"
    wednesday = opening_today(hours, datetime(2026, 12, 9, 13, 0))
    assert wednesday == ((datetime(2026, 12, 9, 14, 0), datetime(2026, 12, 9, 17, 0)),)
    assert opening_today(hours, datetime(2026, 12, 12, 10, 0)) == ()  # a Saturday


PAST = "2026-11-18T14:00/16:00;2026-11-25T14:00/16:00"


def test_an_offer_whose_sessions_are_all_past_has_ended() -> None:
    today, everyone = date(2026, 12, 9), Profile()
    ended = offer("ended", sessions=PAST)
    assert not eligible(ended, everyone, today)
    assert eligible(ended, everyone, date(2026, 11, 25))  # its last session's day
    assert match(everyone, CatalogIndex([ended]), today=today) == []
    # Opening hours or an end date say it goes on: the past sessions do not end it.
    for going_on in (offer("hours", sessions=PAST, opening_hours="Mo-Fr 09:00-12:00"),
                     offer("dated", sessions=PAST, end_date=date(2027, 6, 30)),
                     offer("next", sessions=PAST + ";2026-12-16T14:00/16:00")):
        assert eligible(going_on, everyone, today), going_on.id
        assert [m.offer.id for m in match(everyone, CatalogIndex([going_on]), today=today)] == [
            going_on.id]


def _hsds(schedules: list[dict[str, str]]) -> bytes:
    service = json.loads(HSDS_EXAMPLE.read_bytes())
    return json.dumps({**service, "schedules": schedules}).encode()


def test_hsds_schedules_fill_opening_hours_and_sessions() -> None:
    example = read_hsds_report(HSDS_EXAMPLE.read_bytes()).offers
    assert [o.opening_hours for o in example] == ["Th,Fr 10:00-18:00"]
    weekly = {"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:00", "closes_at": "12:00"}
    once = {"dtstart": "2026-12-09", "opens_at": "14:00:00", "closes_at": "16:00:00"}
    (read,) = read_hsds_report(_hsds([weekly, once])).offers
    assert (read.opening_hours, read.sessions) == ("Mo,We 09:00-12:00", "2026-12-09T14:00/16:00")
    backwards = {"dtstart": "2026-12-09", "opens_at": "16:00", "closes_at": "14:00"}
    with pytest.raises(InvalidCatalogue) as refused:
        read_hsds_report(_hsds([backwards]))
    assert [(p.column, p.reason) for p in refused.value.problems] == [
        ("schedules", "session '2026-12-09T16:00/14:00' at character 1: ends before it starts")]


def test_local_now_is_the_city_s_wall_clock() -> None:
    # Kiritimati is 14 hours ahead of UTC all year, Pago Pago 11 behind: their days differ.
    ahead, utc = local_now("Pacific/Kiritimati"), datetime.now(UTC).replace(tzinfo=None)
    behind = local_now("Pacific/Pago_Pago")
    assert round((ahead - utc) / timedelta(hours=1)) == 14
    assert round((behind - utc) / timedelta(hours=1)) == -11
    assert ahead.tzinfo is None


def test_data_inclusion_horaires_accueil_go_to_opening_hours_when_they_are_osm() -> None:
    services = json.loads((HSDS_EXAMPLE.parent / "services.json").read_text("utf-8"))[:2]
    services[0]["horaires_accueil"] = "Mo-Fr 09:00-12:00; PH off"
    services[1]["horaires_accueil"] = "le mardi matin"
    first, second = read_data_inclusion_report(json.dumps(services).encode()).offers
    assert (first.opening_hours, first.schedule) == ("Mo-Fr 09:00-12:00; PH off", "")
    assert (second.opening_hours, second.schedule) == ("", "le mardi matin")


def test_a_date_is_a_whole_day_session() -> None:
    cell = "2026-12-12;2026-12-20/2026-12-22;2026-12-13/2026-12-13"
    offer = parse_row({**BASE, "sessions": cell})
    assert isinstance(offer, Offer)
    assert offer.sessions == "2026-12-12;2026-12-13;2026-12-20/2026-12-22"  # one day: its date
    (day,) = parse_sessions("2026-12-12")
    assert (day.start, day.end, day.all_day) == (
        datetime(2026, 12, 12), datetime(2026, 12, 13), True)
    assert parse_row({**BASE, "sessions": "2026-12-32"}) == [
        ("sessions", "session '2026-12-32' at character 1: day is out of range for month")]


def test_an_hsds_day_without_hours_is_a_whole_day_session() -> None:
    once = {"dtstart": "2026-12-12"}
    (read,) = read_hsds_report(_hsds([once])).offers
    assert read.sessions == "2026-12-12"
