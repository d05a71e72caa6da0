"""The understanding layer: a typed text read as the answer to one question of the conversation.

    >>> understand("age", "soixante-dix ans", "fr").to_json()
    {'kind': 'answer', 'value': {'age': 70}}

Pure: no telegram, no database, no I/O at call time. It may import the standard library, Babel,
PyStemmer, rapidfuzz and the pure parts of ``catalog`` (vocabulary, translations, text folding).
The gettext catalogues and the word lists of ``data/`` are read once, when an
:class:`Understander` is built; each interface language's tables are built on its first use, or
all at once with :meth:`Understander.warm`.
"""

from __future__ import annotations

from bot.understanding.interpret import QUESTIONS, Understanding
from bot.understanding.reader import Understander, for_places, understand
from bot.understanding.suggestions import closest

__all__ = ["QUESTIONS", "Understander", "Understanding", "closest", "for_places", "understand"]
