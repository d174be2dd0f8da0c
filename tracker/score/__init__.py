"""Score stage: documents → per-sentence and per-article stance, relevance and confidence.

Two scorers share one interface (`Scorer`): `E5Scorer`, the multilingual transformer with
the project's trained heads (default), and `LexiconScorer`, the keyword baseline. Every
sentence and passage of every document is scored, all in one batched pass;
`aggregate_sentences` makes the article score.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from tracker.config import Settings
from tracker.errors import ConfigError
from tracker.records import ArticleScore, Document, SentenceScore
from tracker.score.article import aggregate_sentences
from tracker.score.head import StanceHead, head_version
from tracker.score.lexicon import Lexicon, LexiconScorer
from tracker.score.runtime import encoder_name

if TYPE_CHECKING:  # the encoder imports torch and transformers: only when a model loads
    from tracker.score.encoder import Encoder

__all__ = [
    "SCORERS",
    "E5Scorer",
    "LexiconScorer",
    "Scorer",
    "aggregate_sentences",
    "load_scorer",
    "model_version",
    "score_documents",
]

SCORERS = ("e5", "lexicon")


class Scorer(Protocol):
    model_version: str
    neutral_below: float  # see tracker.score.article.decide

    def score_sentences(
        self, texts: Sequence[str], on_progress: Callable[[int], None] | None = None
    ) -> list[SentenceScore]: ...


class E5Scorer:
    """multilingual-e5-small sentence embeddings → the trained stance and relevance heads."""

    def __init__(self, encoder: Encoder, head: StanceHead) -> None:
        self.encoder = encoder
        self.head = head
        self.model_version = f"{encoder.name}+{head.version}"
        self.neutral_below = head.neutral_below

    def score_sentences(
        self, texts: Sequence[str], on_progress: Callable[[int], None] | None = None
    ) -> list[SentenceScore]:
        if not texts:
            return []
        embeddings = self.encoder.embed(texts, prefix=self.head.prefix, on_batch=on_progress)
        probs, relevance = self.head.predict(embeddings)
        return [
            SentenceScore(
                text=text,
                stance=float(p[0] - p[2]),
                relevance=float(r),
                probs=(float(p[0]), float(p[1]), float(p[2])),
            )
            for text, p, r in zip(texts, probs, relevance, strict=True)
        ]


def _check(settings: Settings) -> None:
    if settings.scorer not in SCORERS:
        raise ConfigError(
            f"unknown scorer {settings.scorer!r}. Fix: use one of {', '.join(SCORERS)}."
        )


def model_version(settings: Settings) -> str:
    """The version string the configured scorer writes, known without loading the model."""
    _check(settings)
    if settings.scorer == "lexicon":
        return Lexicon.load(settings.models_dir / "lexicon" / "lexicon.yaml").version
    encoder = encoder_name(settings.encoder, settings.precision)
    return f"{encoder}+{head_version(settings.models_dir / 'stance')}"


def load_scorer(settings: Settings) -> Scorer:
    _check(settings)
    if settings.scorer == "lexicon":
        return LexiconScorer(Lexicon.load(settings.models_dir / "lexicon" / "lexicon.yaml"))
    from tracker.score.encoder import Encoder, set_threads

    head = StanceHead.load(settings.models_dir / "stance")
    set_threads(settings.threads)
    encoder = Encoder.load(settings.encoder, settings.cache_dir, head.adapter, settings.precision)
    return E5Scorer(encoder, head)


def score_documents(
    scorer: Scorer,
    documents: Sequence[Document],
    on_progress: Callable[[int], None] | None = None,
) -> list[ArticleScore]:
    """Score every sentence and passage of every document in one pass (`Document.units`),
    then aggregate per document."""
    units = [doc.units() for doc in documents]
    scores = scorer.score_sentences([text for texts in units for text in texts], on_progress)
    results, position = [], 0
    for doc, texts in zip(documents, units, strict=True):
        by_text = dict(zip(texts, scores[position : position + len(texts)], strict=True))
        position += len(texts)
        results.append(
            aggregate_sentences(
                [by_text[s.text] for s in doc.sentences],
                scorer.model_version,
                passages=[by_text[p.text] for p in doc.passages],
                neutral_below=scorer.neutral_below,
            )
        )
    return results
