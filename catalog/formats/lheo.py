"""LHEO, the French exchange format of training offers (XML, versions 2.x; 1.x read too).

Each session of each action of each formation becomes one offer (an action without session, one
offer). Ids come from the ``numero`` attributes, so that the next export of the same offers
updates them; without numeros, from a digest of what identifies the offer. Fields go through
the catalogue's rules (:mod:`catalog.formats.validation`) as cells of the CSV contract, so
every problem names the XML line and the contract column. Missions and topics are inferred
(:mod:`catalog.formats.lheo_infer`) and every inference is reported.

The XML is parsed with defusedxml: a DTD, entity declarations and external references are
refused before anything is expanded (billion laughs, reading local files).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from catalog.formats.columns import clean_text
from catalog.formats.lheo_fields import Fields, Index, local, read_fields
from catalog.formats.lheo_infer import infer
from catalog.formats.validation import (
    MAX_BYTES,
    MAX_ROWS,
    InvalidCatalogue,
    Problem,
    Record,
    validate_records,
)
from catalog.offer import Offer

_ID = re.compile(r"[A-Za-z0-9._-]+")
_PREFIX = "lheo-"


@dataclass(frozen=True, slots=True)
class Inference:
    """A value Tremplin chose for an offer that the file does not state as such, and why."""

    offer_id: str
    line: int
    column: str
    value: str
    reason: str

    def format(self, source: str) -> str:
        return f"{source}:{self.line}:{self.column}: {self.offer_id}: {self.value} ({self.reason})"


@dataclass(frozen=True, slots=True)
class LheoReading:
    """The offers of an LHEO file and the inferences made to read them."""

    offers: list[Offer]
    inferences: list[Inference]


class _LineBuilder(TreeBuilder):
    """A tree builder that notes the line where each element starts (for problems)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Element, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[element] = self.parser.parser.CurrentLineNumber
        return element


def _refuse(reason: str, line: int = 1) -> InvalidCatalogue:
    return InvalidCatalogue([Problem(line, "-", reason)])


def parse(data: bytes) -> tuple[Element, dict[Element, int]]:
    """The root element and the line of every element; :class:`InvalidCatalogue` if unsafe."""
    if len(data) > MAX_BYTES:
        raise _refuse(f"the file is larger than the {MAX_BYTES // 2**20} MB limit")
    builder = _LineBuilder()
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    builder.parser = parser
    try:
        parser.feed(data)
        root: Element = parser.close()
    except DTDForbidden:
        raise _refuse(
            "the file has a DTD (<!DOCTYPE ...>), refused for safety: a DTD can declare"
            " entities that expand to gigabytes or read local files; LHEO files need none"
        ) from None
    except (EntitiesForbidden, ExternalReferenceForbidden):
        raise _refuse(
            "the file declares entities (<!ENTITY ...>), refused for safety: they can expand"
            " to gigabytes or read local files"
        ) from None
    except ParseError as error:
        line = error.position[0] if error.position else 1
        message = clean_text(str(error)).split(": line", 1)[0]
        raise _refuse(f"malformed XML: {message}", line) from None
    except (ValueError, LookupError) as error:  # an encoding Python does not know
        raise _refuse(f"malformed XML: {clean_text(str(error))[:200]}") from None
    return root, builder.lines


def _offers(root: Element) -> Iterator[tuple[Element, Element, Element | None]]:
    """(formation, action, session) of each offer; in LHEO 1.x an offre-formation is its own
    action, and an action without session is one offer."""
    for offres in (child for child in root if local(child) == "offres"):
        for unit in offres:
            if local(unit) == "formation":
                actions = [child for child in unit if local(child) == "action"] or [unit]
            elif local(unit) == "offre-formation":
                actions = [unit]
            else:
                continue
            for action in actions:
                sessions: list[Element | None] = [
                    element for element in action.iter() if local(element) == "session"
                ]
                for session in sessions or [None]:
                    yield unit, action, session


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _identifier(numeros: list[str | None], fields: Fields) -> tuple[str, str | None]:
    """The offer id, and why it is not made of the numeros (None when it is)."""
    if all(numero and _ID.fullmatch(numero) for numero in numeros):
        identifier = _PREFIX + "-".join(numero for numero in numeros if numero)
        if len(identifier) <= 64:
            return identifier, None
        return _PREFIX + _digest(*map(str, numeros)), "numeros too long for an id: their digest"
    key = [numero or "" for numero in numeros] + fields.key()
    return _PREFIX + _digest(*key), "no numero attribute: digest of title, provider, place, dates"


def _record(
    unit: Element, action: Element, session: Element | None, lines: dict[Element, int], index: Index
) -> tuple[Record, list[Problem], list[Inference]]:
    fields = read_fields(unit, action, session, lines, index)
    numeros = [element.get("numero") for element in dict.fromkeys([unit, action])]
    if session is not None:
        numeros.append(session.get("numero"))
    identifier, why = _identifier(numeros, fields)
    line = fields.line
    inferences = [Inference(identifier, line, "id", identifier, why)] if why else []
    guess = infer(fields.codes)
    inferences += [Inference(identifier, line, *note) for note in fields.notes]
    for column, found in (("missions", guess.missions), ("topics", guess.topics)):
        inferences += [
            Inference(identifier, line, column, code, reason) for code, reason in found.items()
        ]
    values: dict[str, object] = {
        **fields.values,
        "id": identifier,
        "missions": list(guess.missions),
        "topics": list(guess.topics),
        "keywords": guess.keywords,
    }
    # Required cells absent from the file are reported missing by the rules.
    for name in ("title", "provider"):
        values.setdefault(name, "")
    return Record(line, values, fields.lines), fields.problems, inferences


def read_lheo_report(data: bytes, *, today: date | None = None) -> LheoReading:
    """The offers of an LHEO file and the inferences made; :class:`InvalidCatalogue` naming
    every problem (``today``: see :func:`~catalog.formats.validation.validate_records`)."""
    root, lines = parse(data)
    if local(root) != "lheo":
        raise _refuse(f"not an LHEO file: the root element is <{local(root)}>, not <lheo>")
    records: list[Record] = []
    problems: list[Problem] = []
    inferences: list[Inference] = []
    index: Index = {}
    for unit, action, session in _offers(root):
        try:
            record, found, inferred = _record(unit, action, session, lines, index)
        except (ArithmeticError, ValueError) as error:  # a value no rule foresaw: still its line
            where = lines.get(session if session is not None else action, lines.get(unit, 1))
            reason = clean_text(f"cannot read this offer: {type(error).__name__}: {error}")[:300]
            problems.append(Problem(where, "-", reason))
            continue
        records.append(record)
        problems += found
        inferences += inferred
        if len(records) > MAX_ROWS:
            break  # validate_records names the limit
    if not records and not problems:
        raise _refuse("no <formation> in <offres>: nothing to import", lines.get(root, 1))
    return LheoReading(validate_records(records, problems, today=today), inferences)


def read_lheo(data: bytes, *, today: date | None = None) -> list[Offer]:
    """The offers of an LHEO file, or :class:`InvalidCatalogue` naming every problem."""
    return read_lheo_report(data, today=today).offers
