"""Open Referral HSDS 3 import: the specification's example service, the three shapes of a file,
inactive services left out, inference shown in the dry run, problems named by service and field,
and a --replace that retires only HSDS offers."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from conftest import DATA
from test_catalog_cli import tremplin, url  # noqa: F401  (the fixture of an empty database)
from test_data_inclusion import stored

from catalog.formats.hsds import read_hsds_report
from catalog.formats.validation import InvalidCatalogue
from catalog.maintenance.sample import sample_catalogue_path

EXAMPLE = DATA / "open_data" / "hsds_service_full.json"
EXAMPLE_ID = "hsds-ac148810-d857-441c-9679-408f346de14b"


def _example() -> dict[str, object]:
    service: dict[str, object] = json.loads(EXAMPLE.read_text("utf-8"))
    return service


def _file(*services: dict[str, object]) -> bytes:
    return json.dumps(list(services)).encode()


def _learning(service_id: str, name: str) -> dict[str, object]:
    """A plain HSDS service: a French class for adults, without eligibility."""
    return {
        "id": service_id, "name": name, "status": "active",
        "description": "Cours de français pour adultes, le soir.",
        "organization": {"id": "o1", "name": "Association Exemple"},
        "cost_options": [{"id": "c1", "currency": "EUR", "amount": 25}],
        "languages": [{"id": "l1", "name": "French", "code": "fr"},
                      {"id": "l2", "name": "Arabic", "code": "ar"}],
        "eligibility": [{"id": "e1", "minimum_age": 16}],
    }


def test_the_specifications_example_service_imports() -> None:
    reading = read_hsds_report(EXAMPLE.read_bytes())
    [offer] = reading.offers
    assert offer.id == EXAMPLE_ID
    assert (offer.title, offer.provider) == ("Community Counselling", "Example Organization Inc.")
    assert (offer.age_min, offer.age_max, offer.languages) == (12, 100, ("ur",))
    assert (offer.address, offer.postcode, offer.city) == (
        "1-30 Main Street, MyVillage", "ABC 1234", "MyCity"
    )
    assert (offer.phone, offer.email) == ("+44 1234 234567", "email@example.com")
    assert offer.url == "http://example.com/counselling"
    assert offer.updated_on is not None and offer.updated_on.isoformat() == "2005-01-01"
    # A price in pounds is not a price in euros; a latitude of 100 is nowhere: both left out,
    # and said.
    assert (offer.price_eur, offer.location) == (None, None)
    notes = [inference.format("f.json") for inference in reading.inferences]
    assert f"f.json:[0].price_eur: {EXAMPLE_ID}: - (cost_options[0]: 35 GBP, not in euros)" in notes
    assert "health" in offer.topics and offer.missions
    assert reading.scope == ("hsds-",) and reading.skipped == []


def test_an_array_a_page_and_a_single_service_are_read() -> None:
    one, two = _learning("s1", "Cours de français"), _learning("s2", "Atelier d'écriture")
    inactive = {**_learning("s3", "Fermé"), "status": "defunct"}
    for data in (
        _file(one, two, inactive),
        json.dumps({"total_items": 3, "page_number": 1, "contents": [one, two, inactive]}).encode(),
    ):
        reading = read_hsds_report(data)
        assert [offer.id for offer in reading.offers] == ["hsds-s1", "hsds-s2"]
        assert [(item.index, item.reason) for item in reading.skipped] == [
            (2, "status 'defunct', not active")
        ]
    [offer] = read_hsds_report(json.dumps(one).encode()).offers
    assert (offer.price_eur, offer.languages, offer.age_min) == (25, ("fr", "ar"), 16)
    assert "french" in offer.topics and "inclusive" in offer.missions


def test_the_dry_run_shows_what_was_inferred(
    url: str, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    assert tremplin(url, "catalog", "import", EXAMPLE, "--format", "hsds", "--dry-run") == 0
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"{EXAMPLE}:[0].topics: {EXAMPLE_ID}: health (") for line in out)
    assert any(line.startswith(f"{EXAMPLE}:[0].missions: {EXAMPLE_ID}: ") for line in out)
    assert f"  + {EXAMPLE_ID}  (new)" in out
    assert stored(url) == {}


def test_a_service_without_name_imports_nothing_and_is_named(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    broken = _learning("s2", "")
    broken["minimum_age"] = "sixteen"
    path = tmp_path / "services.json"
    path.write_bytes(_file(_learning("s1", "Cours"), broken))
    assert tremplin(url, "catalog", "import", path, "--format", "hsds") == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{path}:[1].name: required",
        f"{path}:[1].minimum_age: must be a number, not text",
        f"{path}: 2 problems, nothing imported",
    ]
    wrong_ages = _learning("s1", "Cours")
    wrong_ages["maximum_age"] = 10
    with pytest.raises(InvalidCatalogue) as raised:
        read_hsds_report(_file(wrong_ages))
    assert raised.value.report("f.json") == [
        "f.json:[0].minimum_age: age_min 16 is above age_max 10"
    ]


def test_replace_retires_only_hsds_offers(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    assert tremplin(url, "catalog", "import", sample_catalogue_path()) == 0
    path = tmp_path / "hsds.json"
    path.write_bytes(_file(_learning("s1", "Cours"), _learning("s2", "Atelier"), _example()))
    assert tremplin(url, "catalog", "import", path, "--format", "hsds") == 0
    before = stored(url)
    capsys.readouterr()
    changed = copy.deepcopy(_example())
    changed["name"] = "Community Counselling and Coaching"
    path.write_bytes(_file(_learning("s1", "Cours"), changed))
    assert tremplin(url, "catalog", "import", path, "--format", "hsds", "--replace") == 0
    assert f"{path}: 0 added, 1 updated, 1 unchanged, 1 retired" in capsys.readouterr().out
    after = stored(url)
    assert set(before) - set(after) == {"hsds-s2"}
    assert all(after[id_] == offer for id_, offer in before.items() if not id_.startswith("hsds-"))
