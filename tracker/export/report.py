"""The static HTML report: one self-contained file (the chart is embedded) that a browser
opens from disk, without a server: the index chart, the latest days, the language split,
the figures with their mood, and the sentences that drove the latest days."""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tracker.export.files import write_atomic


@dataclass(frozen=True)
class Driver:
    date: str
    source: str
    title: str
    url: str | None
    sentence: str
    stance: float
    relevance: float


# After loading, the page checks that its chart and tables are on screen and says so on
# <body data-rendered="...">: the headless-browser test reads it, a person never sees it.
_SELF_CHECK = """
<script>
window.addEventListener("load", function () {
  var seen = [];
  var chart = document.getElementById("chart");
  var box = chart && chart.getBoundingClientRect();
  if (chart && chart.complete && chart.naturalWidth > 0 && box.width > 0 && box.height > 0) {
    seen.push("chart");
  }
  document.querySelectorAll("table").forEach(function (table) {
    var r = table.getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && table.rows.length > 1) { seen.push(table.id); }
  });
  document.body.setAttribute("data-rendered", seen.join(" "));
});
</script>
"""

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 980px;
       color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
.lead { font-size: 1.1rem; margin: 0.5rem 0 1.5rem; }
img { max-width: 100%; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; width: 100%; }
th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #ddd;
         vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.fomo { color: #c2571a; } .overspend { color: #2a6f97; }
.note { color: #666; font-size: 0.9rem; }
"""


def _number(value: object, spec: str = "+.2f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format(value, spec)


def _mood(value: float) -> str:
    if isinstance(value, float) and math.isnan(value):
        return ""
    return "fomo" if value > 0 else "overspend"


def _table(table_id: str, header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(rows_cell for rows_cell in row) + "</tr>" for row in rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(text: str, css: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    return f"<td{klass}>{text}</td>"


def build_report(
    daily: pd.DataFrame,
    by_language: pd.DataFrame,
    figures: pd.DataFrame,
    drivers: list[Driver],
    chart_png: bytes,
    days: int = 14,
) -> str:
    """The page as a string. `daily`, `by_language`: the CSVs' tables; `figures`: the
    ranking of `tracker figures`."""
    valued = daily.dropna(subset=["index"])
    if valued.empty:
        lead = "No article in the index yet."
    else:
        last = valued.iloc[-1]
        lead = (
            f"Latest day with articles: <b>{html.escape(str(last['date']))}</b>, index "
            f'<b class="{_mood(last["index"])}">{_number(last["index"])}</b> '
            f"(95 % interval {_number(last['ci_low'])} to {_number(last['ci_high'])}), "
            f"{int(last['articles'])} articles from {int(last['sources'])} sources; "
            f"7-day mean {_number(last['index_ma7'])}."
        )
        if last.get("provisional"):
            lead += ' <span class="note">(provisional: late articles may revise it)</span>'
    recent = daily.tail(days).iloc[::-1]
    day_rows = [
        [
            _cell(html.escape(str(r["date"]))),
            _cell(_number(r["index"]), "num " + _mood(r["index"])),
            _cell(f"{_number(r['ci_low'])} … {_number(r['ci_high'])}", "num"),
            _cell(_number(r["index_ma7"]), "num"),
            _cell(str(int(r["articles"])), "num"),
            _cell(str(int(r["sources"])), "num"),
            _cell(
                f"{_number(r['fomo_share'], '.0%')} / {_number(r['overspend_share'], '.0%')}", "num"
            ),
        ]
        for _, r in recent.iterrows()
    ]
    split = by_language.pivot(index="date", columns="lang", values=["index", "articles"])
    language_rows = []
    for date in sorted(split.index, reverse=True)[:days]:
        cells = [_cell(html.escape(str(date)))]
        for lang in ("de", "en"):
            value = split.get(("index", lang), pd.Series(dtype=float)).get(date, math.nan)
            count = split.get(("articles", lang), pd.Series(dtype=float)).get(date, math.nan)
            n = "" if isinstance(count, float) and math.isnan(count) else f" ({int(count)})"
            cells.append(_cell(_number(value) + n, "num " + _mood(value)))
        language_rows.append(cells)
    figure_rows = [
        [
            _cell(html.escape(str(r["figure"]))),
            _cell(html.escape(str(r["type"]))),
            _cell(str(int(r["mentions"])), "num"),
            _cell(str(int(r["articles"])), "num"),
            _cell(_number(r["stance_mean"]), "num " + _mood(r["stance_mean"])),
            _cell(
                f"{_number(r['fomo_share'], '.0%')} / {_number(r['overspend_share'], '.0%')}", "num"
            ),
        ]
        for _, r in figures.iterrows()
    ]
    driver_rows = [
        [
            _cell(html.escape(d.date)),
            _cell(html.escape(d.source)),
            _cell(
                html.escape(d.sentence)
                + (
                    f' <a href="{html.escape(d.url, quote=True)}">{html.escape(d.title)}</a>'
                    if d.url
                    else f' <span class="note">{html.escape(d.title)}</span>'
                )
            ),
            _cell(_number(d.stance), "num " + _mood(d.stance)),
        ]
        for d in drivers
    ]
    chart = base64.b64encode(chart_png).decode("ascii")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AI-bubble sentiment index</title><style>{_STYLE}</style></head>
<body>
<h1>AI-bubble sentiment index</h1>
<p class="note">German and English news and talk about the AI boom: +1 leans to FOMO,
−1 to fear of overspending. Method: METHODOLOGY.md in the tracker's repository.</p>
<p class="lead">{lead}</p>
<img id="chart" alt="The daily index with its 95 % interval and the daily article count"
 src="data:image/png;base64,{chart}">
<h2>The latest days</h2>
{
        _table(
            "days",
            [
                "date",
                "index",
                "95 % interval",
                "7-day mean",
                "articles",
                "sources",
                "FOMO / overspend",
            ],
            day_rows,
        )
    }
<h2>German and English</h2>
{_table("languages", ["date", "German (articles)", "English (articles)"], language_rows)}
<h2>Who drives it</h2>
<p class="note">Most-mentioned figures of the period, with the mood of the sentences that
mention them.</p>
{
        _table(
            "figures",
            ["figure", "type", "mentions", "articles", "stance", "FOMO / overspend"],
            figure_rows,
        )
    }
<h2>Sentences that drove the latest days</h2>
{_table("drivers", ["date", "source", "sentence (article)", "stance"], driver_rows)}
{_SELF_CHECK}
</body></html>
"""


def write_report(page: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, page.encode("utf-8"))
    return path
