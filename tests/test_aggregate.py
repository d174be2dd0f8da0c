import math

import pandas as pd
import pytest

from tracker.aggregate import DAILY_COLUMNS, daily_index


def frame(rows: list[tuple[str, str, float, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["published", "source", "stance", "label", "relevance"])


def test_index_is_the_relevance_weighted_mean_of_relevant_articles() -> None:
    articles = frame(
        [
            ("2026-03-02T08:00:00+00:00", "a", 0.8, "fomo", 1.0),
            ("2026-03-02T23:59:00+00:00", "b", -0.4, "overspend", 0.6),
            ("2026-03-02T12:00:00+00:00", "a", -1.0, "overspend", 0.1),  # irrelevant: not counted
            ("2026-03-03T00:30:00+01:00", "a", 0.0, "neutral", 0.9),  # 23:30 UTC on the 2nd
            ("2026-03-04T10:00:00+00:00", "c", 0.5, "fomo", 0.2),
        ]
    )
    daily = daily_index(articles, min_relevance=0.5)
    assert list(daily.columns) == DAILY_COLUMNS
    day = daily.iloc[0]
    assert day["date"] == "2026-03-02"
    assert (day["items"], day["articles"], day["sources"]) == (4, 3, 2)
    assert day["index"] == pytest.approx((0.8 * 1.0 - 0.4 * 0.6 + 0.0 * 0.9) / 2.5)
    assert day["fomo_share"] + day["neutral_share"] + day["overspend_share"] == pytest.approx(1)
    assert day["overspend_share"] == pytest.approx(0.6 / 2.5)
    empty_day = daily.iloc[1]
    assert empty_day["articles"] == 0 and math.isnan(empty_day["index"])


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
    assert first["index"] == pytest.approx((-0.7 + 0.6) / 2)
    assert (second["items"], second["duplicates"], second["articles"]) == (1, 1, 0)
    assert math.isnan(second["index"])
