"""The JSON flavour of a file sent without --format, and the format a caption names."""

from __future__ import annotations

import json

import pytest
from conftest import DATA

from catalog.formats.csvio import read_csv
from catalog.formats.data_inclusion_export import write_data_inclusion
from catalog.formats.flavour import csv_flavour, json_flavour
from catalog.formats.jsonio import write_json
from catalog.maintenance.importer import named_format, read_upload

VALID = (DATA / "catalog" / "valid.csv").read_bytes()
SERVICES = (DATA / "open_data" / "services.json").read_bytes()
HSDS = (DATA / "open_data" / "hsds_service_full.json").read_bytes()
SERVICES_CSV = (DATA / "open_data" / "services.csv").read_bytes()


def test_each_json_is_told_by_its_content() -> None:
    offers = read_csv(VALID)
    assert json_flavour(write_json(offers).encode()) == "json"
    assert json_flavour(json.dumps({"offers": json.loads(write_json(offers))}).encode()) == "json"
    assert json_flavour(SERVICES) == "data-inclusion"
    assert json_flavour(write_data_inclusion(offers).encode()) == "data-inclusion"
    assert json_flavour(HSDS) == "hsds"  # a single service
    assert json_flavour(b'[' + HSDS + b']') == "hsds"
    assert json_flavour(b'{"contents": []}') == "hsds"


@pytest.mark.parametrize(
    "data",
    [b"", b"not json", b"[1, 2]", b"{}", b"[[[[" * 100_000, b'"text"', b"[{}]", b"\xff\xfe"],
)
def test_anything_unclear_is_tremplins_json(data: bytes) -> None:
    # Its reader then names the problems, with the format's own limits.
    assert json_flavour(data) == "json"


def test_a_caption_names_a_format_only_when_it_is_one() -> None:
    assert named_format("data·inclusion") == named_format("Data-Inclusion ") == "data-inclusion"
    assert named_format("HSDS") == named_format("open referral") == "hsds"
    assert named_format("XLSX") == "xlsx"
    assert named_format(None) is None
    assert named_format("the new offers of the week, hsds") is None


def test_a_partners_json_is_read_as_the_standard_it_follows() -> None:
    reading = read_upload(SERVICES, "json")
    assert len(reading.offers) == 3 and len(reading.skipped) == 1


def test_a_csv_is_told_by_its_header() -> None:
    assert csv_flavour(VALID) == "csv"
    assert csv_flavour(SERVICES_CSV) == "data-inclusion"
    assert csv_flavour(b"\xef\xbb\xbfsource,nom,thematiques\r\nx,y,z\r\n") == "data-inclusion"
    # Tremplin's columns win: a catalogue that also keeps data·inclusion's names is Tremplin's.
    assert csv_flavour(b"id,title,provider,missions,nom,source,thematiques\n") == "csv"
    for unclear in (b"", b"\xff\xfe", b"nom;source;thematiques\n", b"a" * 100_000):
        assert csv_flavour(unclear) == "csv"
    assert len(read_upload(SERVICES_CSV, "csv").offers) == 3
