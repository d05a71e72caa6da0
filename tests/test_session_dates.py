"""Sessions on cards and details: the locale's weekday, day and month (the year only when far),
whole days without a time, the details' upcoming sessions (five, then how many more)."""

from __future__ import annotations

from datetime import datetime

import pytest
from factories import offer

from bot.engine.cards import card, details, session_text
from catalog.i18n import translator
from catalog.schedule import parse_sessions

NOW = datetime(2026, 12, 3, 10, 0)  # a Thursday
(AFTERNOON,) = parse_sessions("2026-12-09T14:00/16:00")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "mercredi 9 décembre, 14:00–16:00"),
        ("en", "Wednesday 9 December, 14:00–16:00"),  # en_GB, as English is written in Europe
        ("ar", "الأربعاء، 9 ديسمبر، 14:00–16:00"),
        ("es", "miércoles, 9 de diciembre, 14:00–16:00"),
        ("pt", "quarta-feira, 9 de dezembro 14:00–16:00"),
        ("tr", "9 Aralık Çarşamba 14:00–16:00"),
        ("uk", "середа, 9 грудня, 14:00–16:00"),
    ],
)
def test_a_session_is_its_weekday_day_and_month_in_each_language(lang: str, text: str) -> None:
    assert session_text(AFTERNOON, translator(lang), NOW) == text


def test_the_year_shows_only_for_a_session_about_a_year_away() -> None:
    en, fr = translator("en"), translator("fr")
    (next_autumn,) = parse_sessions("2027-10-20T14:00/16:00")  # 10½ months away
    (next_winter,) = parse_sessions("2027-12-08T14:00/16:00")  # the same week next year
    assert session_text(next_autumn, en, NOW) == "Wednesday 20 October, 14:00–16:00"
    assert session_text(next_winter, en, NOW) == "Wednesday, 8 December 2027, 14:00–16:00"
    assert session_text(next_winter, fr, NOW) == "mercredi 8 décembre 2027, 14:00–16:00"


def test_whole_days_have_no_time() -> None:
    fr = translator("fr")
    one, days = parse_sessions("2026-12-12/2026-12-12;2026-12-20/2026-12-22")
    assert session_text(one, fr, NOW) == "samedi 12 décembre"
    assert session_text(days, fr, NOW) == "dimanche 20 décembre – mardi 22 décembre"
    over_night = parse_sessions("2026-12-09T20:00/2026-12-10T02:00")[0]
    assert session_text(over_night, fr, NOW) == (
        "mercredi 9 décembre, 20:00 – jeudi 10 décembre, 02:00")


def test_details_list_the_upcoming_sessions_and_the_card_the_next_one() -> None:
    en = translator("en")
    weekly = ";".join(f"2026-12-{day:02d}T14:00/16:00" for day in (2, 9, 16, 23, 30)) + (
        ";2027-01-06T14:00/16:00;2027-01-13T14:00/16:00;2027-01-20T14:00/16:00")
    atelier = offer("atelier", sessions=weekly)
    text = details(atelier, en, saved=False, now=NOW).text
    listed = [line for line in text.splitlines() if line.startswith("• ")]
    assert listed == [
        "• Wednesday 9 December, 14:00–16:00",  # the 2nd is past: never shown
        "• Wednesday 16 December, 14:00–16:00",
        "• Wednesday 23 December, 14:00–16:00",
        "• Wednesday 30 December, 14:00–16:00",
        "• Wednesday 6 January, 14:00–16:00",
    ]
    assert "Upcoming sessions:" in text and "…and 2 more sessions" in text
    assert "December 2," not in text and "Next session" not in text
    short = card(atelier, en, saved=False, now=NOW).text
    assert "When: Next session: Wednesday 9 December, 14:00–16:00" in short
    assert "December 16" not in short
    # One session left: said as on the card; none left: nothing.
    last = offer("last", sessions="2026-12-02T14:00/16:00;2026-12-09T14:00/16:00")
    assert "When: Next session: Wednesday 9 December, 14:00–16:00" in details(
        last, en, saved=False, now=NOW).text
    assert "session" not in details(last, en, saved=False, now=datetime(2026, 12, 10)).text
