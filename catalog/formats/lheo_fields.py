"""The fields of one LHEO offer (a formation, one of its actions, one of its sessions).

Values are looked up from the most specific element to the most general (session, action,
formation), never entering another action, session or organisation. They come out as cells of
the CSV contract with the line of the element each was read from, so that the catalogue's rules
check them and name the XML line of any problem.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from xml.etree.ElementTree import Element

from catalog.formats.columns import MAX_PRICE, clean_text
from catalog.formats.lheo_infer import Codes
from catalog.formats.lheo_text import TITLE_LIMIT, amount, lheo_date, plain, shorten
from catalog.formats.validation import Problem

_FORMATS = {"0": "in_person", "1": "hybrid", "2": "online"}
_NO = re.compile(r"(?i)^\s*(non|no|aucun|aucune|pas|sans|0|-)\b")
# Elements that hold the data of other offers or of an organisation: searches do not enter them.
STOP = frozenset({"action", "session", "organisme-formation-responsable", "organisme-formateur"})


@cache
def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def local(element: Element) -> str:
    """An element's name without its namespace (each LHEO version has its own)."""
    return _local(element.tag)


# The descendants of an element by name (see :func:`walk`), built once per element and file:
# an offer's fields are some forty look-ups in the same few elements.
Index = dict[Element, dict[str, list[Element]]]


def walk(root: Element) -> Iterator[Element]:
    """Descendants of ``root`` in document order, not entering the elements of :data:`STOP`."""
    stack = [iter(root)]  # iterative: a hostile file can nest elements thousands deep
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        yield child
        if local(child) not in STOP:
            stack.append(iter(child))


@dataclass
class Fields:
    """The contract cells of one LHEO offer, where each was read, and what was inferred."""

    line: int
    values: dict[str, object] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # column, value, reason
    codes: Codes = field(default_factory=lambda: Codes(title=""))

    def key(self) -> list[str]:
        """What identifies the offer when the file gives no numero."""
        names = ("title", "provider", "address", "postcode", "city", "start_date", "end_date")
        return [str(self.values.get(name) or "") for name in names]


class _Reader:
    """Looks values up in scopes, most specific first, and fills :class:`Fields`."""

    def __init__(
        self,
        unit: Element,
        action: Element,
        session: Element | None,
        lines: Mapping[Element, int],
        index: Index,
    ) -> None:
        self.unit, self.action, self.session = unit, action, session
        self.scopes = list(dict.fromkeys(s for s in (session, action, unit) if s is not None))
        self.lines = lines
        self.index = index
        self.fields = Fields(line=lines.get(self.scopes[0], 1))
        # The first element of each name, session first, then action, then formation.
        self.nearest: dict[str, Element] = {}
        for scope in self.scopes:
            for name, found in self._named(scope).items():
                self.nearest.setdefault(name, found[0])
        self.organisme = self.find("organisme-formation-responsable", unit)

    def _named(self, root: Element) -> dict[str, list[Element]]:
        named = self.index.get(root)
        if named is None:
            named = {}
            # A formation, action or session holds other offers' data: walk around it. Any
            # smaller element (an address, a period) is read whole, with C's faster iter().
            scope = root is self.unit or local(root) in STOP
            for element in walk(root) if scope else root.iter():
                named.setdefault(local(element), []).append(element)
            self.index[root] = named
        return named

    def find(self, name: str, within: Element | None = None) -> Element | None:
        if within is None:
            return self.nearest.get(name)
        found = self._named(within).get(name)
        return found[0] if found else None

    def all(self, name: str, within: Element) -> list[Element]:
        return list(self._named(within).get(name, ()))

    def text(self, element: Element | None) -> str:
        if element is None:
            return ""
        value = clean_text(html.unescape("".join(element.itertext())))
        return "" if value == "-" else value  # ONISEP's placeholder for "nothing"

    def first(self, *names: str, within: Element | None = None) -> tuple[str, Element | None]:
        """The first non-empty text among elements ``names``, and its element."""
        for name in names:
            element = self.find(name, within)
            text = self.text(element)
            if text:
                return text, element
        return "", None

    def put(self, column: str, value: object, element: Element | None) -> None:
        if value in ("", None, []):
            return
        self.fields.values[column] = value
        if element is not None:
            self.fields.lines[column] = self.lines.get(element, self.fields.line)

    def problem(self, column: str, reason: str, element: Element | None) -> None:
        line = self.lines.get(element, self.fields.line) if element is not None else None
        self.fields.problems.append(Problem(line or self.fields.line, column, reason))

    def note(self, column: str, value: str, reason: str) -> None:
        self.fields.notes.append((column, value, reason))


