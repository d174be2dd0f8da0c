"""Measure a scorer on the labelled data in `models/stance/data/`.

Everything here scores through the production path (`score_documents`: sentences,
passages, aggregation, the neutral rule), so the numbers are what `tracker score` does.
Used by `scripts/train_stance.py`, `scripts/evaluate_stance.py` (the model card and the
pinned `metrics.json`) and the quality-gate test.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from tracker.extract import make_document
from tracker.records import LABELS, SentenceScore
from tracker.score import Scorer, score_documents
from tracker.score.encoder import QUERY_PREFIX, Encoder

LANGS = ("de", "en")
PROBE_FILE = "probe.jsonl"  # the probe set: written after training, never trained on


@dataclass(frozen=True)
class Labelled:
    id: str
    text: str
    lang: str
    label: str  # a stance label, or "irrelevant" for the relevance set
    split: str
    hard_type: str | None = None
    register: str = ""


def labelled_files(data: Path) -> list[Path]:
    """The stance set, the relevance set and, where present, the probe set: items written
    after the model was trained, in split "probe", never trained or tuned on."""
    files = [data / "stance.jsonl", data / "relevance.jsonl"]
    probe = data / PROBE_FILE
    return [*files, probe] if probe.exists() else files


def load_labelled(data: Path, split: str) -> list[Labelled]:
    """The stance items and the relevance set's items of one split."""
    items = []
    for path in labelled_files(data):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["split"] == split:
                items.append(
                    Labelled(
                        row["id"],
                        row["text"],
                        row["lang"],
                        row.get("label", "irrelevant"),
                        split,
                        row.get("hard_type"),
                        row.get("register", row.get("topic", "")),
                    )
                )
    return items


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    relevance: float


def predict(scorer: Scorer, items: Sequence[Labelled]) -> list[Prediction]:
    documents = [make_document("", item.text, item.lang) for item in items]
    return [
        Prediction(s.label, s.confidence, s.relevance) for s in score_documents(scorer, documents)
    ]


def expected_calibration_error(
    confidence: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> float:
    """ECE over equal-width confidence bins: Σ (bin share) · |accuracy − mean confidence|."""
    conf = np.asarray(confidence, dtype=np.float64)
    hit = np.asarray(correct, dtype=np.float64)
    which = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)  # bin k: (k/b, (k+1)/b]
    total = 0.0
    for k in range(bins):
        inside = which == k
        if inside.any():
            total += inside.mean() * abs(hit[inside].mean() - conf[inside].mean())
    return float(total)


def stance_metrics(items: Sequence[Labelled], predictions: Sequence[Prediction]) -> dict[str, Any]:
    """Macro-F1 overall and per language, per-label precision/recall/F1, confusion
    matrices (rows = truth, columns = prediction, in LABELS order), ECE, hard-case accuracy."""
    pairs = [(i, p) for i, p in zip(items, predictions, strict=True) if i.label in LABELS]
    out: dict[str, Any] = {"n": len(pairs)}
    for lang in (None, *LANGS):
        chosen = [(i, p) for i, p in pairs if lang is None or i.lang == lang]
        truth = [i.label for i, _ in chosen]
        guess = [p.label for _, p in chosen]
        key = lang or "all"
        precision, recall, f1, support = precision_recall_fscore_support(
            truth, guess, labels=list(LABELS), zero_division=0
        )
        out[key] = {
            "n": len(chosen),
            "macro_f1": round(
                float(
                    f1_score(truth, guess, labels=list(LABELS), average="macro", zero_division=0)
                ),
                4,
            ),
            "accuracy": round(
                float(np.mean([t == g for t, g in zip(truth, guess, strict=True)])), 4
            ),
            "per_label": {
                label: {
                    "precision": round(float(precision[k]), 4),
                    "recall": round(float(recall[k]), 4),
                    "f1": round(float(f1[k]), 4),
                    "support": int(support[k]),
                }
                for k, label in enumerate(LABELS)
            },
            "confusion": confusion_matrix(truth, guess, labels=list(LABELS)).tolist(),
            "ece": round(
                expected_calibration_error(
                    [p.confidence for _, p in chosen],
                    [t == g for t, g in zip(truth, guess, strict=True)],
                ),
                4,
            ),
        }
    hard: dict[str, list[bool]] = {}
    for item, prediction in pairs:
        hard.setdefault(item.hard_type or "plain", []).append(item.label == prediction.label)
    out["accuracy_by_case"] = {
        case: {"n": len(hits), "accuracy": round(float(np.mean(hits)), 4)}
        for case, hits in sorted(hard.items())
    }
    return out


def relevance_metrics(
    items: Sequence[Labelled], predictions: Sequence[Prediction], threshold: float
) -> dict[str, float]:
    truth = [i.label != "irrelevant" for i in items]
    guess = [p.relevance >= threshold for p in predictions]
    return {
        "n": len(items),
        "f1": round(float(f1_score(truth, guess)), 4),
        "accuracy": round(float(np.mean([t == g for t, g in zip(truth, guess, strict=True)])), 4),
    }


class PrototypeScorer:
    """Zero-shot baseline: the plain e5 encoder (no adapter, no trained head) and the
    prototype statements in `models/stance/prototypes.yaml`. A text's class probabilities
    are a softmax over its mean cosine similarity to each class's prototypes (both
    languages). It has no notion of relevance, so every text counts as relevant."""

    neutral_below = 0.0
    model_version = "zero-shot-prototypes"

    def __init__(self, encoder: Encoder, prototypes: Path, temperature: float = 0.02) -> None:
        spec = yaml.safe_load(prototypes.read_text(encoding="utf-8"))
        self.encoder = encoder
        self.temperature = temperature
        self.centroids = np.stack(
            [
                encoder.embed([s for lang in LANGS for s in spec[label][lang]], QUERY_PREFIX)
                for label in LABELS
            ]
        )  # (3, k, dim)

    def score_sentences(self, texts: Sequence[str], on_progress: Any = None) -> list[SentenceScore]:
        if not texts:
            return []
        embeddings = self.encoder.embed(texts, QUERY_PREFIX)
        similarity = np.einsum("nd,ckd->nc", embeddings, self.centroids) / self.centroids.shape[1]
        logits = similarity / self.temperature
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        return [
            SentenceScore(t, float(p[0] - p[2]), 1.0, (float(p[0]), float(p[1]), float(p[2])))
            for t, p in zip(texts, probs, strict=True)
        ]


def label_counts(items: Sequence[Labelled]) -> dict[str, dict[str, int]]:
    return {lang: dict(Counter(i.label for i in items if i.lang == lang)) for lang in LANGS}
