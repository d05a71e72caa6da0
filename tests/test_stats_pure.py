"""The pure parts of the statistics: protection of small counts, the facts the engine emits
(codes, never words), search words stripped of personal data, the report's text and chart."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import pytest
from conversation_helpers import Chat, context, make_offer

from bot.engine.commands import MISSION_TOPICS
from bot.engine.context import Record
from bot.engine.inputs import Command, SharedLocation, Start, Text
from bot.telegram.admin import DEFAULT_DAYS, period
from bot.telegram.rendering import pack
from catalog.i18n import LANGUAGES, translator
from catalog.stats import chart
from catalog.stats import report as stats_text
from catalog.stats.facts import TOPIC_MISSIONS, Kind, age_bracket
from catalog.stats.figures import Report, compose
from catalog.stats.keywords import search_keywords
from catalog.stats.suppression import protect, protect_group
from catalog.vocabulary import MISSIONS, TOPICS

DAY = date(2026, 12, 1)


# --- Small counts -------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "text"), [(0, "0"), (1, "< 5"), (4, "< 5"), (5, "5"),
                                             (120, "120")])
def test_a_count_under_the_threshold_is_hidden(count: int, text: str) -> None:
    assert str(protect(count, 5)) == text
    assert protect(count, 5).hidden == (text == "< 5")


@pytest.mark.parametrize(("cells", "total", "shown", "shown_total"), [
    # Nothing small: everything exact.
    ({"fr": 30, "en": 8}, 38, {"fr": "30", "en": "8"}, "38"),
    # One small cell: the smallest other one is hidden too, or 43 - 40 would give it away.
    ({"new": 3, "returning": 40}, 43, {"new": "< 5", "returning": "≥ 5"}, "43"),
    ({"fr": 30, "en": 8, "uk": 2, "ar": 0}, 40,
     {"fr": "30", "en": "≥ 5", "uk": "< 5", "ar": "0"}, "40"),
    # Two small cells adding up to 2 would both be 1: one more is hidden.
    ({"fr": 30, "uk": 1, "tr": 1}, 32, {"fr": "≥ 5", "uk": "< 5", "tr": "< 5"}, "32"),
    # Two small cells with room between them: enough as they are.
    ({"fr": 30, "uk": 1, "tr": 3}, 34, {"fr": "30", "uk": "< 5", "tr": "< 5"}, "34"),
    # 5 + 1 = 6: hiding the 5 still pins both cells; the total is hidden instead.
    ({"new": 1, "returning": 5}, 6, {"new": "< 5", "returning": "≥ 5"}, "≥ 5"),
    # A small total hides itself: nothing to subtract from.
    ({"new": 1, "returning": 2}, 3, {"new": "< 5", "returning": "< 5"}, "< 5"),
])
def test_a_hidden_cell_cannot_be_worked_out_from_the_total(
    cells: dict[str, int], total: int, shown: dict[str, str], shown_total: str
) -> None:
    published, published_total = protect_group(cells, total, 5)
    assert {key: str(value) for key, value in published.items()} == shown
    assert str(published_total) == shown_total


def _metric_key(name: str) -> tuple[str, str]:
    metric, _, key = name.partition(".")
    return metric, key


def _report(languages: dict[str, int], new: int, **totals: int) -> Report:
    # "metric.key" names: a keyword argument cannot be a tuple.
    figures = Counter({_metric_key(name): count for name, count in totals.items()})
    return compose(start=DAY, end=DAY, by_day={DAY: figures}, languages=languages, new=new,
                   phrases={"cours poterie": 5, "jean dupont": 1}, offers=[make_offer()],
                   threshold=5)


def test_a_report_hides_small_counts_and_what_would_reveal_them() -> None:
    report = _report({"fr": 20, "uk": 2}, new=19, **{
        "funnel.started": 9, "funnel.who": 3, "topic.digital": 7, "topic_unmet.digital": 2,
        "topic.french": 3, "topic_unmet.french": 3, "situation.newcomer": 2, "forget.": 1})
    assert (str(report.users), str(report.new), str(report.returning)) == ("22", "≥ 5", "< 5")
    assert dict((code, str(shown)) for code, shown in report.languages) == {
        "fr": "≥ 5", "uk": "< 5"}
    assert (str(report.step("started")), str(report.step("who"))) == ("9", "< 5")
    digital, french = report.topics
    # 7 asked, 2 of them without a good result: hidden, and so is the 5 who found one.
    assert (digital.code, str(digital.demand), str(digital.unmet)) == ("digital", "7", "< 5")
    assert digital.ratio == 7.0 and digital.pressed
    assert (french.code, str(french.demand), french.ratio) == ("french", "< 5", None)
    assert dict((code, str(shown)) for code, shown in report.situations) == {"newcomer": "< 5"}
    assert report.pressed_topics == (digital,)
    # A search made by one person is not listed at all: its words could name them.
    assert report.phrases == (("cours poterie", 5),)
    assert str(report.forgets) == "< 5"
    text = stats_text.render(report, translator("en"))
    assert "jean" not in text and "Users: 22 (new: ≥ 5, returning: < 5)" in text
    assert all(isinstance(cell, str) for row in stats_text.rows(report) for cell in row)


# --- Facts emitted by the engine ------------------------------------------------------------


def _records(chat: Chat) -> list[Record]:
    return [effect for effect in chat.last.effects if isinstance(effect, Record)]


def test_the_engine_emits_codes_never_the_citizens_words() -> None:
    chat = Chat(context([make_offer("o-1")]))
    seen: list[Record] = []
    typed = ["/start", "Me", "34", "Job seeker", "Done",
             "piano avec Mme Dupont, appelez le 0612345678 ou jean@example.org", "Online only"]
    for step in typed:
        if step == "/start":
            chat.send(Start())
        elif step in ("Me", "Job seeker", "Done", "Online only"):
            chat.press(step)
        else:
            chat.send(Text(step))
        seen += _records(chat)
    chat.send(Command("search", "cours de poterie avec Marie, 42 rue Blatin"))
    seen += _records(chat)
    kinds = [record.kind for record in seen]
    assert kinds == [Kind.STARTED, Kind.ANSWERED, Kind.ANSWERED, Kind.ANSWERED, Kind.ANSWERED,
                     Kind.ANSWERED, Kind.RESULTS, Kind.UNMET_SEARCH, Kind.RESULTS,
                     Kind.UNMET_SEARCH]
    dumped = json.dumps([dict(record.facts) for record in seen])
    for private in ("34", "Dupont", "0612345678", "jean", "example", "Marie", "42", "Blatin"):
        assert private not in dumped
    assert dict(seen[2].facts) == {"step": "age", "codes": ("26-44",), "skipped": False}
    assert [record.facts["keywords"] for record in seen if record.kind == Kind.UNMET_SEARCH] == [
        "piano", "cours poterie"]


def test_offers_opened_saved_and_located_are_facts_but_website_taps_cannot_be() -> None:
    chat = Chat(context([make_offer("o-1", url="https://example.org")]))
    chat.send(Command("search", "numérique"))
    assert [b.url for b in chat.buttons() if b.url] == ["https://example.org"]  # no callback
    chat.press("Details")
    assert _records(chat) == [Record(Kind.OPENED, {"offer": "o-1", "missions": ("digital",)})]
    chat.press("Save")
    assert [r.kind for r in _records(chat)] == [Kind.SAVED]
    chat.press("Remove from saved")
    chat.send(Command("favorites"))
    assert _records(chat) == []


def test_skips_and_a_shared_location_answer_questions() -> None:
    chat = Chat(context([make_offer("o-1")]))
    chat.send(Start())
    chat.press("Skip")
    assert dict(_records(chat)[0].facts) == {"step": "who", "codes": (), "skipped": True}
    for _ in range(3):
        chat.press("Skip")
    chat.send(SharedLocation(45.7772, 3.0822))
    where = [r for r in _records(chat) if r.kind == Kind.ANSWERED]
    assert dict(where[0].facts) == {"step": "where", "codes": ("location",), "skipped": False}


@pytest.mark.parametrize(("age", "bracket"), [(None, None), (0, "u18"), (17, "u18"),
                                              (18, "18-25"), (44, "26-44"), (59, "45-59"),
                                              (60, "60+"), (120, "60+")])
def test_ages_are_kept_as_brackets(age: int | None, bracket: str | None) -> None:
    assert age_bracket(age) == bracket


@pytest.mark.parametrize(("typed", "kept"), [
    ("Cours d'Anglais près de chez moi", "anglais cours"),
    ("cours de poterie avec Marie Dupont 0612345678", "cours poterie"),
    ("mon mail: jean@x.fr, https://x.org/a et @jeanx", "mail"),
    ("42 rue Blatin 63000", ""),
    ("Python pour débutants", "debutants python"),
    ("", ""),
])
def test_search_words_lose_personal_data(typed: str, kept: str) -> None:
    assert search_keywords(typed) == kept


def test_every_topic_counts_for_one_mission_as_the_deep_links_say() -> None:
    assert set(TOPIC_MISSIONS) == set(TOPICS)
    assert set(TOPIC_MISSIONS.values()) == set(MISSIONS)
    for mission, topics in MISSION_TOPICS.items():
        assert all(TOPIC_MISSIONS[topic] == mission for topic in topics)


# --- Presentation -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_chart_is_a_png_in_every_language(lang: str) -> None:
    by_day = {DAY - timedelta(days=n): Counter({("users", ""): n}) for n in range(90)}
    report = compose(start=DAY - timedelta(days=89), end=DAY, by_day=by_day,
                     languages={"fr": 30}, new=3, phrases={}, offers=[], threshold=5)
    png = chart.render(report, translator(lang))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) < 1_000_000


def test_stats_periods_and_long_texts() -> None:
    assert period(None) == period([]) == DEFAULT_DAYS == 30
    assert [period([days]) for days in ("7", "30", "90")] == [7, 30, 90]
    assert period(["12"]) is None and period(["7", "30"]) is None and period(["x"]) is None
    text = "\n".join(f"line {n} " + "x" * 100 for n in range(200))
    parts = pack(text.splitlines())
    assert len(parts) > 1 and all(len(part) <= 4096 for part in parts)
    assert "\n".join(parts) == text
