"""LHEO values as the catalogue wants them: HTML descriptions as text, dates, amounts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser

from catalog.formats.columns import clean_text
from catalog.offer_fields import FIELD

# The catalogue's limits (LHEO allows 3,000 characters for one text field, the contract 2,000).
DESCRIPTION_LIMIT = FIELD["description"].max_length
TITLE_LIMIT = FIELD["title"].max_length
_ELLIPSIS = " …"
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_BLOCKS = frozenset({"p", "div", "br", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})


class _Text(HTMLParser):
    """HTML (as ONISEP puts in its descriptions) to plain text with line breaks and bullets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS or tag == "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def plain(text: str) -> str:
    """Text without HTML tags or entities, one paragraph per line, spaces collapsed."""
    parser = _Text()
    parser.feed(text)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return clean_text("\n".join(line for line in lines if line), multiline=True)


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """``text`` cut at a line break or a space, with an ellipsis: at most ``limit`` characters."""
    if len(text) <= limit:
        return text
    room = limit - len(_ELLIPSIS)
    cut = text.rfind("\n", 0, room)
    cut = cut if cut > room // 2 else text.rfind(" ", 0, room)
    return text[: cut if cut > 0 else room].rstrip() + _ELLIPSIS


def lheo_date(value: str, *, end: bool) -> date | None:
    """An LHEO date: AAAAMMJJ, AAAAMM00 (a month), AAAA0000 (a year), 00000000 or 99999999
    (unknown: None). ``end`` picks the last day of a month or a year; ValueError if malformed."""
    digits = value.replace("-", "")
    if not re.fullmatch(r"\d{8}", digits):
        raise ValueError(value)
    if digits in ("00000000", "99999999"):
        return None
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    if month == 0:
        return date(year, 12, 31) if end else date(year, 1, 1)
    if day == 0:
        first = date(year, month, 1)
        if not end:
            return first
        # December of year 9999 ends on the last day a date can hold.
        if month == 12:
            return date(year, 12, 31)
        return date(year, month + 1, 1) - timedelta(days=1)
    return date(year, month, day)


def amount(text: str) -> Decimal | None:
    """The first number of ``text`` ("2 500,00 €" -> 2500.00), or None."""
    match = _NUMBER.search(text.replace(" ", "").replace("\u00a0", ""))
    try:
        return Decimal(match.group().replace(",", ".")) if match else None
    except InvalidOperation:
        return None
