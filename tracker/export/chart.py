"""The index chart: daily index with its 95 % interval band and 7-day mean above, the daily
article volume below. Written as PNG (matplotlib, no display needed)."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: cron jobs and CI have none

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

from tracker.export.files import write_atomic

FOMO = "#c2571a"
OVERSPEND = "#2a6f97"


def index_chart(daily: pd.DataFrame, title: str = "AI-bubble sentiment index") -> bytes:
    """PNG bytes of the chart for `daily` (the columns of daily_index.csv)."""
    days = pd.to_datetime(daily["date"])
    daily = daily.assign(
        **{
            column: pd.to_numeric(daily[column], errors="coerce").astype(float)
            for column in ("index", "ci_low", "ci_high", "index_ma7", "articles")
        }
    )
    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(10, 5.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]}, dpi=100
    )
    top.axhline(0, color="#888888", linewidth=0.8)
    top.fill_between(
        days, daily["ci_low"], daily["ci_high"], color="#999999", alpha=0.3, label="95 % interval"
    )
    low = daily["low_volume"].astype(bool)
    top.plot(days, daily["index"], color="#333333", linewidth=1, label="index")
    top.scatter(
        days[low],
        daily["index"][low],
        s=12,
        facecolors="white",
        edgecolors="#333333",
        zorder=3,
        label="fewer than 5 articles",
    )
    top.plot(days, daily["index_ma7"], color=FOMO, linewidth=2, label="7-day mean")
    if daily.empty:
        top.text(0.5, 0.5, "no articles yet", ha="center", va="center", transform=top.transAxes)
    top.set_ylim(-1.05, 1.05)
    top.set_ylabel("← overspend   ·   FOMO →")
    top.set_title(title)
    top.legend(loc="upper left", fontsize=8, frameon=False, ncol=4)
    bottom.bar(days, daily["articles"], color=OVERSPEND, width=0.8)
    bottom.set_ylabel("articles")
    bottom.xaxis.set_major_formatter(mdates.ConciseDateFormatter(mdates.AutoDateLocator()))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def write_chart(daily: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, index_chart(daily))
    return path
