"""Sentence and passage scores → one article score.

An article's stance comes from its passages (consecutive sentences of a paragraph, read
together): the relevance-weighted mean of their class probabilities, so passages about AI
money move it and the rest barely do. Its relevance is the mean relevance of its sentences,
the share of the article that is about money in AI: a retail story with one sentence on
chips stays out of the index, an article about AI capex with some background stays in.

The label is the most probable class, except that a lean too weak or too mixed to trust
(neither fomo nor overspend reaches `neutral_below`, chosen on the dev split) is `neutral`.
`confidence` is the probability of the chosen label; for `neutral` that is the probability
of no clear lean, 1 − max(P(fomo), P(overspend)).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tracker.records import LABELS, ArticleScore, SentenceScore

FOMO, NEUTRAL, OVERSPEND = range(3)


def aggregate_sentences(
    sentences: Sequence[SentenceScore],
    model_version: str,
    *,
    passages: Sequence[SentenceScore] = (),
    neutral_below: float = 0.0,
) -> ArticleScore:
    """The article score; without `passages` the sentences are the units."""
    units = passages or sentences
    if not units:
        return ArticleScore(0.0, "neutral", 0.0, 1.0, (0.0, 1.0, 0.0), (), model_version)
    probs = np.array([s.probs for s in units], dtype=np.float64)
    weights = np.array([s.relevance for s in units], dtype=np.float64)
    if weights.sum() <= 1e-9:
        weights = np.ones_like(weights)
    article_probs = weights @ probs / weights.sum()
    best = decide(article_probs, neutral_below)
    relevance = np.mean([s.relevance for s in sentences or units])
    return ArticleScore(
        stance=float(article_probs[FOMO] - article_probs[OVERSPEND]),
        label=LABELS[best],
        relevance=float(relevance),
        confidence=float(confidence(article_probs, best)),
        probs=(float(article_probs[0]), float(article_probs[1]), float(article_probs[2])),
        sentences=tuple(sentences),
        model_version=model_version,
    )


def decide(probs: np.ndarray, neutral_below: float) -> int:
    """The label index for class probabilities (fomo, neutral, overspend)."""
    best = int(probs.argmax())
    if best != NEUTRAL and probs[best] < neutral_below:
        return NEUTRAL
    return best


def confidence(probs: np.ndarray, label: int) -> float:
    if label == NEUTRAL:
        return float(1.0 - max(probs[FOMO], probs[OVERSPEND]))
    return float(probs[label])
