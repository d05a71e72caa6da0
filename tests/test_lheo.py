"""LHEO files: the two real exports, generated 2.x files, inference reports, hostile XML."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import DATA

from catalog.formats.lheo import read_lheo, read_lheo_report
from catalog.formats.lheo_infer import Codes, infer
from catalog.formats.lheo_text import lheo_date, plain
from catalog.formats.validation import InvalidCatalogue
from catalog.maintenance.importer import file_format, import_file
from catalog.store.db import SessionMaker
from catalog.store.offers import load_offers

LHEO = DATA / "lheo"
ONISEP = (LHEO / "exemple-bts-onisep-2.2.xml").read_bytes()
CONSEILLER = (LHEO / "exemple-conseiller-1.3.xml").read_bytes()


def lheo(*formations: str, version: str = "2.3") -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<lheo xmlns="http://lheo.gouv.fr/{version}">'
    return (head + "<offres>" + "".join(formations) + "</offres></lheo>\n").encode()


def formation(numero: str, title: str, *actions: str, codes: str = "") -> str:
    return f"""
<formation numero="{numero}">
<domaine-formation>{codes}</domaine-formation>
<intitule-formation>{title}</intitule-formation>
<objectif-formation>&lt;p&gt;Apprendre &amp;amp; pratiquer&lt;/p&gt;</objectif-formation>
<contenu-formation>Contenu</contenu-formation>
<certifiante>0</certifiante>
{"".join(actions)}
<organisme-formation-responsable><nom-organisme>GRETA Auvergne</nom-organisme>
<coordonnees-organisme><coordonnees><adresse><ligne>2 rue Saint-Simon</ligne>
<codepostal>63000</codepostal><ville>CLERMONT-FERRAND</ville></adresse>
<web><urlweb>https://greta.example.org</urlweb></web></coordonnees></coordonnees-organisme>
</organisme-formation-responsable>
</formation>"""


def action(numero: str, *sessions: str, extra: str = "", mode: str = "0") -> str:
    return f"""
