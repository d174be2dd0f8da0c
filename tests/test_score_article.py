import pytest

from tracker.records import SentenceScore
from tracker.score.article import aggregate_sentences


def sentence(stance_probs: tuple[float, float, float], relevance: float) -> SentenceScore:
    return SentenceScore("s", stance_probs[0] - stance_probs[2], relevance, stance_probs)


def test_relevant_sentences_dominate_the_article() -> None:
    fomo = sentence((0.8, 0.1, 0.1), 0.9)
    offtopic_fear = sentence((0.0, 0.1, 0.9), 0.05)
    score = aggregate_sentences([fomo, offtopic_fear], "v")
    assert score.label == "fomo" and score.stance > 0.6
    assert score.stance == pytest.approx((0.9 * 0.7 + 0.05 * -0.9) / 0.95)
    assert sum(score.probs) == pytest.approx(1.0)
    assert score.confidence == max(score.probs)
    assert score.relevance == pytest.approx((0.9 + 0.05) / 2)


def test_relevance_is_the_mean_of_the_three_most_relevant_sentences() -> None:
    sentences = [sentence((0.3, 0.4, 0.3), r) for r in (0.1, 0.9, 0.8, 0.7, 0.2)]
    assert aggregate_sentences(sentences, "v").relevance == pytest.approx(0.8)


def test_drivers_are_the_sentences_that_moved_the_score() -> None:
    sentences = [
        sentence((0.3, 0.4, 0.3), 0.9),
        sentence((0.05, 0.05, 0.9), 0.8),
        sentence((0.9, 0.05, 0.05), 0.1),
    ]
    score = aggregate_sentences(sentences, "v")
    assert [i for i, _ in score.drivers(2)] == [1, 2]


def test_empty_article_is_neutral_and_irrelevant() -> None:
    score = aggregate_sentences([], "v")
    assert (score.label, score.relevance, score.stance) == ("neutral", 0.0, 0.0)
