"""The guided /propose form's pure logic (bot.engine.offer_form): every answer judged by the
catalogue file's rules, free words in the 7 languages, inference, toggles, the stored state
distrusted; and queuing its offer as a proposal (catalog.maintenance.proposals.queue_offer)."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.engine import offer_form
from bot.engine.offer_form import Form
from catalog.i18n import translator
from catalog.maintenance import proposals
from catalog.maintenance.importer import import_offers
from catalog.store.db import SessionMaker

en = translator("en")


def typed(form: Form, text: str) -> offer_form.Turn:
    return offer_form.answer(form, text, en, language="en")


def test_a_valid_answer_moves_on_and_a_bad_one_is_refused_with_its_reason() -> None:
    turn = typed(Form(), "Club de lecture")
    assert turn.form == Form(step="provider", cells={"title": "Club de lecture"})
    too_long = typed(turn.form, "x" * 201)
    assert too_long.form == turn.form  # nothing lost, the same question again
    assert [reply.text for reply in too_long.replies] == [
        "I cannot keep this answer: it has 201 characters; at most 200 fit.",
        en.gettext(offer_form.QUESTIONS["provider"])]


@pytest.mark.parametrize("link", ["ftp://example.org", "example.org", "https://exa mple.org",
                                  "https://example.org:99999/"])
def test_a_link_is_checked_as_a_files_url(link: str) -> None:
    form = Form(step="url", cells={"title": "T", "provider": "P"})
    turn = typed(form, link)
    assert turn.form == form and "I cannot keep this answer: " in turn.replies[0].text
    assert typed(form, "https://example.org/club").form == replace(
        form, step="audiences", cells={**form.cells, "url": "https://example.org/club"})


@pytest.mark.parametrize("word", ["gratuit", "Entrée libre", "free", "gratis", "gratuito",
                                  "ücretsiz", "безкоштовно", "مجاني", "0"])
def test_free_in_every_language_is_a_price_of_zero(word: str) -> None:
    turn = typed(Form(step="price"), word)
    assert turn.form is not None and turn.form.cells["price_eur"] == "0.00"


def test_a_price_in_euros_and_a_price_that_is_no_number() -> None:
    turn = typed(Form(step="price"), "12,50 €")
    assert turn.form is not None and turn.form.cells["price_eur"] == "12.50"
    refused = typed(Form(step="price"), "pas cher")
    assert refused.form == Form(step="price")


def test_a_schedule_in_a_files_session_syntax_is_kept_as_sessions_too() -> None:
    turn = typed(Form(step="schedule"), "2026-12-09T14:00/16:00")
    assert turn.form is not None and turn.form.cells == {
        "schedule": "2026-12-09T14:00/16:00", "sessions": "2026-12-09T14:00/16:00"}
    plain = typed(Form(step="schedule"), "mercredis 14h-16h")
    assert plain.form is not None and plain.form.cells == {"schedule": "mercredis 14h-16h"}


def test_online_in_words_is_the_format_and_anything_else_an_address() -> None:
    online = typed(Form(step="where", cells={"address": "old"}), "online")
    assert online.form is not None and online.form.cells == {"format": "online"}
    street = typed(Form(step="where"), "12 rue Blatin")
    assert street.form is not None and street.form.cells == {"address": "12 rue Blatin"}


def test_the_title_and_the_organiser_cannot_be_skipped() -> None:
    assert offer_form.press(Form(), "pf:skip", en).form == Form()
    skipped = offer_form.press(Form(step="description"), "pf:skip", en)
    assert skipped.form == Form(step="schedule")


def test_audiences_then_inference_on_the_summary() -> None:
    form = Form(step="audiences", cells={"title": "Atelier de programmation", "provider": "P",
                                         "format": "online"})
    form = offer_form.press(form, "pf:aud:parent", en).form or Form()
    assert form.audiences == ("parent",)
    turn = offer_form.press(form, "pf:done", en)
    assert turn.form is not None and turn.form.step == "review"
    assert turn.form.topics == ("digital",)
    assert turn.form.missions == ("family", "digital")
    assert turn.replies[0].title == "Your offer"
    everyone = offer_form.press(form, "pf:all", en).form
    assert everyone is not None and everyone.audiences == ()
    nothing = offer_form.infer(Form(cells={"title": "Rencontre"}))
    assert nothing.missions == ("lifelong",) and nothing.topics == ()


def test_topics_toggle_and_the_last_mission_stays() -> None:
    form = Form(step="topics", cells={"title": "T", "provider": "P"}, missions=("digital",))
    toggled = offer_form.press(form, "pf:t:science", en)
    assert toggled.form is not None and toggled.form.topics == ("science",)
    assert toggled.replies[0].replaces_previous
    assert offer_form.press(toggled.form, "pf:t:science", en).form == form
    missions = replace(form, step="missions")
    assert offer_form.press(missions, "pf:m:digital", en).form == missions
    # A forged code, or a button of another step, shows the step again.
    assert offer_form.press(form, "pf:t:nonsense", en).form == form
    assert offer_form.press(form, "pf:ok", en).confirmed is False


def test_confirm_and_the_offer_it_makes() -> None:
    form = Form(step="review", cells={"title": "Club", "provider": "P", "price_eur": "0.00"},
                audiences=("retired",), missions=("lifelong",), topics=("reading",))
    assert offer_form.press(form, "pf:ok", en) == offer_form.Turn(form, (), confirmed=True)
    offer = offer_form.offer(form, "prop-1-club")
    assert (offer.id, offer.title, offer.audiences, offer.topics) == (
        "prop-1-club", "Club", ("retired",), ("reading",))
    assert offer_form.press(form, "pf:cancel", en).form is None


def test_the_stored_form_is_not_trusted() -> None:
    stored = {"step": "nowhere", "cells": {"title": "x" * 201, "provider": "P", "phone": "06"},
              "audiences": ["retired", "king"], "missions": "digital", "topics": ["arts"]}
    assert Form.from_json(stored) == Form(cells={"provider": "P"}, audiences=("retired",),
                                          topics=("arts",))
    assert Form.from_json(None) == Form()
    form = Form(step="price", cells={"title": "T"}, audiences=("parent",))
    assert Form.from_json(form.to_json()) == form


def test_offer_ids_are_numbered_by_their_proposal() -> None:
    named = proposals.offer_id(12, "Atelier d'écriture : « Noël »")
    assert named == "prop-12-atelier-d-ecriture-noel"
    assert proposals.offer_id(3, "Розмовний клуб") == "prop-3"
    assert len(proposals.offer_id(99999, "mot " * 40)) <= 64


@pytest.mark.asyncio
async def test_queue_offer_names_the_offer_and_keeps_the_limits(sessions: SessionMaker) -> None:
    form = Form(cells={"title": "Club de lecture", "provider": "P"}, missions=("lifelong",))
    async with sessions() as session:
        for number in range(1, proposals.MAX_PENDING + 1):
            proposal, plan = await proposals.queue_offer(
                session=session, user_id=7, chat_id=7, language="en",
                offer=offer_form.offer(form, "form"))
            assert proposal.offers == [f"prop-{number}-club-de-lecture"]
            assert proposal.format == "csv" and proposal.source == "conversation"
            assert [offer.id for offer in plan.added] == proposal.offers
        with pytest.raises(proposals.Refused):
            await proposals.queue_offer(session=session, user_id=7, chat_id=7, language="en",
                                        offer=offer_form.offer(form, "form"))
        assert len(await proposals.proposals(session=session)) == proposals.MAX_PENDING


@pytest.mark.asyncio
async def test_queue_offer_never_takes_an_existing_offers_id(sessions: SessionMaker) -> None:
    form = Form(cells={"title": "Club", "provider": "P"}, missions=("lifelong",))
    async with sessions() as session:
        await import_offers(session=session, offers=[offer_form.offer(form, "prop-1-club")],
                            source="test", checksum="", format="csv", actor="test")
        proposal, plan = await proposals.queue_offer(
            session=session, user_id=7, chat_id=7, language="en",
            offer=offer_form.offer(form, "form"))
    assert proposal.offers == ["prop-1-club-2"] and not plan.updated


def test_the_forms_diagram_has_its_steps_and_their_order() -> None:
    # bot/engine/offer_form.mmd is the form's map for maintainers of the code: a step added,
    # removed or reordered in STEPS without the diagram fails here.
    diagram = Path(offer_form.__file__).with_name("offer_form.mmd").read_text(encoding="utf-8")
    arrows = {(found[1], found[2]) for line in diagram.splitlines()
              if (found := re.match(r"^\s*(\[\*\]|\w+)\s*-->\s*(\[\*\]|\w+)", line))}
    assert {state for arrow in arrows for state in arrow} - {"[*]"} == set(offer_form.STEPS)
    review = offer_form.STEPS.index("review")
    chain = list(itertools.pairwise(offer_form.STEPS[: review + 1]))
    assert ("[*]", offer_form.STEPS[0]) in arrows
    assert set(chain) <= arrows
    assert {("review", "missions"), ("missions", "review"), ("review", "topics"),
            ("topics", "review"), ("review", "[*]")} <= arrows
