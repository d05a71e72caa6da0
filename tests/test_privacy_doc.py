"""docs/privacy.md, the records of processing, names every table of the schema (issue 14,
item 17): a new table is personal data until that document says otherwise."""

from __future__ import annotations

import re
from pathlib import Path

from catalog.store.migrations.config import model_metadata

DOC = Path(__file__).resolve().parent.parent / "docs" / "privacy.md"
README = Path(__file__).resolve().parent.parent / "README.md"


def _documented_tables() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Every table of the database"):]
    return set(re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE))


def test_every_table_of_the_schema_is_in_the_records_of_processing() -> None:
    tables = set(model_metadata().tables)  # every model module imported
    assert tables  # the schema was read
    assert not tables - _documented_tables(), "add these tables to docs/privacy.md"


def test_the_records_cover_each_processing_and_the_citizens_summary_in_french() -> None:
    text = DOC.read_text(encoding="utf-8")
    for heading in ("Conversation", "Favourites", "Alerts", "Usage statistics",
                    "Maintainers' audit", "Logs", "Rights of the people concerned",
                    "Résumé pour les citoyens (français)"):
        assert heading in text, heading
    assert "6(1)(e)" in text and "/forget" in text
    assert "docs/privacy.md" in README.read_text(encoding="utf-8")
