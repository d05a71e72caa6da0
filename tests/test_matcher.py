"""The matcher: hard filters, free-text understanding, true reasons, diversity, paging, fallbacks.

Pure tests, no fixtures: offers come from ``tests.factories``; each table row is one rule.
"""

from __future__ import annotations

import gettext
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from factories import JAUDE, offer
from hypothesis import given, settings
from hypothesis import strategies as st
from test_eval import load_offers

from catalog.geo import haversine_km
from catalog.i18n import Translator, translator
from catalog.matching.filters import child_ages_of
from catalog.matching.matcher import CatalogIndex, Match, Reason, alternatives, eligible, match
from catalog.matching.profile import Profile
from catalog.matching.query import Query
from catalog.offer import LocalText, Offer
from catalog.vocabulary import AUDIENCES, TOPICS

TODAY = date(2026, 12, 1)
EN = translator("en")


def texts(found: Match) -> list[str]:
    return [reason.text(EN) for reason in found.reasons]


def ids(found: list[Match]) -> list[str]:
    return [item.offer.id for item in found]


# --- Hard filters: (offer fields, profile fields, eligible?) ---

HARD_FILTERS: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    ("no end date", {}, {}, True),
    ("ended yesterday", {"end_date": date(2026, 11, 30)}, {}, False),
    ("ends today", {"end_date": TODAY}, {}, True),
    ("starts next year", {"start_date": date(2027, 3, 1)}, {}, True),
    ("age inside", {"age_min": 16, "age_max": 25}, {"age": 25}, True),
    ("age below", {"age_min": 16, "age_max": 25}, {"age": 15}, False),
    ("age above", {"age_min": 16, "age_max": 25}, {"age": 26}, False),
    ("age min only", {"age_min": 60}, {"age": 58}, False),
    ("age unknown", {"age_min": 60}, {}, True),
    ("child fits, adult age ignored", {"age_min": 4, "age_max": 10},
     {"age": 38, "text": "pour mon fils de 6 ans"}, True),
    ("child out of range", {"age_min": 0, "age_max": 3},
     {"text": "atelier pour mon fils de 4 ans"}, False),
    ("one of two children fits", {"age_min": 8, "age_max": 16},
     {"text": "mes enfants de 6 et 9 ans"}, True),
    ("child ages from the conversation", {"age_min": 0, "age_max": 3},
     {"child_ages": (5,)}, False),
    ("adult offer checks the adult", {"age_min": 18},
     {"age": 38, "text": "ma fille de 5 ans"}, True),
    ("teen offer, own age in text is no child", {"age_min": 11, "age_max": 17},
     {"age": 20, "text": "j'ai 17 ans"}, False),
    ("audience shared", {"audiences": ("job_seeker", "newcomer")},
     {"situations": frozenset({"newcomer"})}, True),
    ("audience not shared", {"audiences": ("job_seeker",)},
     {"situations": frozenset({"employee"})}, False),
    ("audience, no situation stated (RULES §2.5)", {"audiences": ("job_seeker",)}, {}, True),
    ("family offer, parent", {"audiences": ("newcomer",), "missions": ("family",)},
     {"situations": frozenset({"parent"})}, True),
    ("family offer, child age in text", {"audiences": ("parent",), "missions": ("family",)},
     {"text": "pour ma petite-fille de 3 ans"}, True),
    ("not a family offer, parent", {"audiences": ("newcomer",)},
     {"situations": frozenset({"parent"})}, False),
    ("free only, free", {"price_eur": 0}, {"free_only": True}, True),
    ("free only, paid", {"price_eur": 2}, {"free_only": True}, False),
    ("free only, price not stated", {"price_eur": None}, {"free_only": True}, True),
    ("online only, in person", {"format": "in_person"}, {"online_only": True}, False),
    ("online only, empty format", {"format": ""}, {"online_only": True}, False),
    ("online only, online", {"format": "online"}, {"online_only": True}, True),
    ("online only, hybrid", {"format": "hybrid"}, {"online_only": True}, True),
]


@pytest.mark.parametrize(("fields", "profile", "allowed"),
                         [row[1:] for row in HARD_FILTERS], ids=[row[0] for row in HARD_FILTERS])
def test_hard_filters(fields: dict[str, Any], profile: dict[str, Any], allowed: bool) -> None:
    candidate = offer(title="Atelier", topics=("arts",), **fields)
    assert eligible(candidate, Profile(**profile), TODAY) is allowed
    # match() applies the same filters to an offer that fits the interest.
    interested = Profile(**profile, topics=frozenset({"arts"}))
    found = match(interested, CatalogIndex([candidate]), today=TODAY)
    assert (ids(found) == [candidate.id]) is allowed


