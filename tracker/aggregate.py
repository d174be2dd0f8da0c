"""Aggregate stage: scored articles → the daily bubble-sentiment index.

A day is the UTC publish date (the fetch date when a source gives none). Articles whose
relevance is below `min_relevance` are counted in `items` but do not enter the index. The
index is the relevance-weighted mean stance of the day's relevant articles; the shares are
the relevance-weighted shares of their labels, so they sum to 1.

A wire story that several outlets carry (items with one `story_id`) counts once: its
first-published item stands for it; the later copies are counted in `duplicates`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.records import LABELS

DAILY_COLUMNS = [
    "date",
    "items",
    "duplicates",
    "articles",
    "sources",
    "index",
    "fomo_share",
    "neutral_share",
    "overspend_share",
]


def daily_index(articles: pd.DataFrame, min_relevance: float) -> pd.DataFrame:
    """`articles` has columns published, source, stance, label, relevance (one row each),
    and optionally story_id."""
    if articles.empty:
        return pd.DataFrame(columns=DAILY_COLUMNS)
    moments = pd.to_datetime(articles["published"], utc=True, format="ISO8601")
    frame = articles.assign(date=moments.dt.strftime("%Y-%m-%d"), moment=moments)
    if "story_id" in frame:
        first = frame.sort_values(["moment", "story_id"], kind="stable")
        frame["repeat"] = first.duplicated("story_id").reindex(frame.index)
    else:
        frame["repeat"] = False
    rows = []
    for date, day in frame.groupby("date", sort=True):
        stories = day[~day["repeat"]]
        relevant = stories[stories["relevance"] >= min_relevance]
        weights = relevant["relevance"].to_numpy(dtype=float)
        row: dict[str, object] = {
            "date": date,
            "items": len(day),
            "duplicates": int(day["repeat"].sum()),
            "articles": len(relevant),
            "sources": relevant["source"].nunique(),
        }
        if len(relevant):
            total = weights.sum()
            row["index"] = float(weights @ relevant["stance"].to_numpy(dtype=float) / total)
            for label in LABELS:
                mask = (relevant["label"] == label).to_numpy()
                row[f"{label}_share"] = float(weights[mask].sum() / total)
        else:
            row.update({"index": np.nan, **{f"{label}_share": np.nan for label in LABELS}})
        rows.append(row)
    return pd.DataFrame(rows, columns=DAILY_COLUMNS)
