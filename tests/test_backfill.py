"""`tracker backfill`: a history from an archive of 2,000 dated articles over 60 days."""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from tracker.cli import main

COMPANIES = ["Nvidia", "Microsoft", "Alphabet", "Meta", "Amazon", "Oracle", "OpenAI", "SAP"]
EN = {
    "fomo": "{c} says demand for AI chips and data centres is far ahead of supply, and its "
    "{n} billion dollar investment plan will pay off within {k} years.",
    "overspend": "Investors worry that {c} spends {n} billion dollars on AI data centres "
    "while AI revenue lags far behind, a capex bubble like the dot-com era after {k} years.",
    "neutral": "{c} reported {n} billion dollars of AI capital expenditure in quarter {k}, "
    "in line with its earlier guidance.",
}
DE = {
    "fomo": "{c} sieht bei KI-Chips und Rechenzentren eine Nachfrage weit über dem Angebot; "
    "die Investitionen von {n} Milliarden Dollar würden sich in {k} Jahren auszahlen.",
    "overspend": "Anleger fürchten, dass {c} {n} Milliarden Dollar in KI-Rechenzentren "
    "steckt, während die KI-Umsätze weit zurückbleiben: eine Blase wie vor {k} Jahren.",
    "neutral": "{c} meldete KI-Investitionen von {n} Milliarden Dollar im Quartal {k}, "
    "im Rahmen der eigenen Prognose.",
}
SOURCES = [
    ("handelsblatt-archiv", "de"),
    ("faz-archiv", "de"),
    ("reuters-archive", "en"),
    ("ft-archive", "en"),
    ("podcast-archive", "en"),
    ("zeit-archiv", "de"),
]


def archive(path: Path, count: int = 2000, days: int = 60) -> Path:
    rng = random.Random(7)
    lines = []
    for n in range(count):
        source, lang = SOURCES[n % len(SOURCES)]
        templates = DE if lang == "de" else EN
        mood = rng.choice(["fomo", "overspend", "neutral"])
        sentences = [
            templates[rng.choice([mood, mood, "neutral"])].format(
                c=rng.choice(COMPANIES), n=rng.randint(5, 400), k=rng.randint(2, 30)
            )
            for _ in range(rng.randint(2, 4))
        ]
        day = date(2026, 1, 1) + timedelta(days=n % days)
        record = {
            "id": f"a{n}",
            "url": f"https://{source}.example/{n}",
            "title": f"{rng.choice(COMPANIES)}: {mood} {n}",
            "text": " ".join(sentences),
            "published": f"{day.isoformat()}T{rng.randint(0, 23):02d}:00:00Z",
            "source": source,
            "lang": lang,
            "kind": "podcast" if source == "podcast-archive" else "news",
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    lines += [
        '{"text": "no date here", "source": "x"}',
        "{not json",
        '{"text": "Nvidia", "published": "2026-01-05", "kind": "tweet"}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("backfill")
    source = archive(root / "archive.jsonl")
    data = root / "data"
    args = ["backfill", str(source), "--data-dir", str(data), "--scorer", "lexicon"]
    assert main([*args, "--no-progress"]) == 0
    return data


def test_backfill_builds_csvs_chart_and_report(
    backfilled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = backfilled / "index"
    rows = list(csv.DictReader((index / "daily_index.csv").open(encoding="utf-8")))
    assert [r["date"] for r in rows] == [
        (date(2026, 1, 1) + timedelta(days=d)).isoformat() for d in range(60)
    ]
    assert sum(int(r["items"]) for r in rows) == 2000
    assert all(int(r["articles"]) >= 5 and r["index"] for r in rows)
    assert all(float(r["ci_low"]) <= float(r["index"]) <= float(r["ci_high"]) for r in rows)
    assert rows[-1]["index_z"]  # 60 days: enough history for the normalised series
    kinds = {r["kind"] for r in csv.DictReader((index / "index_by_kind.csv").open())}
    assert kinds == {"news", "podcast"}
    assert (backfilled / "report" / "daily_index.png").stat().st_size > 10_000
    assert "Nvidia" in (backfilled / "report" / "index.html").read_text("utf-8")


def test_unreadable_records_are_named_and_skipped(tmp_path: Path, capsys) -> None:
    source = archive(tmp_path / "small.jsonl", count=30, days=3)
    data = tmp_path / "data"
    args = ["backfill", str(source), "--data-dir", str(data), "--scorer", "lexicon"]
    assert main([*args, "--no-progress"]) == 0
    out = capsys.readouterr()
    assert "read 30 articles (3 unreadable): new 30" in out.out
    assert "small.jsonl:31: 'published' is missing" in out.err
    assert "small.jsonl:32: not JSON" in out.err
    assert "small.jsonl:33: 'kind' is 'tweet'" in out.err
    assert main([*args, "--no-progress"]) == 0  # a rerun adds nothing
    assert "new 0, updated 0, scored 0" in capsys.readouterr().out


def test_index_rebuilds_are_byte_identical_and_export_periods(
    backfilled: Path, tmp_path: Path
) -> None:
    index = backfilled / "index"
    before = {p.name: p.read_bytes() for p in index.glob("*.csv")}
    args = ["index", "--data-dir", str(backfilled), "--scorer", "lexicon"]
    assert main(args) == 0
    assert main(args) == 0
    assert {p.name: p.read_bytes() for p in index.glob("*.csv")} == before
    out = tmp_path / "period"
    period = ["--from", "2026-02-01", "--to", "2026-02-10", "--format", "parquet"]
    assert main([*args, *period, "--out", str(out)]) == 0
    daily = pd.read_parquet(out / "daily_index.parquet")
    assert list(daily["date"]) == [f"2026-02-{d:02d}" for d in range(1, 11)]
    full = pd.read_csv(index / "daily_index.csv").set_index("date")
    assert (
        daily.set_index("date")["index_ma7"]
        .round(6)
        .equals(full.loc["2026-02-01":"2026-02-10", "index_ma7"])
    )