# --- Free text: typos, slang, missing accents, synonyms, other languages ---

CATALOGUE = [
    offer("computer", title="Initiation à l'ordinateur : souris, clavier, internet",
          topics=("digital",), keywords=("informatique", "débutant")),
    offer("french", title="Cours de français langue étrangère (FLE)",
          topics=("french", "languages"), keywords=("FLE", "apprendre le français")),
    offer("cv", title="Atelier CV et lettre de motivation", topics=("career",),
          keywords=("emploi", "candidature")),
    offer("kids-arts", title="Atelier arts plastiques parent-enfant", age_min=2, age_max=6,
          topics=("arts", "parenting"), missions=("family",)),
    offer("teen-code", title="Club de code pour ados", age_min=11, age_max=17,
          topics=("digital",), keywords=("programmation", "coder", "jeux vidéo")),
    offer("repair", title="Repair café : on répare ensemble", topics=("crafts",),
          description="Grille-pain, lampes, vêtements : venez réparer vos objets."),
    offer("knit", title="Tricot et crochet", topics=("crafts",), keywords=("tricot", "laine")),
    offer("business", title="Créer son entreprise : accompagnement", topics=("entrepreneurship",),
          keywords=("création d'entreprise", "auto-entrepreneur")),
    offer("forklift", title="CACES R489 chariots élévateurs", topics=("career",),
          keywords=("CACES", "logistique")),
    offer("heritage", title="Visite guidée de la cathédrale", topics=("history",),
          keywords=("patrimoine",)),
    offer("guitar", title="Guitare pour adultes débutants", topics=("music",), age_min=18,
          price_eur=210),
]
INDEX = CatalogIndex(CATALOGUE)


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("atelier informatik pour debutant", "computer"),
        ("je sais pas utiliser un ordi", "computer"),
        ("computer class", "computer"),
        ("apprendre le francais", "french"),
        ("I want to learn French", "french"),
        ("trouver un taf", "cv"),
        ("besoin daide pour mon cv", "cv"),
        ("un boulot", "cv"),
        ("atelier pour mon fils de 4 ans", "kids-arts"),
        ("reparer mon grille pain", "repair"),
        ("knitting", "knit"),
        ("je veux creer ma boite", "business"),
        ("permis cariste", "forklift"),
        ("chariot elevateur", "forklift"),
        ("visite de la cathedrale", "heritage"),
        ("Quiero aprender a tocar la guitarra", "guitar"),
        ("курси французької мови", "french"),
        ("أتعلم الفرنسية", "french"),
        ("guitarre", "guitar"),  # a typo
    ],
)
def test_free_text_finds_the_offer(text: str, best: str) -> None:
    found = match(Profile(text=text), INDEX, today=TODAY)
    assert found and found[0].offer.id == best


def test_a_childs_age_in_the_text_keeps_out_offers_for_other_ages() -> None:
    found = match(Profile(text="atelier pour mon fils de 4 ans"), INDEX, today=TODAY)
    assert "teen-code" not in ids(found)
    assert "For ages 2-6" in texts(found[0])


def test_words_the_catalogue_never_uses_find_nothing() -> None:
    assert match(Profile(text="xqzwv plorf"), INDEX, today=TODAY) == []


def test_form_words_alone_do_not_make_a_match() -> None:
    # "cours" is in several titles; the subject (tir à l'arc) is in none.
    assert match(Profile(text="cours de tir à l'arc"), INDEX, today=TODAY) == []


# --- Reasons are true ---

def test_free_is_said_only_of_free_offers() -> None:
    offers = [offer("free", title="Atelier tricot", price_eur=0),
              offer("paid", title="Atelier tricot", price_eur=20),
              offer("unknown", title="Atelier tricot", price_eur=None)]
    found = {m.offer.id: texts(m) for m in match(Profile(text="tricot"), CatalogIndex(offers),
                                                 today=TODAY)}
    assert "Free" in found["free"]
    assert "Free" not in found["paid"] and "Free" not in found["unknown"]


