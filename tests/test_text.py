"""Text as the matcher reads it: folding, words, children's ages, topics and wishes."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.matching.text import (
    detect_child_ages,
    fold,
    infer_topics,
    mentions_wheelchair,
    sound,
    stem,
    tokens,
    wants_free,
    word_pairs,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Démarches ÉTÉ", "demarches ete"),
        ("garçon, bébé, Noël", "garcon, bebe, noel"),
        ("Œuvre et cœur", "oeuvre et coeur"),
        ("Straße", "strasse"),
        ("KIZIM, oğlum, çocuğum", "kizim, oglum, cocugum"),
        ("İstanbul ılık", "istanbul ilik"),
        ("ligne1\tligne2\nligne3\x00fin", "ligne1 ligne2 ligne3 fin"),
        ("zéro\u200blargeur\u200e", "zerolargeur"),
        ("e\u0301te\u0301", "ete"),  # decomposed accents
        ("أُرِيدُ", "اريد"),  # Arabic short vowels and hamza
        ("Українська їжа й", "украінська іжа и"),
        ("ｆｕｌｌ ｗｉｄｔｈ", "full width"),
        ("l’atelier", "l'atelier"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@given(st.text())
def test_fold_is_idempotent_nfc_and_clean(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert unicodedata.is_normalized("NFC", folded)
    assert not any(unicodedata.category(char) in ("Cc", "Mn", "Cf") for char in folded)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Je voudrais apprendre l'anglais", ["apprendre", "anglais"]),
        ("Cours d'informatique pour les débutants !", ["cours", "informatique", "debutants"]),
        ("impression 3D, niveau B1, 45 ans", ["impression", "3d", "niveau", "b1"]),
        ("комп'ютерні курси", ["компютерні", "курси"]),  # a Ukrainian apostrophe is a letter
        ("", []),
    ],
)
def test_tokens_keep_content_words(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_word_pairs_keep_what_was_written() -> None:
    assert word_pairs("Cours d'Été") == [("cours", "Cours"), ("d", "d"), ("ete", "Été")]


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("atelier pour mon fils de 4 ans", (4,)),
        ("mon bébé de 10 mois, activités lecture", (0,)),
        ("mon fils de 18 mois", (1,)),
        ("ma fille a 2 ans et demi", (2,)),
        ("mes enfants de 6 et 9 ans", (6, 9)),
        ("mes petits-enfants ont 3, 5 et 8 ans", (3, 5, 8)),
        ("aide aux devoirs pour ma fille en CE2, elle a 8 ans", (8,)),
        ("mon fils de deux ans", (2,)),
        ("English storytime for my 5 year old daughter", (5,)),
        ("my 5-year-old son", (5,)),
        ("my kids are 7 and 11 years old", (7, 11)),
        ("toddler, 2 years", (2,)),
        ("mi hija de 3 años", (3,)),
        ("meu filho tem 6 anos", (6,)),
        ("5 yaşında kızım için", (5,)),
        ("Мій син, йому 7 років", (7,)),
        ("донька, 10 місяців", (0,)),
        ("أريد أنشطة لابنتي عمرها 5 سنوات", (5,)),
        ("ابني عمره ٦ سنوات", (6,)),
        # A first-person age is the speaker's, even next to a child word.
        ("j'ai 35 ans et mon fils a 6 ans", (6,)),
        ("I am 40 years old, my son is 9", ()),
        # No child word: nothing is read as a child's age.
        ("j'ai 17 ans", ()),
        ("cours pour les 6-11 ans", ()),
        ("I am 30 years old", ()),
        # A child word but no age unit.
        ("activités pour mon fils", ()),
        ("ma fille est en CE2", ()),
    ],
)
def test_detect_child_ages(text: str, ages: tuple[int, ...]) -> None:
    assert detect_child_ages(text) == ages


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("atelier informatik, je sais pas utiliser un ordi", "digital"),
        ("apprendre le francais", "french"),
        ("trouver un taf", "career"),
        ("je veux creer ma boite", "entrepreneurship"),
        ("cours de guitare", "music"),
        ("knitting group", "crafts"),
        ("Quiero aprender a tocar la guitarra", "music"),
        ("Me gustaría aprender a cocinar", "cooking"),
        ("aulas de francês", "french"),
        ("bilgisayar kursu", "digital"),
        ("Шукаю курси французької мови", "french"),
        ("أتعلم الفرنسية", "french"),
        ("visites sur l'histoire de la ville", "history"),
        ("je voudrais faire du sport", "sport"),
        ("jardinage et compost", "environment"),
    ],
)
def test_infer_topics(text: str, topic: str) -> None:
    assert topic in infer_topics(text)


def test_infer_topics_reads_nothing_into_neutral_words() -> None:
    assert infer_topics("bonjour, je cherche quelque chose") == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("je suis en fauteuil roulant", True),
        ("I use a wheelchair", True),
        ("uso silla de ruedas", True),
        ("personne à mobilité réduite", True),
        ("je cherche un fauteuil confortable", False),
    ],
)
def test_mentions_wheelchair(text: str, expected: bool) -> None:
    assert mentions_wheelchair(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cours d'anglais pas cher", True),
        ("formation gratuite", True),
        ("free English lessons", True),
        ("безкоштовні курси", True),
        ("cours d'anglais", False),
        ("cher ami", False),
    ],
)
def test_wants_free(text: str, expected: bool) -> None:
    assert wants_free(text) is expected


@pytest.mark.parametrize(
    ("first", "second"),
    [("reparer", "reparation"), ("programmer", "programmation"), ("coder", "coding"),
     ("jardinage", "jardin"), ("cuisiner", "cuisine")],
)
def test_stem_joins_word_families(first: str, second: str) -> None:
    assert stem(first) == stem(second)


@pytest.mark.parametrize(("typed", "written"), [("informatik", "informatique"),
                                                ("fotografie", "photographie")])
def test_sound_joins_spellings_by_ear(typed: str, written: str) -> None:
    assert sound(typed) == sound(written)
