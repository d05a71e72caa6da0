"""data·inclusion services in their CSV form (pandas' to_csv of the aggregator's table: list
fields as Python lists): the same mapping, rules and limits as the JSON, problems by line and
column, and export then the CSV form gives the same offers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import DATA
from test_catalog_cli import tremplin, url  # noqa: F401  (the fixture of an empty database)
from test_data_inclusion import stored

from catalog.formats.csvio import read_csv
from catalog.formats.data_inclusion import read_data_inclusion_report
from catalog.formats.data_inclusion_csv import read_data_inclusion_csv_report
from catalog.formats.data_inclusion_export import write_data_inclusion
from catalog.formats.validation import InvalidCatalogue
from catalog.maintenance.sample import sample_catalogue_path

SERVICES_CSV = DATA / "open_data" / "services.csv"
SERVICES_JSON = DATA / "open_data" / "services.json"


def _csv_form(services: list[dict[str, object]]) -> bytes:
    """Services as data·inclusion's CSV has them: lists as Python lists, null empty, no nested
    structure; the ``tremplin`` object as JSON."""
    columns = list(dict.fromkeys(key for service in services for key in service))
    columns.remove("structure")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for service in services:
        cells = []
        for column in columns:
            value = service.get(column)
            if isinstance(value, dict):
                cells.append(json.dumps(value, ensure_ascii=False))
            else:
                cells.append("" if value is None else repr(value) if isinstance(value, list) else
                             str(value))
        writer.writerow(cells)
    return out.getvalue().encode()


def test_the_published_shape_reads_as_the_json() -> None:
    from_csv = read_data_inclusion_csv_report(SERVICES_CSV.read_bytes())
    from_json = read_data_inclusion_report(SERVICES_JSON.read_bytes())
    # The CSV has no structure names: the provider is the source, and the dry run says so.
    assert [o.id for o in from_csv.offers] == [o.id for o in from_json.offers]
    assert [o.provider for o in from_csv.offers] == ["dora", "reseau-alpha", "dora"]
    assert [o.missions for o in from_csv.offers] == [o.missions for o in from_json.offers]
    assert [o.format for o in from_csv.offers] == ["in_person", "hybrid", "in_person"]
    assert from_csv.offers[0].latitude == from_json.offers[0].latitude
    assert from_csv.scope == from_json.scope
    assert [item.format("s.csv") for item in from_csv.skipped] == [
        "s.csv:4: dora--logement: left out, not a learning service"
        " (logement-hebergement--louer-un-logement)"
    ]
    notes = [item.format("s.csv") for item in from_csv.inferences]
    assert "s.csv:2:provider: di-dora--atelier-ordi: dora (no structure name in the file:" \
        " the source)" in notes


def test_export_then_the_csv_form_gives_the_same_offers() -> None:
    offers = read_csv(sample_catalogue_path().read_bytes())
    services = json.loads(write_data_inclusion(offers))
    for service in services:  # what the CSV form cannot hold, the tremplin column carries
        service["tremplin"]["provider"] = service["structure"]["nom"]
    again = read_data_inclusion_csv_report(_csv_form(services)).offers
    assert again == read_data_inclusion_report(json.dumps(services).encode()).offers
    assert {offer.id: offer for offer in again} == {offer.id: offer for offer in offers}


@pytest.mark.parametrize(
    ("column", "cell", "problem"),
    [
        ("nom", "", "s.csv:3:nom: required"),
        ("thematiques", "['numerique--x", "s.csv:3:thematiques: must be a list of codes,"
         " written ['a', 'b'] (or a, b)"),
        ("thematiques", "['inconnue']", "s.csv:3:thematiques: unknown thématique 'inconnue':"
         " add it to data_inclusion_mapping.toml"),
        ("latitude", "45,77", "s.csv:3:latitude: must be a number, not text"),
        ("date_maj", "hier", "s.csv:3:date_maj: 'hier' is not a date as YYYY-MM-DD"),
    ],
)
def test_a_bad_cell_is_named_by_line_and_column_and_nothing_is_read(
    column: str, cell: str, problem: str
) -> None:
    rows = list(csv.reader(io.StringIO(SERVICES_CSV.read_text("utf-8"))))
    rows[2][rows[0].index(column)] = cell
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    with pytest.raises(InvalidCatalogue) as raised:
        read_data_inclusion_csv_report(out.getvalue().encode())
    assert raised.value.report("s.csv")[0].startswith(problem)


def test_a_file_that_is_not_services_is_one_problem() -> None:
    with pytest.raises(InvalidCatalogue) as raised:
        read_data_inclusion_csv_report(b"id,title,provider\nx,y,z\n")
    assert raised.value.report("s.csv") == [
        "s.csv:1:-: no 'source' column: is this data·inclusion's services CSV?"
    ]


def test_the_command_line_imports_the_csv_form(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    path = tmp_path / "services-inclusion.csv"
    path.write_bytes(SERVICES_CSV.read_bytes())
    assert tremplin(url, "catalog", "import", path, "--format", "data-inclusion") == 0
    out = capsys.readouterr().out
    assert f"{path}: 1 services left out, not learning offers" in out
    assert {"di-dora--atelier-ordi", "di-reseau-alpha--fle-soir", "di-dora--parents"} <= set(
        stored(url)
    )
    assert "di-dora--logement" not in stored(url)


def test_without_format_the_command_line_says_what_the_csv_looks_like(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    path = tmp_path / "services.csv"
    path.write_bytes(SERVICES_CSV.read_bytes())
    assert tremplin(url, "catalog", "import", path) == 2
    assert "looks like data·inclusion services: use --format data-inclusion" in (
        capsys.readouterr().err)
