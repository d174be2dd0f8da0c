"""Properties of the index that must hold for any day's articles (hypothesis)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.aggregate import daily_index
from tracker.records import LABELS

article = st.tuples(
    st.sampled_from(["a", "b", "c", "d"]),
    st.floats(-1, 1, allow_nan=False),
    st.floats(0.5, 1, allow_nan=False),
    st.sampled_from(LABELS),
)
day = st.lists(article, min_size=1, max_size=40)


def frame(rows: list[tuple[str, float, float, str]], prefix: str = "i") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "item_id": f"{prefix}{n:03d}",
                "published": "2026-03-02T12:00:00+00:00",
                "source": source,
                "stance": stance,
                "relevance": relevance,
                "label": label,
            }
            for n, (source, stance, relevance, label) in enumerate(rows)
        ]
    )


ONE_DAY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ONE_DAY
@given(day)
def test_shares_sum_to_one_and_the_interval_holds_the_estimate(rows) -> None:
    (row,) = daily_index(frame(rows), 0.5).to_dict(orient="records")
    assert row["fomo_share"] + row["neutral_share"] + row["overspend_share"] == pytest.approx(1)
    assert row["ci_low"] <= row["index"] <= row["ci_high"]
    assert row["ci_low"] >= -1 and row["ci_high"] <= 1
    assert row["articles"] == len(rows)


@ONE_DAY
@given(day, st.randoms(use_true_random=False))
def test_a_days_value_does_not_depend_on_article_order(rows, random) -> None:
    articles = frame(rows)
    shuffled = articles.sample(frac=1, random_state=random.randint(0, 2**31))
    pd.testing.assert_frame_equal(daily_index(articles, 0.5), daily_index(shuffled, 0.5))


@ONE_DAY
@given(day, st.floats(-1, 1, allow_nan=False), st.floats(0.5, 1, allow_nan=False))
def test_a_flooding_source_moves_the_balanced_index_less_than_the_raw_mean(
    rows, stance, relevance
) -> None:
    """One outlet publishes as much (relevance-weighted) as all others together, every
    article the same: the balanced index moves a smaller part of the way towards it."""
    base = daily_index(frame(rows), 0.5).iloc[0]
    count = int(sum(r[2] for r in rows) / relevance) + 1
    flood = rows + [("flood", stance, relevance, "fomo")] * count
    after = daily_index(frame(flood), 0.5).iloc[0]
    for column in ("index", "index_raw"):
        if abs(stance - base[column]) < 1e-9:
            return
    moved_balanced = (after["index"] - base["index"]) / (stance - base["index"])
    moved_raw = (after["index_raw"] - base["index_raw"]) / (stance - base["index_raw"])
    assert 0 < moved_balanced <= moved_raw + 1e-9
