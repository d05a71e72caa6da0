"""The words of a search kept for statistics: normalised, with personal data taken out.

A citizen may type anything, including their phone number, an email address, a link or a
person's name. The statistics only need what was looked for, so :func:`search_keywords` keeps
content words and drops, before anything is stored:

- links, email addresses and @usernames;
- every word with a digit in it (phone numbers, ages, dates, postcodes, house numbers);
- capitalised words inside the text (most often a person's or a place's name), unless the
  lexicon knows them as a learning topic ("cours d'Anglais" keeps "anglais");
- stop words and one-letter words; then words are folded (lower case, no accents), made
  unique and sorted, so that "Cours anglais" and "anglais, cours" are one search;
- every word that neither the matcher's lexicon (``catalog.matching.lexicon``: topic, synonym,
  form, free and child words, their stems and inflections) nor the catalogue's vocabulary
  knows: a name typed in lower case ("jean pierre", "محمد الحسيني") is not a word of either.

A word of the catalogue can still be someone's name (a provider's): the statistics therefore
list a search only when at least ``stats_min_count`` different people made it
(``catalog.stats.figures``), and these words are kept with the raw events only (purged after
the retention period, erased by /forget), never in the daily aggregates kept afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Container
from functools import lru_cache

from catalog.matching.stems import stems
from catalog.matching.text import (
    CHILD_TABLE,
    FORM_TABLE,
    FREE_TABLE,
    SYNONYM_TABLE,
    TOPIC_TABLE,
    infer_topics,
    tokens,
)

MAX_WORDS = 5
MAX_WORD_LENGTH = 24

_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+")
_HANDLE = re.compile(r"@\w+")
_WORD = re.compile(r"\S+")
_SENTENCE_END = (".", "!", "?", "…", "\n")
_TABLES = (TOPIC_TABLE, SYNONYM_TABLE, FORM_TABLE, FREE_TABLE, CHILD_TABLE)
_LEXICON_WORDS = frozenset(word for table in _TABLES for key in table.exact for word in key.split())
# Arabic glues the article and some prepositions to the word (الفرنسية, بالعربية).
_ARABIC_PREFIXES = ("وال", "بال", "فال", "لل", "ال", "و", "ب", "ل")


@lru_cache(maxsize=4096)
def in_lexicon(word: str) -> bool:
    """Whether the matcher's lexicon knows the folded ``word``: as written, in the singular,
    by a listed stem (``французьк*``), as an inflection or by its Snowball stem; never by a
    typo's closeness, which would let names through."""
    forms = {word} | {word[len(prefix):] for prefix in _ARABIC_PREFIXES
                      if word.startswith(prefix) and len(word) - len(prefix) >= 3}
    for form in forms:
        if form in _LEXICON_WORDS or (form.endswith("s") and form[:-1] in _LEXICON_WORDS):
            return True
        for table in _TABLES:
            if any(form[:end] in table.stems for end in range(len(form), 2, -1)):
                return True
            shortest = max(4, len(form) - 4)
            if any(form[:end] in table.heads for end in range(len(form), shortest, -1)):
                return True
            if any(tagged in table.snowball for tagged in stems(form)):
                return True
    return False


def _drop_personal(text: str) -> str:
    """``text`` without links, addresses, handles, numbers and likely names."""
    text = _HANDLE.sub(" ", _EMAIL.sub(" ", _LINK.sub(" ", text)))
    kept: list[str] = []
    starts_sentence = True
    for match in _WORD.finditer(text):
        word = match.group()
        letters = word.strip("\"'“”«»()[],;:.!?…")
        next_starts = word.endswith(_SENTENCE_END)
        if any(char.isdigit() for char in word):
            starts_sentence = next_starts
            continue
        capitalised = letters[:1].isupper() and not letters.isupper()
        if capitalised and not starts_sentence and not infer_topics(letters):
            starts_sentence = next_starts
            continue
        kept.append(word)
        starts_sentence = next_starts
    return " ".join(kept)


def search_keywords(text: str, vocabulary: Container[str] = frozenset()) -> str:
    """The normalised keywords of a search that the lexicon or ``vocabulary`` (the catalogue's
    folded words: ``CatalogIndex.postings``) know, ``""`` when nothing is left to keep."""
    words = sorted({word for word in tokens(_drop_personal(text))
                    if len(word) <= MAX_WORD_LENGTH and not any(c.isdigit() for c in word)
                    and (word in vocabulary or in_lexicon(word))})
    return " ".join(words[:MAX_WORDS])
