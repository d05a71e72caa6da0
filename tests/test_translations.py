"""The gettext catalogues: complete in every interface language, in step with the code."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot import i18n_tasks
from catalog.i18n import LANGUAGES, translator

LOCALES = Path(__file__).resolve().parent.parent / "locales"
COMPLETE = LANGUAGES  # every interface language is complete
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, locale=locale)


def _ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {message.id for message in catalog if message.id}


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The strings the code marks for translation today."""
    output = tmp_path_factory.mktemp("i18n") / "messages.pot"
    assert i18n_tasks.extract(output) == 0
    return _read(output)


def test_the_template_is_up_to_date_with_the_code(extracted: Catalog) -> None:
    template = _read(LOCALES / "messages.pot")
    missing = _ids(extracted) - _ids(template)
    stale = _ids(template) - _ids(extracted)
    assert not missing, f"new strings: run `python -m bot.i18n_tasks extract`: {missing}"
    assert not stale, f"strings gone from the code: run extract then update: {stale}"


@pytest.mark.parametrize("lang", COMPLETE)
def test_every_string_is_translated(lang: str, extracted: Catalog) -> None:
    catalog = _read(LOCALES / lang / "LC_MESSAGES" / "messages.po", lang)
    missing = _ids(extracted) - _ids(catalog)
    assert not missing, f"{lang}: run `python -m bot.i18n_tasks update`, then translate {missing}"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"{lang}: fuzzy {message.id!r}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{lang}: untranslated {message.id!r}"


def _check_placeholders(lang: str, message: Message) -> None:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    expected = set().union(*map(_placeholders, ids))
    for string in strings:
        assert _placeholders(string) == expected, f"{lang}: {message.id!r} -> {string!r}"


@pytest.mark.parametrize("lang", COMPLETE)
def test_placeholders_are_the_same_and_the_catalogue_compiles(lang: str) -> None:
    catalog = _read(LOCALES / lang / "LC_MESSAGES" / "messages.po", lang)
    # Each language's own plural rules (Arabic has six forms, Turkish one).
    assert catalog.num_plurals == get_plural(lang).num_plurals
    for message in catalog:
        if message.id:
            _check_placeholders(lang, message)
            assert not list(message.check(catalog)), message.id
    write_mo(io.BytesIO(), catalog, use_fuzzy=False)


def test_translations_are_used() -> None:
    assert translator("fr").gettext("Who is it for?") == "Pour qui cherchez-vous\u00a0?"
    assert translator("en").gettext("Who is it for?") == "Who is it for?"
    assert translator("fr").ngettext("You have saved {n} offer:", "You have saved {n} offers:",
                                     2) == "Vous avez enregistré {n} offres\u00a0:"
