"""What the open-data readers (data·inclusion, Open Referral HSDS) share.

Their files are JSON arrays of services, not rows: a problem names the service by its position in
the array and the field by its name in the standard (``services.json:[2].nom: required``). A
service that is not a learning offer (or not active) is left out and counted, never imported.
The offers still go through the catalogue's rules (:mod:`catalog.formats.validation`): all or
nothing, the same limits as the other formats.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from catalog.formats.columns import clean_text
from catalog.formats.lheo import Inference
from catalog.formats.validation import (
    MAX_ROWS,
    InvalidCatalogue,
    Problem,
    Problems,
    Record,
    decode,
    validate_records,
)
from catalog.offer import Offer


@dataclass(frozen=True, slots=True)
class ServiceProblem(Problem):
    """A problem of the service at index ``line`` (from 0) of the file's array, in ``column``,
    a field of the standard (``-`` for the whole service)."""

    def format(self, source: str) -> str:
        field = "" if self.column == "-" else f".{self.column}"
        return f"{source}:[{self.line}]{field}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ServiceInference(Inference):
    """A value Tremplin chose for the offer of the service at index ``line``, and why."""

    def format(self, source: str) -> str:
        where = f"{source}:[{self.line}].{self.column}"
        return f"{where}: {self.offer_id}: {self.value} ({self.reason})"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A service of the file that is not imported, and why (not a learning offer, inactive)."""

    index: int
    service_id: str
    reason: str

    def format(self, source: str) -> str:
        return f"{source}:[{self.index}]: {self.service_id}: left out, {self.reason}"


@dataclass(frozen=True, slots=True)
class OpenDataReading:
    """The offers of an open-data file, the values inferred, the services left out, and the id
    prefixes of the offers this file speaks for (what ``--replace`` may retire)."""

    offers: list[Offer]
    inferences: list[Inference]
    skipped: list[Skipped]
    scope: tuple[str, ...]


def refuse(reason: str, line: int = 1) -> InvalidCatalogue:
    return InvalidCatalogue([Problem(line, "-", reason)])


def load_services(data: bytes, *, what: str, pages: bool = False) -> list[object]:
    """The services of a JSON file: an array (or with ``pages``, a single service or a page of
    an API, ``{"contents": [...]}``); :class:`InvalidCatalogue` for anything else."""
    text = decode(data)  # the 10 MB limit, UTF-8
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise refuse(f"invalid JSON: {error.msg} (column {error.colno})", error.lineno) from None
    except (ValueError, RecursionError) as error:
        # Integers of thousands of digits, or arrays nested thousands deep.
        raise refuse(f"invalid JSON: {clean_text(str(error))[:200]}") from None
    if pages and isinstance(document, dict):
        contents = document.get("contents", document if "contents" not in document else None)
        document = [contents] if isinstance(contents, dict) else contents
    if not isinstance(document, list):
        shape = "an array of services, a service, or a page with contents" if pages else (
            "an array of services"
        )
        raise refuse(f"expected {shape} ({what})")
    if len(document) > MAX_ROWS:
        raise refuse(f"more than {MAX_ROWS} services; split the file")
    return document


# Arrays of a service longer than this are refused as a whole, not item by item: a hostile file
# of a million unknown codes would otherwise be a million problems (the standards' lists of
# codes are far shorter: 69 thématiques, 14 publics).
MAX_ITEMS = 200


class ServiceFields:
    """The fields of one service read with their types checked; each problem names the field."""

    def __init__(self, index: int, service: Mapping[str, object]) -> None:
        self.index = index
        self.service = service
        self.problems: list[Problem] = []

    def fail(self, field: str, reason: str) -> None:
        self.problems.append(ServiceProblem(self.index, field, reason))

    def text(
        self, field: str, *, required: bool = False, within: object = None, digits: bool = False
    ) -> str:
        """A string field ("" when absent or null); ``within`` is a nested object to read;
        ``digits``: a number is taken as its text (a postcode or a phone written as a number)."""
        source = self.service if within is None else within
        value = source.get(field.rsplit(".", 1)[-1]) if isinstance(source, Mapping) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(field, "required")
            return ""
        if digits and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.fail(field, f"must be text, not {_json_type(value)}")
            return ""
        return value

    def too_many(self, field: str, value: object, limit: int = MAX_ITEMS) -> bool:
        """Whether ``value`` is a list or object of over ``limit`` items (then said, once)."""
        if isinstance(value, list | dict) and len(value) > limit:
            self.fail(field, f"more than {limit} items: is this a service?")
            return True
        return False

    def texts(self, field: str) -> list[str]:
        """An array of strings ([] when absent or null)."""
        value = self.service.get(field)
        if value is None or self.too_many(field, value):
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(field, "must be an array of text")
            return []
        return value

    def number(self, field: str, within: object = None) -> float | None:
        source = self.service if within is None else within
        value = source.get(field.rsplit(".", 1)[-1]) if isinstance(source, Mapping) else None
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(field, f"must be a number, not {_json_type(value)}")
            return None
        return value

    def objects(
        self, field: str, within: object = None, limit: int = MAX_ITEMS
    ) -> list[Mapping[str, object]]:
        """An array of objects ([] when absent or null), of at most ``limit``."""
        source = self.service if within is None else within
        value = source.get(field.rsplit(".", 1)[-1]) if isinstance(source, Mapping) else None
        if value is None or self.too_many(field, value, limit):
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.fail(field, "must be an array of objects")
            return []
        return value


def _json_type(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "text", list: "an array"}
    return names.get(type(value), "an object")


_ALSO_ON_LINE = re.compile(r"also on line (\d+)")


def validate_services(
    records: list[Record],
    problems: Problems,
    field_of: Callable[[int, str], str],
    *,
    today: date | None = None,
) -> list[Offer]:
    """The offers of the services' records, or :class:`InvalidCatalogue` with every problem, the
    catalogue's named by the service's index and the standard's field: ``field_of(index,
    column)`` (``today``: see :func:`~catalog.formats.validation.validate_records`)."""
    try:
        offers = validate_records(records, [], today=today)
    except InvalidCatalogue as error:
        renamed = [
            ServiceProblem(
                problem.line,
                field_of(problem.line, problem.column),
                _ALSO_ON_LINE.sub(r"also service [\1]", problem.reason),
            )
            for problem in error.problems
        ]
        problems.extend(renamed)
        raise InvalidCatalogue(problems, error.more) from None
    if problems:
        raise InvalidCatalogue(problems)
    return offers
