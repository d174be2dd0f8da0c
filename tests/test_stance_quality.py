"""Quality gate for the shipped stance model (models/stance/metrics.json).

The pinned numbers are written by `scripts/evaluate_stance.py --write` (which
`scripts/train_stance.py` runs). Here the shipped model scores the test split again through
the production path; macro-F1 may not fall more than 0.02 below the pin, overall or in
either language.
"""

import json
from pathlib import Path

import pytest

from tracker.config import Settings
from tracker.score import load_scorer
from tracker.score.evaluate import load_labelled, predict, stance_metrics

STANCE = Path(__file__).resolve().parent.parent / "models" / "stance"
TOLERANCE = 0.02
pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def pinned() -> dict:
    return json.loads((STANCE / "metrics.json").read_text(encoding="utf-8"))


def test_pinned_metrics_belong_to_the_shipped_data(pinned: dict) -> None:
    import sys

    sys.path.insert(0, str(STANCE.parent.parent / "scripts"))
    from evaluate_stance import data_digest

    assert pinned["data"] == data_digest(STANCE / "data"), (
        "the labelled data changed since metrics.json was pinned; "
        "run `python scripts/evaluate_stance.py --write`"
    )


def test_model_beats_both_baselines_by_a_wide_margin(pinned: dict) -> None:
    test = pinned["test"]
    for lang in ("all", "de", "en"):
        for baseline in ("lexicon", "zero_shot"):
            assert test["model"][lang]["macro_f1"] >= test[baseline][lang]["macro_f1"] + 0.15


def test_test_split_macro_f1_has_not_dropped(pinned: dict) -> None:
    scorer = load_scorer(Settings())
    items = load_labelled(STANCE / "data", "test")
    metrics = stance_metrics(items, predict(scorer, items))
    for lang in ("all", "de", "en"):
        now, then = metrics[lang]["macro_f1"], pinned["test"]["model"][lang]["macro_f1"]
        assert now >= then - TOLERANCE, f"{lang}: test macro-F1 {now:.3f}, pinned {then:.3f}"


def test_the_probe_set_is_never_trained_on() -> None:
    import sys

    sys.path.insert(0, str(STANCE.parent.parent / "scripts"))
    from train_stance import load_examples

    probe = load_labelled(STANCE / "data", "probe")
    assert {item.label for item in probe} == {"fomo", "neutral", "overspend", "irrelevant"}
    examples = load_examples(STANCE / "data")
    assert {example.split for example in examples} == {"train", "dev", "test"}
    assert not {example.text for example in examples} & {item.text for item in probe}
