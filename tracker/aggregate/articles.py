"""Which scored items enter the index, and on which day.

A day is the UTC publish date (the fetch date when a source gives none), so a late
article counts on the day it was published. An item enters the index when it is about
money in AI (relevance ≥ `min_relevance`) and is not a later copy of a wire story that
several outlets carry (items with one `story_id`: the first-published one stands for it).
"""

from __future__ import annotations

import pandas as pd


def with_days(articles: pd.DataFrame) -> pd.DataFrame:
    """Adds `date` (UTC publish day) and `repeat` (a later copy of a story counted already)."""
    moments = pd.to_datetime(articles["published"], utc=True, format="ISO8601")
    frame = articles.assign(date=moments.dt.strftime("%Y-%m-%d"), moment=moments)
    if "story_id" in frame:
        first = frame.sort_values(["moment", "story_id"], kind="stable")
        frame["repeat"] = first.duplicated("story_id").reindex(frame.index)
    else:
        frame["repeat"] = False
    return frame


def counted_articles(articles: pd.DataFrame, min_relevance: float) -> pd.DataFrame:
    """The rows of `articles` that enter the index, with their `date`."""
    if articles.empty:
        return articles.assign(date=pd.Series(dtype=str), repeat=pd.Series(dtype=bool))
    frame = with_days(articles)
    return frame[~frame["repeat"] & (frame["relevance"] >= min_relevance)]
