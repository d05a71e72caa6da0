"""The stable codes of the catalogue (missions, topics, audiences) and their labels.

Codes never change: files, deep links and statistics rely on them. Labels are English msgids,
translated through gettext like every other user-facing string.
"""

from __future__ import annotations

from catalog.i18n import N_

# The six missions of a UNESCO learning city.
MISSIONS: dict[str, str] = {
    "inclusive": N_("Inclusive learning, from basic to higher education"),
    "family": N_("Learning in families and communities"),
    "workplace": N_("Learning for and in the workplace"),
    "digital": N_("Modern learning technologies"),
    "quality": N_("Quality and excellence in learning"),
    "lifelong": N_("A culture of learning throughout life"),
}

TOPICS: dict[str, str] = {
    "digital": N_("Digital skills"),
    "languages": N_("Foreign languages"),
    "french": N_("French for newcomers"),
    "literacy": N_("Reading, writing, basic maths"),
    "arts": N_("Arts"),
    "music": N_("Music"),
    "reading": N_("Books and reading"),
    "science": N_("Science"),
    "environment": N_("Environment"),
    "health": N_("Health and well-being"),
    "sport": N_("Sport"),
    "parenting": N_("Parenting"),
    "career": N_("Jobs and training"),
    "entrepreneurship": N_("Starting a business"),
    "crafts": N_("Crafts and making"),
    "cooking": N_("Cooking"),
    "citizenship": N_("Citizenship and everyday procedures"),
    "history": N_("History and heritage"),
}

# Situations of the citizen; an offer's audiences restrict who it is for.
AUDIENCES: dict[str, str] = {
    "student": N_("Student"),
    "job_seeker": N_("Job seeker"),
    "employee": N_("Employee"),
    "parent": N_("Parent"),
    "retired": N_("Retired"),
    "newcomer": N_("New in France"),
    "disability": N_("Need adapted access"),
}

# Situations that are sensitive data (GDPR art. 9 or close): never required, always skippable.
SENSITIVE_AUDIENCES: frozenset[str] = frozenset({"disability", "newcomer"})

FORMATS: tuple[str, ...] = ("in_person", "online", "hybrid")
FORMAT_LABELS: dict[str, str] = {
    "in_person": N_("In person"),
    "online": N_("Online"),
    "hybrid": N_("In person or online"),
}
