"""Why an offer was proposed: short, true, translatable sentences.

A ``Reason`` keeps an English msgid and its parameters, not a sentence, so that the same match
is explained in each citizen's language. A parameter's name says how its value is rendered:
``topic``/``mission``/``audience`` values are vocabulary codes shown by their translated label,
``km`` is a number written the locale's way, anything else is shown as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.core import UnknownLocaleError
from babel.numbers import format_decimal

from catalog.i18n import N_, Translator
from catalog.vocabulary import AUDIENCES, MISSIONS, TOPICS

INTEREST = N_("Matches your interest: {topic}")
WORDS = N_("Matches “{words}”")
FREE = N_("Free")
PRICE_UNKNOWN = N_("Price not stated")
DISTANCE = N_("{km} km away")
ONLINE = N_("Online")
HYBRID = N_("In person or online")
AGES = N_("For ages {min}-{max}")
AGES_FROM = N_("From age {min}")
AGES_UP_TO = N_("Up to age {max}")
FAMILIES = N_("For families")
WHEELCHAIR = N_("Wheelchair accessible")
TAUGHT_IN_LANGUAGE = N_("Taught in your language")
DESCRIBED_IN_LANGUAGE = N_("Described in your language")
# One sentence per audience: "For job seekers" reads better than "For: Job seeker".
FOR_AUDIENCE: dict[str, str] = {
    "student": N_("For students"),
    "job_seeker": N_("For job seekers"),
    "employee": N_("For employees"),
    "parent": N_("For parents"),
    "retired": N_("For retired people"),
    "newcomer": N_("For newcomers to France"),
    "disability": N_("For people with a disability"),
}
_LABELS: dict[str, dict[str, str]] = {"topic": TOPICS, "mission": MISSIONS, "audience": AUDIENCES}


@dataclass(frozen=True, slots=True)
class Reason:
    """A short, true, translatable reason; ``msgid`` is an English ``N_()``-marked string."""

    msgid: str
    params: tuple[tuple[str, str], ...] = ()

    def text(self, tr: Translator) -> str:
        """The sentence in ``tr``'s language, vocabulary labels and numbers included."""
        values: dict[str, str] = {}
        for name, value in self.params:
            labels = _LABELS.get(name)
            if labels is not None:
                values[name] = tr.gettext(labels.get(value, value))
            elif name == "km":
                try:
                    values[name] = format_decimal(float(value), format="#,##0.0",
                                                  locale=tr.locale)
                except (UnknownLocaleError, ValueError):
                    values[name] = value
            else:
                values[name] = value
        try:
            return tr.gettext(self.msgid).format_map(values)
        except (KeyError, IndexError, ValueError):
            # A broken translation must not break the answer: fall back to the English text.
            return self.msgid.format_map(values)


def age_reason(age_min: int | None, age_max: int | None) -> Reason | None:
    """"For ages 4-10", "From age 60" or "Up to age 6"; nothing for an offer without bounds."""
    if age_min is not None and age_max is not None:
        return Reason(AGES, (("min", str(age_min)), ("max", str(age_max))))
    if age_min is not None:
        return Reason(AGES_FROM, (("min", str(age_min)),))
    if age_max is not None:
        return Reason(AGES_UP_TO, (("max", str(age_max)),))
    return None