<action numero="{numero}">
<modalites-enseignement>{mode}</modalites-enseignement>
<lieu-de-formation><coordonnees><ligne>Centre Jaude</ligne><adresse>
<ligne>12 place de Jaude</ligne><codepostal>63000</codepostal><ville>Clermont-Ferrand</ville>
<geolocalisation><latitude>45.7772</latitude><longitude>3.0822</longitude></geolocalisation>
</adresse></coordonnees></lieu-de-formation>
{extra}
{"".join(sessions)}
</action>"""


def session(numero: str, start: str = "20260901", end: str = "20270630") -> str:
    periode = f"<periode><debut>{start}</debut><fin>{end}</fin></periode>"
    return f'<session numero="{numero}">{periode}</session>'


def problems(data: bytes) -> list[str]:
    with pytest.raises(InvalidCatalogue) as raised:
        read_lheo(data)
    return [problem.format("f.xml") for problem in raised.value.problems]


def test_the_onisep_export_imports() -> None:
    reading = read_lheo_report(ONISEP)
    (offer,) = reading.offers
    assert offer.id == "lheo-9436_18706-9436_18706-9436_18706"
    assert (offer.title, offer.provider) == (
        "BTS négociation et relation client",
        "Lycée Kerneuzec",
    )
    assert (offer.address, offer.postcode, offer.city) == (
        "Lycée Kerneuzec, Kerneuzec",
        "29391",
        "Quimperlé",
    )
    assert offer.location == (47.882108, -3.5526545)
    assert (offer.start_date, offer.end_date) == (date(2015, 9, 1), date(2017, 8, 31))
    assert offer.sessions == "2015-09-01/2017-08-31"  # the session, whole days
    assert (offer.format, offer.url) == ("in_person", "http://lyceedekerneuzec.fr")
    assert offer.description.startswith("A la fois vendeur, manager et commercial")
    assert "<" not in offer.description and "\n• Gestion de clientèles" in offer.description
    assert (offer.missions, offer.topics) == (("workplace",), ("career",))
    assert offer.schedule == "Temps plein, 2 ans"
    inferred = {(i.column, i.value): i.reason for i in reading.inferences}
    assert inferred[("topics", "career")] == "NSF 312 (commerce, vente)"
    assert inferred[("url", "http://lyceedekerneuzec.fr")].startswith("'lyceedekerneuzec.fr'")


def test_the_lheo_1_3_example_imports() -> None:
    reading = read_lheo_report(CONSEILLER)
    (offer,) = reading.offers
    assert offer.title == "Titre professionnel conseiller(ère) en insertion professionnelle"
    assert offer.provider == "AFPA Rillieux d'apprentis académique (CFA)"
    assert "mettre en œuvre des relations" in offer.description  # &amp;oelig; in the file
    assert (offer.city, offer.location) == ("Lyon", (45.784804, 4.76057))
    assert (offer.format, offer.price_eur) == ("hybrid", Decimal("32000.00"))
    assert (offer.start_date, offer.end_date) == (date(2008, 6, 21), date(2008, 6, 22))
    assert (offer.phone, offer.email) == ("04 64 69 48 36", "shrdlu@laposte.net")
    # No numero anywhere: an id from what identifies the offer, the same at every reading.
    assert offer.id.startswith("lheo-") and read_lheo(CONSEILLER)[0].id == offer.id
    reasons = {i.column: i.reason for i in reading.inferences}
    assert reasons["id"].startswith("no numero attribute")
    assert reasons["price_eur"] == "100 € an hour × 320 hours"
    assert reasons["format"] == "FOAD 1 (open and distance learning)"
    assert set(offer.missions) == {"workplace", "digital"}


@pytest.mark.asyncio
async def test_importing_twice_changes_nothing(sessions: SessionMaker) -> None:
    assert file_format("export.XML") == "lheo"
    for data, name in ((ONISEP, "onisep.xml"), (CONSEILLER, "conseiller.xml")):
        async with sessions() as session:
            plan = await import_file(session=session, data=data, source=name, actor="t")
            assert len(plan.added) == 1
        async with sessions() as session:
            again = await import_file(session=session, data=data, source=name, actor="t")
            assert len(again.unchanged) == 1 and not again.changes
    async with sessions() as session:
        assert len(await load_offers(session=session)) == 2


def test_each_session_of_each_action_is_an_offer() -> None:
    data = lheo(
        formation(
            "F1",
            "Initiation à l'informatique",
            action("A1", session("S1"), session("S2", "20270100", "20270000")),
            action(
                "A2",
                session("S1"),
                mode="2",
                extra="<acces-handicapes>Locaux accessibles</acces-handicapes>"
                "<prix-total-TTC>1 250,50</prix-total-TTC><langue-formation>EN</langue-formation>",
            ),
            codes="<code-NSF>326</code-NSF><code-ROME>M1805</code-ROME>",
        ),
        formation("F2", "Atelier sans session", action("A1", extra="<acces-handicapes/>")),
    )
    reading = read_lheo_report(data)
    offers = {offer.id: offer for offer in reading.offers}
    assert list(offers) == ["lheo-F1-A1-S1", "lheo-F1-A1-S2", "lheo-F1-A2-S1", "lheo-F2-A1"]
    assert (offers["lheo-F1-A1-S2"].start_date, offers["lheo-F1-A1-S2"].end_date) == (
        date(2027, 1, 1),
        date(2027, 12, 31),
    )
    online = offers["lheo-F1-A2-S1"]
    assert (online.format, online.wheelchair_accessible, online.languages) == (
        "online",
        True,
        ("en",),
    )
    assert online.price_eur == Decimal("1250.50")
    assert online.description == "Apprendre & pratiquer\n\nContenu"
    assert set(online.topics) == {"digital", "career"}
    assert set(online.missions) == {"digital", "workplace"}
    assert offers["lheo-F2-A1"].wheelchair_accessible is False
    assert offers["lheo-F2-A1"].city == "Clermont-Ferrand"
    assert offers["lheo-F2-A1"].url == "https://greta.example.org"
    mission_reasons = {
        i.value: i.reason
        for i in reading.inferences
        if i.offer_id == "lheo-F1-A2-S1" and i.column == "missions"
    }
    assert mission_reasons["digital"] == "topic digital: NSF 326 (informatique, réseaux)"


def test_problems_name_the_xml_line_and_the_column() -> None:
    data = lheo(
        formation("F1", "", action("A1", session("S1", "2026-13-45"), mode="7")),
    )
    found = problems(data)
    assert any(":start_date: '2026-13-45' is not an LHEO date" in line for line in found)
    assert any(":format: modalites-enseignement '7' is not 0" in line for line in found)
    assert any(line.endswith(":title: title is required") for line in found)
    lines = data.decode().splitlines()
    for line in found:
        number = int(line.split(":")[1])
        assert 1 <= number <= len(lines)
    start_line = int(next(f for f in found if "start_date" in f).split(":")[1])
    assert "<debut>2026-13-45</debut>" in lines[start_line - 1]


def test_a_file_that_is_not_lheo_is_refused() -> None:
    assert problems(b"<catalogue/>") == [
        "f.xml:1:-: not an LHEO file: the root element is <catalogue>, not <lheo>"
    ]
    assert problems(lheo()) == ["f.xml:2:-: no <formation> in <offres>: nothing to import"]
    found = problems(b"<lheo>\n<offres>\n<formation>\n</offres>")
    assert found[0].startswith("f.xml:4:-: malformed XML: mismatched tag")
    assert "larger than the 10 MB limit" in problems(b" " * (10 * 2**20 + 1))[0]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lheo><offres><formation><intitule-formation>&lol9;</intitule-formation></formation></offres></lheo>
"""


