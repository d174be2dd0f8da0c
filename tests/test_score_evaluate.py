import numpy as np
import pytest

from tracker.extract import make_document
from tracker.records import SentenceScore
from tracker.score.article import aggregate_sentences, decide
from tracker.score.evaluate import Labelled, Prediction, expected_calibration_error, stance_metrics


def test_ece_is_zero_when_confidence_matches_accuracy() -> None:
    confidence = [0.8] * 10
    correct = [True] * 8 + [False] * 2
    assert expected_calibration_error(confidence, correct) == pytest.approx(0.0)


def test_ece_measures_overconfidence() -> None:
    # always 95 % sure, right half the time: off by 0.45
    assert expected_calibration_error([0.95] * 4, [True, False, True, False]) == pytest.approx(0.45)


def test_a_weak_or_mixed_lean_is_neutral() -> None:
    assert decide(np.array([0.45, 0.10, 0.45]), 0.5) == 1  # mixed
    assert decide(np.array([0.48, 0.30, 0.22]), 0.5) == 1  # weak
    assert decide(np.array([0.62, 0.30, 0.08]), 0.5) == 0
    assert decide(np.array([0.45, 0.10, 0.45]), 0.0) in (0, 2)  # no threshold: argmax


def test_neutral_confidence_is_the_probability_of_no_clear_lean() -> None:
    sentence = SentenceScore("s", 0.0, 1.0, (0.45, 0.10, 0.45))
    score = aggregate_sentences([sentence], "v", neutral_below=0.5)
    assert score.label == "neutral"
    assert score.confidence == pytest.approx(0.55)


def test_passages_not_sentences_decide_the_article() -> None:
    sentences = [SentenceScore("a", 0.9, 1.0, (0.95, 0.05, 0.0))] * 2
    passage = SentenceScore("a a", -0.8, 1.0, (0.05, 0.10, 0.85))
    score = aggregate_sentences(sentences, "v", passages=[passage])
    assert score.label == "overspend"
    assert len(score.sentences) == 2  # the sentences stay, for drivers and storage


def test_short_texts_are_one_passage_paragraphs_split_them() -> None:
    doc = make_document("", "Sure, it will pay off. Nobody says when.", "en")
    assert [p.text for p in doc.passages] == ["Sure, it will pay off. Nobody says when."]
    assert doc.units() == ["Sure, it will pay off.", "Nobody says when.", doc.passages[0].text]
    doc = make_document("Headline here", "First paragraph.\n\nSecond one. " + "word " * 70, "en")
    assert [p.text for p in doc.passages][:2] == ["Headline here", "First paragraph."]
    assert all(len(p.text.split()) <= 75 for p in doc.passages)


def test_metrics_per_language_and_case() -> None:
    items = [
        Labelled("1", "t", "de", "fomo", "test", None),
        Labelled("2", "t", "de", "overspend", "test", "negation"),
        Labelled("3", "t", "en", "neutral", "test", None),
        Labelled("4", "t", "en", "irrelevant", "test", None),  # not a stance item
    ]
    predictions = [
        Prediction("fomo", 0.9, 0.9),
        Prediction("fomo", 0.8, 0.9),
        Prediction("neutral", 0.7, 0.9),
        Prediction("neutral", 0.7, 0.1),
    ]
    metrics = stance_metrics(items, predictions)
    assert metrics["n"] == 3
    assert metrics["de"]["confusion"] == [[1, 0, 0], [0, 0, 0], [1, 0, 0]]
    assert metrics["en"]["accuracy"] == 1.0
    assert metrics["accuracy_by_case"]["negation"] == {"n": 1, "accuracy": 0.0}
