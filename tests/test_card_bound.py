"""A card is one Telegram message whatever the offer (issue 14, item 3): a property test over
random offers, within the contract's field limits and far beyond them (offers stored before the
limits existed), in every interface language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram.constants import MessageLimit

from bot.engine.cards import card, details
from bot.telegram.rendering import chunks
from catalog.i18n import LANGUAGES, translator
from catalog.offer import LocalText, Offer
from catalog.vocabulary import AUDIENCES, FORMATS, MISSIONS

LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4,096 characters
# Any character a database can hold (no lone surrogates), astral ones included.
_CHARS = st.characters(codec="utf-8")
# Short texts most of the time, sometimes ten times the contract's longest cell.
_TEXT = st.one_of(
    st.text(_CHARS, max_size=30),
    st.text(_CHARS, min_size=150, max_size=700),
    st.builds(
        lambda text, times: text * times,
        st.text(_CHARS, min_size=1, max_size=50),
        st.integers(1, 400),
    ),
)
_DATES = st.one_of(st.none(), st.dates(date(1, 1, 1), date(9999, 12, 31)))


def _utf16(text: str) -> int:
    """Telegram counts a message's length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@st.composite
def offers(draw: st.DrawFn) -> Offer:
    translations = {
        lang: LocalText(draw(_TEXT), draw(_TEXT), draw(_TEXT))
        for lang in draw(
            st.lists(
                st.sampled_from([code for code in LANGUAGES if code != "fr"]),
                unique=True,
                max_size=3,
            )
        )
    }
    price = draw(
        st.one_of(
            st.none(),
            st.decimals(min_value=0, max_value=Decimal("1e15"), places=2, allow_nan=False),
        )
    )
    return Offer(
        id="o-1",
        title=draw(_TEXT),
        provider=draw(_TEXT),
        missions=tuple(draw(st.lists(st.sampled_from(list(MISSIONS)), min_size=1, max_size=5))),
        description=draw(_TEXT),
        translations=translations,
        audiences=tuple(draw(st.lists(st.sampled_from(list(AUDIENCES)), max_size=8))),
        age_min=draw(st.one_of(st.none(), st.integers(0, 120))),
        age_max=draw(st.one_of(st.none(), st.integers(0, 120))),
        price_eur=price,
        format=draw(st.sampled_from(list(FORMATS))),
        languages=tuple(draw(st.lists(st.sampled_from(list(LANGUAGES)), min_size=1))),
        address=draw(_TEXT),
        postcode=draw(_TEXT),
        city=draw(_TEXT),
        neighbourhood=draw(_TEXT),
        latitude=draw(st.one_of(st.none(), st.floats(-90, 90))),
        longitude=draw(st.one_of(st.none(), st.floats(-180, 180))),
        schedule=draw(_TEXT),
        start_date=draw(_DATES),
        end_date=draw(_DATES),
        url=draw(st.sampled_from(["", "https://example.org/" + "a" * 900])),
        phone=draw(_TEXT),
        email=draw(_TEXT),
        wheelchair_accessible=draw(st.one_of(st.none(), st.booleans())),
        updated_on=draw(_DATES),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    offer=offers(),
    lang=st.sampled_from(LANGUAGES),
    saved=st.booleans(),
    reasons=st.lists(_TEXT, max_size=6),
    distance=st.one_of(st.none(), st.floats(0, 1e9)),
)
def test_a_card_is_one_message_with_its_buttons_whatever_the_offer(
    offer: Offer, lang: str, saved: bool, reasons: list[str], distance: float | None
) -> None:
    reply = card(offer, translator(lang), saved=saved, reasons=reasons, distance_km=distance)
    (message,) = chunks(reply)
    assert _utf16(message.plain) <= LIMIT
    assert message.markup is not None  # Details and Save at least


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(offer=offers(), lang=st.sampled_from(LANGUAGES), saved=st.booleans())
def test_details_fit_in_messages_whatever_the_offer(offer: Offer, lang: str, saved: bool) -> None:
    messages = chunks(details(offer, translator(lang), saved=saved))
    assert all(len(message.plain) <= LIMIT for message in messages)
    assert messages[-1].markup is not None


def test_the_card_of_the_issue_is_one_message() -> None:
    """A 600-character title with a 3,700-character provider: 4,301 characters before."""
    offer = Offer(id="o-1", title="T" * 600, provider="P" * 3700, missions=("digital",))
    (message,) = chunks(card(offer, translator("fr"), saved=False))
    assert len(message.plain) < 1000
    assert message.plain.startswith("T" * 199 + "…\n" + "P" * 199 + "…\n")
