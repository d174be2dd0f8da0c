"""The curated figure registry (`models/figures/registry.yaml`) and matching against it.

Each entry has a canonical name, a type (PER / ORG), aliases in German and English and,
optionally, `case_sensitive: true` for names that collide with common words ("Meta", "ARM",
"Fed"). `RegistryMatcher` finds every name and alias in raw text, including the forms German
builds from them: genitive "Nvidias", compounds "Nvidia-Chef", declined adjectives
"der Deutschen Bank".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from tracker.errors import ConfigError

TYPES = ("PER", "ORG")


@dataclass(frozen=True)
class RegistryEntry:
    name: str
    type: str
    aliases: tuple[str, ...]
    category: str
    case_sensitive: bool = False
    wikidata: str | None = None

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def surname(self) -> str | None:
        """The last word of a person's name ("Tusk"), used to resolve short mentions."""
        if self.type != "PER" or " " not in self.name:
            return None
        return self.name.split()[-1]


@dataclass(frozen=True)
class Registry:
    entries: tuple[RegistryEntry, ...]
    version: str

    def by_name(self) -> dict[str, RegistryEntry]:
        return {entry.name: entry for entry in self.entries}


def load_registry(path: Path) -> Registry:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the figure registry ({exc}).") from None
    try:
        # libyaml's loader when present: the registry is large and read on every run.
        doc = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}. Fix: check the entry there.") from None
    if not isinstance(doc, list):
        raise ConfigError(f"{path}: expected a list of entries ('- name: ...').")
    entries: list[RegistryEntry] = []
    owner: dict[str, str] = {}
    for number, item in enumerate(doc, start=1):
        where = f"{path}: entry {number}" + (
            f" ('{item.get('name')}')" if isinstance(item, dict) else ""
        )
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ConfigError(f"{where}: needs at least 'name' and 'type'.")
        if item.get("type") not in TYPES:
            raise ConfigError(f"{where}: 'type' must be PER or ORG, not {item.get('type')!r}.")
        aliases = item.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ConfigError(f"{where}: 'aliases' must be a list of names.")
        entry = RegistryEntry(
            name=item["name"].strip(),
            type=item["type"],
            aliases=tuple(a.strip() for a in aliases if a.strip()),
            category=str(item.get("category", "other")),
            case_sensitive=bool(item.get("case_sensitive", False)),
            wikidata=item.get("wikidata"),
        )
        for form in entry.forms:
            key = form.lower()
            if key in owner and owner[key] != entry.name:
                raise ConfigError(
                    f"{where}: '{form}' is already a name or alias of '{owner[key]}'. "
                    "Fix: keep each surface form under one entry only."
                )
            owner[key] = entry.name
        entries.append(entry)
    return Registry(tuple(entries), f"registry-{hashlib.sha256(raw).hexdigest()[:10]}")


@dataclass(frozen=True)
class RegistryMatch:
    entry: RegistryEntry
    start: int
    end: int
    surface: str


def _declined_variants(form: str) -> set[str]:
    """German forms of multi-word names: declension ('Deutsche Bank' → 'Deutschen Bank')
    and the hyphenated form German compounds take ('DZ-Bank-Analyst', 'Goldman-Sachs')."""
    words = form.split(" ")
    variants = {form}
    if len(words) > 1:
        declined = [w + "n" if w[:1].isupper() and w.endswith("e") else w for w in words[:-1]]
        variants.add(" ".join([*declined, words[-1]]))
        if all(w[:1].isupper() or w[:1].isdigit() for w in words):
            variants.add("-".join(words))
    return variants


class RegistryMatcher:
    """Finds registry names in raw text, longest match first, word-bounded."""

    # After a name: an optional possessive / genitive ending, then no further letter
    # (a hyphen may follow: "Nvidia-Chef").
    _TAIL = r"(?:'s|’s|s|')?(?![\w])"

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._lookup: dict[str, RegistryEntry] = {}
        exact: dict[str, RegistryEntry] = {}
        for entry in registry.entries:
            for form in entry.forms:
                for variant in _declined_variants(form):
                    if entry.case_sensitive:
                        exact[variant] = entry
                    else:
                        self._lookup.setdefault(variant.lower(), entry)
        self._exact = exact
        self._folded = self._compile(sorted(self._lookup, key=len, reverse=True), re.IGNORECASE)
        self._cased = self._compile(sorted(exact, key=len, reverse=True), 0)

    def _compile(self, forms: list[str], flags: int) -> re.Pattern[str] | None:
        if not forms:
            return None
        alternation = "|".join(re.escape(f) for f in forms)
        return re.compile(rf"(?<![\w.])(?P<name>{alternation}){self._TAIL}", flags)

    def find(self, text: str) -> list[RegistryMatch]:
        found: list[RegistryMatch] = []
        for pattern, table, fold in (
            (self._cased, self._exact, False),
            (self._folded, self._lookup, True),
        ):
            if pattern is None:
                continue
            for match in pattern.finditer(text):
                name = match.group("name")
                entry = table.get(name.lower() if fold else name)
                if entry is not None:
                    found.append(RegistryMatch(entry, match.start("name"), match.end("name"), name))
        return _drop_overlaps(found)


def _drop_overlaps(matches: list[RegistryMatch]) -> list[RegistryMatch]:
    """Keep the longest of overlapping matches (then the earliest)."""
    kept: list[RegistryMatch] = []
    for match in sorted(matches, key=lambda m: (-(m.end - m.start), m.start)):
        if all(match.end <= k.start or match.start >= k.end for k in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: m.start)
