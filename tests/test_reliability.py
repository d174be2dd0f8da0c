"""Cron-grade behaviour: one run at a time, kill -9 at any point, run records."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.errors import EXIT_BUSY

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def tracker(*args: str, **env: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TRACKER_HOST_DELAY": "0", "TRACKER_FULL_TEXT": "0", **env}
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", *args, "--scorer", "lexicon"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def feeds_file(path: Path, urls: list[str]) -> Path:
    entries = "".join(
        f"  - {{name: 'f{n}', kind: news, language: auto, url: '{url}'}}\n"
        for n, url in enumerate(urls)
    )
    path.write_text("sources:\n" + entries, encoding="utf-8")
    return path


def test_a_second_run_exits_at_once_while_one_runs(tmp_path: Path, serve) -> None:
    server = serve(FIXTURES / "feeds")
    body = (FIXTURES / "feeds" / "capex-en.atom").read_bytes()
    server.routes["slow.atom"] = [(200, {"X-Trickle": "0.05"}, body)]  # several seconds
    feeds = feeds_file(tmp_path / "feeds.yaml", [server.url("slow.atom")])
    data = tmp_path / "data"
    first = tracker("daily", "--feeds", str(feeds), "--data-dir", str(data))
    deadline = time.monotonic() + 30
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.05)  # the first run is fetching now, holding the lock
    started = time.monotonic()
    second = tracker("daily", "--feeds", str(feeds), "--data-dir", str(data))
    _, err = second.communicate(timeout=60)
    assert second.returncode == EXIT_BUSY
    assert time.monotonic() - started < 20  # at once: it does not wait for the first
    assert "tracker.lock" in err and "is running on this data directory" in err
    assert "tracker daily (pid" in err
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err[-2000:]
    with sqlite3.connect(data / "tracker.sqlite") as con:
        assert con.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1


def snapshot(data: Path) -> tuple[set[tuple[str, str]], int, int]:
    with sqlite3.connect(data / "tracker.sqlite") as con:
        items = set(con.execute("SELECT id, content_hash FROM items"))
        scores = con.execute("SELECT COUNT(*) FROM scores").fetchone()[0]
        figures = con.execute("SELECT COUNT(*) FROM figure_extractions").fetchone()[0]
    return items, scores, figures


@pytest.mark.realworld
def test_kill_9_at_any_point_then_a_fresh_run_finishes_the_work(
    tmp_path: Path, serve, realworld: Path
) -> None:
    server = serve(realworld)
    names = sorted(p.name for p in (realworld / "feeds").iterdir())[:14]
    feeds = feeds_file(tmp_path / "feeds.yaml", [server.url(f"feeds/{n}") for n in names])
    clean = tmp_path / "clean"
    done = tracker("daily", "--feeds", str(feeds), "--data-dir", str(clean))
    assert done.wait(timeout=300) == 0
    expected = snapshot(clean)
    assert len(expected[0]) > 300

    for delay in (0.8, 2.0, 3.5, 6.0):
        data = tmp_path / f"killed-{delay}"
        run = tracker("daily", "--feeds", str(feeds), "--data-dir", str(data))
        time.sleep(delay)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
        finish = tracker("daily", "--feeds", str(feeds), "--data-dir", str(data))
        _, err = finish.communicate(timeout=300)
        assert finish.returncode == 0, err[-2000:]
        assert snapshot(data) == expected, f"killed after {delay} s"
        with sqlite3.connect(data / "tracker.sqlite") as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            statuses = [s for (s,) in con.execute("SELECT status FROM runs ORDER BY id")]
        assert statuses[-1] == "ok"
        assert all(s in ("interrupted", "ok") for s in statuses)


def test_status_shows_runs_and_failing_sources(
    tmp_path: Path, serve, capsys: pytest.CaptureFixture[str]
) -> None:
    server = serve(FIXTURES / "feeds")
    feeds = feeds_file(
        tmp_path / "feeds.yaml", [server.url("capex-en.atom"), server.url("gone.xml")]
    )
    data = tmp_path / "data"
    args = ["--data-dir", str(data), "--scorer", "lexicon"]
    for _ in range(2):
        assert main(["daily", "--feeds", str(feeds), "--host-delay", "0", *args]) == 0
    with sqlite3.connect(data / "tracker.sqlite") as con:  # as a killed run leaves it
        con.execute("UPDATE runs SET status = 'running', finished = NULL WHERE id = 2")
    assert main(["daily", "--feeds", str(feeds), "--host-delay", "0", *args]) == 0
    capsys.readouterr()
    assert main(["status", "--json", *args]) == 0
    status = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in status["runs"]] == ["partial", "interrupted", "partial"]
    assert status["runs"][0]["seconds"] >= 0 and status["runs"][1]["seconds"] is None
    (failing,) = status["failing_sources"]
    assert failing["source"] == "f1" and failing["failed_runs"] == 3
    assert "HTTP 404" in failing["last_error"]
    assert failing["since"] == status["runs"][2]["started"]
    assert main(["status", *args]) == 0
    shown = capsys.readouterr().out
    assert "failing sources" in shown and "f1" in shown and "interrupted" in shown


def test_json_logs_on_request(tmp_path: Path) -> None:
    feeds = feeds_file(tmp_path / "feeds.yaml", ["http://127.0.0.1:9/down.xml"])
    run = tracker(
        "daily", "--feeds", str(feeds), "--data-dir", str(tmp_path / "d"), TRACKER_LOG_JSON="1"
    )
    _, err = run.communicate(timeout=120)
    assert run.returncode == 3
    records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(r["level"] == "warning" and "source f0 failed" in r["message"] for r in records)
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
