"""Keyword-lexicon scorer: fast, transparent, no model (`--scorer lexicon`).

Counts FOMO and overspending terms from `models/lexicon/lexicon.yaml` in each sentence,
flipping a term with a negator close by; relevance needs both an AI term and a money
term. It is the keyword baseline the transformer scorer is measured against, and a usable
fallback on machines that cannot run the encoder.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from tracker.errors import ModelError
from tracker.records import SentenceScore

_NEGATION_WINDOW = 3  # words around a term in which a negator flips it
_WORD = re.compile(r"[\w'’-]+")


def _pattern(terms: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + "|".join(terms) + ")", re.IGNORECASE)


@dataclass(frozen=True)
class Lexicon:
    fomo: re.Pattern[str]
    overspend: re.Pattern[str]
    ai: re.Pattern[str]
    money: re.Pattern[str]
    negators: frozenset[str]
    version: str

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        try:
            raw = path.read_bytes()
            doc = yaml.safe_load(raw)
            return cls(
                fomo=_pattern(doc["fomo"]["en"] + doc["fomo"]["de"]),
                overspend=_pattern(doc["overspend"]["en"] + doc["overspend"]["de"]),
                ai=_pattern(doc["ai"]),
                money=_pattern(doc["money"]),
                negators=frozenset(w.lower() for lang in doc["negators"].values() for w in lang),
                version=f"lexicon-{hashlib.sha256(raw).hexdigest()[:10]}",
            )
        except (OSError, KeyError, TypeError, yaml.YAMLError, re.error) as exc:
            raise ModelError(
                f"{path}: cannot load the lexicon ({exc}). Fix: restore it from the repository."
            ) from None


class LexiconScorer:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.model_version = lexicon.version
        self.neutral_below = 0.0

    def score_sentences(
        self, texts: Sequence[str], on_progress: Callable[[int], None] | None = None
    ) -> list[SentenceScore]:
        scores = [self._score(text) for text in texts]
        if on_progress is not None:
            on_progress(len(texts))
        return scores

    def _score(self, text: str) -> SentenceScore:
        fomo = self._count(self.lexicon.fomo, text)
        over = self._count(self.lexicon.overspend, text)
        # A negated term counts for the other side: "keine Blase" is a FOMO statement.
        fomo_total, over_total = fomo[0] + over[1], over[0] + fomo[1]
        total = fomo_total + over_total + 1.0
        probs = (fomo_total / total, 1.0 / total, over_total / total)
        has_ai = bool(self.lexicon.ai.search(text))
        has_money = bool(self.lexicon.money.search(text))
        relevance = 0.9 if has_ai and has_money else 0.4 if has_ai else 0.05
        return SentenceScore(text, probs[0] - probs[2], relevance, probs)

    def _count(self, pattern: re.Pattern[str], text: str) -> tuple[float, float]:
        """(plain hits, negated hits) of `pattern` in `text`."""
        plain = negated = 0.0
        for match in pattern.finditer(text):
            # Before the term ("no bubble") or, as German often has it, after it
            # ("von einer Blase kann keine Rede sein").
            before = _WORD.findall(text[: match.start()])[-_NEGATION_WINDOW:]
            after = _WORD.findall(text[match.end() :])[:_NEGATION_WINDOW]
            if any(word.lower() in self.lexicon.negators for word in before + after):
                negated += 1
            else:
                plain += 1
        return plain, negated
