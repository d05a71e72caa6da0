"""Which standard a JSON or CSV file follows: Tremplin's catalogue, data·inclusion services or
HSDS services (and for CSV, Tremplin's or data·inclusion's published form).

A file sent to the bot has a name, not a ``--format``: its extension says JSON or CSV, its
content says which. The JSON sniff reads only the top level and the keys of the first few
services, so that a hostile file costs no more than parsing it (which its reader does anyway,
with its own limits); the CSV sniff reads only the header line. Anything unclear is Tremplin's
own format, whose reader then names the file's problems.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable

from catalog.formats.validation import MAX_BYTES
from catalog.offer_fields import COLUMNS

JSON, DATA_INCLUSION, HSDS = "json", "data-inclusion", "hsds"
_LOOKED_AT = 10  # services whose keys are read
# Keys that only one standard uses (``id``, ``description``, ``url``... are everyone's).
_KEYS: dict[str, frozenset[str]] = {
    JSON: frozenset(COLUMNS) - {"id", "description", "url", "email", "phone", "languages"},
    DATA_INCLUSION: frozenset(
        {"nom", "source", "thematiques", "publics", "modes_accueil", "frais", "date_maj",
         "structure", "structure_id", "lien_source", "lien_mobilisation", "horaires_accueil",
         "code_postal", "commune", "courriel", "telephone", "adresse", "presentation_resume"}
    ),
    HSDS: frozenset(
        {"name", "organization", "organization_id", "schedules", "service_at_locations",
         "cost_options", "assured_date", "minimum_age", "maximum_age", "phones", "contacts",
         "alternate_name", "eligibility_description", "program", "status"}
    ),
}


def json_flavour(data: bytes) -> str:
    """``json``, ``data-inclusion`` or ``hsds``, from the content of a JSON file."""
    if len(data) > MAX_BYTES:
        return JSON  # its reader refuses it with the limit
    try:
        document = json.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except (ValueError, RecursionError):  # invalid, or nested thousands deep
        return JSON
    if isinstance(document, dict):
        if "offers" in document:
            return JSON
        if isinstance(document.get("contents"), list):  # a page of an HSDS API
            return HSDS
        return _by_keys([document])
    if isinstance(document, list):
        return _by_keys(document[:_LOOKED_AT])
    return JSON


def _by_keys(services: Iterable[object]) -> str:
    """The flavour whose own keys the services use most; Tremplin's JSON on a tie."""
    counts = dict.fromkeys(_KEYS, 0)
    for service in services:
        if isinstance(service, dict):
            keys = {key for key in service if isinstance(key, str)}
            for flavour, own in _KEYS.items():
                counts[flavour] += len(keys & own)
    best = max(counts.values())
    if best == 0 or counts[JSON] == best:
        return JSON
    return max(counts, key=lambda flavour: counts[flavour])


# The header of data·inclusion's services CSV names these; Tremplin's has id, title, provider.
_DATA_INCLUSION_HEADER = frozenset({"nom", "source", "thematiques"})
_HEADER_BYTES = 64 * 1024  # a header longer than this is no catalogue's: left to the reader


def csv_flavour(data: bytes) -> str:
    """``csv`` (Tremplin's columns) or ``data-inclusion`` (its services CSV), from the header."""
    first = data[:_HEADER_BYTES].removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    try:
        header = next(csv.reader([first.decode("utf-8").rstrip("\r")]), [])
    except (UnicodeDecodeError, csv.Error):
        return "csv"
    names = {name.strip() for name in header}
    if names >= _DATA_INCLUSION_HEADER and not names >= {"id", "title"}:
        return DATA_INCLUSION
    return "csv"
