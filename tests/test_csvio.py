"""The CSV contract v1: reading (every rule, every error with its line and column) and writing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TypeVar

import pytest
from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.formats.columns import (
    COLUMNS,
    EXAMPLE_ID_PREFIXES,
    ISO_639_1,
    TRANSLATED_LANGUAGES,
    clean_text,
)
from catalog.formats.csvio import neutralise, read_csv, unneutralise, write_csv
from catalog.formats.validation import MAX_BYTES, MAX_ROWS, InvalidCatalogue, Problem
from catalog.offer import LocalText, Offer
from catalog.vocabulary import AUDIENCES, FORMATS, MISSIONS, TOPICS

CATALOG = DATA / "catalog"
HEADER = "id,title,provider,missions"


def problems_of(text: str | bytes) -> list[Problem]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(InvalidCatalogue) as caught:
        read_csv(data)
    return caught.value.problems


def one_row(**cells: str) -> str:
    """A file of one offer: the required cells, changed or completed by ``cells``."""
    row = {"id": "a-1", "title": "Titre", "provider": "Asso", "missions": "family", **cells}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(row.keys())
    writer.writerow(row.values())
    return buffer.getvalue()


def test_reads_a_valid_file() -> None:
    offers = read_csv((CATALOG / "valid.csv").read_bytes())
    assert [offer.id for offer in offers] == ["num-01", "fle-02", "lire-03"]
    first, second, third = offers
    assert first.missions == ("digital", "inclusive")
    assert first.keywords == ("smartphone", "téléphone")
    assert first.age_min == 16 and first.age_max is None
    assert first.price_eur == Decimal("0") and first.is_free
    assert first.location == (45.76585, 3.09153)
    assert first.start_date == date(2026, 9, 8)
    assert first.wheelchair_accessible is True
    assert first.translations == {"en": LocalText("Smartphone workshop")}
    assert second.price_eur == Decimal("12.50") and second.format == "hybrid"
    assert second.languages == ("fr", "ar") and second.audiences == ("newcomer",)
    assert second.wheelchair_accessible is False
    assert third.languages == ("fr",) and third.format == "in_person"
    assert third.wheelchair_accessible is None and third.location is None


def test_reads_tricky_values() -> None:
    """BOM, CRLF, quotes, commas, newlines, formulas, emoji, RTL text, negative coordinates."""
    offers = {offer.id: offer for offer in read_csv((CATALOG / "tricky.csv").read_bytes())}
    quoted = offers["quotes-commas"]
    assert quoted.title == 'Atelier "Mots, images"'
    assert quoted.description == 'Ligne 1, avec virgule\nLigne 2 "citée"\n\nLigne 4'
    assert quoted.keywords == ('mot "clé"', "virgule, incluse")
    formula = offers["formula"]
    assert formula.title.startswith("=HYPERLINK(")
    assert (formula.provider, formula.phone, formula.schedule) == (
        "+Asso",
        "+33 4 73 00 00 00",
        "-",
    )
    assert formula.keywords == ("@home", "=1+1")
    assert formula.location == (-45.25, -1.5)
    rtl = offers["rtl-emoji"]
    assert rtl.title == "Cours d'arabe 🌍 👩\u200d💻"
    assert rtl.translations["ar"] == LocalText("دروس اللغة العربية", "تعلّم القراءة\nوالكتابة")
    assert rtl.title_in("uk") == "Курси 🇺🇦"
    assert rtl.languages == ("ar", "fr") and rtl.price_eur == Decimal("12.50")
    # A cell a spreadsheet exported with a protective quote reads back without it.
    dash = offers["-dash.start_1"]
    assert (dash.title, dash.schedule, dash.description) == ("=already quoted", "-x", "Tab here")
    assert dash.location == (0.0, -180.0)


@pytest.mark.parametrize("name", ["valid.csv", "tricky.csv"])
def test_round_trip(name: str) -> None:
    offers = read_csv((CATALOG / name).read_bytes())
    assert read_csv(write_csv(offers).encode()) == offers


def test_export_neutralises_formulas_but_not_numbers() -> None:
    offers = read_csv((CATALOG / "tricky.csv").read_bytes())
    rows = list(csv.DictReader(io.StringIO(write_csv(offers))))
    formula = next(row for row in rows if row["id"] == "formula")
    assert formula["title"] == "'" + '=HYPERLINK("http://evil.example","clic")'
    assert formula["provider"] == "'+Asso"
    assert formula["description"] == "'-5 % sur l'inscription"
    assert formula["keywords"] == "'@home;=1+1"
    assert formula["phone"] == "'+33 4 73 00 00 00"
    assert (formula["latitude"], formula["longitude"]) == ("-45.25", "-1.5")
    dash = next(row for row in rows if row["id"] == "'-dash.start_1")
    assert dash["title"] == "'=already quoted" and dash["longitude"] == "-180.0"
    for row in rows:
        for column, cell in row.items():
            assert not cell or cell[0] not in "=+@\t\r" or column in ("latitude", "longitude")
    assert list(rows[0]) == list(COLUMNS)


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+33", "'+33"),
        ("-x", "'-x"),
        ("@home", "'@home"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("'x", "'x"),
        ("x=1", "x=1"),
        ("", ""),
    ],
)
def test_neutralise(cell: str, written: str) -> None:
    assert neutralise(cell) == written
    assert unneutralise(written) == cell


def test_accepts_bom_crlf_and_blank_lines() -> None:
    data = b"\xef\xbb\xbf" + one_row().replace("\n", "\r\n").encode() + b"\r\n,,,\r\n"
    assert [offer.id for offer in read_csv(data)] == ["a-1"]


def test_a_header_alone_is_an_empty_catalogue() -> None:
    assert read_csv(HEADER.encode()) == []


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"price_eur": "12,5"}, Decimal("12.50")),
        ({"price_eur": "12.50"}, Decimal("12.50")),
        ({"price_eur": "0"}, Decimal("0")),
        ({"price_eur": "7.000"}, Decimal("7")),
        ({"price_eur": ""}, None),
    ],
)
def test_prices(cells: dict[str, str], expected: Decimal | None) -> None:
    assert read_csv(one_row(**cells).encode())[0].price_eur == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("Oui", True),
        ("1", True),
        ("false", False),
        ("False", False),
        ("non", False),
        ("0", False),
        ("", None),
    ],
)
def test_wheelchair_flags(cell: str, expected: bool | None) -> None:
    offers = read_csv(one_row(wheelchair_accessible=cell).encode())
    assert offers[0].wheelchair_accessible is expected


def test_text_is_normalised() -> None:
    offer = read_csv(
        one_row(
            title="  Cafe\u0301\x00 des\nparents\x07 ",
            description=" Ligne 1\r\nLigne\x1b 2\rLigne 3 ",
            missions=" Family ; ;lifelong;family",
            keywords="a; b ;;a",
        ).encode()
    )[0]
    assert offer.title == "Café des parents"
    assert offer.description == "Ligne 1\nLigne 2\nLigne 3"
    assert offer.missions == ("family", "lifelong")
    assert offer.keywords == ("a", "b")


ERRORS = [
    # (file, line, column, words of the reason)
    ("id,titel,provider,missions\n", 1, "titel", "did you mean 'title'"),
    (HEADER + ",title_fr\n", 1, "title_fr", "French is the main language: use 'title'"),
    (HEADER + ",description_de\n", 1, "description_de", "only for the interface languages"),
    (HEADER + ",Provider\n", 1, "Provider", "lower case: did you mean 'provider'"),
    (HEADER + ",zzzz\n", 1, "zzzz", "valid columns: id, title"),
    (HEADER + ",city,city\n", 1, "city", "duplicate column 'city' (columns 5 and 6)"),
    (HEADER + ",\n", 1, "5", "has no name"),
    ("id,title,missions\n", 1, "provider", "missing required column 'provider'"),
    (HEADER + "\na,b,c\n", 2, "-", "has 3 cells but the header has 4"),
    (HEADER + "\na,b,c,family,x\n", 2, "-", "has 5 cells but the header has 4"),
    (one_row(id="bad id/x"), 2, "id", "contains ' ' '/'"),
    (one_row(id="x" * 65), 2, "id", "65 characters long; at most 64"),
    (one_row(id=""), 2, "id", "id is required"),
    (one_row(id="Example-2"), 2, "id", "'Example-2' is the template's example row: delete"),
    (one_row(title=" "), 2, "title", "title is required"),
    (one_row(provider=""), 2, "provider", "provider is required"),
    (one_row(missions=""), 2, "missions", "at least one mission is required"),
    (one_row(missions="family;familly"), 2, "missions", "'familly'; did you mean 'family'?"),
    (one_row(topics="cooking;zzz"), 2, "topics", "unknown topic 'zzz'; valid: digital,"),
    (one_row(audiences="kids"), 2, "audiences", "unknown audience 'kids'; valid: student"),
    (one_row(age_min="twelve"), 2, "age_min", "'twelve' is not a whole number"),
    (one_row(age_min="12.5"), 2, "age_min", "'12.5' is not a whole number"),
    (one_row(age_max="121"), 2, "age_max", "121 is out of range 0-120"),
    (one_row(age_min="-1"), 2, "age_min", "-1 is out of range 0-120"),
    (one_row(age_min="12", age_max="8"), 2, "age_min", "age_min 12 is above age_max 8"),
    (one_row(price_eur="-3"), 2, "price_eur", "-3 is negative"),
    (one_row(price_eur="12,345"), 2, "price_eur", "12.345 has more than 2 decimals"),
    (one_row(price_eur="12 €"), 2, "price_eur", "'12 €' is not a number"),
    (one_row(price_eur="sur devis"), 2, "price_eur", "not a number; write the price in euros"),
    (one_row(price_eur="gratuit"), 2, "price_eur", "'gratuit' is not a number; 0 means free"),
    (one_row(price_eur="Entrée libre"), 2, "price_eur", "not a number; 0 means free: write 0"),
    (one_row(price_eur="FREE"), 2, "price_eur", "'FREE' is not a number; 0 means free"),
    (one_row(price_eur="gratis"), 2, "price_eur", "'gratis' is not a number; 0 means free"),
    (one_row(price_eur="ücretsiz"), 2, "price_eur", "is not a number; 0 means free"),
    (one_row(price_eur="NaN"), 2, "price_eur", "'NaN' is not a number"),
    (one_row(price_eur="1e3"), 2, "price_eur", "'1e3' is not a number"),
    (one_row(price_eur="123456789"), 2, "price_eur", "too large"),
    (one_row(format="remote"), 2, "format", "unknown format 'remote'; valid: in_person, online"),
    (one_row(languages="fr;fra"), 2, "languages", "unknown language 'fra'"),
    (one_row(languages="xx"), 2, "languages", "use ISO 639-1 codes"),
    (one_row(latitude="91", longitude="3"), 2, "latitude", "91 is out of range -90..90"),
    (one_row(latitude="45", longitude="-181"), 2, "longitude", "-181 is out of range"),
    (one_row(latitude="45.7"), 2, "longitude", "latitude is given, so longitude is required"),
    (one_row(longitude="3.1", latitude=""), 2, "latitude", "longitude is given, so latitude"),
    (one_row(latitude="inf", longitude="3"), 2, "latitude", "'inf' is not a number"),
    (one_row(start_date="2026-02-30"), 2, "start_date", "'2026-02-30' is not a date"),
    (one_row(end_date="01/02/2026"), 2, "end_date", "is not a date as YYYY-MM-DD"),
    (one_row(end_date="20260102"), 2, "end_date", "is not a date as YYYY-MM-DD"),
    (
        one_row(start_date="2026-03-01", end_date="2026-02-01"),
        2,
        "end_date",
        "end_date 2026-02-01 is before start_date 2026-03-01",
    ),
    (one_row(url="ftp://example.org"), 2, "url", "is not an http(s) address"),
    (one_row(url="https://"), 2, "url", "is not an http(s) address with a host"),
    (one_row(url="www.example.org"), 2, "url", "is not an http(s) address"),
    (one_row(url="javascript:alert(1)"), 2, "url", "is not an http(s) address"),
    (one_row(email="contact.example.org"), 2, "email", "is not an e-mail address"),
    (one_row(wheelchair_accessible="maybe"), 2, "wheelchair_accessible", "not true or false"),
    (HEADER + '\na,"b\n', 2, "-", "never closed"),
    (HEADER + '\na,"b"c,d,family\n', 2, "-", 'must be doubled ("")'),
    ("", 1, "-", "the file is empty"),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "words"), ERRORS, ids=[f"{e[2]}: {e[3]}" for e in ERRORS]
)
def test_every_error_names_line_and_column(text: str, line: int, column: str, words: str) -> None:
    problems = problems_of(text)
    assert any(
        (problem.line, problem.column) == (line, column) and words in problem.reason
        for problem in problems
    ), problems


@pytest.mark.parametrize(
    "data",
    [
        b"id;title;provider;missions\r\na-1;Titre;Asso;family\r\n",
        b'\xef\xbb\xbf"id";"title";"provider";"missions";"price_eur"\nb;T;A;family;"12,5"\n',
        # Excel's "CSV (separateur: point-virgule)" is Windows-1252 too: the same one message.
        "id;title;provider;missions\na;Thé dansant;Mairie;family\n".encode("cp1252"),
    ],
)
def test_semicolons_are_one_clear_problem(data: bytes) -> None:
    problems = problems_of(data)
    assert [(problem.line, problem.column) for problem in problems] == [(1, "-")]
    reason = problems[0].reason
    assert 'separated by ";" but the separator must be a comma' in reason
    assert '"CSV UTF-8 (comma delimited)"' in reason and len(reason) <= 200


def test_a_semicolon_inside_comma_separated_cells_is_no_separator() -> None:
    (offer,) = read_csv(b"id,title,provider,missions\na-1,T;x,A,family;lifelong\n")
    assert (offer.title, offer.missions) == ("T;x", ("family", "lifelong"))


def test_every_error_of_a_file_is_reported() -> None:
    problems = problems_of((CATALOG / "invalid.csv").read_bytes())
    where = [(problem.line, problem.column) for problem in problems]
    assert where == [
        (3, "id"),
        (4, "title"),
        (4, "missions"),
        (4, "age_min"),
        (4, "price_eur"),
        (4, "latitude"),
        (4, "longitude"),
        (4, "url"),
        (5, "id"),
    ]
    assert "duplicate id 'ok-1': also on line 2" in problems[-1].reason
    assert problems[0].format("invalid.csv").startswith("invalid.csv:3:id: 'bad id' contains")


def test_quoted_newlines_keep_line_numbers() -> None:
    text = HEADER + ',description\na,"t\n\nt",p,family,d\nb,t,p,nope,d\n'
    assert [(p.line, p.column) for p in problems_of(text)] == [(5, "missions")]


def test_non_utf8_names_line_and_byte() -> None:
    data = (
        (HEADER + "\na,Titre,Asso,family\nb,").encode() + "Café".encode("cp1252") + b",p,family\n"
    )
    (problem,) = problems_of(data)
    assert (problem.line, problem.column) == (3, "-")
    assert "not valid UTF-8: byte 0xE9 at byte 6 of the line" in problem.reason


def test_limits() -> None:
    (too_big,) = problems_of(b"x" * (MAX_BYTES + 1))
    assert "larger than the 10 MB limit" in too_big.reason
    rows = "".join(f"\nid-{index},t,p,family" for index in range(MAX_ROWS + 1))
    (too_long,) = problems_of(HEADER + rows)
    assert (too_long.line, too_long.reason) == (
        MAX_ROWS + 2,
        "more than 20000 rows; split the file",
    )
    assert len(read_csv((HEADER + rows.rsplit("\n", 1)[0]).encode())) == MAX_ROWS


# Untrusted input: whatever the bytes, the reader returns offers or problems, nothing else.

CSV_TEXT = st.lists(
    st.lists(st.text(alphabet=st.sampled_from("ab1,;\"'=-\n\r\t\x00é😀 "), max_size=6), max_size=6),
    max_size=5,
)


@given(st.binary(max_size=400))
@settings(max_examples=300, deadline=None)
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        read_csv(data)
    except InvalidCatalogue as error:
        assert error.problems


@given(CSV_TEXT, st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=8))
@settings(max_examples=300, deadline=None)
def test_random_csv_never_crashes(rows: list[list[str]], header: list[str]) -> None:
    text = ",".join(header) + "\n" + "\n".join(",".join(row) for row in rows)
    try:
        offers = read_csv(text.encode("utf-8", "surrogatepass"))
    except InvalidCatalogue as error:
        assert error.problems
    else:
        assert all(isinstance(offer, Offer) for offer in offers)


@given(st.text())
@settings(deadline=None)
def test_neutralise_is_undone(cell: str) -> None:
    assert unneutralise(neutralise(cell)) == cell


@given(st.text(), st.booleans())
@settings(deadline=None)
def test_clean_text_is_idempotent(text: str, multiline: bool) -> None:
    once = clean_text(text, multiline=multiline)
    assert clean_text(once, multiline=multiline) == once
    assert once == once.strip()


# Any valid offer survives export then import unchanged.

Bound = TypeVar("Bound", int, date)


def _text(multiline: bool = False) -> st.SearchStrategy[str]:
    return st.text(max_size=20).map(lambda text: clean_text(text, multiline=multiline))


def _codes(valid: Iterable[str], min_size: int = 0) -> st.SearchStrategy[tuple[str, ...]]:
    elements = st.sampled_from(sorted(valid))
    return st.lists(elements, min_size=min_size, max_size=3, unique=True).map(tuple)


def _bounds(values: st.SearchStrategy[Bound]) -> st.SearchStrategy[tuple[Bound | None, ...]]:
    """Two optional bounds, the first never above the second."""
    pair = st.tuples(values, values).map(lambda bounds: (min(bounds), max(bounds)))
    return st.tuples(st.none(), st.none()) | pair


@st.composite
def offers(draw: st.DrawFn) -> Offer:
    """Valid offers, values as the readers normalise them."""
    item = st.text(max_size=10).map(lambda text: clean_text(text.replace(";", ""))).filter(bool)
    local = st.builds(LocalText, _text(), _text(multiline=True))
    age_min, age_max = draw(_bounds(st.integers(0, 120)))
    start, end = draw(_bounds(st.dates()))
    coordinates = draw(st.none() | st.tuples(st.floats(-90, 90), st.floats(-180, 180)))
    return Offer(
        id=draw(
            st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True).filter(
                lambda id_: not id_.lower().startswith(EXAMPLE_ID_PREFIXES)
            )
        ),
        title=draw(_text().filter(bool)),
        provider=draw(_text().filter(bool)),
        missions=draw(_codes(MISSIONS, min_size=1)),
        description=draw(_text(multiline=True)),
        translations=draw(
            st.dictionaries(
                st.sampled_from(TRANSLATED_LANGUAGES),
                local.filter(lambda text: bool(text.title or text.description)),
                max_size=3,
            )
        ),
        topics=draw(_codes(TOPICS)),
        keywords=tuple(draw(st.lists(item, max_size=4, unique=True))),
        audiences=draw(_codes(AUDIENCES)),
        age_min=age_min,
        age_max=age_max,
        price_eur=draw(st.none() | st.decimals(0, Decimal("99999999.99"), places=2)),
        format=draw(st.sampled_from(FORMATS)),
        languages=draw(_codes(ISO_639_1, min_size=1)),
        address=draw(_text()),
        city=draw(_text()),
        latitude=coordinates[0] if coordinates else None,
        longitude=coordinates[1] if coordinates else None,
        schedule=draw(_text()),
        start_date=start,
        end_date=end,
        url=draw(st.sampled_from(["", "https://example.org/a?b=c;d", "http://x.y"])),
        phone=draw(_text()),
        email=draw(st.sampled_from(["", "a.b@example.org"])),
        wheelchair_accessible=draw(st.none() | st.booleans()),
    )


@given(st.lists(offers(), max_size=3, unique_by=lambda offer: offer.id))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_offer_round_trips(catalogue: list[Offer]) -> None:
    assert read_csv(write_csv(catalogue).encode()) == catalogue


def test_blank_cells_are_empty() -> None:
    (offer,) = read_csv(one_row(age_min="  ", price_eur=" ", latitude=" ", longitude="").encode())
    assert (offer.age_min, offer.price_eur, offer.location) == (None, None, None)


def test_messages_quote_untrusted_text_short_and_escaped() -> None:
    (header,) = problems_of(HEADER + ",\x1b[31mred" + "x" * 100 + "\n")
    assert "\x1b" not in header.column and len(header.column) <= 40
    assert "\x1b" not in header.reason
    (cell,) = problems_of(one_row(price_eur="9" * 5000 + "x"))
    assert len(cell.reason) < 100 and cell.reason.endswith("... is not a number")
