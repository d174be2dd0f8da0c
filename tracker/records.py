"""The records passed between pipeline stages, defined once.

collect → `CollectedItem`; extract → `Document` (language, sentences); score →
`SentenceScore` / `ArticleScore`; figures → `FigureMention` / `Figure`. Storage turns them into
rows and back; nothing else passes dicts around.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path


class SourceKind(StrEnum):
    NEWS = "news"  # an RSS / Atom feed of articles
    PODCAST = "podcast"  # an RSS feed of podcast episodes
    TRANSCRIPTS = "transcripts"  # a local folder of transcript files (TV, radio, podcasts)


class ItemKind(StrEnum):
    ARTICLE = "article"
    EPISODE = "episode"  # a podcast episode (show notes, later its transcript)
    TRANSCRIPT = "transcript"


LANGUAGES = ("de", "en")
LABELS = ("fomo", "neutral", "overspend")


@dataclass(frozen=True)
class Source:
    """One entry of feeds.yaml, validated."""

    name: str
    kind: SourceKind
    language: str  # "de", "en" or "auto"
    url: str | None = None  # http(s) feed address
    path: Path | None = None  # local feed file or transcript folder
    tags: tuple[str, ...] = ()

    @property
    def location(self) -> str:
        return self.url if self.url is not None else str(self.path)


class TextSource(StrEnum):
    """Where an item's stored text came from."""

    FEED = "feed"  # the feed's own content or summary
    PAGE = "page"  # the main text of the linked article page
    TRANSCRIPT = "transcript"  # a transcript the podcast feed links to
    FILE = "file"  # a local transcript file


@dataclass(frozen=True)
class TranscriptLink:
    """A `<podcast:transcript>` offered by an episode."""

    url: str
    format: str  # one of tracker.collect.transcripts.FORMATS
    language: str | None = None


@dataclass(frozen=True)
class CollectedItem:
    """An item as a collector found it, before language detection and scoring."""

    source: str
    kind: ItemKind
    item_id: str  # stable: derived from the canonical URL (or the guid / file path)
    url: str | None
    title: str
    body: str  # as the source gave it: HTML when body_is_html, else plain text
    body_is_html: bool
    published: datetime | None  # UTC; None when the source gives no usable date
    language_hint: str  # the source's declared language, or "auto"
    text_source: TextSource = TextSource.FEED
    author: str | None = None
    transcripts: tuple[TranscriptLink, ...] = ()  # podcast episodes: offered transcripts


@dataclass(frozen=True)
class StoredItem:
    """An item as the database keeps it: clean text, detected language, content hash."""

    item_id: str
    source: str
    kind: ItemKind
    url: str | None
    title: str
    text: str  # the body, clean; the scored document is title + blank line + body
    lang: str
    published: datetime | None
    fetched: datetime
    content_hash: str
    text_source: TextSource = TextSource.FEED
    author: str | None = None


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # character offsets into Document.text
    end: int


@dataclass(frozen=True)
class Document:
    """The text that is scored: title and body joined, split into sentences, and the
    sentences grouped into passages (consecutive sentences of one paragraph, a few dozen
    words): the units whose scores make the article score, so that a sentence is read
    with its neighbours ("Sure, it will pay off. Nobody says when.")."""

    text: str
    lang: str  # ISO 639-1 code as detected ("de", "en", "fr", ...)
    sentences: tuple[Sentence, ...]
    passages: tuple[Sentence, ...] = ()

    def units(self) -> list[str]:
        """The texts to score: every sentence, then every passage that is not a sentence."""
        sentences = [s.text for s in self.sentences]
        known = set(sentences)
        return sentences + [p.text for p in self.passages if p.text not in known]


@dataclass(frozen=True)
class SentenceScore:
    text: str
    stance: float  # p_fomo - p_overspend, in [-1, 1]
    relevance: float  # probability that the sentence is about money in AI
    probs: tuple[float, float, float]  # fomo, neutral, overspend


@dataclass(frozen=True)
class ArticleScore:
    stance: float  # relevance-weighted mean of sentence stances, in [-1, 1]
    label: str  # fomo | neutral | overspend
    relevance: float
    confidence: float
    probs: tuple[float, float, float]
    sentences: tuple[SentenceScore, ...]
    model_version: str

    def drivers(self, n: int = 3) -> list[tuple[int, SentenceScore]]:
        """The sentences that moved the article score most, with their index."""
        ranked = sorted(
            enumerate(self.sentences),
            key=lambda pair: pair[1].relevance * abs(pair[1].stance),
            reverse=True,
        )
        return [pair for pair in ranked[:n] if pair[1].relevance * abs(pair[1].stance) > 0]


@dataclass(frozen=True)
class FigureMention:
    name: str  # canonical name, or the surface form for names outside the registry
    type: str  # PER | ORG
    surface: str
    start: int
    end: int
    in_registry: bool


@dataclass(frozen=True)
class Figure:
    name: str
    type: str
    mentions: int
    in_registry: bool
    surfaces: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class SourceReport:
    """What one source gave in one run."""

    source: str
    status: str  # ok | not_modified | failed
    items_seen: int = 0
    items_new: int = 0
    items_updated: int = 0
    error: str | None = None
    http_status: int | None = None
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    items_other_lang: int = 0  # new items neither German nor English: stored, not scored
    pages_fetched: int = 0  # article pages and transcripts fetched for new items