def test_distance_online_and_accessibility_reasons() -> None:
    near = (45.7800, 3.0900)
    offers = [offer("here", title="Atelier tricot"),
              offer("web", title="Atelier tricot", format="online", latitude=None,
                    longitude=None, neighbourhood="")]
    found = {m.offer.id: m for m in match(
        Profile(text="tricot fauteuil roulant", near=near), CatalogIndex(offers), today=TODAY)}
    distance = haversine_km(near, JAUDE)
    assert found["here"].distance_km == pytest.approx(distance, abs=0.01)
    assert f"{distance:.1f} km away" in texts(found["here"])
    assert "Wheelchair accessible" in texts(found["here"])
    assert found["web"].distance_km is None and "Online" in texts(found["web"])
    assert not any("km away" in text for text in texts(found["web"]))


def test_interest_audience_age_and_language_reasons() -> None:
    course = offer("fle", title="Cours de français", topics=("french",), audiences=("newcomer",),
                   age_min=16, age_max=25, languages=("fr", "uk"))
    profile = Profile(age=20, situations=frozenset({"newcomer"}), topics=frozenset({"french"}),
                      lang="uk")
    (found,) = match(profile, CatalogIndex([course]), today=TODAY)
    assert texts(found) == ["Matches your interest: French for newcomers",
                            "For newcomers to France", "For ages 16-25", "Free",
                            "Taught in your language"]


def test_reasons_are_translated() -> None:
    reason = Reason("Matches your interest: {topic}", (("topic", "digital"),))
    assert reason.text(EN) == "Matches your interest: Digital skills"
    assert "1,2 km" in Reason("{km} km away", (("km", "1.25"),)).text(translator("fr"))


