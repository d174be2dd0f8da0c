from pathlib import Path

from tracker.score.lexicon import Lexicon, LexiconScorer

LEXICON = Path(__file__).resolve().parent.parent / "models" / "lexicon" / "lexicon.yaml"


def scorer() -> LexiconScorer:
    return LexiconScorer(Lexicon.load(LEXICON))


def test_keywords_give_the_sign_and_negation_flips_it() -> None:
    fear, negated, fomo = scorer().score_sentences(
        [
            "Die KI-Blase wird platzen, die Investitionen rechnen sich nicht.",
            "Von einer Blase kann keine Rede sein.",
            "Demand for AI chips is insatiable and Nvidia is sold out.",
        ]
    )
    assert fear.stance < 0 < fomo.stance
    assert negated.stance > 0


def test_relevance_needs_ai_and_money() -> None:
    money_ai, weather = scorer().score_sentences(
        [
            "Microsoft will 80 Milliarden Dollar in KI-Rechenzentren investieren.",
            "Am Wochenende wird es regnerisch.",
        ]
    )
    assert money_ai.relevance > 0.5 > weather.relevance


def test_version_follows_the_lexicon_file(tmp_path: Path) -> None:
    copy = tmp_path / "lexicon.yaml"
    copy.write_bytes(LEXICON.read_bytes())
    assert Lexicon.load(copy).version == scorer().model_version
    copy.write_bytes(LEXICON.read_bytes().replace(b'"bubble"', b'"bubbles"'))
    assert Lexicon.load(copy).version != scorer().model_version
