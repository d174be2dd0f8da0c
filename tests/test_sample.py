"""The README's first command: the daily job on the bundled offline sample, real model."""

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from tracker.cli import main

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parent.parent


def test_sample_run_produces_a_daily_index_with_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    args = ["daily", "--feeds", str(ROOT / "samples" / "feeds.yaml"), "--data-dir", str(data)]
    assert main(args) == 0
    rows = list(csv.DictReader((data / "index" / "daily_index.csv").open(encoding="utf-8")))
    assert [r["date"] for r in rows] == [f"2026-11-{d}" for d in range(16, 21)]
    for row in rows:
        assert int(row["articles"]) >= 2 and int(row["sources"]) >= 1
        assert -1 <= float(row["index"]) <= 1
        shares = sum(float(row[f"{k}_share"]) for k in ("fomo", "neutral", "overspend"))
        assert shares == pytest.approx(1.0, abs=1e-5)
    with sqlite3.connect(data / "tracker.sqlite") as con:
        kinds = dict(con.execute("SELECT kind, COUNT(*) FROM items GROUP BY kind").fetchall())
        langs = dict(con.execute("SELECT lang, COUNT(*) FROM items GROUP BY lang").fetchall())
        figures = {row[0] for row in con.execute("SELECT DISTINCT figure FROM figure_mentions")}
        irrelevant = con.execute(
            "SELECT COUNT(*) FROM items i JOIN scores s ON s.content_hash = i.content_hash "
            "WHERE s.relevance < 0.5"
        ).fetchone()[0]
    assert kinds == {"article": 20, "episode": 3, "transcript": 3}
    assert langs["de"] >= 10 and langs["en"] >= 10
    assert {"Bradley Tusk", "Jensen Huang", "Nvidia", "OpenAI", "DZ Bank"} <= figures
    assert irrelevant >= 2  # the football and snowstorm stories are not about AI money

    # Who drives the mood: figures per day, and the ranking over the whole sample.
    figure_rows = list(
        csv.DictReader((data / "index" / "figures_daily.csv").open(encoding="utf-8"))
    )
    assert {r["date"] for r in figure_rows} <= {r["date"] for r in rows}
    assert {"Bradley Tusk", "Nvidia"} <= {r["figure"] for r in figure_rows}
    tusk = [r for r in figure_rows if r["figure"] == "Bradley Tusk"]
    # Tusk warns about circular spending in the sample: the mood around him leans negative.
    assert sum(float(r["stance_mean"]) for r in tusk) / len(tusk) < 0
    for r in figure_rows:
        assert int(r["mentions"]) >= int(r["articles"]) >= 1 and r["type"] in ("PER", "ORG")
        assert float(r["fomo_share"]) + float(r["overspend_share"]) <= 1 + 1e-6
    capsys.readouterr()
    assert main(["figures", "--data-dir", str(data), "--top", "5", "--json"]) == 0
    ranking = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(ranking) == 5
    mentions = [r["mentions"] for r in ranking]
    assert mentions == sorted(mentions, reverse=True)
    per_figure = {}
    for r in figure_rows:
        per_figure[r["figure"]] = per_figure.get(r["figure"], 0) + int(r["mentions"])
    assert all(per_figure[r["figure"]] == r["mentions"] for r in ranking)
    assert main(args) == 0  # and a rerun adds nothing
    with sqlite3.connect(data / "tracker.sqlite") as con:
        assert con.execute("SELECT items_new, items_scored FROM runs WHERE id = 2").fetchone() == (
            0,
            0,
        )
