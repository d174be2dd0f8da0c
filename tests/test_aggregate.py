import math

import pandas as pd
import pytest

from tracker.aggregate import DAILY_COLUMNS, FIGURE_COLUMNS, daily_index, figures_daily


def frame(rows: list[tuple[str, str, float, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["published", "source", "stance", "label", "relevance"])


def test_index_balances_sources_and_keeps_the_raw_mean() -> None:
    articles = frame(
        [
            ("2026-03-02T08:00:00+00:00", "a", 0.8, "fomo", 1.0),
            ("2026-03-02T23:59:00+00:00", "b", -0.4, "overspend", 0.6),
            ("2026-03-02T12:00:00+00:00", "a", -1.0, "overspend", 0.1),  # irrelevant: not counted
            ("2026-03-03T00:30:00+01:00", "a", 0.0, "neutral", 0.9),  # 23:30 UTC on the 2nd
            ("2026-03-04T10:00:00+00:00", "c", 0.5, "fomo", 0.2),
        ]
    )
    daily = daily_index(articles, min_relevance=0.5, model_version="m1")
    assert list(daily.columns) == DAILY_COLUMNS
    day = daily.iloc[0]
    assert day["date"] == "2026-03-02"
    assert (day["items"], day["articles"], day["sources"]) == (4, 3, 2)
    assert day["index_raw"] == pytest.approx((0.8 * 1.0 - 0.4 * 0.6 + 0.0 * 0.9) / 2.5)
    # Source a: mean (0.8·1 + 0·0.9) / 1.9, weight √1.9; source b: -0.4, weight √0.6.
    a, b = 0.8 / 1.9, -0.4
    expected = (math.sqrt(1.9) * a + math.sqrt(0.6) * b) / (math.sqrt(1.9) + math.sqrt(0.6))
    assert day["index"] == pytest.approx(expected)
    assert day["fomo_share"] + day["neutral_share"] + day["overspend_share"] == pytest.approx(1)
    assert day["ci_low"] <= day["index"] <= day["ci_high"]
    assert day["low_volume"] and day["model_version"] == "m1"
    empty_day = daily.iloc[1]
    assert empty_day["articles"] == 0 and math.isnan(empty_day["index"])


def test_smoothed_series_skip_days_without_articles() -> None:
    rows = [
        (f"2026-03-{d:02d}T08:00:00+00:00", "a", 0.1 * (d % 5) - 0.2, "neutral", 1.0)
        for d in range(1, 31)
        if d != 10
    ]
    daily = daily_index(frame(rows), 0.5).set_index("date")
    values = daily["index"]
    assert daily.loc["2026-03-07", "index_ma7"] == pytest.approx(
        values.loc["2026-03-01":"2026-03-07"].mean()
    )
    # 5 % daily decay: yesterday weighs 0.95, the day before 0.95², …
    weights = [0.95**k for k in range(3)]
    first3 = values.loc["2026-03-01":"2026-03-03"].to_numpy()[::-1]
    assert daily.loc["2026-03-03", "index_decay"] == pytest.approx(
        sum(w * v for w, v in zip(weights, first3, strict=True)) / sum(weights)
    )
    assert math.isnan(daily.loc["2026-03-20", "index_z"])  # 18 earlier days: too few
    assert not math.isnan(daily.loc["2026-03-30", "index_z"])


def test_recent_days_are_provisional() -> None:
    rows = [(f"2026-03-{d:02d}T08:00:00+00:00", "a", 0.2, "fomo", 1.0) for d in range(1, 11)]
    daily = daily_index(frame(rows), 0.5, last_fetch="2026-03-10T06:00:00+00:00")
    assert daily.set_index("date")["provisional"].to_dict() == {
        f"2026-03-{d:02d}": d > 7 for d in range(1, 11)
    }


def test_no_articles_gives_an_empty_table_with_the_columns() -> None:
    assert list(daily_index(frame([]), 0.5).columns) == DAILY_COLUMNS


def test_a_wire_story_in_several_outlets_counts_once() -> None:
    articles = frame(
        [
            ("2026-03-02T09:00:00+00:00", "dpa-outlet-1", -0.9, "overspend", 1.0),
            ("2026-03-02T08:00:00+00:00", "dpa-outlet-2", -0.7, "overspend", 1.0),
            ("2026-03-03T07:00:00+00:00", "dpa-outlet-3", -0.8, "overspend", 1.0),
            ("2026-03-02T10:00:00+00:00", "other", 0.6, "fomo", 1.0),
        ]
    ).assign(story_id=["wire", "wire", "wire", "own"])
    daily = daily_index(articles, min_relevance=0.5)
    first, second = daily.iloc[0], daily.iloc[1]
    assert (first["items"], first["duplicates"], first["articles"]) == (3, 1, 2)
    # The first-published copy (outlet 2, 08:00) stands for the story.
    assert first["index_raw"] == pytest.approx((-0.7 + 0.6) / 2)
    assert (second["items"], second["duplicates"], second["articles"]) == (1, 1, 0)
    assert math.isnan(second["index"])


def sentence_rows(rows: list[tuple[str, str, int, float, float, tuple[float, float, float]]]):
    """(item, figure, mentions, stance, relevance, probs) → Store.figure_sentences rows."""
    return pd.DataFrame(
        [
            {
                "item_id": item,
                "figure": figure,
                "type": "ORG",
                "sentence": i,
                "mentions": n,
                "stance": stance,
                "relevance": rel,
                "p_fomo": p[0],
                "p_neutral": p[1],
                "p_overspend": p[2],
            }
            for i, (item, figure, n, stance, rel, p) in enumerate(rows)
        ]
    )


def test_figure_mood_is_relevance_weighted_over_the_sentences_that_mention_it() -> None:
    articles = frame(
        [
            ("2026-03-02T08:00:00+00:00", "a", -0.5, "overspend", 0.9),
            ("2026-03-02T09:00:00+00:00", "b", 0.5, "fomo", 0.8),
            ("2026-03-02T10:00:00+00:00", "c", 0.5, "fomo", 0.1),  # not in the index
            ("2026-03-03T10:00:00+00:00", "d", 0.5, "fomo", 0.9),
        ]
    ).assign(item_id=["i1", "i2", "i3", "i4"])
    sentences = sentence_rows(
        [
            ("i1", "Nvidia", 2, -0.8, 1.0, (0.1, 0.1, 0.8)),
            ("i1", "Nvidia", 1, 0.0, 0.2, (0.2, 0.6, 0.2)),
            ("i2", "Nvidia", 1, 0.6, 0.5, (0.7, 0.2, 0.1)),
            ("i3", "Nvidia", 5, 0.9, 1.0, (0.9, 0.05, 0.05)),
            ("i4", "OpenAI", 1, 0.4, 1.0, (0.6, 0.3, 0.1)),
        ]
    )
    daily = figures_daily(sentences, articles, min_relevance=0.5)
    assert list(daily.columns) == FIGURE_COLUMNS
    nvidia = daily[(daily["date"] == "2026-03-02") & (daily["figure"] == "Nvidia")].iloc[0]
    assert (nvidia["mentions"], nvidia["articles"]) == (4, 2)
    assert nvidia["stance_mean"] == pytest.approx((-0.8 * 1.0 + 0.0 * 0.2 + 0.6 * 0.5) / 1.7)
    assert nvidia["overspend_share"] == pytest.approx(1.0 / 1.7)
    assert nvidia["fomo_share"] == pytest.approx(0.5 / 1.7)
    assert list(daily["date"]) == ["2026-03-02", "2026-03-03"]


def test_figure_mood_without_scored_sentences_is_empty_not_zero() -> None:
    articles = frame([("2026-03-02T08:00:00+00:00", "a", 0.0, "neutral", 0.9)]).assign(
        item_id=["i1"]
    )
    nan = float("nan")
    sentences = sentence_rows([("i1", "Sequoia", 1, nan, nan, (nan, nan, nan))])
    row = figures_daily(sentences, articles, 0.5).iloc[0]
    assert row["mentions"] == 1 and math.isnan(row["stance_mean"])
