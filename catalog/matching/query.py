"""A profile read against an index: the words, topics, ages and wishes the matcher ranks by.

Reading a profile is done once per ``match()``; what it yields (a ``Query``) answers, for any
offer of the index, "is it allowed?" and "how relevant is its content?". The bonuses that
depend on place, price, language and access live in ``catalog.matching.scoring``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum

from catalog.matching.filters import age_allows, child_ages_of, parent_like
from catalog.matching.index import CHILD_AGE_LIMIT, CatalogIndex, Facts
from catalog.matching.profile import Profile
from catalog.matching.text import (
    CHILD_TABLE,
    FORM_TABLE,
    FREE_TABLE,
    SYNONYM_GROUPS,
    SYNONYM_TABLE,
    TOPIC_TABLE,
    is_content,
    mentions_wheelchair,
    wants_free,
    word_pairs,
)

SIM_SYNONYM = 0.85  # a synonym counts a little less than the word itself
SIM_PHRASE_WORD = 0.6  # one word of a phrase, found alone
REASON_SIMILARITY = 0.7  # a match close enough to quote the citizen's word as a reason
INFERRED_TOPIC = 0.6  # a topic read in the text, not picked by the citizen
INFERRED_PARENTING = 0.35  # "my son" hints at family activities, but weakly
MAX_TEXT, MAX_WORDS = 1000, 40  # characters, then words (stop words included) read
UNKNOWN_WORD = 0.5  # weight of a word the catalogue never uses, relative to the rarest word
# Shares of relevance: topics picked (or only read in the text), the text, a child's age.
TOPIC_SHARE, INFERRED_TOPIC_SHARE, TEXT_SHARE, CHILD_SHARE = 0.4, 0.25, 0.6, 0.35


@dataclass(slots=True)
class Concept:
    """One thing the citizen wrote (a word or a phrase) and how well each offer says it."""

    label: str
    weight: float
    scores: dict[int, float] = field(default_factory=dict)
    expansions: dict[str, float] = field(default_factory=dict)  # catalogue word -> similarity
    weak: bool = False  # about the form ("atelier", "course"), not the subject


class Entry(IntEnum):
    """What a ranking heap entry stands for; at equal relevance, lower kinds come first."""

    OFFER = 0  # one offer, found by the citizen's words
    GROUP_FORM = 1  # the offers of an index group that say a form word ("atelier")
    GROUP_REST = 2  # the other offers of the group (found by a topic or a child's age alone)


@dataclass(slots=True)
class Relevance:
    """The offers a query finds, and how relevant (0..1) each is.

    ``singles``: offer position -> relevance, for the offers found by the citizen's words, one
    by one. ``groups``: ``(relevance bound, kind, group)`` for groups of the index (offers alike
    for topics and age range) found by a topic or a child's age alone; their offers share one
    relevance but for the form words they say, and ``members()`` lists them.
    """

    index: CatalogIndex
    total: float  # the sum of the shares of relevance in play
    text_share: float
    form_words: list[tuple[float, dict[int, float]]]  # (weight, offer position -> score)
    singles: dict[int, float] = field(default_factory=dict)
    groups: list[tuple[float, Entry, int]] = field(default_factory=list)
    base: dict[int, float] = field(default_factory=dict)  # group -> topic and child share
    form_members: dict[int, list[int]] = field(default_factory=dict)  # group -> positions

    def form(self, position: int) -> float:
        """The form words this offer says, weighted."""
        return sum(weight * scores.get(position, 0.0) for weight, scores in self.form_words)

    def members(self, kind: Entry, group: int) -> Iterator[tuple[int, float]]:
        """``(position, relevance)`` of the offers of a group entry.

        Offers with an entry of their own (found by their words) are not repeated.
        """
        if kind is Entry.GROUP_FORM:
            for position in sorted(self.form_members[group]):
                yield position, (self.base[group] + self.text_share * self.form(position)) / (
                    self.total
                )
            return
        relevance = self.base[group] / self.total
        skip = self.singles
        said = self.form_members.get(group, ())
        for position in self.index.members[group]:
            if position not in skip and position not in said:
                yield position, relevance


class Query:
    """Everything ``match()`` needs from one profile, resolved against one index."""

    def __init__(
        self,
        profile: Profile,
        index: CatalogIndex,
        today: date,
        relaxed: frozenset[str] = frozenset(),
    ) -> None:
        self.profile = profile
        self.relaxed = relaxed
        self.index = index
        self.today = today.toordinal()
        self.child_ages = child_ages_of(profile)
        self.parent = parent_like(profile, self.child_ages)
        self.wheelchair = mentions_wheelchair(profile.text)
        self.free = profile.free_only or wants_free(profile.text)
        self.explicit_topics = frozenset(profile.topics)
        self.topics: dict[str, float] = dict.fromkeys(self.explicit_topics, 1.0)
        self.concepts: list[Concept] = []
        self._seen: set[str] = set()
        self._fits: dict[tuple[int | None, int | None], float] = {}
        self._age_allows: dict[tuple[int | None, int | None], bool] = {}
        self._read_text(profile.text)
        self.text_weight = sum(concept.weight for concept in self.concepts)
        # A child's age is a need in itself: offers made for that age are relevant.
        self.has_need = self.text_weight > 0 or bool(self.topics) or bool(self.child_ages)
        # Words typed and none understood (emoji, an unknown script): nothing is "the best fit".
        self.text_unread = not self.has_need and any(char.isalnum() or not char.isspace()
                                                     for char in profile.text)

    def allows(self, facts: Facts) -> bool:
        """``allowed()`` for this profile, the age check done once per age range."""
        if facts.end is not None and facts.end < self.today:
            return False
        profile = self.profile
        if profile.free_only and facts.price is not None and facts.price > 0:
            return False
        if profile.online_only and not facts.online:
            return False
        ages = (facts.age_min, facts.age_max)
        fits = self._age_allows.get(ages)
        if fits is None:
            fits = self._age_allows[ages] = "age" in self.relaxed or age_allows(
                facts.age_min, facts.age_max, profile.age, self.child_ages
            )
        if not fits:
            return False
        # audience_allows(), inline: this runs for every offer considered.
        if facts.audiences and profile.situations and not facts.audiences & profile.situations:
            return "situations" in self.relaxed or (self.parent and facts.family)
        return True

    def _read_text(self, text: str) -> None:
        # A citizen's need is a sentence or two: longer input is cut, not searched word by word.
        pairs = word_pairs(text[:MAX_TEXT])[:MAX_WORDS]
        folded = [word for word, _ in pairs]
        for _, _, topics in TOPIC_TABLE.find(folded):
            for topic in topics:
                weight = INFERRED_PARENTING if topic == "parenting" else INFERRED_TOPIC
                self.topics[topic] = max(self.topics.get(topic, 0.0), weight)
        # Words about the form ("atelier") or the price ("gratuit") of an offer, not its subject.
        form = {
            i for table in (FORM_TABLE, FREE_TABLE)
            for start, end, _ in table.find(folded) for i in range(start, end)
        }
        covered: set[int] = set()
        if self.child_ages:
            # "mon fils", "my daughter" say who the learning is for (read as ages), not what.
            for start, end, _ in CHILD_TABLE.find(folded):
                covered.update(range(start, end))
        for start, end, groups in SYNONYM_TABLE.find(folded):
            if (end - start == 1 and not is_content(folded[start])) or covered.issuperset(
                range(start, end)
            ):
                continue
            span = [word for word in folded[start:end] if is_content(word)]
            label = " ".join(written for _, written in pairs[start:end])
            weak = all(i in form for i in range(start, end) if is_content(folded[i]))
            self._add_concept(label, span, groups, weak)
            covered.update(range(start, end))
        for position, (word, written) in enumerate(pairs):
            if position not in covered and is_content(word):
                self._add_concept(written, [word], set(), position in form)

    def _add_concept(self, label: str, span: list[str], groups: set[str], weak: bool) -> None:
        expansions: dict[str, float] = {}

        def add(term: str, scale: float, fuzzy: bool) -> None:
            for word, similarity in self.index.expand(term, fuzzy):
                if expansions.get(word, 0.0) < similarity * scale:
                    expansions[word] = similarity * scale

        key = " ".join(span)
        if not span or key in self._seen:
            return  # said twice counts once
        self._seen.add(key)
        add(key, 1.0, len(span) == 1)
        if len(span) > 1:
            for word in span:
                add(word, SIM_PHRASE_WORD, True)
        for group in sorted(groups):
            for member in SYNONYM_GROUPS[group]:
                add(member, SIM_SYNONYM, False)
        scores = self.index.scores(tuple(sorted(expansions.items())))
        if scores:
            self.concepts.append(
                Concept(label, self.index.idf(len(scores)), scores, expansions, weak)
            )
        elif key.isascii() and len(key) > 2:
            # A word no offer uses still counts: "cours de japonais" is not a match for every
            # course when no Japanese course exists. (Words in other scripts are not counted:
            # the catalogue is in French, it cannot be expected to use them.)
            self.concepts.append(Concept(label, UNKNOWN_WORD * self.index.idf(1)))

    def relevance(self) -> Relevance:
        """Relevance in 0..1 of the offers that say something asked for (see ``Relevance``)."""
        # Offers are found by the subject of the need; form words only help rank them (and
        # are looked up only for the offers found otherwise: they are the commonest words).
        subject = [c for c in self.concepts if not c.weak]
        alone = not subject and not self.topics and not self.child_ages
        form_words = [] if alone else [
            (c.weight / self.text_weight, c.scores) for c in self.concepts if c.weak
        ]
        text: dict[int, float] = {}
        for concept in self.concepts if alone else subject:
            weight = concept.weight / self.text_weight
            for position, value in concept.scores.items():
                text[position] = text.get(position, 0.0) + weight * value
        topic_share = (TOPIC_SHARE if self.explicit_topics else INFERRED_TOPIC_SHARE) * bool(
            self.topics
        )
        text_share = TEXT_SHARE if self.text_weight else 0.0
        child_share = CHILD_SHARE if self.child_ages else 0.0
        index = self.index
        wanted: set[int] = set()
        for topic in self.topics:
            wanted.update(index.topic_groups.get(topic, ()))
        for age in self.child_ages:
            wanted.update(index.child_groups.get(age, ()))
        result = Relevance(index, topic_share + text_share + child_share, text_share, form_words)
        base = result.base

        def group_base(group: int) -> float:
            value = base.get(group)
            if value is None:
                topics, low, high = index.groups[group]
                value = base[group] = (
                    topic_share * self.topic_score(topics) + child_share * self._fit(low, high)
                )
            return value

        total, form, singles = result.total, result.form, result.singles
        for position, value in text.items():
            singles[position] = (
                (group_base(index.group_of[position]) if wanted else 0.0)
                + text_share * (value + form(position))
            ) / total
        # A group's offers that say a form word rank above its others: they are visited first,
        # as a group entry of their own (Entry.GROUP_FORM), the others after (GROUP_REST).
        form_members = result.form_members
        if form_words and wanted:
            for position in set().union(*(scores for _, scores in form_words)):
                group = index.group_of[position]
                if group in wanted and position not in singles:
                    form_members.setdefault(group, []).append(position)
        form_bound = text_share * sum(weight for weight, _ in form_words)
        for group in wanted:
            value = group_base(group)
            if value:
                result.groups.append((value / total, Entry.GROUP_REST, group))
                if group in form_members:
                    result.groups.append(((value + form_bound) / total, Entry.GROUP_FORM, group))
        return result

    def child_fit(self, facts: Facts) -> float:
        """Share of the stated children a children's offer is for (0 for other offers)."""
        ages = (facts.age_min, facts.age_max)
        fit = self._fits.get(ages)
        if fit is None:
            fit = self._fits[ages] = self._fit(facts.age_min, facts.age_max)
        return fit

    def _fit(self, low: int | None, high: int | None) -> float:
        if not self.child_ages or high is None or high > CHILD_AGE_LIMIT:
            return 0.0
        low = low if low is not None else 0
        return sum(low <= age <= high for age in self.child_ages) / len(self.child_ages)

    def topic_score(self, topics: frozenset[str]) -> float:
        """How well an offer's topics cover the wanted ones; focused offers score higher."""
        matched = [self.topics[topic] for topic in topics if topic in self.topics]
        if not matched:
            return 0.0
        return max(matched) * (0.8 + 0.2 * len(matched) / len(topics))

    def matched_terms(self, position: int) -> list[tuple[str, list[str]]]:
        """What the citizen wrote that this offer says, most telling first (for the reasons):
        ``(as written, [catalogue words it matched here, closest first])``.

        Only close matches count (the word, its plural, stem, a synonym or a typo of it), so a
        reason never quotes a phrase that matched through one loose word.
        """
        postings = self.index.postings
        found = []
        for concept in self.concepts:
            terms = sorted(
                ((similarity, term) for term, similarity in concept.expansions.items()
                 if similarity >= REASON_SIMILARITY and position in postings[term]),
                key=lambda item: (-item[0], item[1]),
            )
            if terms:
                score = concept.scores.get(position, 0.0) * concept.weight
                found.append((score, concept.label, [term for _, term in terms]))
        return [(label, terms) for _, label, terms in sorted(found, key=lambda item: -item[0])]