def _describe(reader: _Reader) -> None:
    title, element = reader.first("intitule-formation", "intitule-action", within=reader.unit)
    reader.put("title", shorten(title, TITLE_LIMIT), element)
    parts: list[str] = []
    first: Element | None = None
    for name in ("objectif-formation", "contenu-formation"):
        found = reader.find(name, reader.unit)
        text = plain(html.unescape("".join(found.itertext()))) if found is not None else ""
        if text and text not in parts:
            parts.append(text)
            first = first if first is not None else found
    reader.put("description", shorten("\n\n".join(parts)), first)


def _provider(reader: _Reader) -> None:
    if reader.organisme is not None:
        name, element = reader.first("nom-organisme", "raison-sociale", within=reader.organisme)
        if name:
            reader.put("provider", name, element)
            return
    formateur = reader.find("organisme-formateur")
    if formateur is not None:
        name, element = reader.first("raison-sociale-formateur", within=formateur)
        reader.put("provider", name, element)


def _address(reader: _Reader, coordonnees: Element) -> bool:
    """Address, postcode, city and coordinates from a ``coordonnees``; False if it has none."""
    adresse = reader.find("adresse", coordonnees)
    if adresse is None:
        return False
    venue = [reader.text(line) for line in coordonnees if local(line) == "ligne"]
    street = [reader.text(line) for line in adresse if local(line) == "ligne"]
    reader.put("address", ", ".join(dict.fromkeys(filter(None, venue + street))), adresse)
    postcode = reader.find("codepostal", adresse)
    reader.put("postcode", reader.text(postcode), postcode)
    city = reader.find("ville", adresse)
    name = reader.text(city)
    reader.put("city", name.title() if name.isupper() else name, city)  # QUIMPERLÉ
    for axis in ("latitude", "longitude"):
        found = reader.find(axis, adresse)
        if found is None:  # LHEO 1.x: <extra info="latitude">
            found = next((e for e in reader.all("extra", adresse) if e.get("info") == axis), None)
        reader.put(axis, reader.text(found).replace(",", "."), found)
    return True


def _place(reader: _Reader, online: bool) -> None:
    lieu = reader.find("lieu-de-formation")
    coordonnees = reader.find("coordonnees", lieu) if lieu is not None else None
    if coordonnees is not None and _address(reader, coordonnees):
        return
    if online or reader.organisme is None:
        return
    fallback = reader.find("coordonnees", reader.organisme)
    if fallback is not None and _address(reader, fallback):
        where = str(reader.fields.values.get("city", ""))
        reader.note("address", where, "no lieu-de-formation: the provider's address")


def _dates(reader: _Reader) -> None:
    periode = reader.find("periode", reader.session) if reader.session is not None else None
    if periode is None:
        return
    days: list[str] = []
    for name, column in (("debut", "start_date"), ("fin", "end_date")):
        found = reader.find(name, periode)
        value = reader.text(found)
        if not value:
            continue
        try:
            day = lheo_date(value, end=name == "fin")
        except ValueError:
            reason = f"{value!r} is not an LHEO date (AAAAMMJJ, AAAAMM00 or AAAA0000)"
            reader.problem(column, reason, found)
            continue
        reader.put(column, day.isoformat() if day else "", found)
        days += [day.isoformat()] if day else []
    if len(days) == 2:  # the session, whole days from its first to its last (catalog.schedule)
        reader.put("sessions", "/".join(days), periode)


def _price(reader: _Reader) -> None:
    total, element = reader.first("prix-total-TTC")
    if total:
        value = amount(total)
        # An unreadable price goes to the rules as it is, which name it and its line.
        reader.put("price_eur", str(value) if value is not None else total, element)
        return
    hourly, element = reader.first("prix-horaire-TTC")
    rate, hours = amount(hourly), amount(reader.first("nombre-heures-total")[0])
    if rate is not None and hours is not None:
        total_price = rate * hours
        if not total_price <= MAX_PRICE:  # quantizing a huge number overflows the context
            reason = f"{rate} € an hour × {hours} hours is too large (at most {MAX_PRICE})"
            reader.problem("price_eur", reason, element)
            return
        price = str(total_price.quantize(Decimal("0.01")))
        reader.put("price_eur", price, element)
        reader.note("price_eur", price, f"{rate} € an hour × {hours} hours")


