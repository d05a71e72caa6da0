"""Translations: gettext catalogues compiled in memory from ``locales/<lang>/LC_MESSAGES``.

Compiling the ``.po`` files at load time (with Babel) means a fresh checkout or install works
without a separate ``pybabel compile`` step; a compiled ``messages.mo`` is used when present.
A catalogue compiled at load time is kept in the user's cache (``~/.cache/tremplin``), under
the hash of its ``.po``, so the next start reads it back instead of compiling again.
"""

from __future__ import annotations

import gettext
import hashlib
import io
import os
from functools import cache
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("fr", "en", "ar", "es", "pt", "tr", "uk")
DEFAULT_LANGUAGE = "fr"
DOMAIN = "messages"

# Each language's name in itself, for the /language buttons.
LANGUAGE_NAMES: dict[str, str] = {
    "fr": "Français",
    "en": "English",
    "ar": "العربية",
    "es": "Español",
    "pt": "Português",
    "tr": "Türkçe",
    "uk": "Українська",
}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (labels, reasons)."""
    return message


def normalise_language(code: str | None) -> str:
    """Map a Telegram ``language_code`` (``pt-br``, ``en-GB``...) to an interface language."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def locales_dir() -> Path:
    """Where the catalogues are: ``locales/`` in a checkout, ``catalog/locales`` in a wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "locales", here / "locales"):
        if candidate.is_dir():
            return candidate
    return here.parent / "locales"


FORMAT_LOCALES = {"en": "en_GB"}


class Translator:
    """gettext and ngettext for one interface language."""

    def __init__(self, lang: str, translations: gettext.NullTranslations) -> None:
        self.lang = lang
        # The Babel locale of dates and numbers. English as it is written in Europe, where the
        # learning city is: "Wednesday 9 December", "3 November 2026" (CLDR's "en" is the
        # United States' "Wednesday, December 9"); the others are their language's own.
        self.locale = FORMAT_LOCALES.get(lang, lang)
        self._translations = translations

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    __call__ = gettext


def _cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/tremplin/locales`` (default ``~/.cache``); ``None``: no home."""
    root = os.environ.get("XDG_CACHE_HOME")
    try:
        return Path(root or Path.home() / ".cache") / "tremplin" / "locales"
    except RuntimeError:
        return None


def _compile(po: bytes, lang: str) -> bytes:
    # Babel's catalogue reader is imported only to compile (about as long as the compiling):
    # an installed package ships .mo files, and a checkout compiles once into the cache.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(po), locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def compiled(po_file: Path, lang: str) -> bytes:
    """The ``.mo`` bytes of ``po_file``: from the cache when this very ``.po`` was compiled
    before (whatever the dates of the files), else compiled and kept there if it can be."""
    po = po_file.read_bytes()
    folder = _cache_dir()
    cached = folder / f"{lang}-{hashlib.sha256(po).hexdigest()[:32]}.mo" if folder else None
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    mo = _compile(po, lang)
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            # Written aside, then renamed: a process starting meanwhile never reads half a file.
            partial = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
            partial.write_bytes(mo)
            partial.replace(cached)
        except OSError:
            pass  # a read-only home: compile at each start, as without a cache
    return mo


def _load(lang: str) -> gettext.NullTranslations:
    folder = locales_dir() / lang / "LC_MESSAGES"
    po_file = folder / f"{DOMAIN}.po"
    mo_file = folder / f"{DOMAIN}.mo"
    if mo_file.is_file() and (
        not po_file.is_file() or mo_file.stat().st_mtime >= po_file.stat().st_mtime
    ):
        with mo_file.open("rb") as fp:
            return gettext.GNUTranslations(fp)
    if po_file.is_file():
        return gettext.GNUTranslations(io.BytesIO(compiled(po_file, lang)))
    return gettext.NullTranslations()


@cache
def translator(lang: str | None) -> Translator:
    """The translator for ``lang`` (normalised; unknown languages fall back to French)."""
    code = normalise_language(lang)
    return Translator(code, _load(code))