class _Broken(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return "{oops} km"


def test_a_broken_translation_falls_back_to_english() -> None:
    broken = Translator("fr", _Broken())
    assert Reason("{km} km away", (("km", "2"),)).text(broken) == "2,0 km away"


# --- Ranking: relevance first, then nearness, price, language, access ---

def test_nearer_offer_first_when_equally_relevant() -> None:
    near = (45.8035, 3.1040)
    offers = [offer("far", title="Jardin partagé", latitude=45.7600, longitude=3.0700),
              offer("close", title="Jardin partagé", latitude=45.8030, longitude=3.1035)]
    assert ids(match(Profile(text="jardin", near=near), CatalogIndex(offers), today=TODAY)) == [
        "close", "far"]


def test_online_offers_are_not_penalised_by_distance() -> None:
    near = (45.8035, 3.1040)
    offers = [offer("far", title="Cours de japonais", latitude=45.7500, longitude=3.0500),
              offer("web", title="Cours de japonais", format="online", latitude=None,
                    longitude=None)]
    assert ids(match(Profile(text="japonais", near=near), CatalogIndex(offers),
                     today=TODAY))[0] == "web"


def test_free_before_unstated_price_under_free_only() -> None:
    offers = [offer("unknown", title="Atelier tricot", price_eur=None),
              offer("free", title="Atelier tricot", price_eur=0)]
    assert ids(match(Profile(text="tricot", free_only=True), CatalogIndex(offers),
                     today=TODAY)) == ["free", "unknown"]


def test_wheelchair_user_gets_accessible_offers_first() -> None:
    offers = [offer("stairs", title="Basket", wheelchair_accessible=False),
              offer("ramp", title="Basket", wheelchair_accessible=True)]
    assert ids(match(Profile(text="basket, je suis en fauteuil roulant"), CatalogIndex(offers),
                     today=TODAY))[0] == "ramp"


def test_offers_in_the_citizens_language_rank_higher() -> None:
    offers = [offer("fr", title="Visite du patrimoine"),
              offer("en", title="Visite du patrimoine", languages=("fr", "en"),
                    translations={"en": LocalText("Heritage tour")})]
    found = match(Profile(text="heritage tour", lang="en"), CatalogIndex(offers), today=TODAY)
    assert ids(found)[0] == "en"


def test_diversity_one_provider_does_not_fill_the_page() -> None:
    same = [offer(f"a{i}", title="Atelier tricot et crochet", provider="Tricoteuses",
                  keywords=("tricot", "crochet")) for i in range(6)]
    other = offer("b", title="Atelier tricot", provider="Centre social")
    found = match(Profile(text="tricot crochet"), CatalogIndex([*same, other]), today=TODAY)
    assert "b" in ids(found)
    assert len({item.offer.provider for item in found}) > 1


def test_scores_are_between_0_and_1_best_first() -> None:
    found = match(Profile(text="atelier tricot"), INDEX, today=TODAY, limit=20)
    assert all(0 <= item.score <= 1 for item in found)
    assert [item.score for item in found] == sorted((item.score for item in found), reverse=True)


@pytest.mark.parametrize("page", [1, 2, 3, 5])
def test_paging_with_offset_gives_the_same_list(page: int) -> None:
    offers = [offer(f"o{i:02d}", title=f"Atelier tricot {i}", provider=f"P{i % 3}",
                    latitude=45.77 + i / 1000, price_eur=i % 2) for i in range(23)]
    index = CatalogIndex(offers)
    profile = Profile(text="tricot", near=JAUDE)
    whole = ids(match(profile, index, today=TODAY, limit=30))
    pages: list[str] = []
    for offset in range(0, 30, page):
        pages += ids(match(profile, index, today=TODAY, limit=page, offset=offset))
    assert pages == whole and len(whole) == 23


def test_limit_and_offset_are_checked() -> None:
    with pytest.raises(ValueError):
        match(Profile(), INDEX, today=TODAY, limit=0)
    with pytest.raises(ValueError):
        match(Profile(), INDEX, today=TODAY, offset=-1)


def test_a_profile_without_any_interest_gets_near_offers() -> None:
    near = (45.8035, 3.1040)
    offers = [offer("far", latitude=45.7500, longitude=3.0500),
              offer("close", latitude=45.8030, longitude=3.1035)]
    assert ids(match(Profile(near=near), CatalogIndex(offers), today=TODAY)) == ["close", "far"]


# --- alternatives(): one criterion let go, the others kept ---

@pytest.mark.parametrize(
    ("profile", "dropped", "expected"),
    [
        (Profile(text="guitare", free_only=True), "free_only", ["guitar"]),
        (Profile(text="tricot", online_only=True), "online_only", ["knit"]),
        (Profile(text="jeux vidéo", age=30), "age", ["teen-code"]),
    ],
)
def test_alternatives_drop_one_criterion(profile: Profile, dropped: str,
                                         expected: list[str]) -> None:
    assert match(profile, INDEX, today=TODAY) == []
    relaxed = alternatives(profile, INDEX, today=TODAY)
    assert relaxed is not None and relaxed.dropped == dropped
    assert ids(relaxed.matches)[: len(expected)] == expected


def test_alternatives_keep_every_other_hard_filter() -> None:
    offers = [offer("paid-adult", title="Guitare", price_eur=200, age_min=18),
              offer("paid-child", title="Guitare", price_eur=200, age_min=6, age_max=12)]
    profile = Profile(text="guitare", free_only=True, age=30)
    relaxed = alternatives(profile, CatalogIndex(offers), today=TODAY)
    assert relaxed is not None and relaxed.dropped == "free_only"
    assert ids(relaxed.matches) == ["paid-adult"]


def test_alternatives_without_text_keep_the_childs_age() -> None:
    offers = [offer("baby", title="Bébés lecteurs", age_min=0, age_max=3),
              offer("kids", title="Arts plastiques", age_min=4, age_max=8)]
    profile = Profile(text="xqzwv pour mon fils de 5 ans")
    relaxed = alternatives(profile, CatalogIndex(offers), today=TODAY)
    assert relaxed is not None and relaxed.dropped == "text"
    assert ids(relaxed.matches) == ["kids"]


def test_no_alternative_when_nothing_is_left() -> None:
    ended = offer("old", title="Tricot", end_date=date(2025, 1, 1))
    assert alternatives(Profile(text="tricot"), CatalogIndex([ended]), today=TODAY) is None


# --- The index ---

def test_index_get_and_neighbourhood_centroids() -> None:
    offers = [offer("a", neighbourhood="Montferrand", latitude=45.79, longitude=3.11),
              offer("b", neighbourhood="Montferrand", latitude=45.80, longitude=3.12),
              offer("c", format="online", neighbourhood="", latitude=None, longitude=None)]
    index = CatalogIndex(offers)
    assert index.get("b") is offers[1] and index.get("zzz") is None
    assert index.neighbourhoods() == {"Montferrand": pytest.approx((45.795, 3.115))}


# --- Property: no hard filter is ever violated, on the evaluation catalogue ---

EVAL_OFFERS: list[Offer] = load_offers()
EVAL_INDEX = CatalogIndex(EVAL_OFFERS)
PROFILES = st.builds(
    Profile,
    age=st.none() | st.integers(0, 100),
    child_ages=st.lists(st.integers(0, 17), max_size=2).map(tuple),
    situations=st.frozensets(st.sampled_from(sorted(AUDIENCES))),
    topics=st.frozensets(st.sampled_from(sorted(TOPICS)), max_size=3),
    text=st.sampled_from(["", "atelier", "cours de français", "mon fils de 6 ans",
                          "informatique gratuit", "sport fauteuil roulant", "emploi"]),
    near=st.none() | st.tuples(st.floats(45.74, 45.81), st.floats(3.05, 3.15)),
    free_only=st.booleans(),
    online_only=st.booleans(),
    lang=st.sampled_from(["fr", "en", "ar", "uk"]),
)


@settings(max_examples=150, deadline=None)
@given(PROFILES, st.integers(1, 10), st.integers(0, 5))
def test_matches_never_break_a_hard_filter(profile: Profile, limit: int, offset: int) -> None:
    for found in match(profile, EVAL_INDEX, today=TODAY, limit=limit, offset=offset):
        assert eligible(found.offer, profile, TODAY)
    relaxed = alternatives(profile, EVAL_INDEX, today=TODAY)
    if relaxed is not None:
        kept = {
            "free_only": replace(profile, free_only=False),
            "online_only": replace(profile, online_only=False),
            "text": replace(profile, text="", child_ages=child_ages_of(profile)),
        }.get(relaxed.dropped, profile)
        if relaxed.dropped in ("free_only", "online_only", "topics", "near", "text"):
            for found in relaxed.matches:
                assert eligible(found.offer, kept, TODAY)


@settings(max_examples=100, deadline=None)
@given(PROFILES)
def test_the_matchers_fast_filter_agrees_with_eligible(profile: Profile) -> None:
    query = Query(profile, EVAL_INDEX, TODAY)
    for candidate, facts in zip(EVAL_INDEX.offers, EVAL_INDEX.facts, strict=True):
        assert query.allows(facts) is eligible(candidate, profile, TODAY)


# --- Answers are optional (RULES §2.5) and reasons are true ---


def test_an_audience_offer_without_a_situation_stated_says_who_it_is_for() -> None:
    index = CatalogIndex([
        offer("o-1", title="Cours de français pour nouveaux arrivants", topics=("french",),
              audiences=("newcomer",)),
        offer("o-2", title="Cours de français", topics=("french",)),
    ])
    found = match(Profile(age=30, text="apprendre le français"), index, today=TODAY)
    assert ids(found) == ["o-2", "o-1"]  # allowed, after the open offer
    assert "For newcomers to France" in texts(found[1])
    assert {"kind": "for", "code": "newcomer"} in found[1].why
    stated = Profile(age=30, situations=frozenset({"employee"}), text="apprendre le français")
    assert ids(match(stated, index, today=TODAY)) == ["o-2"]


def test_a_word_reason_names_the_field_and_quotes_it_as_written() -> None:
    index = CatalogIndex([
        offer("o-1", title="Atelier", description="Initiation à la Programmation en Python",
              topics=("digital",)),
        offer("o-2", title="Scène ouverte", provider="Théâtre Saint-Pierre",
              topics=("arts",)),
    ])
    found = match(Profile(text="programmation"), index, today=TODAY)
    assert {"kind": "word", "query": "programmation", "field": "description",
            "matched": "Programmation"} in found[0].why
    # Found by its provider's name (and "saint" does not sound like "scène"): no word reason.
    for item in match(Profile(text="saint"), index, today=TODAY):
        assert [w for w in item.why if w["kind"] == "word"] == []


def test_words_in_seven_languages_reach_the_french_offers() -> None:
    index = CatalogIndex(load_offers())
    for text in ("coding", "programming", "програмування", "programación", "programlama",
                 "programação", "برمجة"):
        found = match(Profile(text=text), index, today=TODAY, limit=3)
        assert found and all("digital" in item.offer.topics for item in found), text
    for text in ("conferencias de historia", "conferensias de istoria", "tarih konferansı"):
        top = match(Profile(text=text), index, today=TODAY, limit=1)[0]
        assert "history" in top.offer.topics, text
    digital = match(Profile(text="цифрові навички", lang="uk"), index, today=TODAY, limit=3)
    assert digital and all("digital" in item.offer.topics for item in digital)


def test_typed_words_that_say_nothing_are_not_presented_as_matches() -> None:
    index = CatalogIndex(load_offers())
    assert match(Profile(text="🎨🎨"), index, today=TODAY) == []
    relaxed = alternatives(Profile(text="🎨🎨"), index, today=TODAY)
    assert relaxed is not None and relaxed.dropped == "text"
