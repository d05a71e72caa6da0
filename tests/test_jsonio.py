"""The JSON catalogue: the same fields and rules as CSV, with JSON types and real line numbers."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_csvio import offers

from catalog.formats.csvio import read_csv
from catalog.formats.jsonio import read_json, write_json
from catalog.formats.validation import InvalidCatalogue, Problem
from catalog.offer import LocalText, Offer

CATALOG = DATA / "catalog"
MINIMAL = {"id": "a-1", "title": "Titre", "provider": "Asso", "missions": ["family"]}


def problems_of(text: str | bytes) -> list[Problem]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(InvalidCatalogue) as caught:
        read_json(data)
    return caught.value.problems


def test_list_and_object_forms_are_the_same() -> None:
    records = [MINIMAL, {**MINIMAL, "id": "a-2"}]
    as_list = read_json(json.dumps(records).encode())
    as_object = read_json(json.dumps({"offers": records, "version": 1}).encode())
    assert as_list == as_object
    assert [offer.id for offer in as_list] == ["a-1", "a-2"]


def test_json_types() -> None:
    record = {
        **MINIMAL,
        "missions": "family;lifelong",  # a CSV-style cell is accepted too
        "keywords": ["lecture", " contes ", ""],
        "title_en": "Title",
        "price_eur": 12.5,
        "age_min": 3,
        "age_max": None,
        "latitude": -45.25,
        "longitude": "-1,5",
        "postcode": 63000,
        "wheelchair_accessible": False,
        "start_date": "2026-09-01",
    }
    (offer,) = read_json(json.dumps([record]).encode())
    assert offer.missions == ("family", "lifelong")
    assert offer.keywords == ("lecture", "contes")
    assert offer.translations == {"en": LocalText("Title")}
    assert offer.price_eur == Decimal("12.50") and offer.age_min == 3 and offer.age_max is None
    assert offer.location == (-45.25, -1.5)
    assert offer.postcode == "63000"
    assert offer.wheelchair_accessible is False
    assert read_json(json.dumps([{**MINIMAL, "price_eur": "12,50"}]).encode())[0].price_eur == 12.5


@pytest.mark.parametrize("name", ["valid.csv", "tricky.csv"])
def test_csv_fixtures_round_trip_through_json(name: str) -> None:
    catalogue = read_csv((CATALOG / name).read_bytes())
    text = write_json(catalogue)
    assert read_json(text.encode()) == catalogue
    assert "دروس" in text or name == "valid.csv"  # readable UTF-8, not \\u escapes


def test_export_shape() -> None:
    (offer,) = read_csv((CATALOG / "valid.csv").read_bytes())[1:2]
    (record,) = json.loads(write_json([offer]))["offers"]
    assert record["missions"] == ["inclusive", "lifelong"]
    assert record["price_eur"] == "12.50"  # a string keeps the decimal exact
    assert record["age_max"] is None and record["latitude"] == 45.7772
    assert record["title_en"] == "French for newcomers" and "title_ar" not in record
    assert record["wheelchair_accessible"] is False


def test_problems_name_the_line_of_the_field() -> None:
    text = """{
  "offers": [
    {"id": "ok", "title": "T", "provider": "P", "missions": ["family"]},
    {
      "id": "bad id",
      "titel": "T",
      "provider": "P",
      "missions": ["family", "nope"],
      "age_min": "12.5",
      "price_eur": -1,
      "wheelchair_accessible": "peut-être",
      "provider": "Q"
    },
    "not an object",
    {"id": "ok", "title": "T", "provider": "P", "missions": 3, "age_max": true}
  ]
}"""
    where = [(problem.line, problem.column) for problem in problems_of(text)]
    assert where == [
        (4, "title"),
        (5, "id"),
        (6, "titel"),
        (8, "missions"),
        (9, "age_min"),
        (10, "price_eur"),
        (11, "wheelchair_accessible"),
        (12, "provider"),
        (14, "-"),
        (15, "id"),
        (15, "missions"),
        (15, "age_max"),
    ]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[{"id": "a",\n "title": "b"', 2, "invalid JSON: Expecting ',' delimiter"),
        ("[1] x", 1, "invalid JSON: Extra data"),
        ('{"offer": []}', 1, 'an object with an "offers" list'),
        ('"offers"', 1, 'an object with an "offers" list'),
        ("[" * 100_000 + "]" * 100_000, 1, "invalid JSON"),
        ("[" + "1" * 5000 + "]", 1, "invalid JSON"),
        ("", 1, "invalid JSON: Expecting value"),
    ],
)
def test_malformed_json(text: str, line: int, words: str) -> None:
    (problem,) = problems_of(text)
    assert problem.line == line and words in problem.reason, problem


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("price_eur", float("nan"), "is not a number"),
        ("latitude", float("inf"), "is not a number"),
        ("title", ["a"], "must be text"),
        ("title", "\ud800", "title is required"),
        ("age_min", True, "is not a whole number"),
        ("keywords", [1, "a"], "1 is not text"),
        ("wheelchair_accessible", 2, "is not true or false"),
        ("start_date", 20260101, "is not a date"),
    ],
)
def test_wrong_json_types(field: str, value: object, words: str) -> None:
    problems = problems_of(json.dumps([{**MINIMAL, field: value}]))
    assert (problems[0].column, problems[0].line) == (field, 1)
    assert words in problems[0].reason, problems


def test_missing_required_fields() -> None:
    problems = problems_of('[{"id": "x"}]')
    assert [problem.column for problem in problems] == ["title", "provider", "missions"]


@given(st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        read_json(data)
    except InvalidCatalogue as error:
        assert error.problems


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["id", "title", "missions", "x", ""]), children, max_size=4
        )
    ),
    max_leaves=12,
)


@given(st.lists(JSON_VALUES, max_size=3) | JSON_VALUES)
@settings(max_examples=300, deadline=None)
def test_random_documents_never_crash(document: object) -> None:
    try:
        result = read_json(json.dumps(document).encode("utf-8", "surrogatepass"))
    except InvalidCatalogue as error:
        assert error.problems
    else:
        assert all(isinstance(offer, Offer) for offer in result)


@given(st.lists(offers(), max_size=3, unique_by=lambda offer: offer.id))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_offer_round_trips(catalogue: list[Offer]) -> None:
    assert read_json(write_json(catalogue).encode()) == catalogue


def test_keys_are_shown_safely() -> None:
    (problem,) = problems_of(json.dumps([{**MINIMAL, "\x1b[31m" + "k" * 100: 1}]))
    assert "\x1b" not in problem.column and len(problem.column) <= 40
    assert "\x1b" not in problem.reason and "\\x1b" in problem.reason
