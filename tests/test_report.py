"""The chart and the HTML report, rendered by a real headless browser (Debian's chromium;
`.ci/run` installs it, so under CI its absence fails)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tracker.cli import main

ROOT = Path(__file__).resolve().parent.parent


def browser() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("chromium is missing; .ci/run installs Debian's chromium package")
    pytest.skip("chromium not installed")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("report") / "data"
    feeds = ROOT / "samples" / "feeds.yaml"
    args = ["daily", "--feeds", str(feeds), "--data-dir", str(data), "--scorer", "lexicon"]
    assert main([*args, "--no-progress"]) == 0
    page = data / "report" / "index.html"
    page.unlink()
    assert main(["report", "--data-dir", str(data), "--scorer", "lexicon"]) == 0
    return page


def test_report_files_are_written(report: Path) -> None:
    png = report.parent / "daily_index.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    page = report.read_text("utf-8")
    assert 'src="data:image/png;base64,' in page  # self-contained: opens without a server
    assert "2026-11-20" in page


def test_a_headless_browser_shows_the_chart_and_every_table(report: Path) -> None:
    done = subprocess.run(
        [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", report.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # The page's own check, run by the browser after loading: what is on screen.
    marker = 'data-rendered="'
    assert marker in done.stdout, done.stdout[:2000]
    rendered = done.stdout.split(marker, 1)[1].split('"', 1)[0].split()
    assert set(rendered) == {"chart", "days", "languages", "figures", "drivers"}
