"""``tremplin lexicon suggest [--days N] [--min-count N] [--json]``: words to add to the lexicon.

Two lists for the maintainer of ``catalog.matching.lexicon``, each word with lines ready to
paste there:

- the words of recent searches that found nothing (kept in the statistics'
  ``unmet_search`` events) that the matcher does not know: not a stop word, not a form word
  ("atelier"), in no synonym group and no topic word list, as the matcher's own tables look a
  word up (folded, plural, stem, inflection, typo). A word is listed only when at least
  ``stats_min_count`` different people searched for it, as in the statistics (privacy: a rare
  word may be a name); ``--min-count`` can raise that threshold, never lower it;
- the words of the catalogue's titles and keywords (the current offers in the database) that
  no synonym group covers, used by ``--min-count`` offers or more (default 2): a citizen who
  says it differently, or in another language, will not find them.

Exit codes: 0 success (also when there is nothing to suggest), 1 database failure, 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from bot.chats.database import open_database
from catalog.matching.text import (
    FORM_TABLE,
    SYNONYM_TABLE,
    TOPIC_TABLE,
    infer_topics,
    is_content,
    word_pairs,
)
from catalog.offer import Offer
from catalog.settings import Settings
from catalog.stats.events import KEY_VARIABLE, StatsEvent, stats_key
from catalog.stats.facts import Kind
from catalog.store.offers import load_offers

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
MAX_DAYS = 3650
CATALOGUE_MIN_OFFERS = 2  # a word of one offer only is rarely worth a synonym group
MIN_LENGTH = 3  # shorter words are abbreviations or particles: too ambiguous to suggest


@dataclass(frozen=True)
class Suggestion:
    """One word the lexicon could learn, how often it was seen, and the lines to paste."""

    word: str  # as the lexicon would write it (folded for search words: that is what is kept)
    count: int  # distinct people (searches) or offers (catalogue)
    topics: tuple[str, ...]  # topic codes seen with it: its search's other words, its offers
    lines: tuple[str, ...]  # ready to paste into catalog/matching/lexicon.py


def _covered(word: str) -> bool:
    """Whether a synonym group already stands for ``word`` (or it is a form word)."""
    return bool(SYNONYM_TABLE.lookup(word) or FORM_TABLE.lookup(word))


def _known(word: str) -> bool:
    """Whether the matcher knows ``word`` at all: stop, form, synonym or topic word."""
    return not is_content(word) or _covered(word) or bool(TOPIC_TABLE.lookup(word))


def _candidate(word: str) -> bool:
    return len(word) >= MIN_LENGTH and not any(char.isdigit() for char in word)


def _lines(word: str, topics: Sequence[str]) -> tuple[str, ...]:
    """A synonym group skeleton, and the topic word lists the word could join."""
    lines = [f'("{word}", ),  # SYNONYMS: add its synonyms, slang and translations '
             "(fr en ar es pt tr uk)"]
    if not TOPIC_TABLE.lookup(word):
        lines.extend(f'"{word}",  # TOPIC_WORDS["{topic}"]' for topic in topics)
    return tuple(lines)


def _ranked(counts: Counter[str], topics: dict[str, Counter[str]],
            written: dict[str, Counter[str]], minimum: int) -> list[Suggestion]:
    found: list[Suggestion] = []
    for word, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if count < minimum:
            continue
        shown = written[word].most_common(1)[0][0] if written.get(word) else word
        # A topic only when most of the word's searches or offers share it (two at most).
        codes = tuple(code for code, seen in topics[word].most_common(2) if 2 * seen > count)
        found.append(Suggestion(shown, count, codes, _lines(shown, codes)))
    return found


def unknown_search_words(searches: Iterable[tuple[str, str]], minimum: int) -> list[Suggestion]:
    """The unknown words of ``(person, keywords)`` searches made by ``minimum`` people or more.

    ``keywords`` are the folded words kept by ``catalog.stats.keywords``; a word counts each
    person once however often they typed it.
    """
    people: dict[str, set[str]] = {}
    topics: dict[str, Counter[str]] = {}
    for person, phrase in searches:
        words = phrase.split()
        for word in set(words):
            if _candidate(word) and not _known(word):
                people.setdefault(word, set()).add(person)
                others = " ".join(other for other in words if other != word)
                topics.setdefault(word, Counter()).update(infer_topics(others))
    counts = Counter({word: len(persons) for word, persons in people.items()})
    return _ranked(counts, topics, {}, max(1, minimum))


def uncovered_catalogue_words(offers: Iterable[Offer], minimum: int) -> list[Suggestion]:
    """The words of the offers' titles and keywords that no synonym group covers, with the
    number of offers using each (``minimum`` or more)."""
    counts: Counter[str] = Counter()
    topics: dict[str, Counter[str]] = {}
    written: dict[str, Counter[str]] = {}
    common: set[str] = set()  # seen in lower case, or first in a text: not only a name
    for offer in offers:
        seen: set[str] = set()
        for text in (offer.title, *offer.keywords):
            for position, (folded, as_written) in enumerate(word_pairs(text)):
                if position == 0 or as_written[:1].islower():
                    common.add(folded)
                if folded in seen or not _candidate(folded) or not is_content(folded):
                    continue
                seen.add(folded)
                if _covered(folded):
                    continue
                written.setdefault(folded, Counter())[as_written.lower()] += 1
                topics.setdefault(folded, Counter()).update(offer.topics)
        counts.update(word for word in seen if word in written)
    # A word always capitalised inside a title ("Muséum Henri-Lecoq") is a name, not a need.
    counts = Counter({word: n for word, n in counts.items() if word in common})
    return _ranked(counts, topics, written, max(1, minimum))


async def _read(settings: Settings, start: date, end: date) -> tuple[list[tuple[str, str]],
                                                                        list[Offer]]:
    # As `tremplin match`: a database used for the first time gets the sample catalogue.
    database = await open_database(settings.database_url)
    try:
        async with database.sessions() as session:
            query = select(StatsEvent.user_key, StatsEvent.facts).where(
                col(StatsEvent.day) >= start, col(StatsEvent.day) <= end,
                col(StatsEvent.kind) == Kind.UNMET_SEARCH)
            searches = [
                (user_key, facts["keywords"])
                for user_key, facts in (await session.exec(query)).all()
                if user_key and isinstance(facts, dict)
                and isinstance(facts.get("keywords"), str)
            ]
            return searches, await load_offers(session=session)
    finally:
        await database.close()


def _render(title: str, suggestions: Sequence[Suggestion], unit: str) -> list[str]:
    lines = [title]
    if not suggestions:
        lines.append("  (none)")
    for item in suggestions:
        about = f", with {', '.join(item.topics)}" if item.topics else ""
        lines.append(f"  {item.word}: {item.count} {unit}{about}")
        lines.extend(f"      {line}" for line in item.lines)
    return lines


async def run(args: argparse.Namespace, settings: Settings, today: date | None = None) -> int:
    """``tremplin lexicon suggest``: print the suggestions, as text or one JSON object."""
    if not 1 <= args.days <= MAX_DAYS:
        print(f"tremplin lexicon: --days {args.days}: expected 1 to {MAX_DAYS}", file=sys.stderr)
        return EXIT_USAGE
    if args.min_count is not None and args.min_count < 1:
        print(f"tremplin lexicon: --min-count {args.min_count}: expected 1 or more",
              file=sys.stderr)
        return EXIT_USAGE
    threshold = settings.stats_min_count
    people = max(threshold, args.min_count or threshold)
    if args.min_count is not None and args.min_count < threshold:
        print(f"tremplin lexicon: search words are listed only when {threshold} people or more "
              "used them (TREMPLIN_STATS_MIN_COUNT)", file=sys.stderr)
    if stats_key(settings) is None:
        print(f"tremplin lexicon: statistics are not being recorded: {KEY_VARIABLE} is not set",
              file=sys.stderr)
    end = today or date.today()
    start = max(end - timedelta(days=args.days - 1),
                end - timedelta(days=settings.stats_retention_days - 1))
    try:
        searches, offers = await _read(settings, start, end)
    except (SQLAlchemyError, OSError) as error:
        print(f"tremplin lexicon: cannot read the database: {error}", file=sys.stderr)
        return EXIT_FAILURE
    offers_minimum = args.min_count or CATALOGUE_MIN_OFFERS
    unknown = unknown_search_words(searches, people)
    uncovered = uncovered_catalogue_words(offers, offers_minimum)
    if args.json:
        print(json.dumps({
            "start": start.isoformat(), "end": end.isoformat(),
            "min_people": people, "min_offers": offers_minimum,
            "searches": [asdict(item) for item in unknown],
            "catalogue": [asdict(item) for item in uncovered],
        }, ensure_ascii=False, indent=2))
        return EXIT_OK
    print("\n".join([
        *_render(f"Words of searches that found nothing, {start} to {end}, unknown to the "
                 f"lexicon (used by {people} people or more):", unknown, "people"),
        "",
        *_render(f"Words of the catalogue that no synonym group covers (in {offers_minimum} "
                 "offers or more):", uncovered, "offers"),
        "",
        "Paste the lines into catalog/matching/lexicon.py (fill in each group), then run "
        "pytest tests/test_matcher.py tests/test_eval.py.",
    ]))
    return EXIT_OK
