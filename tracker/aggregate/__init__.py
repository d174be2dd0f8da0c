"""Aggregate stage: scored articles → the daily index, its breakdowns and the figures'
mood. Which articles count and on which day: `articles.py`; the index: `index.py`
(methodology in METHODOLOGY.md); figures: `figures.py`."""

from tracker.aggregate.figures import (
    FIGURE_COLUMNS,
    figure_mood,
    figure_sentences_in_index,
    figures_daily,
)
from tracker.aggregate.index import (
    BREAKDOWNS,
    DAILY_COLUMNS,
    GROUP_COLUMNS,
    breakdown,
    daily_index,
)

__all__ = [
    "BREAKDOWNS",
    "DAILY_COLUMNS",
    "FIGURE_COLUMNS",
    "GROUP_COLUMNS",
    "breakdown",
    "daily_index",
    "figure_mood",
    "figure_sentences_in_index",
    "figures_daily",
]
