"""Synthetic but realistic catalogues for the benchmarks: ``generate(n, seed)`` -> offers.

Offers follow the catalogue conventions of the evaluation set: vocabulary codes, French titles
built from templates per topic, coordinates around neighbourhood centroids of Clermont-Ferrand,
age groups, prices (some not stated), formats, dates (some expired), about 30% translated into
English. Proper names (organisers, streets) grow the vocabulary with the catalogue, as in a real
one, so that word look-ups are not measured on an unrealistically small vocabulary.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from catalog.offer import LocalText, Offer

NEIGHBOURHOODS: dict[str, tuple[float, float]] = {
    "Centre-Jaude": (45.7772, 3.0822), "Saint-Jacques": (45.7660, 3.0915),
    "Croix-de-Neyrat": (45.7985, 3.0950), "Champratel": (45.7995, 3.0855),
    "Les Vergnes": (45.8065, 3.1160), "Saint-Alyre": (45.7845, 3.0830),
    "Les Cézeaux": (45.7590, 3.1110), "Montferrand": (45.7952, 3.1118),
    "La Gauthière": (45.8035, 3.1040), "Fontaine-du-Bac": (45.7625, 3.0960),
    "Oradou": (45.7700, 3.1050), "Les Salins": (45.7705, 3.0890),
    "La Glacière": (45.7800, 3.0700),
}
# topic -> (missions, title subjects, keywords, English subject)
TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]] = {
    "digital": (("digital", "inclusive"), ("informatique", "smartphone", "tablette",
                "bureautique", "internet", "programmation Python", "sécurité en ligne"),
                ("ordinateur", "numérique", "clavier", "souris", "applications", "e-mail"),
                "digital skills"),
    "languages": (("lifelong",), ("anglais", "espagnol", "allemand", "italien", "arabe",
                  "japonais", "portugais"), ("langue", "conversation", "oral", "grammaire"),
                  "languages"),
    "french": (("inclusive",), ("français langue étrangère", "FLE A1", "FLE B1",
               "français à l'oral"), ("FLE", "français", "alphabet", "vie quotidienne"),
               "French"),
    "literacy": (("inclusive",), ("lire et écrire", "remise à niveau", "calcul",
                 "aide aux devoirs"), ("savoirs de base", "orthographe", "lecture"),
                 "literacy"),
    "arts": (("lifelong",), ("dessin", "peinture", "théâtre", "photographie", "sculpture"),
             ("arts plastiques", "aquarelle", "scène", "créativité"), "arts"),
    "music": (("lifelong", "quality"), ("guitare", "piano", "chorale", "éveil musical",
              "percussions"), ("musique", "instrument", "chant", "solfège"), "music"),
    "reading": (("lifelong",), ("club de lecture", "heure du conte", "bébés lecteurs",
                "écriture créative"), ("livres", "romans", "médiathèque", "contes"),
                "reading"),
    "science": (("quality",), ("astronomie", "sciences pour tous", "robotique",
                "petits chimistes"), ("expériences", "chercheurs", "télescope"), "science"),
    "environment": (("lifelong", "family"), ("jardin partagé", "compostage", "zéro déchet",
                    "balade nature"), ("jardinage", "potager", "biodiversité", "tri"),
                    "environment"),
    "health": (("lifelong",), ("prévention santé", "atelier mémoire", "sommeil",
               "nutrition"), ("bien-être", "santé", "alimentation"), "health"),
    "sport": (("lifelong",), ("gym douce", "marche nordique", "yoga", "handisport",
              "natation"), ("sport", "équilibre", "activité physique"), "sport"),
    "parenting": (("family",), ("parents-enfants", "lieu d'accueil", "écrans en famille"),
                  ("parentalité", "enfants", "jeux", "écoute"), "parenting"),
    "career": (("workplace",), ("CV et lettre de motivation", "entretien d'embauche",
               "alternance", "CACES cariste", "orientation"), ("emploi", "recrutement",
               "candidature", "métier"), "jobs"),
    "entrepreneurship": (("workplace",), ("créer son entreprise", "micro-entreprise",
                         "business plan"), ("auto-entrepreneur", "financement", "statut"),
                         "starting a business"),
    "crafts": (("lifelong",), ("couture", "tricot", "repair café", "menuiserie",
               "impression 3D"), ("bricolage", "réparation", "fabrication"), "crafts"),
    "cooking": (("family",), ("cuisine petit budget", "cuisines du monde", "pâtisserie"),
                ("recettes", "cuisine", "repas"), "cooking"),
    "citizenship": (("inclusive",), ("démarches en ligne", "accès aux droits",
                    "naturalisation", "budget familial"), ("CAF", "impôts", "papiers",
                    "logement"), "citizenship"),
    "history": (("lifelong",), ("visite du patrimoine", "histoire de l'Auvergne",
                "Montferrand médiéval"), ("patrimoine", "visite guidée", "histoire"),
                "history"),
}
FORMS = ("Atelier", "Cours", "Initiation", "Club", "Stage", "Rencontres", "Permanence")
LEVELS = ("pour débutants", "niveau 2", "du soir", "en petit groupe", "intensif",
          "en famille", "pour tous", "")
AGES = ((None, None), (None, None), (None, None), (16, None), (18, None), (60, None),
        (3, 6), (6, 11), (11, 17), (16, 25), (0, 3))
FIRST = ("Julie", "Karim", "Léa", "Mehdi", "Chloé", "Yann", "Inès", "Hugo", "Sofia", "Nadia",
         "Paul", "Aïcha", "Olena", "Tomás", "Emre", "Joana", "Louis", "Camille")
LAST = ("Martin", "Bernard", "Moreau", "Fournier", "Girard", "Bonnet", "Mercier", "Blanc",
        "Chevalier", "Garnier", "Faure", "Rousseau", "Roux", "Vincent", "Fabre", "Brun")
STREETS = ("rue", "avenue", "boulevard", "place", "allée", "impasse")


def _word(rng: random.Random) -> str:
    """A made-up proper name (a street, a hamlet): the long tail of a real vocabulary."""
    syllables = ("ba", "ver", "lon", "mi", "cha", "tre", "gu", "rol", "fa", "nes", "di", "port")
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))).capitalize()


def generate(n: int, seed: int = 2026) -> list[Offer]:
    """``n`` offers, the same ones for the same seed."""
    rng = random.Random(seed)
    providers = [f"{rng.choice(('Association', 'Centre social', 'Médiathèque', 'Maison de quartier', 'Collectif'))} {_word(rng)}"  # noqa: E501
                 for _ in range(max(5, n // 25))]
    today = date(2026, 12, 1)
    topic_codes = list(TOPICS)
    offers: list[Offer] = []
    for number in range(n):
        topic = rng.choice(topic_codes)
        missions, subjects, keywords, english = TOPICS[topic]
        subject = rng.choice(subjects)
        level = rng.choice(LEVELS)
        title = " ".join(part for part in (rng.choice(FORMS), ":", subject, level) if part)
        extra_topic = rng.choice(topic_codes) if rng.random() < 0.3 else None
        age_min, age_max = rng.choice(AGES)
        neighbourhood = rng.choice(list(NEIGHBOURHOODS))
        lat, lon = NEIGHBOURHOODS[neighbourhood]
        offer_format = rng.choices(("in_person", "online", "hybrid"), (0.8, 0.12, 0.08))[0]
        placed = offer_format != "online"
        animator = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        description = (
            f"{subject.capitalize()} {level} avec {animator}. "
            f"{rng.choice(('Inscription sur place.', 'Matériel fourni.', 'Sans prérequis.'))} "
            f"Rendez-vous {rng.choice(STREETS)} {_word(rng)}, près de {_word(rng)}. "
            f"Mots clés : {', '.join(rng.sample(keywords, k=min(2, len(keywords))))}."
        )
        start = today + timedelta(days=rng.randint(-300, 120))
        end = start + timedelta(days=rng.randint(30, 400)) if rng.random() < 0.85 else None
        price = rng.choices((Decimal(0), None, Decimal(rng.choice((5, 10, 25, 60, 120, 300)))),
                            (0.6, 0.1, 0.3))[0]
        translated = rng.random() < 0.3
        offers.append(Offer(
            id=f"b-{number:06d}",
            title=title,
            description=description,
            translations={"en": LocalText(f"{english.capitalize()}: {subject}",
                                          f"A {english} session.")} if translated else {},
            provider=rng.choice(providers),
            missions=tuple(dict.fromkeys((*missions, "family" if age_max else "lifelong"))),
            topics=tuple(dict.fromkeys(t for t in (topic, extra_topic) if t)),
            keywords=tuple(rng.sample(keywords, k=min(3, len(keywords)))),
            audiences=tuple(rng.sample(("job_seeker", "newcomer", "retired", "parent",
                                        "student", "employee", "disability"), k=1))
            if rng.random() < 0.2 else (),
            age_min=age_min,
            age_max=age_max,
            price_eur=price,
            format=offer_format,
            languages=("fr", "en") if translated and rng.random() < 0.3 else ("fr",),
            neighbourhood=neighbourhood if placed else "",
            city="Clermont-Ferrand" if placed else "",
            latitude=lat + rng.uniform(-0.004, 0.004) if placed else None,
            longitude=lon + rng.uniform(-0.004, 0.004) if placed else None,
            schedule=rng.choice(("Mardi 14h-16h", "Mercredi 10h-12h", "Samedi matin",
                                 "Jeudi soir 18h-20h")),
            start_date=start,
            end_date=end,
            wheelchair_accessible=rng.choice((True, True, False, None)),
        ))
    return offers