def test_billion_laughs_is_refused() -> None:
    (found,) = problems(BILLION_LAUGHS)
    assert found.startswith("f.xml:1:-: the file has a DTD (<!DOCTYPE ...>), refused for safety")


def test_an_external_entity_to_a_local_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    hostile = (
        f'<?xml version="1.0"?>\n<!DOCTYPE lheo [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        "<lheo><offres><formation><intitule-formation>&xxe;</intitule-formation>"
        "</formation></offres></lheo>"
    ).encode()
    (found,) = problems(hostile)
    assert "refused for safety" in found and "TOP-SECRET" not in found
    external_dtd = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lheo SYSTEM "http://example.org/x.dtd">\n<lheo/>'
    )
    assert "has a DTD" in problems(external_dtd)[0]
    # Entities are refused with or without the DTD check: defusedxml's own guard.
    assert "&xxe;" not in found


def test_deep_nesting_is_no_crash() -> None:
    deep = (
        b"<lheo><offres><formation>"
        + b"<x>" * 50_000
        + b"</x>" * 50_000
        + b"</formation></offres></lheo>"
    )
    found = problems(deep)
    assert any("title is required" in line for line in found)


@pytest.mark.parametrize(
    ("value", "end", "expected"),
    [
        ("20260915", False, date(2026, 9, 15)),
        ("20260200", True, date(2026, 2, 28)),
        ("20260200", False, date(2026, 2, 1)),
        ("20260000", True, date(2026, 12, 31)),
        ("00000000", False, None),
        ("99999999", True, None),
    ],
)
def test_lheo_dates(value: str, end: bool, expected: date | None) -> None:
    assert lheo_date(value, end=end) == expected


def test_html_descriptions_become_text() -> None:
    html = (
        "<p><b>Objectifs :</b><br/>lire &amp; écrire</p>"
        "<ul><li>un</li><li>deux</li></ul><script>x()</script>"
    )
    assert plain(html) == "Objectifs :\nlire & écrire\n• un\n• deux"


def test_inference_falls_back_to_the_workplace_mission() -> None:
    guess = infer(Codes(title="Module 3"))
    assert guess.missions == {"workplace": "LHEO training offer (vocational training)"}
    assert guess.topics == {}
    french = infer(Codes(title="Cours de FLE", nsf=("412",)))
    assert french.topics == {
        "literacy": "NSF 412 (savoirs de base)",
        "french": "title word (Cours de FLE)",
    }
    assert french.missions["inclusive"].startswith("topic literacy")
    online = infer(Codes(title="Module 3", format="online"))
    assert online.missions == {"digital": "taught online (distance learning)"}
