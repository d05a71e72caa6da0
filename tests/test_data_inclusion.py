"""data·inclusion import and export: the mapping table, learning services only, stable ids and a
--replace scoped by source, problems named by service and field, hostile files, and an export
valid against the published schema that imports back to the same offers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import jsonschema
import pytest
from conftest import DATA
from test_catalog_cli import tremplin, url  # noqa: F401  (the fixture of an empty database)

from bot.cli import main as cli_main
from catalog.formats.csvio import read_csv
from catalog.formats.data_inclusion import (
    MAPPING_FILE,
    InvalidMapping,
    mapping,
    parse_mapping,
    read_data_inclusion_report,
)
from catalog.formats.data_inclusion_export import write_data_inclusion
from catalog.formats.validation import MAX_ROWS, InvalidCatalogue
from catalog.maintenance import importer
from catalog.maintenance.sample import sample_catalogue_path
from catalog.offer import Offer
from catalog.store.db import create_engine, session_maker
from catalog.store.offers import load_offers

OPEN_DATA = DATA / "open_data"
SERVICES = OPEN_DATA / "services.json"
SCHEMA = json.loads((OPEN_DATA / "data_inclusion_service_schema.json").read_text("utf-8"))


def _codes(name: str) -> list[str]:
    return [item["value"] for item in json.loads((OPEN_DATA / name).read_text("utf-8"))]


async def _stored(database: str, *, retired: bool = False) -> dict[str, Offer]:
    engine = create_engine(database)
    try:
        async with session_maker(engine)() as session:
            offers = await load_offers(session=session, include_retired=retired)
    finally:
        await engine.dispose()
    return {offer.id: offer for offer in offers}


def stored(database: str, *, retired: bool = False) -> dict[str, Offer]:
    return asyncio.run(_stored(database, retired=retired))


def _write(path: Path, services: object) -> Path:
    path.write_text(json.dumps(services, ensure_ascii=False), encoding="utf-8")
    return path


def _services() -> list[dict[str, object]]:
    services: list[dict[str, object]] = json.loads(SERVICES.read_text("utf-8"))
    return services


# The mapping table


def test_every_thematique_and_public_of_the_schema_is_mapped_or_marked_not_learning() -> None:
    table = mapping()
    assert sorted(table.themes) == sorted(_codes("data_inclusion_thematiques.json"))
    assert sorted(table.publics) == sorted(_codes("data_inclusion_publics.json"))
    schema_themes = SCHEMA["$defs"]["Thematique"]["enum"]
    assert sorted(table.themes) == sorted(schema_themes)
    learning = {code for code, theme in table.themes.items() if theme}
    assert "logement-hebergement--louer-un-logement" not in learning
    assert "sante--acces-aux-soins" not in learning
    assert "lecture-ecriture-calcul--maitriser-le-francais" in learning


def test_the_mapping_refuses_codes_that_do_not_exist() -> None:
    text = MAPPING_FILE.read_text("utf-8")
    wrong = text.replace('missions = ["workplace"], topics = ["career"]', 'missions = ["work"]', 1)
    with pytest.raises(InvalidMapping, match="unknown code 'work'"):
        parse_mapping(wrong)
    unknown_topic = text.replace('topics = ["parenting"]', 'topics = ["parents"]')
    with pytest.raises(InvalidMapping, match="unknown code 'parents'"):
        parse_mapping(unknown_topic)
    with pytest.raises(InvalidMapping, match="not-learning"):
        parse_mapping(text.replace('= "not-learning"', '= "no"', 1))


def test_the_command_line_formats_are_the_importers() -> None:
    assert cli_main.NAMED_FORMATS == importer.NAMED_FORMATS


# Import


def test_learning_services_import_and_housing_is_left_out(
    url: str, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    assert tremplin(url, "catalog", "import", SERVICES, "--format", "data-inclusion") == 0
    out = capsys.readouterr().out
    assert f"{SERVICES}: 1 services left out, not learning offers (--dry-run lists them)" in out
    assert f"{SERVICES}: 3 added, 0 updated, 0 unchanged, 0 retired" in out
    offers = stored(url)
    assert sorted(offers) == [
        "di-dora--atelier-ordi", "di-dora--parents", "di-reseau-alpha--fle-soir"
    ]
    computer = offers["di-dora--atelier-ordi"]
    assert (computer.missions, computer.topics) == (("digital", "inclusive"), ("digital",))
    assert (computer.audiences, computer.age_min, computer.age_max) == (("retired",), 60, None)
    assert computer.provider == "Médiathèque de Jaude" and computer.is_free
    assert (computer.postcode, computer.city, computer.location) == (
        "63000", "Clermont-Ferrand", (45.7772, 3.0822)
    )
    assert computer.updated_on is not None and computer.updated_on.isoformat() == "2026-10-01"
    french = offers["di-reseau-alpha--fle-soir"]
    assert (french.topics, french.audiences) == (("french", "literacy"), ("newcomer",))
    assert (french.format, french.price_eur, french.provider) == ("hybrid", None, "reseau-alpha")
    assert french.url.startswith("https://www.reseau-alpha.org/")
    assert offers["di-dora--parents"].topics == ("parenting",)
    # Matched for the right people: the French course for a newcomer who wants French.
    assert tremplin(url, "match", "--situation", "newcomer", "--topic", "french", "--json") == 0
    found = [item["id"] for item in json.loads(capsys.readouterr().out)["results"]]
    assert found[0] == "di-reseau-alpha--fle-soir"


def test_the_dry_run_lists_the_inferences_and_the_services_left_out(
    url: str, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    args = ("catalog", "import", SERVICES, "--format", "data-inclusion", "--dry-run")
    assert tremplin(url, *args) == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        f"{SERVICES}:[1].topics: di-reseau-alpha--fle-soir: french"
        " (thématique lecture-ecriture-calcul--maitriser-le-francais)"
    ) in out
    assert (
        f"{SERVICES}:[1].provider: di-reseau-alpha--fle-soir: reseau-alpha"
        " (no structure name in the file: the source)"
    ) in out
    assert (
        f"{SERVICES}:[2]: dora--logement: left out, not a learning service"
        " (logement-hebergement--louer-un-logement)"
    ) in out
    assert stored(url) == {}


def test_validate_reads_the_format_it_is_told(
    url: str, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    assert tremplin(url, "catalog", "validate", SERVICES, "--format", "data-inclusion") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == f"{SERVICES}: 3 offers, no problem found"
    assert f"{SERVICES}: 1 services left out, not learning offers" in out
    # Without --format a .json is Tremplin's JSON: the command line stays explicit, and says
    # what the file looks like.
    assert tremplin(url, "catalog", "validate", SERVICES) == 2
    assert capsys.readouterr().err.strip() == (
        f"tremplin: {SERVICES}: looks like data·inclusion services: use --format data-inclusion"
    )


def test_a_service_missing_nom_imports_nothing_and_is_named(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    services = _services()
    del services[2]["nom"]
    path = _write(tmp_path / "services.json", services)
    assert tremplin(url, "catalog", "import", path, "--format", "data-inclusion") == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{path}:[2].nom: required",
        f"{path}: 1 problem, nothing imported",
    ]
    assert tremplin(url, "catalog", "export", tmp_path / "after.csv") == 0  # the sample only
    assert not any(id_.startswith("di-") for id_ in stored(url))


def test_wrong_values_are_named_by_service_and_field(tmp_path: Path) -> None:
    services = _services()
    services[0]["nom"] = 42
    services[1]["thematiques"] = "numerique--acquerir-un-equipement"
    services[3]["thematiques"] = ["famille--inconnue"]
    services[3]["code_postal"] = "63" * 200
    services.append("not a service")  # type: ignore[arg-type]
    with pytest.raises(InvalidCatalogue) as raised:
        read_data_inclusion_report(json.dumps(services).encode())
    assert raised.value.report("s.json") == [
        "s.json:[0].nom: must be text, not a number",
        "s.json:[1].thematiques: must be an array of text",
        "s.json:[3].thematiques: unknown thématique 'famille--inconnue':"
        " add it to data_inclusion_mapping.toml",
        "s.json:[4]: a service is an object",
    ]
    services = _services()
    services[3]["code_postal"] = "6" * 1001  # a learning service: the catalogue's limits apply
    with pytest.raises(InvalidCatalogue) as raised:
        read_data_inclusion_report(json.dumps(services).encode())
    assert raised.value.report("s.json") == [
        "s.json:[3].code_postal: is 1001 characters long; at most 1000"
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("[" * 100_000 + "]" * 100_000, "invalid JSON: maximum recursion depth exceeded"),
        ("[" + "{}," * MAX_ROWS + "{}]", f"more than {MAX_ROWS} services; split the file"),
        ('{"services": []}', "expected an array of services"),
        ("[1, 2", "invalid JSON: Expecting ',' delimiter"),
    ],
    ids=["deep", "huge", "object", "truncated"],
)
def test_hostile_json_is_refused_with_exit_2(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],  # noqa: F811
    content: str, reason: str,
) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(content, encoding="utf-8")
    assert tremplin(url, "catalog", "import", path, "--format", "data-inclusion") == 2
    err = capsys.readouterr().err
    assert f"{path}:1:-: {reason}" in err and "nothing imported" in err


def test_a_service_of_a_million_codes_is_one_problem_and_a_report_stays_short() -> None:
    services = _services()
    services[0]["thematiques"] = ["x"] * 1_000_000
    services[1]["tremplin"] = {f"c{number}": 1 for number in range(300_000)}
    data = json.dumps(services, separators=(",", ":")).encode()
    assert len(data) < 10 * 2**20  # under the size limit: refused for what it holds
    with pytest.raises(InvalidCatalogue) as raised:
        read_data_inclusion_report(data)
    assert raised.value.report("s.json") == [
        "s.json:[0].thematiques: more than 200 items: is this a service?",
        "s.json:[1].tremplin: more than 1000 items: is this a service?",
    ]
    # 20,000 services with 7 wrong fields each: the first 200 problems, the others counted.
    bad = {
        "id": 1, "source": 2, "nom": 3, "description": [], "date_maj": 5, "frais": 6, "publics": 7
    }
    with pytest.raises(InvalidCatalogue) as raised:
        read_data_inclusion_report(json.dumps([bad] * MAX_ROWS).encode())
    assert (len(raised.value.problems), raised.value.count) == (200, 7 * MAX_ROWS)
    assert raised.value.report("s.json")[0] == "s.json:[0].id: must be text, not a number"


def test_reimport_updates_and_replace_retires_only_its_own_source(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    assert tremplin(url, "catalog", "import", sample_catalogue_path()) == 0
    assert tremplin(url, "catalog", "import", SERVICES, "--format", "data-inclusion") == 0
    before = stored(url)
    capsys.readouterr()
    # The next day, dora's file alone: one service changed, one gone.
    dora = [service for service in _services() if service["source"] == "dora"]
    dora[0]["nom"] = "Premiers pas sur l'ordinateur et la tablette"
    del dora[2]
    path = _write(tmp_path / "dora.json", dora)
    args = ("catalog", "import", path, "--format", "data-inclusion", "--replace")
    assert tremplin(url, *args) == 0
    assert f"{path}: 0 added, 1 updated, 0 unchanged, 1 retired" in capsys.readouterr().out
    after = stored(url)
    assert set(before) - set(after) == {"di-dora--parents"}
    assert after["di-dora--atelier-ordi"].title.endswith("et la tablette")
    assert after["di-reseau-alpha--fle-soir"] == before["di-reseau-alpha--fle-soir"]
    assert all(after[id_] == offer for id_, offer in before.items() if not id_.startswith("di-"))


# Export


def test_the_export_is_valid_against_the_published_schema(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    assert tremplin(url, "catalog", "import", SERVICES, "--format", "data-inclusion") == 0
    path = tmp_path / "published.json"
    assert tremplin(url, "catalog", "export", path, "--format", "data-inclusion") == 0
    services = json.loads(path.read_text("utf-8"))
    assert len(services) == 3
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for service in services:
        validator.validate(service)
    by_id = {service["id"]: service for service in services}
    assert by_id["reseau-alpha--fle-soir"]["source"] == "reseau-alpha"
    assert by_id["reseau-alpha--fle-soir"]["publics"] == ["personnes-exilees"]


def test_the_whole_sample_catalogue_exports_valid_and_imports_back_the_same() -> None:
    offers = read_csv(sample_catalogue_path().read_bytes())
    services = json.loads(write_data_inclusion(offers))
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    problems = [error.message for service in services for error in validator.iter_errors(service)]
    assert problems == []
    assert {service["source"] for service in services} == {"tremplin"}
    back = read_data_inclusion_report(json.dumps(services).encode())
    assert back.offers == offers
    assert back.skipped == [] and back.scope == ()


def test_export_then_import_changes_nothing(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    assert tremplin(url, "catalog", "import", SERVICES, "--format", "data-inclusion") == 0
    path = tmp_path / "published.json"
    assert tremplin(url, "catalog", "export", path, "--format", "data-inclusion") == 0
    capsys.readouterr()
    assert tremplin(url, "catalog", "import", path, "--format", "data-inclusion") == 0
    assert f"{path}: 0 added, 0 updated, 3 unchanged, 0 retired" in capsys.readouterr().out


def test_hsds_cannot_be_written(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    with pytest.raises(SystemExit) as raised:
        tremplin(url, "catalog", "export", tmp_path / "x.json", "--format", "hsds")
    assert raised.value.code == 2
    assert "invalid choice: 'hsds'" in capsys.readouterr().err
