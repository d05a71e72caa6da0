"""The gettext catalogues: complete in every interface language, in step with the code."""

from __future__ import annotations

import gettext
import io
import os
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot import i18n_tasks
from catalog.i18n import LANGUAGES, compiled, translator

LOCALES = Path(__file__).resolve().parent.parent / "locales"
COMPLETE = LANGUAGES  # every interface language is complete
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_PLURAL_FORMS = re.compile(r'^"Plural-Forms: nplurals=(\d+); plural=(.+);\\n"$', re.MULTILINE)
# The numbers both plural rules are evaluated on: every n to 1 200 (CLDR's rules look at n % 10,
# n % 100 and n % 1 000 000), the edges the rules name, and a fixed sample up to 2 000 000.
_SAMPLE = sorted(
    {*range(1200), 1_000_000, 1_000_001, 1_000_002, 1_000_011, 1_000_100, 1_100_000, 2_000_000}
    | set(random.Random(12).sample(range(2_000_001), 5000))
)


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, locale=locale)


def _texts(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """A msgid or msgstr as its forms (one for a plain message)."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


Entry = tuple[str, str | None, str | None]


def _entries(catalog: Catalog) -> set[Entry]:
    """Each message as (msgid, msgid_plural, context): what the code asks for, without the
    header (its dates change at every extract) or the line references."""
    entries: set[Entry] = set()
    for message in catalog:
        ids = _texts(message.id)
        if ids and ids[0]:
            entries.add((ids[0], ids[1] if len(ids) > 1 else None, message.context))
    return entries


def _plural_forms(lang: str) -> tuple[int, str]:
    """The ``Plural-Forms`` header as written in the catalogue (nplurals, plural expression)."""
    text = (LOCALES / lang / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    found = _PLURAL_FORMS.findall(text)
    assert len(found) == 1, f"{lang}: no single Plural-Forms header"
    return int(found[0][0]), found[0][1]


def _rule(expression: str) -> Callable[[int], int]:
    return gettext.c2py(expression)  # the parser gettext uses at run time


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
    missing = _entries(extracted) - _entries(template)
    stale = _entries(template) - _entries(extracted)
    assert not missing, f"new strings: run `python -m bot.i18n_tasks extract`: {missing}"
    assert not stale, f"strings gone from the code: run extract then update: {stale}"


def test_the_template_comparison_sees_a_change(extracted: Catalog) -> None:
    """The check above fails on a new plural or a new context, not only on a new msgid."""
    changed = Catalog()
    for message in extracted:
        if message.id:
            changed.add(message.id, context=message.context)
    changed.add(("{n} new offer", "{n} new offers"))
    changed.add("Apply", context="button")
    assert _entries(changed) - _entries(extracted) == {
        ("{n} new offer", "{n} new offers", None), ("Apply", None, "button")}


@pytest.mark.parametrize("lang", COMPLETE)
def test_every_catalogue_has_the_template_entries(lang: str) -> None:
    catalog = _read(LOCALES / lang / "LC_MESSAGES" / "messages.po", lang)
    template = _entries(_read(LOCALES / "messages.pot"))
    assert _entries(catalog) == template, f"{lang}: run `python -m bot.i18n_tasks update`"


@pytest.mark.parametrize("lang", COMPLETE)
def test_every_string_is_translated(lang: str, extracted: Catalog) -> None:
    catalog = _read(LOCALES / lang / "LC_MESSAGES" / "messages.po", lang)
    missing = _entries(extracted) - _entries(catalog)
    assert not missing, f"{lang}: run `python -m bot.i18n_tasks update`, then translate {missing}"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"{lang}: fuzzy {message.id!r}"
        strings = _texts(message.string)
        assert strings and all(strings), f"{lang}: untranslated {message.id!r}"


def _check_placeholders(lang: str, message: Message) -> None:
    strings = _texts(message.string)
    expected = set().union(*map(_placeholders, _texts(message.id)))
    for string in strings:
        assert _placeholders(string) == expected, f"{lang}: {message.id!r} -> {string!r}"


@pytest.mark.parametrize("lang", COMPLETE)
def test_placeholders_are_the_same_and_the_catalogue_compiles(lang: str) -> None:
    catalog = _read(LOCALES / lang / "LC_MESSAGES" / "messages.po", lang)
    for message in catalog:
        if message.id:
            _check_placeholders(lang, message)
            assert not list(message.check(catalog)), message.id
    write_mo(io.BytesIO(), catalog, use_fuzzy=False)


@pytest.mark.parametrize("lang", COMPLETE)
def test_the_plural_rules_are_babels(lang: str) -> None:
    """Each catalogue declares its language's CLDR plural rules as Babel has them (Arabic six
    forms, French, Spanish, Portuguese and Ukrainian three, English and Turkish two)."""
    babel = get_plural(lang)
    num_plurals, expression = _plural_forms(lang)
    catalog = _read(LOCALES / lang / "LC_MESSAGES" / "messages.po", lang)
    assert num_plurals == catalog.num_plurals == babel.num_plurals, (
        f"{lang}: nplurals={num_plurals}, Babel has {babel.num_plurals}")
    ours, theirs = _rule(expression), _rule(babel.plural_expr)
    differ = [n for n in _SAMPLE if ours(n) != theirs(n)]
    assert not differ, f"{lang}: {expression!r} is not Babel's {babel.plural_expr!r}: {differ[:5]}"
    assert {ours(n) for n in _SAMPLE} == set(range(num_plurals)), f"{lang}: a form is never used"


@pytest.mark.parametrize("lang", COMPLETE)
def test_every_plural_form_is_translated(lang: str) -> None:
    catalog = _read(LOCALES / lang / "LC_MESSAGES" / "messages.po", lang)
    plurals = [message for message in catalog if isinstance(message.id, tuple)]
    assert plurals
    for message in plurals:
        strings = message.string
        assert isinstance(strings, tuple), f"{lang}: {message.id[0]!r} has a single msgstr"
        assert len(strings) == catalog.num_plurals, f"{lang}: {message.id[0]!r}"
        assert all(strings), f"{lang}: a form of {message.id[0]!r} is empty"
        assert len(set(strings)) > 1, f"{lang}: every form of {message.id[0]!r} is the same"


def test_the_plural_forms_are_chosen_at_run_time() -> None:
    one, many = "{n} offer", "{n} offers"
    assert translator("fr").ngettext(one, many, 0) == "{n} offre"
    assert translator("fr").ngettext(one, many, 2_000_000) == "{n} d'offres"
    assert translator("es").ngettext(one, many, 1_000_000) == "{n} de ofertas"
    assert translator("tr").ngettext(one, many, 1) != translator("tr").ngettext(one, many, 2)
    arabic = [translator("ar").ngettext(one, many, n) for n in (0, 1, 2, 3, 11, 100)]
    assert len(set(arabic)) == 5  # one (1) and other (100) both take the genitive singular
    assert arabic[4] == "{n} عرضًا"
    ukrainian = [translator("uk").ngettext(one, many, n) for n in (1, 2, 5, 21, 22, 25)]
    assert ukrainian[:3] == ukrainian[3:] and len(set(ukrainian)) == 3


def test_translations_are_used() -> None:
    assert translator("fr").gettext("Who is it for?") == "Pour qui cherchez-vous\u00a0?"
    assert translator("en").gettext("Who is it for?") == "Who is it for?"
    assert translator("fr").ngettext("You have saved {n} offer:", "You have saved {n} offers:",
                                     2) == "Vous avez enregistré {n} offres\u00a0:"


def test_a_catalogue_compiled_at_load_time_is_cached_by_its_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    po = tmp_path / "messages.po"
    po.write_bytes((LOCALES / "en" / "LC_MESSAGES" / "messages.po").read_bytes())
    first = compiled(po, "en")
    (cached,) = (tmp_path / "cache" / "tremplin" / "locales").iterdir()
    assert cached.read_bytes() == first

    def no_compiling(po: bytes, lang: str) -> bytes:
        raise AssertionError("compiled again")

    with monkeypatch.context() as patch:
        patch.setattr("catalog.i18n._compile", no_compiling)
        assert compiled(po, "en") == first  # read back from the cache
    # An edited .po is compiled again, even when its date says it is older than the cache.
    before = po.stat()
    po.write_bytes(po.read_bytes() + b'\nmsgid "Cache test"\nmsgstr "Cached"\n')
    os.utime(po, ns=(before.st_atime_ns, before.st_mtime_ns - 10**12))
    edited = gettext.GNUTranslations(io.BytesIO(compiled(po, "en")))
    assert edited.gettext("Cache test") == "Cached"
