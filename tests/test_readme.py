"""The README is tested like code: its catalogue example imports, its settings exist."""

from __future__ import annotations

import re
from pathlib import Path

from catalog.csvio import read_csv
from catalog.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_catalogue_example_is_valid() -> None:
    example = re.search(r"```csv\n(.*?)```", README, re.DOTALL)
    assert example is not None
    offers = read_csv(example.group(1).encode("utf-8"))
    assert [offer.id for offer in offers] == ["atelier-ordi", "fle-soir"]
    assert offers[0].is_free and offers[1].format == "hybrid"


def test_every_setting_is_in_the_configuration_table() -> None:
    table = README[README.index("## Configuration") :]
    for name in Settings.model_fields:
        assert f"`TREMPLIN_{name.upper()}`" in table, name
    documented = set(re.findall(r"`(TREMPLIN_[A-Z_]+)`", table))
    assert documented <= {f"TREMPLIN_{name.upper()}" for name in Settings.model_fields}
