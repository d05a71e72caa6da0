"""Missions and topics of an LHEO training offer, inferred from its codes and title.

LHEO describes vocational training with classification codes rather than the learning city's
vocabulary: NSF (specialities, 3 digits), ROME (jobs, a letter and 4 digits; 5 digits in the old
ROME v2), FORMACODE (a thesaurus not bundled here, so its codes are not read). Each inferred code
carries its reason, shown to the maintainer in the dry run so that a wrong guess can be corrected
(by exporting, editing the missions or topics, and importing the corrected file).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from catalog.matching.text import infer_topics

# NSF specialities (nomenclature des spécialités de formation, 1994): the label, and the topics
# it is about. Codes missing here give no topic; a vocational offer still gets "career".
NSF: dict[str, tuple[str, tuple[str, ...]]] = {
    "110": ("spécialités pluriscientifiques", ("science",)),
    "111": ("physique-chimie", ("science",)),
    "112": ("chimie-biologie, biochimie", ("science",)),
    "113": ("sciences naturelles", ("science",)),
    "114": ("mathématiques", ("science",)),
    "115": ("physique", ("science",)),
    "116": ("chimie", ("science",)),
    "117": ("sciences de la terre", ("science",)),
    "118": ("sciences de la vie", ("science",)),
    "126": ("histoire", ("history",)),
    "128": ("droit, sciences politiques", ("citizenship",)),
    "131": ("français, littérature", ("reading",)),
    "132": ("arts plastiques", ("arts",)),
    "133": ("musique, arts du spectacle", ("music", "arts")),
    "134": ("autres disciplines artistiques", ("arts",)),
    "135": ("langues anciennes", ("languages",)),
    "136": ("langues vivantes", ("languages",)),
    "210": ("agriculture", ("environment", "career")),
    "211": ("productions végétales", ("environment", "career")),
    "213": ("forêts, espaces naturels", ("environment", "career")),
    "214": ("aménagement paysager", ("environment", "career")),
    "221": ("agro-alimentaire, cuisine", ("cooking", "career")),
    "232": ("bâtiment, construction", ("crafts", "career")),
    "233": ("bâtiment, finitions", ("crafts", "career")),
    "234": ("travail du bois, ameublement", ("crafts", "career")),
    "241": ("textile", ("crafts", "career")),
    "242": ("habillement, couture", ("crafts", "career")),
    "243": ("cuirs et peaux", ("crafts", "career")),
    "310": ("échanges et gestion", ("career",)),
    "311": ("transport, logistique", ("career",)),
    "312": ("commerce, vente", ("career",)),
    "313": ("finances, banque, assurances", ("career",)),
    "314": ("comptabilité, gestion", ("career",)),
    "315": ("ressources humaines", ("career",)),
    "324": ("secrétariat, bureautique", ("digital", "career")),
    "325": ("documentation, bibliothèques", ("reading", "career")),
    "326": ("informatique, réseaux", ("digital", "career")),
    "330": ("sanitaire et social", ("health", "career")),
    "331": ("santé", ("health", "career")),
    "332": ("travail social", ("career",)),
    "333": ("enseignement, formation", ("career",)),
    "334": ("accueil, hôtellerie, tourisme", ("career",)),
    "335": ("animation culturelle, sportive et de loisirs", ("sport", "career")),
    "336": ("coiffure, esthétique", ("crafts", "career")),
    "342": ("patrimoine", ("history",)),
    "343": ("environnement, propreté", ("environment", "career")),
    "411": ("pratiques sportives", ("sport",)),
    "412": ("savoirs de base", ("literacy",)),
    "413": ("capacités relationnelles", ("career",)),
    "415": ("orientation, insertion", ("career",)),
    "421": ("loisirs", ()),
    "422": ("vie domestique", ("cooking",)),
    "423": ("vie familiale, vie sociale", ("parenting", "citizenship")),
}
# ROME v3/v4 job families, longest prefix first: the topics of the trade, besides "career".
ROME: dict[str, tuple[str, ...]] = {
    "M18": ("digital",),
    "E11": ("digital",),
    "G16": ("cooking",),
    "G15": ("cooking",),
    "K21": ("career",),
    "L12": ("music", "arts"),
    "L13": ("arts",),
    "A": ("environment",),
    "B": ("crafts",),
    "J": ("health",),
}
# The missions each topic mostly serves (as the deep links of the conversation use them).
TOPIC_MISSIONS: dict[str, str] = {
    "literacy": "inclusive",
    "french": "inclusive",
    "citizenship": "inclusive",
    "parenting": "family",
    "reading": "family",
    "career": "workplace",
    "entrepreneurship": "workplace",
    "digital": "digital",
    "science": "quality",
    "languages": "quality",
    "arts": "lifelong",
    "music": "lifelong",
    "history": "lifelong",
}


@dataclass(frozen=True, slots=True)
class Codes:
    """What an offer says about its subject: codes, title, and how it is taught."""

    title: str
    nsf: Sequence[str] = ()
    rome: Sequence[str] = ()
    formacode: Sequence[str] = ()
    certifying: bool = False
    format: str = "in_person"


@dataclass
class Guess:
    """Inferred codes, each with the reason of its first source, in the order found."""

    missions: dict[str, str] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)

    def topic(self, code: str, reason: str) -> None:
        self.topics.setdefault(code, reason)

    def mission(self, code: str, reason: str) -> None:
        self.missions.setdefault(code, reason)


def _rome_topics(code: str) -> tuple[str, ...]:
    for size in (3, 1):
        topics = ROME.get(code[:size].upper())
        if topics:
            return topics
    return ()


def infer(codes: Codes) -> Guess:
    """The missions (at least one), topics and keywords of an offer, with their reasons."""
    guess = Guess()
    for code in codes.nsf:
        label, topics = NSF.get(code, ("", ()))
        for keyword in label.split(", ") if label else ():
            if keyword not in guess.keywords:
                guess.keywords.append(keyword)
        for topic in topics:
            guess.topic(topic, f"NSF {code} ({label})")
    for code in codes.rome:
        for topic in _rome_topics(code):
            guess.topic(topic, f"ROME {code}")
    for topic in sorted(infer_topics(codes.title)):
        guess.topic(topic, f"title word ({codes.title[:40]})")
    if codes.rome:
        guess.topic("career", f"ROME job code {codes.rome[0]}")
    if codes.certifying:
        guess.topic("career", "leads to a certification (certifiante)")
    for topic, reason in guess.topics.items():
        if topic in TOPIC_MISSIONS:
            guess.mission(TOPIC_MISSIONS[topic], f"topic {topic}: {reason}")
    if codes.format in ("online", "hybrid"):
        guess.mission("digital", f"taught {codes.format.replace('_', ' ')} (distance learning)")
    if not guess.missions:
        # LHEO is the exchange format of vocational training: when nothing else says more.
        guess.mission("workplace", "LHEO training offer (vocational training)")
    return guess
