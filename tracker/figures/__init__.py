"""Figures stage: documents → the people and organisations they mention, canonically named.

English goes through spaCy with the registry as entity ruler (`english.py`); German through
the registry matcher and German rules (`german.py`); other languages through the registry
only. Then one resolution step for all: a surname alone ("Tusk", "Altman") counts for the
full name mentioned earlier in the same text, and registry names win over overlapping
guesses.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from tracker.figures.first_names import given_names
from tracker.figures.german import german_rule_mentions
from tracker.figures.registry import Registry, RegistryMatcher, load_registry
from tracker.records import Document, Figure, FigureMention

__all__ = ["FigureExtractor", "extractor_version", "load_registry", "summarize"]

# Bump when the extraction code changes what it finds; stored with every mention.
EXTRACTOR_VERSION = "3"


def extractor_version(models_dir: Path) -> str:
    """The version the extractor built from `models_dir` stores with its mentions (reads
    the registry only; loads no pipeline)."""
    return _version(load_registry(models_dir / "figures" / "registry.yaml"))


def _version(registry: Registry) -> str:
    return f"figures-{EXTRACTOR_VERSION}+{registry.version}"


class FigureExtractor:
    """`german_given_names`: also find German-text names by a known given name (see
    `first_names.py`), not only by role words and legal forms."""

    def __init__(self, registry: Registry, german_given_names: bool = True) -> None:
        self.registry = registry
        self.version = _version(registry) + ("" if german_given_names else "-roles-only")
        self._given = given_names() if german_given_names else frozenset()
        self._surnames = registry_surnames(registry)
        self._matcher = RegistryMatcher(registry)
        from tracker.figures.english import EnglishFigures  # spaCy: only when extracting

        self._english = EnglishFigures(registry)

    @classmethod
    def from_models(cls, models_dir: Path, german_given_names: bool = True) -> FigureExtractor:
        return cls(load_registry(models_dir / "figures" / "registry.yaml"), german_given_names)

    def extract(self, documents: Sequence[Document]) -> list[list[FigureMention]]:
        """The resolved mentions of each document, in text order."""
        results: list[list[FigureMention]] = [[] for _ in documents]
        english = [i for i, doc in enumerate(documents) if doc.lang == "en"]
        for i, mentions in zip(
            english, self._english.extract_many(documents[i].text for i in english), strict=True
        ):
            results[i] = mentions
        for i, doc in enumerate(documents):
            if doc.lang == "en":
                continue
            registry = [
                FigureMention(m.entry.name, m.entry.type, m.surface, m.start, m.end, True)
                for m in self._matcher.find(doc.text)
            ]
            rules = german_rule_mentions(doc.text, self._given) if doc.lang == "de" else []
            results[i] = registry + rules
        return [
            resolve(doc.text, mentions, self._surnames)
            for doc, mentions in zip(documents, results, strict=True)
        ]


# Speaker labels of transcripts ("<v Guest>", "Moderator:"): roles, not people.
_ROLE_LABELS = frozenset(
    {
        "Guest",
        "Host",
        "Moderator",
        "Moderatorin",
        "Speaker",
        "Sprecher",
        "Sprecherin",
        "Interviewer",
        "Interviewerin",
        "Gast",
        "Anchor",
        "Reporter",
        "Reporterin",
        "Caller",
    }
)
# Last words that make a name an organisation, whatever a tagger guessed.
_ORG_LAST_WORDS = frozenset(
    {
        "Labs",
        "AI",
        "Capital",
        "Partners",
        "Systems",
        "Inc.",
        "Inc",
        "Corp.",
        "Corp",
        "Group",
        "Holdings",
        "Technologies",
        "Ventures",
        "Bank",
        "GmbH",
        "AG",
        "SE",
        "LLC",
        "Ltd",
        "Ltd.",
        "plc",
        "Research",
        "Securities",
        "Management",
        "Advisors",
        "Fund",
    }
)
# Registry surnames that are also common words or common surnames: alone, they are
# nobody in particular ("Klein", "Cook", "Wang").
_AMBIGUOUS_SURNAMES = frozenset(
    {
        "Klein",
        "Busch",
        "Mensch",
        "Nagel",
        "Hood",
        "Marks",
        "Son",
        "Cook",
        "Wood",
        "Page",
        "Fink",
        "Dell",
        "Sacks",
        "Haas",
        "Reiche",
        "Blume",
        "Bruch",
        "Solomon",
        "Marcus",
        "Bailey",
        "Gomez",
        "Hoffman",
        "Horowitz",
        "Tan",
        "Wang",
        "Wei",
        "Amon",
        "Reil",
        "Trump",
    }
)


def registry_surnames(registry: Registry) -> dict[str, FigureMention]:
    """Surnames that name one registry person even before (or without) the full name:
    "Lutnick: US-Handelsministerium will ..." is Howard Lutnick."""
    by_surname: defaultdict[str, list[str]] = defaultdict(list)
    for entry in registry.entries:
        if entry.surname:
            by_surname[entry.surname].append(entry.name)
    return {
        surname: FigureMention(names[0], "PER", surname, 0, 0, True)
        for surname, names in by_surname.items()
        if len(names) == 1 and len(surname) >= 4 and surname not in _AMBIGUOUS_SURNAMES
    }


def resolve(
    text: str,
    mentions: list[FigureMention],
    known_surnames: dict[str, FigureMention] | None = None,
) -> list[FigureMention]:
    """Drop overlaps (registry first, then longer), map aliases and surnames to full names:
    a full name earlier in the text wins; else a registry person's distinctive surname
    (`known_surnames`) counts for that person."""
    kept: list[FigureMention] = []
    mentions = [m for m in mentions if m.in_registry or m.name not in _ROLE_LABELS]
    ranked = sorted(mentions, key=lambda m: (not m.in_registry, -(m.end - m.start), m.start))
    for mention in ranked:
        if all(mention.end <= k.start or mention.start >= k.end for k in kept):
            kept.append(mention)
    kept.sort(key=lambda m: m.start)

    # Full person names seen so far, by surname; then single-word person mentions and bare
    # surnames after that point count for the full name.
    resolved: list[FigureMention] = []
    full_names: dict[str, FigureMention] = {}
    known = known_surnames or {}
    for mention in kept:
        words = mention.name.split()
        if not mention.in_registry and mention.type == "PER" and words[-1] in _ORG_LAST_WORDS:
            mention = dataclasses.replace(mention, type="ORG")  # "Kaveri Labs", "Quelltext GmbH"
        # A single word that is the surname of a person named before (or of a registry
        # person) is that person, whatever type a statistical tagger guessed ("Whitlock").
        single = len(words) == 1 and (mention.type == "PER" or not mention.in_registry)
        if single and (mention.name in full_names or mention.name in known):
            full = full_names.get(mention.name) or known[mention.name]
            mention = FigureMention(
                full.name, "PER", mention.surface, mention.start, mention.end, full.in_registry
            )
        elif mention.type == "PER" and len(words) > 1:
            full_names.setdefault(words[-1], mention)
        resolved.append(mention)
    return _add_bare_surnames(text, resolved, full_names, known)


def _add_bare_surnames(
    text: str,
    mentions: list[FigureMention],
    full_names: dict[str, FigureMention],
    known: dict[str, FigureMention],
) -> list[FigureMention]:
    # Surnames of people in this text, then distinctive registry surnames (anywhere).
    candidates = {**known, **full_names}
    if not candidates:
        return mentions
    first_seen: dict[str, int] = {}
    for mention in mentions:
        if mention.type == "PER" and len(mention.name.split()) > 1:
            first_seen.setdefault(mention.name, mention.end)
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(map(re.escape, candidates)) + r")(?:s|'s|’s)?(?![\w])"
    )
    added = []
    for match in pattern.finditer(text):
        surname = match.group(1)
        full = candidates[surname]
        start, end = match.start(1), match.end(1)
        if surname in full_names and start < first_seen.get(full.name, len(text)):
            if surname not in known:
                continue  # only after the full name was introduced
            full = known[surname]
        if any(not (end <= m.start or start >= m.end) for m in mentions):
            continue
        added.append(FigureMention(full.name, "PER", match.group(1), start, end, full.in_registry))
    return sorted(mentions + added, key=lambda m: m.start)


def summarize(mentions: Sequence[FigureMention]) -> list[Figure]:
    """One `Figure` per canonical name, most-mentioned first."""
    counts: Counter[tuple[str, str]] = Counter()
    surfaces: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    registry: dict[tuple[str, str], bool] = {}
    for mention in mentions:
        key = (mention.name, mention.type)
        counts[key] += 1
        registry[key] = registry.get(key, False) or mention.in_registry
        if mention.surface not in surfaces[key]:
            surfaces[key].append(mention.surface)
    return [
        Figure(name, type_, n, registry[(name, type_)], tuple(surfaces[(name, type_)]))
        for (name, type_), n in counts.most_common()
    ]
