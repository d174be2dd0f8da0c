"""Every CSV the tracker writes has exactly the columns the README documents, in order."""

import csv
import re
from pathlib import Path

import pytest

from tracker.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CSV_FILES = [
    "daily_index.csv",
    "index_by_language.csv",
    "index_by_source.csv",
    "index_by_kind.csv",
    "figures_daily.csv",
]


def documented_columns(name: str) -> list[str]:
    """The first column of the first table after the README heading "### `name`"."""
    readme = (ROOT / "README.md").read_text("utf-8")
    heading = readme.index(f"### `{name}`")
    section = readme[heading:].split("\n### ", 2)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [re.match(r"\| `([^`]+)`", row).group(1) for row in rows]  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("schema") / "data"
    feeds = data.parent / "feeds.yaml"
    news, radio = FIXTURES / "feeds" / "ki-markt-de.xml", FIXTURES / "transcripts"
    feeds.write_text(
        "sources:\n"
        f"  - {{name: ki-markt, kind: news, language: de, path: '{news}'}}\n"
        f"  - {{name: radio, kind: transcripts, language: de, path: '{radio}'}}\n",
        encoding="utf-8",
    )
    args = ["daily", "--feeds", str(feeds), "--data-dir", str(data), "--scorer", "lexicon"]
    assert main(args) == 0
    return data / "index"


@pytest.mark.parametrize("name", CSV_FILES)
def test_written_columns_are_the_documented_ones(index_dir: Path, name: str) -> None:
    with (index_dir / name).open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    documented = documented_columns(name)
    assert documented, f"README documents no columns for {name}"
    assert header == documented, f"{name}: update the README's table when columns change"
    assert "" not in header and not any(h.startswith("Unnamed") for h in header)


def test_every_written_csv_is_documented(index_dir: Path) -> None:
    assert sorted(p.name for p in index_dir.glob("*.csv")) == sorted(CSV_FILES)
