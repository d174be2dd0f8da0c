"""The daily bubble-sentiment index and its breakdowns. The method, in words, is in
METHODOLOGY.md; the constants below are the ones it names.

For a group of articles (a day; a day and a language; a day and a source…):

- each source's mean stance is the relevance-weighted mean of its articles' stance;
- the **index** is the mean of the sources' means, each source weighted by the square
  root of its relevance-weighted article count, so one outlet's tenth article on a day
  adds little and a prolific source cannot dominate (`index_raw` is the plain
  relevance-weighted mean over articles, for comparison);
- the label **shares** are weighted the same way, so they sum to 1;
- the **95 % interval** is a percentile bootstrap over the group's articles (1,000
  resamples, seeded from the group, so the same data give the same interval).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import date as Date
from datetime import timedelta

import numpy as np
import pandas as pd

from tracker.aggregate.articles import counted_articles, with_days
from tracker.records import LABELS

MIN_ARTICLES = 5  # below: `low_volume` is set
BOOTSTRAP = 1000
DECAY = 0.95  # the smoothed series forgets 5 % per day, like the SF Fed's news sentiment
MA_DAYS = 7
BASELINE_DAYS = 90  # `index_z`: against the trailing 90 days…
MIN_BASELINE_DAYS = 20  # …when at least 20 of them have a value
REVISION_DAYS = 3  # the last 3 days before the latest fetch are `provisional`

GROUP_COLUMNS = [
    "articles",
    "sources",
    "index",
    "ci_low",
    "ci_high",
    "fomo_share",
    "neutral_share",
    "overspend_share",
]
DAILY_COLUMNS = [
    "date",
    "items",
    "duplicates",
    "articles",
    "sources",
    "low_volume",
    "index",
    "ci_low",
    "ci_high",
    "index_raw",
    "fomo_share",
    "neutral_share",
    "overspend_share",
    "index_ma7",
    "index_decay",
    "index_z",
    "provisional",
    "model_version",
    "computed_at",
]
# Breakdowns: the key after the date, and the CSV's name.
BREAKDOWNS = {
    "lang": "index_by_language.csv",
    "source": "index_by_source.csv",
    "kind": "index_by_kind.csv",
}
KIND_NAMES = {"article": "news", "episode": "podcast", "transcript": "transcript"}


def balanced(
    stance: np.ndarray, relevance: np.ndarray, labels: np.ndarray, sources: np.ndarray
) -> tuple[float, np.ndarray]:
    """Source-balanced index and label shares of one group of articles (see above)."""
    per_source = np.bincount(sources, weights=relevance)
    stance_sum = np.bincount(sources, weights=relevance * stance, minlength=len(per_source))
    present = per_source > 0
    weights = np.sqrt(per_source[present])
    means = stance_sum[present] / per_source[present]
    index = float(weights @ means / weights.sum())
    shares = np.array(
        [
            weights
            @ (
                np.bincount(sources, weights=relevance * (labels == k), minlength=len(per_source))[
                    present
                ]
                / per_source[present]
            )
            for k in range(len(LABELS))
        ]
    )
    return index, shares / weights.sum()


def bootstrap_interval(
    stance: np.ndarray, relevance: np.ndarray, sources: np.ndarray, seed: int
) -> tuple[float, float]:
    """95 % percentile interval of the balanced index, resampling articles."""
    n = len(stance)
    n_sources = int(sources.max()) + 1
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(BOOTSTRAP, n))
    counts = np.zeros((BOOTSTRAP, n))
    np.add.at(counts, (np.repeat(np.arange(BOOTSTRAP), n), draws.ravel()), 1.0)
    onehot = np.zeros((n, n_sources))
    onehot[np.arange(n), sources] = 1.0
    per_source = counts @ (onehot * relevance[:, None])
    stance_sum = counts @ (onehot * (relevance * stance)[:, None])
    weights = np.sqrt(per_source)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(per_source > 0, stance_sum / per_source, 0.0)
    values = (weights * means).sum(axis=1) / weights.sum(axis=1)
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def _seed(key: Sequence[object]) -> int:
    return zlib.crc32("|".join(map(str, key)).encode())


def index_table(counted: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per group of `keys`: articles, sources, index, interval, shares."""
    if counted.empty:
        return pd.DataFrame(columns=[*keys, *GROUP_COLUMNS])
    rows = []
    label_codes = {label: i for i, label in enumerate(LABELS)}
    for key, group in counted.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        # A stable order, so that the interval does not depend on how rows came in.
        group = group.sort_values(["item_id"] if "item_id" in group else ["source", "stance"])
        stance = group["stance"].to_numpy(dtype=float)
        relevance = group["relevance"].to_numpy(dtype=float)
        labels = group["label"].map(label_codes).to_numpy(dtype=int)
        sources = pd.factorize(group["source"], sort=True)[0]
        index, shares = balanced(stance, relevance, labels, sources)
        low, high = bootstrap_interval(stance, relevance, sources, _seed(key))
        rows.append(
            {
                **dict(zip(keys, key, strict=True)),
                "articles": len(group),
                "sources": int(sources.max()) + 1,
                "index": index,
                # A percentile interval can miss the point estimate with very few
                # articles; it is widened to include it.
                "ci_low": min(low, index),
                "ci_high": max(high, index),
                **{f"{label}_share": float(shares[i]) for i, label in enumerate(LABELS)},
            }
        )
    return pd.DataFrame(rows, columns=[*keys, *GROUP_COLUMNS])


