"""One offer schema: the specification drives every view, and the typed classes agree with it."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import JSON, Boolean, Date, Float, Integer, Numeric
from sqlmodel.sql.sqltypes import AutoString

from bot.engine.cards import card
from catalog.formats.csvio import read_csv, write_csv
from catalog.formats.jsonio import read_json, write_json
from catalog.formats.lheo_text import shorten
from catalog.formats.validation import InvalidCatalogue, Problem
from catalog.formats.xlsxio import read_xlsx, write_xlsx
from catalog.i18n import translator
from catalog.maintenance.importer import import_file
from catalog.maintenance.sample import sample_catalogue_path
from catalog.offer import LocalText, Offer
from catalog.offer_fields import COLUMNS, FIELDS, TRANSLATABLE, TRANSLATED_LANGUAGES, Kind
from catalog.store.db import SessionMaker
from catalog.store.models import OfferRecord
from catalog.store.offers import load_offers

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
_BOOKKEEPING = {"translations", "retired", "created_at", "updated_at"}
_COLUMN_TYPE = {
    Kind.AGE: Integer, Kind.MONTHS: Integer, Kind.PRICE: Numeric, Kind.LATITUDE: Float,
    Kind.LONGITUDE: Float, Kind.DATE: Date, Kind.FLAG: Boolean,
}
OFFER = Offer(
    id="atelier-1",
    title="Atelier numérique",
    provider="Médiathèque",
    missions=("digital",),
    schedule="mercredis 14h-16h",
    updated_on=date(2026, 11, 3),
    translations={
        "en": LocalText("Digital workshop", schedule="Wednesdays 2-4 pm"),
        "uk": LocalText("", schedule="середи 14:00-16:00"),  # a schedule translated alone
    },
)


def test_the_offer_dataclass_has_the_fields_and_defaults_of_the_specification() -> None:
    declared = {field.name: field for field in dataclasses.fields(Offer)}
    assert set(declared) == {spec.name for spec in FIELDS} | {"translations"}
    for spec in FIELDS:
        field = declared[spec.name]
        if spec.required:
            assert field.default is dataclasses.MISSING, spec.name
        else:
            assert field.default == spec.default, spec.name
    assert tuple(field.name for field in dataclasses.fields(LocalText)) == TRANSLATABLE


def test_the_offer_table_has_a_column_of_the_right_type_for_every_field() -> None:
    columns = {column.name: column for column in OfferRecord.__table__.columns}  # type: ignore[attr-defined]
    assert set(columns) == {spec.name for spec in FIELDS} | _BOOKKEEPING
    for spec in FIELDS:
        column = columns[spec.name]
        expected = JSON if spec.multivalued else _COLUMN_TYPE.get(spec.kind, AutoString)
        assert isinstance(column.type, expected), spec.name
        assert column.nullable == (spec.default is None or spec.multivalued), spec.name


def test_translations_of_a_field_follow_it_language_by_language() -> None:
    after = COLUMNS.index("schedule") + 1
    assert COLUMNS[after : after + 6] == tuple(f"schedule_{lang}" for lang in TRANSLATED_LANGUAGES)
    after = COLUMNS.index("description") + 1
    expected = ("title_en", "description_en", "title_ar", "description_ar")
    assert COLUMNS[after : after + 4] == expected


def test_the_readme_table_names_every_column() -> None:
    table = README[README.index("| column | required | meaning |") :].split("\n\n")[0]
    for spec in FIELDS:
        assert f"`{spec.name}`" in table, spec.name
        if spec.translatable:
            assert f"`{spec.name}_<lang>`" in table, spec.name


@pytest.mark.parametrize(
    ("write", "read"),
    [(write_csv, read_csv), (write_json, read_json), (write_xlsx, read_xlsx)],
    ids=["csv", "json", "xlsx"],
)
def test_translated_schedules_survive_every_format(write: object, read: object) -> None:
    text = write([OFFER])  # type: ignore[operator]
    data = text.encode() if isinstance(text, str) else text
    assert read(data) == [OFFER]  # type: ignore[operator]


def test_the_json_export_has_a_translated_schedule_only_where_there_is_one() -> None:
    (offer,) = json.loads(write_json([OFFER]))["offers"]
    assert offer["schedule_en"] == "Wednesdays 2-4 pm" and "schedule_es" not in offer
    assert "title_uk" not in offer and offer["schedule_uk"] == "середи 14:00-16:00"


@pytest.mark.asyncio
async def test_translated_schedules_are_stored(sessions: SessionMaker) -> None:
    async with sessions() as session:
        await import_file(session=session, data=write_csv([OFFER]).encode(), source="a.csv",
                          actor="test")
    async with sessions() as session:
        assert await load_offers(session=session) == [OFFER]


def test_a_card_shows_the_schedule_in_the_citizen_language_else_in_french() -> None:
    assert "When: Wednesdays 2-4 pm" in card(OFFER, translator("en"), saved=False).text
    assert "mercredis 14h-16h" in card(OFFER, translator("es"), saved=False).text
    assert "mercredis 14h-16h" in card(OFFER, translator("fr"), saved=False).text
    ukrainian = card(OFFER, translator("uk"), saved=False)
    assert "середи 14:00-16:00" in ukrainian.text
    # Only the schedule is in Ukrainian: the card still says the offer is described in French.
    assert ukrainian.title == "Atelier numérique" and not OFFER.is_translated("uk")
    assert OFFER.is_translated("en")


def _row(column: str, value: str) -> bytes:
    cells = {"id": "a-1", "title": "T", "provider": "P", "missions": "digital", column: value}
    header = ",".join(cells)
    return f"{header}\n{','.join(cells.values())}\n".encode()


# Contract v2: title and provider 200, description 2,000, schedule 300, keywords 500,
# address 300, any other cell 1,000; translations as the field they translate.
LIMITS = [
    ("title", 200), ("provider", 200), ("description", 2000), ("schedule", 300),
    ("keywords", 500), ("address", 300), ("phone", 1000), ("city", 1000), ("title_en", 200),
    ("description_uk", 2000), ("schedule_ar", 300),
]


@pytest.mark.parametrize(("column", "limit"), LIMITS)
def test_a_cell_longer_than_its_limit_is_an_error_naming_line_and_column(
    column: str, limit: int
) -> None:
    # Keywords: distinct words (a repeated one is kept once), never cut at a separator.
    text = "x" + ";".join(f"w{index:08d}" for index in range(300)) if column == "keywords" else (
        "a" * 3000
    )
    (offer,) = read_csv(_row(column, text[:limit]))
    with pytest.raises(InvalidCatalogue) as caught:
        read_csv(_row(column, text[: limit + 2]))
    assert caught.value.problems == [
        Problem(2, column, f"is {limit + 2} characters long; at most {limit}")
    ]
    assert offer.id == "a-1"


def test_the_limit_of_a_json_list_counts_the_cell_an_export_writes() -> None:
    # 5 distinct words of 99 characters: 499 with the separators.
    words = [f"{index}{'x' * 98}" for index in range(5)]
    document = {"offers": [{"id": "a", "title": "T", "provider": "P", "missions": ["digital"],
                            "keywords": words}]}
    assert read_json(json.dumps(document).encode())[0].keywords == tuple(words)
    document["offers"][0]["keywords"] = [*words, "y"]
    with pytest.raises(InvalidCatalogue) as caught:
        read_json(json.dumps(document, indent=1).encode())
    (problem,) = caught.value.problems
    assert (problem.column, problem.reason) == ("keywords", "is 501 characters long; at most 500")


@pytest.mark.parametrize(
    ("column", "hint"),
    [("schedule_fr", "French is the main language: use 'schedule'"),
     ("schedule_de", "translations are only for the interface languages")],
)
def test_a_translation_column_of_no_interface_language_is_explained(column: str, hint: str) -> None:
    with pytest.raises(InvalidCatalogue) as caught:
        read_csv(_row(column, "x"))
    assert hint in caught.value.problems[0].reason


def test_lheo_texts_are_shortened_within_the_contract_limits() -> None:
    long = "word " * 1000
    assert len(shorten(long)) <= 2000 and shorten(long).endswith(" …")
    assert len(shorten("x" * 5000)) == 2000
    assert len(shorten("x" * 500, 200)) == 200


def test_the_sample_catalogue_translates_every_schedule_into_english() -> None:
    offers = read_csv(sample_catalogue_path().read_bytes())
    scheduled = [offer for offer in offers if offer.schedule]
    assert scheduled
    missing = [offer.id for offer in scheduled if offer.schedule_in("en") == offer.schedule]
    assert missing == []



@pytest.mark.parametrize("value", [False, 0, []])
def test_a_falsy_json_translation_is_read_not_skipped(value: object) -> None:
    document = [{"id": "a", "title": "T", "provider": "P", "missions": ["digital"],
                 "schedule_tr": value}]
    data = json.dumps(document).encode()
    if value == 0 and not isinstance(value, bool):
        assert read_json(data)[0].schedule_in("tr") == "0"  # a number is text, as for a postcode
        return
    with pytest.raises(InvalidCatalogue) as caught:
        read_json(data)
    (problem,) = caught.value.problems
    assert (problem.column, problem.reason) == ("schedule_tr", "must be text")
