"""`tracker daily` end to end over a real local HTTP server."""

import csv
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent


def write_feeds(path: Path, entries: list[str]) -> Path:
    path.write_text("sources:\n" + "".join(f"  - {e}\n" for e in entries), encoding="utf-8")
    return path


def db(data: Path) -> sqlite3.Connection:
    return sqlite3.connect(data / "tracker.sqlite")


@pytest.mark.realworld
def test_daily_twice_over_http_stores_everything_once(
    tmp_path: Path, serve, realworld: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures = serve(FIXTURES / "feeds")
    real = serve(realworld)
    real_files = sorted((realworld / "feeds").iterdir()) + sorted(
        (realworld / "podcasts").iterdir()
    )
    entries = [
        f"{{name: ki-markt, kind: news, language: de, url: '{fixtures.url('ki-markt-de.xml')}'}}",
        f"{{name: capex, kind: news, language: en, url: '{fixtures.url('capex-en.atom')}'}}",
        f"{{name: moved-feed, kind: news, language: de, url: '{fixtures.url('not-a-feed.html')}'}}",
        f"{{name: gone, kind: news, language: en, url: '{fixtures.url('gone.xml')}'}}",
        f"{{name: radio, kind: transcripts, language: de, path: '{FIXTURES / 'transcripts'}'}}",
    ] + [
        f"{{name: 'rw-{p.stem[:60]}', language: auto, "
        f"kind: {'podcast' if p.parent.name == 'podcasts' else 'news'}, "
        f"url: '{real.url(p.relative_to(realworld).as_posix())}'}}"
        for p in real_files
    ]
    feeds = write_feeds(tmp_path / "feeds.yaml", entries)
    data = tmp_path / "data"
    args = ["daily", "--feeds", str(feeds), "--data-dir", str(data), "--scorer", "lexicon"]
    args += ["--host-delay", "0"]

    assert main(args) == 0
    first_out = capsys.readouterr().out
    index = data / "index" / "daily_index.csv"
    first_csv = index.read_bytes()
    with db(data) as con:
        items_first = con.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        scored_first = con.execute("SELECT COUNT(*) FROM scores").fetchone()[0]
        failed = dict(con.execute("SELECT source, error FROM run_sources WHERE status='failed'"))
    assert set(failed) >= {"moved-feed", "gone"}
    assert "not a readable RSS/Atom feed" in failed["moved-feed"]
    assert "HTTP 404" in failed["gone"]
    assert items_first > 1000
    assert scored_first > 500  # German and English items; others are stored, not scored
    assert "moved-feed" in first_out and "failed" in first_out

    # Feeds that were read (the web page posing as a feed failed, so it has no validators).
    served_before = {
        (server.port, r.path)
        for server in (fixtures, real)
        for r in server.requests
        if r.status == 200 and not r.path.endswith(".html")
    }
    counts_before = (len(fixtures.requests), len(real.requests))
    assert main(args) == 0
    second_out = capsys.readouterr().out
    with db(data) as con:
        assert con.execute("SELECT COUNT(*) FROM items").fetchone()[0] == items_first
        assert con.execute("SELECT COUNT(*) FROM scores").fetchone()[0] == scored_first
        runs = con.execute(
            "SELECT status, items_new, items_scored FROM runs ORDER BY id"
        ).fetchall()
    assert runs == [("partial", items_first, scored_first), ("partial", 0, 0)]
    assert "new items: 0, updated: 0, scored: 0" in second_out
    assert index.read_bytes() == first_csv
    rows = list(csv.DictReader(index.open(encoding="utf-8")))
    dates = [r["date"] for r in rows]
    assert len(dates) == len(set(dates)) and dates == sorted(dates)
    # The rerun asked every feed conditionally, and each answered 304 Not Modified.
    rerun = [
        (server.port, r)
        for server, before in zip((fixtures, real), counts_before, strict=True)
        for r in server.requests[before:]
    ]
    conditional = [r for port, r in rerun if (port, r.path) in served_before]
    assert len(conditional) == len(served_before) > 40
    assert all(r.if_none_match and r.status == 304 for r in conditional)


def test_config_and_source_errors_give_the_documented_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_feeds(tmp_path / "bad.yaml", ["{name: x, kind: rss, url: 'https://x.org/f'}"])
    assert main(["daily", "--feeds", str(bad), "--data-dir", str(tmp_path / "d")]) == 2
    assert "bad.yaml: entry 1 ('x'), line 2: 'kind' is 'rss'" in capsys.readouterr().err

    unreachable = write_feeds(
        tmp_path / "down.yaml",
        [
            "{name: down-1, kind: news, language: de, url: 'http://127.0.0.1:9/a.xml'}",
            "{name: down-2, kind: news, language: en, url: 'http://127.0.0.1:9/b.xml'}",
        ],
    )
    data = tmp_path / "d"
    assert (
        main(["daily", "--feeds", str(unreachable), "--data-dir", str(data), "--scorer", "lexicon"])
        == 3
    )
    err = capsys.readouterr().err
    assert "no source could be read (2 of 2 failed" in err
    assert "samples/feeds.yaml" in err
    assert (data / "index" / "daily_index.csv").exists()  # rebuilt from what is stored
    with db(data) as con:
        assert con.execute("SELECT status FROM runs").fetchall() == [("no_source",)]


def test_the_installed_command_exits_with_the_code(tmp_path: Path) -> None:
    feeds = write_feeds(
        tmp_path / "down.yaml",
        ["{name: down, kind: news, language: de, url: 'http://127.0.0.1:9/a.xml'}"],
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker",
            "daily",
            "--feeds",
            str(feeds),
            "--data-dir",
            str(tmp_path / "d"),
            "--scorer",
            "lexicon",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert "no source could be read" in done.stderr


def test_index_command_rebuilds_from_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d"
    assert main(["index", "--data-dir", str(data), "--scorer", "lexicon"]) == 2
    assert "run `tracker daily` first" in capsys.readouterr().err
    feeds = write_feeds(
        tmp_path / "f.yaml",
        [f"{{name: radio, kind: transcripts, language: de, path: '{FIXTURES / 'transcripts'}'}}"],
    )
    assert (
        main(["daily", "--feeds", str(feeds), "--data-dir", str(data), "--scorer", "lexicon"]) == 0
    )
    index = data / "index" / "daily_index.csv"
    figures = data / "index" / "figures_daily.csv"
    before, figures_before = index.read_bytes(), figures.read_bytes()
    index.unlink()
    figures.unlink()
    assert main(["index", "--data-dir", str(data), "--scorer", "lexicon"]) == 0
    assert index.read_bytes() == before and figures.read_bytes() == figures_before
    assert before.startswith(b"date,items,duplicates,articles,sources,low_volume,index,")
    assert figures_before.startswith(
        b"date,figure,type,mentions,articles,stance_mean,fomo_share,overspend_share\n"
    )
    assert b"\n2026-03-03,1," in before  # the transcript, dated from its file name


def test_a_rerun_with_nothing_new_loads_no_model(tmp_path: Path) -> None:
    """Nothing new to score or extract: the rerun never imports torch, transformers or
    spaCy (seconds of start-up each), it only rebuilds the index from the store."""
    feeds = write_feeds(
        tmp_path / "f.yaml",
        [f"{{name: radio, kind: transcripts, language: de, path: '{FIXTURES / 'transcripts'}'}}"],
    )
    args = ["daily", "--feeds", str(feeds), "--data-dir", str(tmp_path / "d")]
    assert main([*args, "--scorer", "lexicon"]) == 0  # a first run stores and scores
    probe = (
        "import sys; from tracker.cli import main; code = main(sys.argv[1:]); "
        "print(sorted(m for m in ('torch', 'transformers', 'spacy') if m in sys.modules)); "
        "sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *args, "--scorer", "lexicon"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "scored: 0" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"
