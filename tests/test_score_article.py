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


def test_relevance_is_the_share_of_the_article_about_ai_money() -> None:
    one_chip_sentence = [sentence((0.3, 0.4, 0.3), r) for r in (0.9, 0.1, 0.05, 0.1, 0.05)]
    assert aggregate_sentences(one_chip_sentence, "v").relevance == pytest.approx(0.24)
    mostly_capex = [sentence((0.3, 0.4, 0.3), r) for r in (0.95, 0.9, 0.3, 0.85)]
    assert aggregate_sentences(mostly_capex, "v").relevance == pytest.approx(0.75)


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
