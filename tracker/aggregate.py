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
    frame = _days_and_repeats(articles)
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


def _days_and_repeats(articles: pd.DataFrame) -> pd.DataFrame:
    """Adds `date` (UTC publish day) and `repeat` (a later copy of a story counted already)."""
    moments = pd.to_datetime(articles["published"], utc=True, format="ISO8601")
    frame = articles.assign(date=moments.dt.strftime("%Y-%m-%d"), moment=moments)
    if "story_id" in frame:
        first = frame.sort_values(["moment", "story_id"], kind="stable")
        frame["repeat"] = first.duplicated("story_id").reindex(frame.index)
    else:
        frame["repeat"] = False
    return frame


FIGURE_COLUMNS = [
    "date",
    "figure",
    "type",
    "mentions",
    "articles",
    "stance_mean",
    "fomo_share",
    "overspend_share",
]


def figure_sentences_in_index(
    sentences: pd.DataFrame, articles: pd.DataFrame, min_relevance: float
) -> pd.DataFrame:
    """The rows of `sentences` (see `Store.figure_sentences`) whose article enters the index
    (relevant, not a repeated wire copy), with the article's `date`."""
    if sentences.empty or articles.empty:
        return sentences.assign(date=pd.Series(dtype=str))
    frame = _days_and_repeats(articles)
    counted = frame[~frame["repeat"] & (frame["relevance"] >= min_relevance)]
    dates = counted.set_index("item_id")["date"]
    kept = sentences[sentences["item_id"].isin(dates.index)]
    return kept.assign(date=kept["item_id"].map(dates))


def figure_mood(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Mentions, articles and the mood of the sentences that mention each figure, grouped
    by `by` (e.g. date, figure, type). The mood is relevance-weighted like the index: a
    sentence about Nvidia's headquarters weighs little, one about its orders a lot; a
    sentence's label is its most probable class."""
    columns = [*by, "mentions", "articles", "stance_mean", "fomo_share", "overspend_share"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    probs = rows[["p_fomo", "p_neutral", "p_overspend"]].to_numpy(dtype=float)
    scored = ~np.isnan(probs).any(axis=1)
    label = np.full(len(rows), -1)
    label[scored] = probs[scored].argmax(axis=1)
    weight = np.where(scored, rows["relevance"].fillna(0).to_numpy(dtype=float), 0.0)
    frame = rows.assign(
        _w=weight,
        _ws=weight * rows["stance"].fillna(0).to_numpy(dtype=float),
        _wf=weight * (label == 0),
        _wo=weight * (label == 2),
    )
    grouped = frame.groupby(by, sort=False).agg(
        mentions=("mentions", "sum"),
        articles=("item_id", "nunique"),
        w=("_w", "sum"),
        ws=("_ws", "sum"),
        wf=("_wf", "sum"),
        wo=("_wo", "sum"),
    )
    total = grouped["w"].where(grouped["w"] > 0)
    result = grouped.assign(
        stance_mean=grouped["ws"] / total,
        fomo_share=grouped["wf"] / total,
        overspend_share=grouped["wo"] / total,
    ).reset_index()
    return result[columns]


def figures_daily(
    sentences: pd.DataFrame, articles: pd.DataFrame, min_relevance: float
) -> pd.DataFrame:
    """`figures_daily.csv`: one row per day and figure, most-mentioned first within a day."""
    rows = figure_sentences_in_index(sentences, articles, min_relevance)
    daily = figure_mood(rows, ["date", "figure", "type"])
    if daily.empty:
        return daily
    daily = daily.sort_values(
        ["date", "mentions", "figure"], ascending=[True, False, True], kind="stable"
    )
    return daily.reset_index(drop=True)
