"""Place words on cards: "Toute la ville" is translated through the catalogues, names are not."""

from __future__ import annotations

import pytest
from factories import offer

from bot.engine.cards import card, details
from catalog.i18n import LANGUAGES, translator
from catalog.places import PLACE_WORDS, place_in


@pytest.mark.parametrize(("lang", "expected"), [("uk", "Усе місто"), ("en", "All over the city"),
                                                ("es", "Toda la ciudad"), ("fr", "Toute la ville")])
def test_a_city_level_place_reads_in_the_citizens_language(lang: str, expected: str) -> None:
    everywhere = offer(neighbourhood="Toute la ville", city="Clermont-Ferrand")
    tr = translator(lang)
    assert expected in card(everywhere, tr, saved=False).text
    assert expected in details(everywhere, tr, saved=False).text


def test_a_place_name_stays_as_written() -> None:
    named = offer(neighbourhood="Saint-Alyre", city="Clermont-Ferrand")
    for lang in LANGUAGES:
        assert "Saint-Alyre" in card(named, translator(lang), saved=False).text
        assert place_in("Montferrand", translator(lang)) == "Montferrand"


def test_every_place_word_is_translated_in_every_language_but_french() -> None:
    for lang in LANGUAGES:
        tr = translator(lang)
        for words in PLACE_WORDS:
            assert (place_in(words, tr) == words) == (lang == "fr"), (lang, words)
