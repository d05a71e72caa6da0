"""data·inclusion services (schema v1.0.8, a JSON array) read as offers.

data·inclusion is the French national aggregator of inclusion services. Each service's
thématiques and publics are mapped to missions, topics, audiences and ages by
``data_inclusion_mapping.toml``, a table maintainers read and amend; a service none of whose
thématiques is a learning one (housing, health, food...) is left out and counted. Ids are stable
across re-imports: ``di-<source>--<id>`` (data·inclusion's own ``<source>--<id>`` with a ``di-``
prefix), so that a daily import updates its offers, and ``--replace`` retires only offers of the
sources in the file. The city's own offers come home: a service of source ``tremplin`` (what
``catalog export --format data-inclusion`` writes for offers not from data·inclusion) keeps its
Tremplin id. What the standard cannot say (translations, exact ages, price, languages...) travels
in an extra ``tremplin`` object of contract columns, which the aggregator ignores.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from catalog.formats.lheo import Inference
from catalog.formats.open_data import (
    OpenDataReading,
    ServiceFields,
    ServiceInference,
    ServiceProblem,
    Skipped,
    load_services,
    validate_services,
)
from catalog.formats.validation import MAX_COLUMNS, Problems, Record
from catalog.offer_fields import COLUMNS
from catalog.schedule import check_opening_hours
from catalog.vocabulary import AUDIENCES, MISSIONS, TOPICS

MAPPING_FILE = Path(__file__).with_name("data_inclusion_mapping.toml")
HOME = "tremplin"  # the source of the city's own offers in an export
EXTENSION = "tremplin"  # the object of contract columns the standard has no field for
PREFIX = "di-"
NOT_LEARNING = "not-learning"
_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# data·inclusion's sources are slugs: with no "--" in them, "di-<source>--" prefixes never overlap.
_SOURCE = re.compile(r"[A-Za-z0-9._]+(?:-[A-Za-z0-9._]+)*")
# The contract column -> the data·inclusion field that gives it (for problems).
FIELD_OF_COLUMN: dict[str, str] = {
    "id": "id", "title": "nom", "description": "description", "provider": "structure.nom",
    "missions": "thematiques", "topics": "thematiques", "keywords": "thematiques",
    "audiences": "publics", "age_min": "publics", "age_max": "publics", "price_eur": "frais",
    "format": "modes_accueil", "address": "adresse", "postcode": "code_postal",
    "city": "commune", "latitude": "latitude", "longitude": "longitude",
    "schedule": "horaires_accueil", "opening_hours": "horaires_accueil", "url": "lien_source",
    "phone": "telephone", "email": "courriel", "updated_on": "date_maj",
}


@dataclass(frozen=True, slots=True)
class Theme:
    """What a learning thématique means in Tremplin's vocabulary."""

    missions: tuple[str, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Public:
    audiences: tuple[str, ...] = ()
    age_min: int | None = None
    age_max: int | None = None


@dataclass(frozen=True, slots=True)
class Mapping_:
    """The mapping table: thématiques (None: not learning), publics, and what export writes."""

    themes: dict[str, Theme | None]
    publics: dict[str, Public]
    export_topics: dict[str, str]
    export_missions: dict[str, str]


class InvalidMapping(ValueError):
    """The mapping file names a code that does not exist."""


def _codes(value: object, valid: Mapping[str, str], where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise InvalidMapping(f"{where}: expected a list of codes")
    unknown = [code for code in value if code not in valid]
    if unknown:
        raise InvalidMapping(f"{where}: unknown code {unknown[0]!r}")
    return tuple(value)


def parse_mapping(text: str) -> Mapping_:
    """The mapping of a TOML text; :class:`InvalidMapping` naming the first wrong entry."""
    table = tomllib.loads(text)
    themes: dict[str, Theme | None] = {}
    for code, entry in table.get("thematiques", {}).items():
        if entry == NOT_LEARNING:
            themes[code] = None
        elif isinstance(entry, dict) and set(entry) <= {"missions", "topics"}:
            missions = _codes(entry.get("missions"), MISSIONS, f"thematiques.{code}.missions")
            topics = _codes(entry.get("topics", []), TOPICS, f"thematiques.{code}.topics")
            if not missions:
                raise InvalidMapping(f"thematiques.{code}: at least one mission")
            themes[code] = Theme(missions, topics)
        else:
            raise InvalidMapping(f"thematiques.{code}: {{missions, topics}} or {NOT_LEARNING!r}")
    publics: dict[str, Public] = {}
    for code, entry in table.get("publics", {}).items():
        if not isinstance(entry, dict) or not set(entry) <= {"audiences", "age_min", "age_max"}:
            raise InvalidMapping(f"publics.{code}: {{audiences, age_min, age_max}}")
        ages = [entry.get(name) for name in ("age_min", "age_max")]
        if not all(age is None or (isinstance(age, int) and 0 <= age <= 120) for age in ages):
            raise InvalidMapping(f"publics.{code}: ages are whole numbers 0-120")
        audiences = _codes(entry.get("audiences", []), AUDIENCES, f"publics.{code}.audiences")
        publics[code] = Public(audiences, ages[0], ages[1])
    export = table.get("export", {})
    learning = {code for code, theme in themes.items() if theme}
    exported: list[dict[str, str]] = []
    for name, valid in (("topics", TOPICS), ("missions", MISSIONS)):
        entries = export.get(name, {})
        for key, code in entries.items():
            if key not in valid or code not in learning:
                raise InvalidMapping(f"export.{name}.{key}: {code!r} is no mapped thématique")
        exported.append(dict(entries))
    return Mapping_(themes, publics, exported[0], exported[1])


@cache
def mapping() -> Mapping_:
    """The mapping table of ``data_inclusion_mapping.toml``."""
    return parse_mapping(MAPPING_FILE.read_text(encoding="utf-8"))


def offer_id(source: str, service_id: str) -> tuple[str, str | None]:
    """The offer id of a service, and why it is a digest (None when it is not)."""
    local = service_id.removeprefix(f"{source}--")
    if source == HOME and _ID.fullmatch(local):
        return local, None
    identifier = f"{PREFIX}{source}--{local}"
    if _ID.fullmatch(identifier):
        return identifier, None
    digest = hashlib.sha256(service_id.encode()).hexdigest()[:16]
    return f"{PREFIX}{source}--{digest}", "the service id does not fit an offer id: its digest"


def scope_of(source: str) -> str:
    """The id prefix of the offers of a source (what ``--replace`` may retire)."""
    return f"{PREFIX}{source}--"


@dataclass
class ServiceValues:
    """The contract cells read from one service, the inferences, and what the file left out."""

    values: dict[str, object]
    inferences: list[tuple[str, str, str]]  # column, value, reason
    learning: bool
    not_learning: tuple[str, ...]  # its thématiques that are not learning
    from_extension: frozenset[str]


def _ages(publics: list[Public]) -> tuple[int | None, int | None]:
    if not publics or any(public.age_min is None and public.age_max is None for public in publics):
        return None, None
    mins = [public.age_min for public in publics]
    maxes = [public.age_max for public in publics]
    low = None if None in mins else min(age for age in mins if age is not None)
    high = None if None in maxes else max(age for age in maxes if age is not None)
    return low, high


def service_values(fields: ServiceFields, table: Mapping_) -> ServiceValues:
    """The contract cells of a data·inclusion service (problems go to ``fields``)."""
    values: dict[str, object] = {}
    inferences: list[tuple[str, str, str]] = []
    values["title"] = fields.text("nom", required=True)
    values["description"] = fields.text("description")
    structure = fields.service.get("structure")
    provider = fields.text("structure.nom", within=structure) if structure is not None else ""
    if not provider:
        source = fields.service.get("source")  # its problems are reported with the id's
        provider = source if isinstance(source, str) else ""
        inferences.append(("provider", provider, "no structure name in the file: the source"))
    values["provider"] = provider
    missions: dict[str, str] = {}
    topics: dict[str, str] = {}
    not_learning: list[str] = []
    for code in fields.texts("thematiques"):
        if code not in table.themes:
            reason = f"unknown thématique {code!r}: add it to {MAPPING_FILE.name}"
            fields.fail("thematiques", reason)
            continue
        theme = table.themes[code]
        if theme is None:
            not_learning.append(code)
            continue
        for mission in theme.missions:
            missions.setdefault(mission, code)
        for topic in theme.topics:
            topics.setdefault(topic, code)
    inferences += [("missions", code, f"thématique {why}") for code, why in missions.items()]
    inferences += [("topics", code, f"thématique {why}") for code, why in topics.items()]
    values["missions"], values["topics"] = list(missions), list(topics)
    publics: list[Public] = []
    for code in fields.texts("publics"):
        if code not in table.publics:
            fields.fail("publics", f"unknown public {code!r}: add it to {MAPPING_FILE.name}")
        else:
            publics.append(table.publics[code])
    if publics and all(public.audiences for public in publics):
        values["audiences"] = list(dict.fromkeys(a for p in publics for a in p.audiences))
    values["age_min"], values["age_max"] = _ages(publics)
    frais = fields.text("frais")
    if frais not in ("", "gratuit", "payant"):
        fields.fail("frais", f"unknown frais {frais!r}: gratuit or payant")
    values["price_eur"] = 0 if frais == "gratuit" else None
    modes = set(fields.texts("modes_accueil"))
    if modes - {"a-distance", "en-presentiel"}:
        fields.fail("modes_accueil", "modes are a-distance and en-presentiel")
    values["format"] = (
        "hybrid" if len(modes) == 2 else "online" if modes == {"a-distance"} else "in_person"
    )
    address, complement = fields.text("adresse"), fields.text("complement_adresse")
    values["address"] = ", ".join(part for part in (address, complement) if part)
    values["postcode"] = fields.text("code_postal", digits=True)
    values["city"] = fields.text("commune")
    values["latitude"] = fields.number("latitude")
    values["longitude"] = fields.number("longitude")
    hours = fields.text("horaires_accueil")
    # OpenStreetMap opening hours go to their column (issue 18); other text is a schedule.
    values["opening_hours" if hours and check_opening_hours(hours) is None else "schedule"] = hours
    values["url"] = fields.text("lien_source") or fields.text("lien_mobilisation")
    values["phone"] = fields.text("telephone", digits=True)
    values["email"] = fields.text("courriel")
    values["updated_on"] = fields.text("date_maj", required=True)[:10] or None
    extension = fields.service.get(EXTENSION)
    given: set[str] = set()
    if isinstance(extension, dict):
        columns = {} if fields.too_many(EXTENSION, extension, MAX_COLUMNS) else extension
        for column, value in columns.items():
            if column not in COLUMNS or column == "id":
                fields.fail(f"{EXTENSION}.{column}", "not a column of the Tremplin catalogue")
            else:
                values[column] = value
                given.add(column)
    elif extension is not None:
        fields.fail(EXTENSION, "must be an object of catalogue columns")
    inferences = [item for item in inferences if item[0] not in given]
    learning = bool(missions) or "missions" in given
    return ServiceValues(values, inferences, learning, tuple(not_learning), frozenset(given))


def read_data_inclusion_report(data: bytes, *, today: date | None = None) -> OpenDataReading:
    """The learning offers of a data·inclusion file, the inferences, the services left out;
    :class:`~catalog.formats.validation.InvalidCatalogue` naming every problem (a ``date_maj``
    after ``today`` is one: see :func:`~catalog.formats.validation.validate_records`)."""
    services = load_services(data, what="data·inclusion services")
    return read_services(services, today=today)


def read_services(services: list[object], *, today: date | None = None) -> OpenDataReading:
    """:func:`read_data_inclusion_report` of services already parsed (from JSON, or from the
    CSV form's rows: :mod:`catalog.formats.data_inclusion_csv`)."""
    table = mapping()
    records: list[Record] = []
    problems = Problems()  # the first ones kept, the others counted
    inferences: list[Inference] = []
    skipped: list[Skipped] = []
    sources: dict[str, None] = {}
    extended: dict[int, frozenset[str]] = {}
    for index, service in enumerate(services):
        if not isinstance(service, dict):
            problems.append(ServiceProblem(index, "-", "a service is an object"))
            continue
        fields = ServiceFields(index, service)
        service_id = fields.text("id", required=True)
        source = fields.text("source", required=True)
        if source and not _SOURCE.fullmatch(source):
            fields.fail("source", "a source is a slug: letters, digits, '.', '_' and single '-'")
        read = service_values(fields, table)
        if fields.problems:
            problems.extend(fields.problems)
            continue
        identifier, why = offer_id(source, service_id)
        sources.setdefault(source)  # a source whose services are all left out is still in scope
        if not read.learning:
            themes = ", ".join(read.not_learning) or "no thématique"
            skipped.append(Skipped(index, service_id, f"not a learning service ({themes})"))
            continue
        notes = [("id", identifier, why)] if why else []
        inferences += [
            ServiceInference(identifier, index, column, value, reason)
            for column, value, reason in [*notes, *read.inferences]
        ]
        records.append(Record(index, {**read.values, "id": identifier}))
        extended[index] = read.from_extension

    def field_of(index: int, column: str) -> str:
        if column in extended.get(index, ()):
            return f"{EXTENSION}.{column}"
        if column in FIELD_OF_COLUMN:
            return FIELD_OF_COLUMN[column]
        return f"{EXTENSION}.{column}" if column in COLUMNS else column

    offers = validate_services(records, problems, field_of, today=today)
    scope = tuple(scope_of(source) for source in sources if source != HOME)
    return OpenDataReading(offers, inferences, skipped, scope)
