"""The dialogue engine, pure: walks to results, questions, buttons, commands, hostile input."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from conversation_helpers import CONTACT, TODAY, Chat, context, make_offer, sample_index

from bot.engine import actions
from bot.engine.commands import COMMANDS
from bot.engine.context import ForgetUser, SetLanguage
from bot.engine.dialogue import step
from bot.engine.inputs import Command, Press, SharedLocation, Start, Text, Unsupported, clean
from bot.engine.replies import ACTION_LIMIT, Reply
from bot.engine.results import profile_of
from bot.engine.state import Answers, Conversation, Step
from catalog.i18n import LANGUAGE_NAMES
from catalog.matching.matcher import eligible


def shown_ids(chat: Chat) -> list[str]:
    """The ids of the offers whose cards the last step showed."""
    ids = []
    for card in chat.cards():
        details = next(b.action for b in card.all_buttons() if b.action and b.action[:2] == "d:")
        found = actions.resolve_offer(details[2:], [o.id for o in chat.ctx.index.offers])
        assert found is not None
        ids.append(found)
    return ids


def assert_results(chat: Chat) -> list[str]:
    """The last step showed results, every one of them eligible for the answers given."""
    assert chat.state.step == Step.RESULTS
    ids = shown_ids(chat)
    assert 1 <= len(ids) <= 5
    profile = profile_of(chat.state, chat.ctx)
    for offer_id in ids:
        offer = chat.ctx.index.get(offer_id)
        assert offer is not None and eligible(offer, profile, TODAY), offer_id
    footer = chat.replies[-1]
    assert {b.action for b in footer.all_buttons()} >= {"go:refine", "go:start"}
    return ids


# --- Walks to results ---------------------------------------------------------------------


def test_walk_for_a_child() -> None:
    chat = Chat()
    chat.send(Start())
    assert "Hello" in chat.text() and "/privacy" in chat.text()
    chat.press("My child")
    assert chat.state.step == Step.CHILD_AGES
    chat.send(Text("3 and 7"))
    # Asking for a child, the parent's own age is not asked.
    assert chat.state.step == Step.SITUATION
    assert chat.state.answers.child_ages == (3, 7)
    chat.press("Parent")
    chat.press("Done")
    chat.press("Arts")
    chat.press("Done")
    chat.press("Anywhere in Clermont-Ferrand")
    ids = assert_results(chat)
    for offer_id in ids:
        offer = chat.ctx.index.get(offer_id)
        assert offer is not None
        if offer.age_max is not None and offer.age_max <= 18:
            assert any((offer.age_min or 0) <= age <= offer.age_max for age in (3, 7))


def test_walk_for_a_family_asks_the_adults_age_too() -> None:
    chat = Chat(language="fr")
    chat.send(Start())
    chat.press("Ma famille")
    chat.send(Text("3 et 7 ans"))
    assert chat.state.step == Step.AGE
    assert chat.state.answers.child_ages == (3, 7)
    assert "Et vous, quel âge avez-vous" in chat.text()


def test_walk_for_a_job_seeker() -> None:
    chat = Chat()
    chat.send(Start())
    chat.press("Me")
    chat.send(Text("34"))
    assert chat.state.answers.age == 34
    chat.press("Job seeker")
    chat.press("Done")
    chat.send(Text("find a job"))
    assert chat.state.step == Step.WHERE and chat.state.answers.text == "find a job"
    chat.press("Anywhere in Clermont-Ferrand")
    assert_results(chat)
    assert "For job seekers" in chat.text()


def test_walk_for_a_newcomer_in_french_with_a_neighbourhood() -> None:
    chat = Chat(language="fr")
    chat.send(Start())
    assert "Bonjour" in chat.text()
    chat.press("Moi")
    chat.press("26 à 44 ans")
    chat.press("Arrivée récente en France")
    chat.press("Terminé")
    chat.press("Français pour nouveaux arrivants")
    chat.press("Terminé")
    chat.press("Choisir un quartier")
    assert chat.state.step == Step.NEIGHBOURHOOD
    chat.press("Centre-ville")
    assert chat.state.answers.neighbourhood == "Centre-ville"
    assert_results(chat)
    assert "km" in chat.text() and "Prix" in chat.text()


def test_walk_for_a_senior_sharing_a_location() -> None:
    chat = Chat()
    chat.send(Start())
    chat.press("Me")
    chat.press("60 or over")
    chat.press("Retired")
    chat.press("Done")
    chat.press("Digital skills")
    chat.press("Done")
    assert chat.replies[-1].ask_location
    chat.send(SharedLocation(45.7772, 3.0870))
    assert chat.state.answers.location == (45.7772, 3.087)
    assert_results(chat)
    assert "km away" in chat.text()


def test_skipping_every_question_still_gives_results() -> None:
    chat = Chat()
    chat.send(Start())
    while chat.state.step != Step.RESULTS:
        chat.press("Skip")
    assert_results(chat)


# --- Questions: back, skip, ticks, typed answers --------------------------------------------


def test_back_and_skip_follow_the_answers() -> None:
    chat = Chat()
    chat.send(Start())
    assert "Back" not in [b.label for b in chat.buttons()]  # nothing before the first question
    chat.press("Skip")
    assert chat.state.step == Step.AGE
    chat.press("Back")
    assert chat.state.step == Step.WHO
    chat.press("My child")
    chat.send(Text("5"))
    assert chat.state.step == Step.SITUATION
    chat.press("Back")
    assert chat.state.step == Step.CHILD_AGES
    assert "5" in chat.text()  # the answer so far is shown
    chat.press("Back")
    assert chat.state.step == Step.WHO
    assert "✓ My child" in [b.label for b in chat.buttons()]


def test_multi_select_ticks_and_unticks_in_place() -> None:
    chat = Chat()
    chat.send(Start())
    chat.press("Skip")
    chat.press("Skip")
    assert chat.state.step == Step.SITUATION
    chat.press("Student")
    chat.press("New in France")
    assert chat.state.answers.situations == ("student", "newcomer")
    (reply,) = chat.replies
    assert reply.replaces_previous
    assert {"✓ Student", "✓ New in France", "Employee"} <= {b.label for b in reply.all_buttons()}
    chat.press("Student")
    assert chat.state.answers.situations == ("newcomer",)
    chat.press("Prefer not to say")
    assert chat.state.answers.situations == ()
    assert chat.state.step == Step.INTERESTS


def test_sensitive_situations_are_optional() -> None:
    chat = Chat()
    chat.send(Start())
    chat.press("Skip")
    chat.press("Skip")
    labels = [b.label for b in chat.buttons()]
    assert {"Need adapted access", "New in France", "Prefer not to say", "Skip"} <= set(labels)
    assert "optional" in chat.text()


@pytest.mark.parametrize(
    ("typed", "ages"),
    [("3 and 7", (3, 7)), ("3 et 7 ans", (3, 7)), ("7", (7,)), ("٣ و ٧", (3, 7)),
     ("12, 9, 12", (9, 12))],
)
def test_childrens_ages_typed(typed: str, ages: tuple[int, ...]) -> None:
    chat = Chat()
    chat.send(Start())
    chat.press("My family")
    chat.send(Text(typed))
    assert chat.state.answers.child_ages == ages


def test_impossible_ages_are_asked_again() -> None:
    chat = Chat()
    chat.send(Start())
    chat.press("Me")
    chat.send(Text("250"))
    assert chat.state.step == Step.AGE and chat.state.answers.age is None
    assert "between 0 and 120" in chat.text()
    chat.press("Back")
    chat.press("My child")
    chat.send(Text("40"))
    assert chat.state.step == Step.CHILD_AGES


def test_a_need_typed_at_the_age_question_is_kept_and_the_questions_go_on() -> None:
    chat = Chat()
    chat.send(Start())
    chat.press("Me")
    chat.send(Text("cooking"))
    assert chat.state.step == Step.AGE  # never a search that skips the remaining questions
    assert chat.state.answers.text == "cooking"
    assert "How old are you?" in chat.text()


def test_typed_answers_walk_the_questionnaire_in_spanish() -> None:
    chat = Chat()
    chat.send(Start())
    chat.send(Command("language", "es"))
    for typed in ("para mi", "tengo 70 años", "jubilada", "conferensias de istoria"):
        chat.send(Text(typed))
    answers = chat.state.answers
    assert (answers.who, answers.age, answers.situations) == ("me", 70, ("retired",))
    assert "history" in answers.topics and chat.state.step == Step.WHERE
    chat.send(Text("en cualquier parte"))
    assert chat.state.step == Step.RESULTS and chat.state.answers.where == "anywhere"


def test_not_understood_says_so_with_the_closest_options_and_asks_again() -> None:
    chat = Chat()
    chat.send(Start())
    chat.send(Text("fmly"))
    assert chat.state.step == Step.WHO
    said = chat.replies[0]
    assert "I did not understand" in said.text
    assert next(button.label for row in said.buttons for button in row) == "My family"
    chat.send(Text("asdfgh"))
    assert chat.state.step == Step.WHO and "Who is it for?" in chat.text()


@pytest.mark.parametrize("typed", ["back", "/back", "retour"])
def test_back_typed_or_as_a_command_goes_back(typed: str) -> None:
    chat = Chat()
    chat.send(Start())
    chat.press("Me")
    chat.send(Command("back", "") if typed == "/back" else Text(typed))
    assert chat.state.step == Step.WHO


@pytest.mark.parametrize(("language", "typed", "erased"),
                         [("en", "yes", True), ("fr", "oui", True), ("tr", "evet", True),
                          ("uk", "ні", False), ("en", "no", False)])
def test_yes_typed_confirms_forget(language: str, typed: str, erased: bool) -> None:
    chat = Chat()
    chat.send(Start())
    chat.send(Command("language", language))
    chat.send(Command("forget", ""))
    chat.send(Text(typed))
    assert any(isinstance(effect, ForgetUser) for effect in chat.last.effects) is erased


def test_neighbourhood_typed_by_name() -> None:
    chat = Chat()
    chat.send(Start())
    for _ in range(4):
        chat.press("Skip")
    assert chat.state.step == Step.WHERE
    chat.send(Text("centre ville"))
    assert chat.state.answers.neighbourhood == "Centre-ville"
    assert chat.state.step == Step.RESULTS


def test_location_shared_early_is_kept_and_the_questions_go_on() -> None:
    chat = Chat()
    chat.send(Start())
    chat.send(SharedLocation(45.78, 3.08))
    assert chat.state.step == Step.WHO
    assert chat.state.answers.where == "location"
    chat.send(SharedLocation(float("nan"), 3.0))
    assert "does not look right" in chat.text()


# --- Results ------------------------------------------------------------------------------


def test_cards_show_title_provider_when_where_price_reasons_and_buttons() -> None:
    offer = make_offer(
        "cooking-1", title="Cuisine du monde", price_eur=Decimal("12.50"),
        schedule="mardi 18h", url="https://example.org/cuisine", topics=("cooking",),
        translations={}, start_date=TODAY, end_date=TODAY.replace(year=2027),
    )
    chat = Chat(context([offer]), language="fr")
    chat.send(Command("search", "cuisine"))
    (card,) = chat.cards()
    assert card.title == "Cuisine du monde"
    assert "Médiathèque de Jaude" in card.text
    assert "mardi 18h" in card.text and "1 décembre 2026" in card.text
    assert "12,50\u00a0€" in card.text
    assert "Pourquoi" in card.text
    labels = {b.label: b for b in card.all_buttons()}
    assert labels["Site web"].url == "https://example.org/cuisine"
    assert {"Détails", "Enregistrer", "Carte"} <= set(labels)


def test_price_is_free_and_currency_follows_the_locale() -> None:
    free = make_offer("free-1")
    paid = make_offer("paid-1", price_eur=Decimal("12.5"), topics=("digital",))
    chat = Chat(context([free, paid]), language="en")
    chat.send(Command("search", "digital"))
    text = chat.text()
    assert "Price: Free" in text and "€12.50" in text


def test_untranslated_offers_say_they_are_described_in_french() -> None:
    translated = make_offer("t-1")
    french_only = make_offer("f-1", title="Atelier tablette", translations={})
    chat = Chat(context([translated, french_only]), language="en")
    chat.send(Command("search", "numérique"))
    by_title = {card.title: card.text for card in chat.cards()}
    assert "described in French" in by_title["Atelier tablette"]
    assert "described in French" not in by_title["Digital workshop"]
    chat = Chat(context([french_only]), language="fr")
    chat.send(Command("search", "tablette"))
    assert "en français" not in chat.text()


def test_no_website_nor_map_buttons_without_url_or_coordinates() -> None:
    offer = make_offer("bare", url="", latitude=None, longitude=None)
    chat = Chat(context([offer]))
    chat.send(Command("search", "digital"))
    (card,) = chat.cards()
    assert [b.label for b in card.all_buttons()] == ["Details", "Save"]


def test_more_results_then_the_end() -> None:
    offers = [make_offer(f"o-{n}", provider=f"P{n}") for n in range(5)]
    chat = Chat(context(offers))
    chat.send(Command("search", "digital"))
    first = shown_ids(chat)
    chat.press("More results")
    second = shown_ids(chat)
    assert len(first) == 3 and len(second) == 2 and not set(first) & set(second)
    assert "More results" not in [b.label for b in chat.buttons()]
    chat.send(Press("more"))
    assert "That is all" in chat.text()


def test_only_free_offers_toggle() -> None:
    offers = [make_offer("free"), make_offer("paid", price_eur=Decimal(5), provider="Other")]
    chat = Chat(context(offers))
    chat.send(Command("search", "digital"))
    assert set(shown_ids(chat)) == {"free", "paid"}
    chat.press("Only free offers")
    assert shown_ids(chat) == ["free"]
    assert "✓ Only free offers" in [b.label for b in chat.buttons()]
    chat.press("Only free offers")
    assert set(shown_ids(chat)) == {"free", "paid"}


def test_nothing_fits_says_so_names_the_relaxed_criterion_and_a_contact() -> None:
    paid = make_offer("paid", price_eur=Decimal(20))
    chat = Chat(context([paid]))
    chat.send(Start())
    chat.state = chat.state.with_answers(free_only=True)
    chat.send(Press("go:results"))
    text = chat.text()
    assert "Nothing free fits your answers" in text
    assert CONTACT in text
    assert shown_ids(chat) == ["paid"]
    chat.press("Search without it")
    assert chat.state.answers.free_only is False
    assert shown_ids(chat) == ["paid"]
    assert "Here are the offers" in chat.text()


def test_nothing_at_all_is_said_honestly() -> None:
    chat = Chat(context([]))
    chat.send(Command("search", "astrophysics"))
    assert "I found nothing" in chat.text() and CONTACT in chat.text()
    assert chat.replies[-1].buttons


def test_refine_goes_back_to_the_questions_with_answers_kept() -> None:
    chat = Chat()
    chat.send(Start())
    chat.press("Me")
    chat.send(Text("40"))
    chat.send(Command("search", "anglais"))
    chat.press("Change my answers")
    assert chat.state.step == Step.WHO
    assert chat.state.answers.age == 40 and chat.state.answers.text == "anglais"


def test_start_over_clears_the_answers_but_keeps_favourites() -> None:
    chat = Chat()
    chat.send(Command("search", "anglais"))
    chat.send(Press(chat.button("Save").action or ""))
    chat.send(Command("search", "anglais"))
    chat.press("Start over")
    assert chat.state.step == Step.WHO and chat.state.answers == Answers()
    assert len(chat.favourites) == 1


# --- Offers: details, map, save -----------------------------------------------------------


def test_details_map_save_and_remove() -> None:
    chat = Chat(context([make_offer("o-1", phone="04 73 00 00 00", age_min=16)]))
    chat.send(Command("search", "digital"))
    chat.press("Details")
    (details,) = chat.replies
    assert "Learn to use a computer." in details.text and "04 73 00 00 00" in details.text
    assert "From age 16" in details.text
    chat.press("Map")
    (venue_reply,) = chat.replies
    assert venue_reply.venue is not None and venue_reply.venue.latitude == 45.7772
    chat.press("Save")
    assert chat.favourites == ["o-1"]
    chat.press("Save") if "Save" in [b.label for b in chat.buttons()] else None
    chat.send(Command("favorites"))
    assert "You have saved 1 offer" in chat.text()
    assert "Remove from saved" in [b.label for b in chat.buttons()]
    chat.press("Remove from saved")
    assert chat.favourites == []
    chat.send(Command("favorites"))
    assert "no saved offers" in chat.text()


def test_saving_twice_and_gone_offers() -> None:
    chat = Chat(context([make_offer("o-1")]))
    chat.favourites = ["o-1", "retired-offer"]
    chat.send(Press("s:o-1"))
    assert "Already saved" in chat.text() and not chat.last.effects
    chat.send(Command("favorites"))
    assert "no longer available" in chat.text()
    assert chat.favourites == ["o-1"]


def test_long_offer_ids_fit_in_button_actions() -> None:
    long_id = "x" * 64
    chat = Chat(context([make_offer(long_id)]))
    chat.send(Command("search", "digital"))
    for button in chat.buttons():
        if button.action:
            assert len(button.action.encode()) <= ACTION_LIMIT and button.action.isascii()
    chat.press("Save")
    assert chat.favourites == [long_id]
    chat.send(Command("search", "digital"))
    chat.press("Details")
    assert chat.replies[0].title == "Digital workshop"


def test_offer_deep_link_and_topic_deep_link() -> None:
    chat = Chat(context([make_offer("o-1")]))
    chat.send(Start("offer-o-1"))
    assert chat.replies[1].title == "Digital workshop"
    assert chat.state.step == Step.WHO
    chat.send(Start("topic-digital"))
    assert chat.state.answers.topics == ("digital",)
    assert "Digital skills" in chat.text()
    chat.send(Start("mission-family"))
    assert chat.state.answers.topics == ("reading", "parenting")
    for payload in ("offer-nope", "topic-xyz", "garbage", "mission-", "x" * 500):
        chat.send(Start(payload))
        assert chat.state.step == Step.WHO and chat.state.answers == Answers()


# --- Commands -----------------------------------------------------------------------------


def test_help_lists_every_command() -> None:
    chat = Chat()
    chat.send(Command("help"))
    for name, _ in COMMANDS:
        assert f"/{name}" in chat.text()
    assert chat.replies[-1].buttons


def test_unknown_command_gets_help() -> None:
    chat = Chat()
    chat.send(Command("frobnicate"))
    assert "/frobnicate" in chat.text() and "/help" in chat.text()


def test_privacy_says_what_is_kept_and_how_to_erase_it() -> None:
    chat = Chat(language="fr")
    chat.send(Command("privacy"))
    assert "/forget" in chat.text() and CONTACT in chat.text()


def test_language_buttons_show_each_language_in_itself() -> None:
    chat = Chat()
    chat.send(Start())
    chat.send(Command("language"))
    labels = [b.label.removeprefix("✓ ") for b in chat.buttons()]
    assert labels == list(LANGUAGE_NAMES.values())
    chat.press("Français")
    assert chat.state.language == "fr"
    assert SetLanguage("fr") in chat.last.effects
    assert "Pour qui" in chat.text()  # the current question, again, in French
    chat.send(Command("language", "English"))
    assert chat.state.language == "en"


def test_profile_shows_and_edits_answers() -> None:
    chat = Chat()
    chat.send(Start())
    chat.press("Me")
    chat.press("26 to 44")
    chat.send(Command("profile"))
    assert "26 to 44" in chat.text() and "not answered" in chat.text()
    chat.press("Age")
    assert chat.state.step == Step.AGE and chat.state.editing
    chat.send(Text("50"))
    assert chat.state.step == Step.RESULTS and chat.state.answers.age == 50
    chat.send(Command("profile"))
    chat.press("Who it is for")
    chat.press("My child")
    assert chat.state.step == Step.CHILD_AGES  # the follow-up is still asked
    chat.send(Text("8"))
    assert chat.state.step == Step.RESULTS


def test_forget_asks_then_erases() -> None:
    chat = Chat()
    chat.send(Command("search", "anglais"))
    chat.send(Command("forget"))
    assert chat.state.pending == "forget"
    chat.press("No, keep it")
    assert chat.state.pending is None and not chat.last.effects
    chat.send(Command("forget"))
    chat.send(Text("hello"))  # anything else abandons the confirmation
    assert chat.state.pending is None
    chat.send(Press("forget:yes"))
    assert "expired" in chat.text() and not chat.last.effects
    chat.send(Command("forget"))
    chat.press("Yes, erase everything")
    assert chat.last.effects == (ForgetUser(),)
    assert chat.state.answers == Answers()


def test_cancel_stops_the_questions() -> None:
    chat = Chat()
    chat.send(Start())
    chat.press("Me")
    chat.send(Command("cancel"))
    assert chat.state.step == Step.IDLE
    assert "go:refine" in [b.action for b in chat.buttons()]


def test_search_without_words_invites_typing() -> None:
    chat = Chat()
    chat.send(Command("search"))
    assert "Type a few words" in chat.text() and chat.replies[-1].buttons


def test_first_message_without_start_is_greeted_once() -> None:
    chat = Chat()
    chat.send(Text("anglais"))
    assert "Hello" in chat.text()
    chat.send(Text("anglais"))
    assert "Hello" not in chat.text()


# --- Hostile and unexpected input ---------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    ["", "who:nobody", "d:unknown-offer", "s:#00000000", "lang:xx", "edit:results",
     "relax:everything", "go:nowhere", "more", "age:999", "neighbourhood:zzzz", "x" * 300,
     "d:" + "é" * 40, "forget:yes", "free:maybe", "situation:student"],
)
def test_forged_or_stale_presses_get_a_fresh_keyboard(action: str) -> None:
    chat = Chat()
    chat.send(Start())
    before = chat.state
    chat.send(Press(action))
    assert "expired" in chat.text()
    assert chat.state == before
    assert chat.replies[-1].buttons


def test_buttons_of_another_question_are_stale() -> None:
    chat = Chat()
    chat.send(Start())
    chat.press("Me")
    chat.send(Press("who:child"))
    assert chat.state.step == Step.AGE and chat.state.answers.who == "me"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\x00\x07\x1b[31m", "x" * 10_000, "🎨🎶👩‍👧", "أريد تعلم الفرنسية", "\u202eevil",
     "Je veux apprendre l'anglais\n\n\tsvp"],
)
def test_any_text_gets_an_answer(text: str) -> None:
    chat = Chat()
    chat.send(Start())
    chat.send(Text(text))
    assert all(reply.text.strip() for reply in chat.replies)
    assert chat.replies[-1].buttons
    assert len(chat.state.answers.text) <= 500


def test_unsupported_messages_get_a_kind_answer() -> None:
    chat = Chat()
    chat.send(Start())
    chat.send(Unsupported("voice"))
    assert "can only read text" in chat.text()
    assert chat.state.step == Step.WHO and chat.replies[-1].buttons


# --- State ------------------------------------------------------------------------------


def test_state_round_trips_through_json() -> None:
    chat = Chat()
    chat.send(Start())
    chat.press("My family")
    chat.send(Text("4 and 9"))
    chat.press("45 to 59")
    chat.press("Parent")
    chat.send(SharedLocation(45.7, 3.1))
    stored = json.loads(json.dumps(chat.state.to_json()))
    assert Conversation.from_json(stored) == chat.state


@pytest.mark.parametrize(
    "data",
    [None, [], "x", {"step": "nowhere"}, {"answers": {"age": "old", "location": [1, "a"]}},
     {"language": "xx", "offset": -3, "pending": "drop tables"},
     {"answers": {"situations": ["student", "spy"], "child_ages": [3, 500, True]}}],
)
def test_corrupt_stored_state_falls_back_to_defaults(data: object) -> None:
    state = Conversation.from_json(data)
    assert state.step in Step and state.language == "fr" and state.pending is None
    outcome = step(state, Command("help"), context())
    assert outcome.replies


def test_every_question_in_every_language_has_buttons() -> None:
    ctx = context()
    for language in LANGUAGE_NAMES:
        for question in (Step.WHO, Step.CHILD_AGES, Step.AGE, Step.SITUATION, Step.INTERESTS,
                         Step.WHERE, Step.NEIGHBOURHOOD, Step.RESULTS, Step.IDLE):
            state = replace(Conversation(language=language, greeted=True), step=question)
            outcome = step(state, Unsupported("sticker"), ctx)
            assert outcome.replies[-1].buttons, (language, question)


def test_sample_index_has_neighbourhoods() -> None:
    assert "Centre-ville" in sample_index().neighbourhoods()


def test_replies_are_plain_text() -> None:
    chat = Chat()
    chat.send(Command("search", "anglais <b>bold</b> & co"))
    assert all(isinstance(reply, Reply) for reply in chat.replies)
    # Kept as typed: front ends escape.
    assert "“anglais <b>bold</b> & co”" in chat.text()


def test_a_location_far_from_the_city_means_anywhere() -> None:
    chat = Chat()
    chat.send(Command("search", "anglais"))
    chat.send(SharedLocation(48.8566, 2.3522))  # Paris
    assert chat.state.answers.where == "anywhere" and chat.state.answers.location is None
    assert "far from Clermont-Ferrand" in chat.text()
    assert chat.state.step == Step.RESULTS


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [("e\u0301cole", "\u00e9cole"), ("a\x00b\x1bc", "abc"), ("  two\n\twords ", "two words"),
     ("\u200fمرحبا", "\u200fمرحبا"), ("\ud800x", "x"), ("y" * 600, "y" * 500)],
)
def test_texts_are_cleaned(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


def test_start_as_a_command_greets_once() -> None:
    chat = Chat()
    chat.send(Command("start"))
    assert chat.text().count("Hello!") == 1
