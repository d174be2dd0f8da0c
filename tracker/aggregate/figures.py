"""Who drives the mood: figures of the index's articles and the stance of the sentences
that mention them (`figures_daily.csv`, `tracker figures`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.aggregate.articles import counted_articles

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
    dates = counted_articles(articles, min_relevance).set_index("item_id")["date"]
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
