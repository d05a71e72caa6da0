"""``tremplin lexicon suggest`` on a real throwaway database: the unknown words of searches that
found nothing (only those enough people used: privacy), and the catalogue's words that no
synonym group covers, each with lines to paste into catalog/matching/lexicon.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import factories
import pytest
from sqlalchemy import text
from sqlmodel import SQLModel
from stats_helpers import seed

from bot.chats.database import open_database
from bot.cli.main import main
from catalog.matching.matcher import CatalogIndex
from catalog.stats import events
from catalog.stats.facts import Kind
from catalog.stats.keywords import search_keywords

TODAY = date.today()
OFFERS = (
    factories.offer("o-1", title="Atelier céramique", topics=("crafts",)),
    factories.offer("o-2", title="Céramique et émaux", topics=("crafts", "arts")),
    factories.offer("o-3", title="Atelier informatique", topics=("digital",)),
    factories.offer("o-4", title="Informatique au Muséum Lecoq", topics=("digital",)),
    factories.offer("o-5", title="Muséum Lecoq : visite", topics=("science",)),
    factories.offer("o-6", title="Vitrail", topics=("crafts",)),
)
# Searches keep only the words the lexicon or the catalogue know (catalog.stats.keywords).
VOCABULARY = CatalogIndex(OFFERS).postings
# (what was typed, how many different people typed it, how many days ago)
SEARCHES = (
    ("Cours de céramique avec Marie", 5, 0),  # "ceramique": 5 people; "marie" was dropped
    ("kintsugi", 4, 1),  # short of the threshold, and unknown to lexicon and catalogue: dropped
    ("vitrail", 6, 40),  # outside the last 30 days
    ("atelier poterie", 7, 2),  # words the lexicon knows (a form word, a topic word)
)


async def _prepare(url: str) -> None:
    database = await open_database(url, load_sample=False)
    try:
        await seed(database.sessions, OFFERS)
        async with database.engine.begin() as connection:
            for typed, people, days_ago in SEARCHES:
                for person in range(people):
                    await connection.run_sync(
                        events.record, user_key=f"{typed[:8]}-{person}",
                        day=TODAY - timedelta(days=days_ago), language="fr",
                        facts=[(Kind.UNMET_SEARCH,
                               {"keywords": search_keywords(typed, VOCABULARY)})])
            # One person searching for the same word again and again is still one person.
            for _ in range(6):
                await connection.run_sync(
                    events.record, user_key="obstinate", day=TODAY, language="fr",
                    facts=[(Kind.UNMET_SEARCH, {"keywords": "macrame"})])
    finally:
        await database.close()


async def _drop(url: str) -> None:
    database = await open_database(url, load_sample=False)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        await database.close()


@pytest.fixture
def url(database_url: str) -> Iterator[str]:
    """The throwaway database with the offers and the searches above; emptied afterwards."""
    asyncio.run(_prepare(database_url))
    yield database_url
    asyncio.run(_drop(database_url))


def suggest(url: str, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["--database-url", url, "lexicon", "suggest", "--json", *args]) == 0
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return result


def words(result: dict[str, object], part: str) -> dict[str, dict[str, Any]]:
    items = result[part]
    assert isinstance(items, list)
    return {item["word"]: item for item in items}


def test_unknown_words_of_unmet_searches_respect_the_privacy_threshold(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    found = words(suggest(url, capsys), "searches")
    assert list(found) == ["ceramique"]  # not kintsugi (4 people), macrame (1), vitrail (old)
    assert found["ceramique"]["count"] == 5
    assert found["ceramique"]["lines"][0].startswith('("ceramique", ),  # SYNONYMS')
    # Asking for fewer people than TREMPLIN_STATS_MIN_COUNT does not lower it.
    assert main(["--database-url", url, "lexicon", "suggest", "--json",
                 "--min-count", "1"]) == 0
    captured = capsys.readouterr()
    assert list(words(json.loads(captured.out), "searches")) == ["ceramique"]
    assert "5 people or more" in captured.err
    # A longer period reaches the older searches; a higher threshold leaves words out.
    assert set(words(suggest(url, capsys, "--days", "60"), "searches")) == {
        "ceramique", "vitrail"}
    assert words(suggest(url, capsys, "--min-count", "6"), "searches") == {}


def test_catalogue_words_no_synonym_group_covers(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = suggest(url, capsys)
    found = words(result, "catalogue")
    # "informatique" and "atelier" are covered; "Lecoq" is a name (always capitalised),
    # "émaux" is in one offer only.
    assert list(found) == ["céramique", "muséum"]
    assert found["céramique"]["count"] == 2 and found["céramique"]["topics"] == ["crafts"]
    assert found["céramique"]["lines"] == [
        '("céramique", ),  # SYNONYMS: add its synonyms, slang and translations '
        "(fr en ar es pt tr uk)",
        '"céramique",  # TOPIC_WORDS["crafts"]',
    ]
    # Offers that share no topic suggest no topic list.
    assert found["muséum"]["topics"] == [] and len(found["muséum"]["lines"]) == 1
    assert result["min_offers"] == 2 and result["min_people"] == 5


def test_plain_text_and_bad_usage(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database-url", url, "lexicon", "suggest"]) == 0
    out = capsys.readouterr().out
    assert "  ceramique: 5 people\n" in out
    assert "  céramique: 2 offers, with crafts\n" in out
    assert '      "céramique",  # TOPIC_WORDS["crafts"]' in out
    assert "kintsugi" not in out and "pytest tests/test_matcher.py tests/test_eval.py" in out
    assert main(["--database-url", url, "lexicon", "suggest", "--days", "0"]) == 2
    assert "--days 0" in capsys.readouterr().err
    assert main(["--database-url", url, "lexicon", "suggest", "--min-count", "0"]) == 2
    assert "--min-count 0" in capsys.readouterr().err