def daily_index(
    articles: pd.DataFrame,
    min_relevance: float,
    model_version: str = "",
    last_fetch: str | None = None,
) -> pd.DataFrame:
    """`daily_index.csv`. `articles` (see `Store.scored_articles`) has published, source,
    stance, label, relevance, and optionally item_id, story_id, scored_at. `last_fetch`
    (ISO time of the latest fetch) decides which days are still provisional."""
    if articles.empty:
        return pd.DataFrame(columns=DAILY_COLUMNS)
    frame = with_days(articles)
    counted = counted_articles(articles, min_relevance)
    days = frame.groupby("date", sort=True).agg(
        items=("date", "size"), duplicates=("repeat", "sum")
    )
    table = index_table(counted, ["date"]).set_index("date")
    weighted = (counted["stance"] * counted["relevance"]).groupby(counted["date"]).sum()
    raw = weighted / counted["relevance"].groupby(counted["date"]).sum()
    daily = days.join(table, how="left").assign(index_raw=raw)
    daily["articles"] = daily["articles"].fillna(0).astype(int)
    daily["sources"] = daily["sources"].fillna(0).astype(int)
    daily["duplicates"] = daily["duplicates"].astype(int)
    daily["low_volume"] = daily["articles"] < MIN_ARTICLES
    series = smoothed(daily["index"])
    daily = daily.join(series)
    daily["provisional"] = _provisional(daily.index, last_fetch)
    daily["model_version"] = model_version
    if "scored_at" in frame:
        daily["computed_at"] = frame.groupby("date")["scored_at"].max()
    else:
        daily["computed_at"] = ""
    return daily.reset_index()[DAILY_COLUMNS]


def smoothed(index: pd.Series) -> pd.DataFrame:
    """7-day moving average, geometric decay and trailing z-score of a daily series indexed
    by ISO date; days without a value are skipped, not counted as zero."""
    values = index.dropna()
    days = pd.to_datetime(values.index)
    ordinal = np.array([d.toordinal() for d in days])
    x = values.to_numpy(dtype=float)
    ma7, decay, z = [], [], []
    for i, today in enumerate(ordinal):
        age = today - ordinal[: i + 1]
        window = x[: i + 1][age < MA_DAYS]
        ma7.append(window.mean())
        weights = DECAY ** age.astype(float)
        decay.append(float(weights @ x[: i + 1] / weights.sum()))
        past = x[:i][(today - ordinal[:i]) <= BASELINE_DAYS]
        if len(past) >= MIN_BASELINE_DAYS and past.std(ddof=1) > 0:
            z.append(float((x[i] - past.mean()) / past.std(ddof=1)))
        else:
            z.append(np.nan)
    result = pd.DataFrame(
        {"index_ma7": ma7, "index_decay": decay, "index_z": z}, index=values.index
    )
    return result.reindex(index.index)


def _provisional(dates: pd.Index, last_fetch: str | None) -> list[bool]:
    if not last_fetch:
        return [False] * len(dates)
    cutoff = Date.fromisoformat(last_fetch[:10]) - timedelta(days=REVISION_DAYS)
    return [Date.fromisoformat(d) > cutoff for d in dates]


def breakdown(articles: pd.DataFrame, min_relevance: float, key: str) -> pd.DataFrame:
    """The index per day and `key` (lang, source or kind)."""
    counted = counted_articles(articles, min_relevance)
    if key == "kind" and not counted.empty:
        counted = counted.assign(kind=counted["kind"].map(KIND_NAMES).fillna(counted["kind"]))
    return index_table(counted, ["date", key])
