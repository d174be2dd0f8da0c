"""Sentence scores → one article score.

An article's stance is the relevance-weighted mean of its sentences' stances: sentences about
AI money move it, the rest barely do. Its relevance is the mean relevance of its sentences,
the share of the article that is about money in AI: a retail story with one sentence on
chips stays out of the index, an article about AI capex with some background stays in.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tracker.records import LABELS, ArticleScore, SentenceScore


def aggregate_sentences(sentences: Sequence[SentenceScore], model_version: str) -> ArticleScore:
    if not sentences:
        return ArticleScore(0.0, "neutral", 0.0, 0.0, (0.0, 1.0, 0.0), (), model_version)
    probs = np.array([s.probs for s in sentences], dtype=np.float64)
    relevance = np.array([s.relevance for s in sentences], dtype=np.float64)
    weights = relevance if relevance.sum() > 1e-9 else np.ones_like(relevance)
    article_probs = weights @ probs / weights.sum()
    best = int(article_probs.argmax())
    return ArticleScore(
        stance=float(article_probs[0] - article_probs[2]),
        label=LABELS[best],
        relevance=float(relevance.mean()),
        confidence=float(article_probs[best]),
        probs=(float(article_probs[0]), float(article_probs[1]), float(article_probs[2])),
        sentences=tuple(sentences),
        model_version=model_version,
    )
