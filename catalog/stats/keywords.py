"""The words of a search kept for statistics: normalised, with personal data taken out.

A citizen may type anything, including their phone number, an email address, a link or a
person's name. The statistics only need what was looked for, so :func:`search_keywords` keeps
content words and drops, before anything is stored:

- links, email addresses and @usernames;
- every word with a digit in it (phone numbers, ages, dates, postcodes, house numbers);
- capitalised words inside the text (most often a person's or a place's name), unless the
  lexicon knows them as a learning topic ("cours d'Anglais" keeps "anglais");
- stop words and one-letter words; then words are folded (lower case, no accents), made
  unique and sorted, so that "Cours anglais" and "anglais, cours" are one search.

What remains can still, rarely, be a name typed in lower case: the statistics therefore list a
search only when at least ``stats_min_count`` different people made it
(``catalog.stats.figures``), and these words are kept with the raw events only (purged after
the retention period, erased by /forget), never in the daily aggregates kept afterwards.
"""

from __future__ import annotations

import re

from catalog.matching.text import infer_topics, tokens

MAX_WORDS = 5
MAX_WORD_LENGTH = 24

_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+")
_HANDLE = re.compile(r"@\w+")
_WORD = re.compile(r"\S+")
_SENTENCE_END = (".", "!", "?", "…", "\n")


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


def search_keywords(text: str) -> str:
    """The normalised keywords of a search, ``""`` when nothing is left to keep."""
    words = sorted({word for word in tokens(_drop_personal(text))
                    if len(word) <= MAX_WORD_LENGTH and not any(c.isdigit() for c in word)})
    return " ".join(words[:MAX_WORDS])