def _format(reader: _Reader) -> str:
    code, element = reader.first("modalites-enseignement")
    if code:
        if code in _FORMATS:
            reader.put("format", _FORMATS[code], element)
            return _FORMATS[code]
        reason = f"modalites-enseignement {code!r} is not 0 (in person), 1 (mixed) or 2 (distance)"
        reader.problem("format", reason, element)
        return "in_person"
    foad, element = reader.first("FOAD")  # LHEO 1.x
    if foad == "1":
        chosen = "hybrid" if reader.find("lieu-de-formation") is not None else "online"
        reader.put("format", chosen, element)
        reader.note("format", chosen, "FOAD 1 (open and distance learning)")
        return chosen
    return "in_person"


def _wheelchair(reader: _Reader) -> None:
    element = reader.find("acces-handicapes")
    if element is None:
        return
    text = reader.text(element)
    accessible = bool(text) and not _NO.match(text)
    reader.put("wheelchair_accessible", str(accessible).lower(), element)
    said = f"acces-handicapes {text[:40]!r}" if text else "empty acces-handicapes (LHEO: none)"
    reader.note("wheelchair_accessible", str(accessible).lower(), said)


def _url(reader: _Reader, contact: Element | None) -> None:
    holders = [reader.find(name) for name in ("url-session", "url-action", "url-formation")]
    for holder in [*holders, contact, reader.organisme]:
        text, element = reader.first("urlweb", within=holder) if holder is not None else ("", None)
        if not text:
            continue
        if not re.match(r"(?i)https?://", text) and " " not in text and "." in text:
            reader.note("url", "http://" + text, f"{text[:40]!r} has no http(s)://: added")
            text = "http://" + text
        reader.put("url", text, element)
        return


def _contact(reader: _Reader) -> None:
    contact = reader.find("contact-formation")
    contact = contact if contact is not None else reader.find("contact-offre")  # LHEO 1.x
    _url(reader, contact)
    for column, name in (("phone", "numtel"), ("email", "courriel")):
        for holder in (contact, reader.organisme):
            value, element = reader.first(name, within=holder) if holder is not None else ("", None)
            if value:
                reader.put(column, value, element)
                break


def _details(reader: _Reader) -> None:
    languages = reader.all("langue-formation", reader.action)
    codes = [reader.text(element).lower() for element in languages]
    reader.put("languages", [code for code in codes if code], languages[0] if languages else None)
    parts = [reader.first(name)[0] for name in ("rythme-formation", "duree-indicative")]
    reader.put("schedule", ", ".join(part for part in parts if part), None)


def _codes(reader: _Reader, domaine: Element | None, name: str) -> list[str]:
    found = reader.all(name, domaine) if domaine is not None else []
    return list(dict.fromkeys(filter(None, (reader.text(element) for element in found))))


def read_fields(
    unit: Element,
    action: Element,
    session: Element | None,
    lines: Mapping[Element, int],
    index: Index | None = None,
) -> Fields:
    """The cells of the offer of ``session`` (or of ``action``) of the formation ``unit``;
    ``index`` is shared by the offers of a file."""
    reader = _Reader(unit, action, session, lines, {} if index is None else index)
    _describe(reader)
    _provider(reader)
    format = _format(reader)
    _place(reader, online=format == "online")
    _dates(reader)
    _price(reader)
    _wheelchair(reader)
    _contact(reader)
    _details(reader)
    domaine = reader.find("domaine-formation", unit)
    certifying = any(
        reader.first(name, within=unit)[0] == "1" for name in ("certifiante", "diplomante")
    )
    reader.fields.codes = Codes(
        title=str(reader.fields.values.get("title", "")),
        nsf=_codes(reader, domaine, "code-NSF"),
        rome=_codes(reader, domaine, "code-ROME"),
        formacode=_codes(reader, domaine, "code-FORMACODE"),
        certifying=certifying,
        format=format,
    )
    return reader.fields
