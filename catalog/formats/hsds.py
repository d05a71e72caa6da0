"""Open Referral HSDS 3 services read as offers.

HSDS (Human Services Data Specification) is the international standard for directories of human
services. A file is a single service, an array of services, or a page of an HSDS API
(``{"contents": [...], ...}``). Ids are ``hsds-<id>``, stable across re-imports; ``--replace``
retires only ``hsds-`` offers. HSDS has no learning vocabulary: missions and topics are inferred
from the name and description as for LHEO (:mod:`catalog.formats.lheo_infer`), each with its
reason in the dry run. A service whose status is not ``active`` is left out and counted.

Read: name, description, url, email, the organization's name (the provider), ``languages``,
``cost_options`` (free when an amount is 0; a price when in euros), ``minimum_age`` and
``maximum_age`` (or those of ``eligibility``), the first location's address and coordinates, the
first phone, ``assured_date`` (else ``last_modified``) as ``updated_on``. ``schedules``: a
weekly one (``freq`` WEEKLY, ``byday``, ``opens_at``, ``closes_at``) becomes OpenStreetMap
``opening_hours`` (``Th,Fr 10:00-18:00``), a one-off one (no ``freq``, a ``dtstart`` day) a
session (a whole day without ``opens_at``); any other is left out with a note in the dry run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from catalog.formats.columns import ISO_639_1
from catalog.formats.lheo import Inference
from catalog.formats.lheo_infer import Codes, infer
from catalog.formats.open_data import (
    OpenDataReading,
    ServiceFields,
    ServiceInference,
    ServiceProblem,
    Skipped,
    load_services,
    validate_services,
)
from catalog.formats.validation import MAX_ROWS, Problems, Record

PREFIX = "hsds-"
_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_LHEO_FALLBACK = "LHEO training offer (vocational training)"
FIELD_OF_COLUMN: dict[str, str] = {
    "id": "id", "title": "name", "description": "description", "provider": "organization.name",
    "missions": "description", "topics": "description", "keywords": "description",
    "age_min": "minimum_age", "age_max": "maximum_age", "price_eur": "cost_options",
    "languages": "languages", "address": "service_at_locations.location.addresses",
    "postcode": "service_at_locations.location.addresses",
    "city": "service_at_locations.location.addresses",
    "latitude": "service_at_locations.location.latitude",
    "longitude": "service_at_locations.location.longitude",
    "url": "url", "phone": "phones", "email": "email", "updated_on": "assured_date",
    "opening_hours": "schedules", "sessions": "schedules",
}
_DAYS = {"MO": "Mo", "TU": "Tu", "WE": "We", "TH": "Th", "FR": "Fr", "SA": "Sa", "SU": "Su"}


def offer_id(service_id: str) -> tuple[str, str | None]:
    identifier = PREFIX + service_id
    if _ID.fullmatch(identifier):
        return identifier, None
    digest = hashlib.sha256(service_id.encode()).hexdigest()[:16]
    return PREFIX + digest, "the service id does not fit an offer id: its digest"


def _age(fields: ServiceFields, name: str) -> tuple[int | None, str | None]:
    """A service's age bound, or its first eligibility's; and where it was found."""
    value = fields.number(name)
    if value is not None:
        return round(value), None
    for position, item in enumerate(fields.objects("eligibility")):
        value = fields.number(f"eligibility[{position}].{name}", within=item)
        if value is not None:
            return round(value), f"from eligibility[{position}]"
    return None, None


def _price(fields: ServiceFields, notes: list[tuple[str, str, str]]) -> Decimal | None:
    """Free when a cost option is 0; the lowest amount in euros otherwise; else unknown."""
    amounts: list[Decimal] = []
    for position, option in enumerate(fields.objects("cost_options")):
        where = f"cost_options[{position}]"
        amount = fields.number(f"{where}.amount", within=option)
        currency = fields.text(f"{where}.currency", within=option).lower()
        if amount is None:
            continue
        if amount == 0:
            return Decimal(0)
        if currency in ("", "eur"):
            try:
                amounts.append(Decimal(str(amount)))
            except InvalidOperation:
                fields.fail(f"{where}.amount", "not a number")
        else:
            notes.append(("price_eur", "-", f"{where}: {amount} {currency.upper()}, not in euros"))
    return min(amounts) if amounts else None


def _location(
    fields: ServiceFields, values: dict[str, object], notes: list[tuple[str, str, str]]
) -> None:
    # A service may be given at many places (only the first is read).
    for position, link in enumerate(fields.objects("service_at_locations", limit=MAX_ROWS)):
        location = link.get("location")
        if not isinstance(location, Mapping):
            continue
        where = f"service_at_locations[{position}].location"
        for name, bound in (("latitude", 90), ("longitude", 180)):
            value = fields.number(f"{where}.{name}", within=location)
            if value is not None and abs(value) > bound:
                notes.append((name, "-", f"{where}.{name} {value} is not on Earth: left out"))
                value = None
            values[name] = value
        if values.get("latitude") is None or values.get("longitude") is None:
            values["latitude"] = values["longitude"] = None
        for number, address in enumerate(fields.objects(f"{where}.addresses", within=location)):
            at = f"{where}.addresses[{number}]"
            lines = [
                fields.text(f"{at}.{key}", within=address) for key in ("address_1", "address_2")
            ]
            values["address"] = ", ".join(line for line in lines if line)
            values["postcode"] = fields.text(f"{at}.postal_code", within=address, digits=True)
            values["city"] = fields.text(f"{at}.city", within=address)
            break
        return


def _schedules(fields: ServiceFields, values: dict[str, object],
               notes: list[tuple[str, str, str]]) -> None:
    """Weekly schedules as opening hours, one-off ones as sessions (module docstring)."""
    rules: list[str] = []
    sessions: list[str] = []
    for position, schedule in enumerate(fields.objects("schedules")):
        at = f"schedules[{position}]"
        opens = fields.text(f"{at}.opens_at", within=schedule)[:5]
        closes = fields.text(f"{at}.closes_at", within=schedule)[:5]
        freq = fields.text(f"{at}.freq", within=schedule).upper()
        byday = fields.text(f"{at}.byday", within=schedule).upper()
        days = [_DAYS.get(day.strip()[-2:]) for day in byday.split(",") if day.strip()]
        start = fields.text(f"{at}.dtstart", within=schedule)[:10]
        if opens and closes and freq == "WEEKLY" and days and all(days):
            rules.append(f"{','.join(d for d in days if d)} {opens}-{closes}")
        elif opens and closes and not freq and start:
            sessions.append(f"{start}T{opens}/{closes}")
        elif not opens and not closes and not freq and start:  # a whole day
            sessions.append(start)
        else:
            notes.append(("opening_hours", at, "not a weekly nor a one-off schedule: left out"))
    if rules:
        values["opening_hours"] = hours = ", ".join(rules)
        notes.append(("opening_hours", hours, "from schedules"))
    if sessions:
        values["sessions"] = ";".join(sessions)


def _languages(fields: ServiceFields, notes: list[tuple[str, str, str]]) -> list[str] | None:
    codes: list[str] = []
    for position, language in enumerate(fields.objects("languages")):
        code = fields.text(f"languages[{position}].code", within=language).lower()
        if code in ISO_639_1:
            codes.append(code)
        elif code:
            notes.append(("languages", code, "not an ISO 639-1 code of two letters: left out"))
    return list(dict.fromkeys(codes)) or None


def service_values(
    fields: ServiceFields,
) -> tuple[dict[str, object], list[tuple[str, str, str]]]:
    """The contract cells of an HSDS service and the inferences (problems go to ``fields``)."""
    notes: list[tuple[str, str, str]] = []
    values: dict[str, object] = {}
    name = fields.text("name", required=True)
    description = fields.text("description")
    values["title"], values["description"] = name, description
    organization = fields.service.get("organization")
    values["provider"] = fields.text("organization.name", within=organization, required=True)
    values["url"] = fields.text("url")
    values["email"] = fields.text("email")
    for position, phone in enumerate(fields.objects("phones")):
        number = fields.text(f"phones[{position}].number", within=phone, digits=True)
        values["phone"] = number.strip().strip('"')  # the example has it quoted twice
        break
    for column, field in (("age_min", "minimum_age"), ("age_max", "maximum_age")):
        values[column], where = _age(fields, field)
        if where:
            notes.append((column, str(values[column]), where))
    price = _price(fields, notes)
    values["price_eur"] = None if price is None else str(price)  # a cell, as the rules read it
    values["languages"] = _languages(fields, notes)
    _location(fields, values, notes)
    _schedules(fields, values, notes)
    day = fields.text("assured_date") or fields.text("last_modified")
    values["updated_on"] = day[:10] or None
    guess = infer(Codes(title=f"{name}. {description}"))
    missions = dict(guess.missions)
    if list(missions.values()) == [_LHEO_FALLBACK]:
        missions = {"lifelong": "no subject recognised in the text: lifelong learning"}
    values["missions"], values["topics"] = list(missions), list(guess.topics)
    notes += [("missions", code, reason) for code, reason in missions.items()]
    notes += [("topics", code, reason) for code, reason in guess.topics.items()]
    return values, notes


def read_hsds_report(data: bytes, *, today: date | None = None) -> OpenDataReading:
    """The active services of an HSDS file as offers, the inferences, the services left out;
    :class:`~catalog.formats.validation.InvalidCatalogue` naming every problem (an
    ``assured_date`` after ``today`` is one: see
    :func:`~catalog.formats.validation.validate_records`)."""
    services = load_services(data, what="HSDS services", pages=True)
    records: list[Record] = []
    problems = Problems()  # the first ones kept, the others counted
    inferences: list[Inference] = []
    skipped: list[Skipped] = []
    for index, service in enumerate(services):
        if not isinstance(service, dict):
            problems.append(ServiceProblem(index, "-", "a service is an object"))
            continue
        fields = ServiceFields(index, service)
        service_id = fields.text("id", required=True)
        status = fields.text("status")
        values, notes = service_values(fields)
        if fields.problems:
            problems.extend(fields.problems)
            continue
        if status and status != "active":
            skipped.append(Skipped(index, service_id, f"status {status!r}, not active"))
            continue
        identifier, why = offer_id(service_id)
        notes = [("id", identifier, why), *notes] if why else notes
        inferences += [
            ServiceInference(identifier, index, column, value, reason)
            for column, value, reason in notes
        ]
        records.append(Record(index, {**values, "id": identifier}))

    def field_of(index: int, column: str) -> str:
        return FIELD_OF_COLUMN.get(column, column)

    offers = validate_services(records, problems, field_of, today=today)
    return OpenDataReading(offers, inferences, skipped, (PREFIX,))
