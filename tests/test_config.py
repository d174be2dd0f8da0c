from pathlib import Path

import pytest

from tracker.config import load_sources
from tracker.errors import ConfigError
from tracker.records import SourceKind

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_feeds_file_is_valid_and_covers_both_languages_and_podcasts() -> None:
    sources = load_sources(ROOT / "feeds.yaml")
    assert len(sources) >= 25
    languages = {s.language for s in sources}
    assert {"de", "en"} <= languages
    assert sum(s.language == "de" for s in sources) >= 10
    assert any(s.kind is SourceKind.PODCAST and s.language == "de" for s in sources)
    assert any(s.kind is SourceKind.PODCAST and s.language == "en" for s in sources)
    assert all(s.url and s.url.startswith("https://") for s in sources)


def test_sample_feeds_file_is_valid_and_local() -> None:
    sources = load_sources(ROOT / "samples" / "feeds.yaml")
    assert {"de", "en"} <= {s.language for s in sources}
    assert all(s.path is not None and s.path.exists() for s in sources)
    assert {s.kind for s in sources} == set(SourceKind)


def test_relative_paths_resolve_against_the_feeds_file(tmp_path: Path) -> None:
    (tmp_path / "local.xml").write_text("<rss/>", encoding="utf-8")
    path = write(tmp_path, "sources:\n  - {name: a, path: local.xml, kind: news, language: de}\n")
    (source,) = load_sources(path)
    assert source.path == (tmp_path / "local.xml").resolve()
    assert source.location == str(source.path)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("{name: a, url: 'https://x.org/f', kind: rss, language: de}", "'kind' is 'rss'"),
        ("{name: a, url: 'ftp://x.org/f', kind: news, language: de}", "http:// or https://"),
        ("{name: a, url: 'https://x.org/f', kind: news, language: fr}", "'language' is 'fr'"),
        ("{name: 'bad name!', url: 'https://x.org/f', kind: news}", "'name' must be"),
        ("{name: a, kind: news, language: de}", "exactly one of 'url'"),
        ("{name: a, url: 'https://x.org/f', kind: news, langauge: de}", "unknown key(s) langauge"),
        ("{name: a, path: missing.xml, kind: news}", "does not exist"),
        ("{name: a, url: 'https://x.org/f', kind: transcripts}", "reads a local folder"),
        ("{name: a, url: 'https://x.org/f', kind: news, tags: tech}", "'tags' must be a list"),
    ],
)
def test_bad_entries_name_file_entry_line_and_fix(
    tmp_path: Path, entry: str, expected: str
) -> None:
    path = write(
        tmp_path, f"sources:\n  - {{name: ok, url: 'https://x.org/ok', kind: news}}\n  - {entry}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert str(path) in message
    assert "entry 2" in message and "line 3" in message
    assert expected in message
    assert "Fix:" in message


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sources:\n  - {name: a, url: 'https://x.org/1', kind: news}\n"
        "  - {name: a, url: 'https://x.org/2', kind: news}\n",
    )
    with pytest.raises(ConfigError, match="already used by entry 1"):
        load_sources(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sources: [\n", "not valid YAML"),
        ("feeds: []\n", "top-level key 'sources:'"),
        ("sources: []\n", "non-empty list"),
        ("sources:\n  - !!python/object/apply:os.system ['true']\n", "not valid YAML"),
    ],
)
def test_bad_files_are_refused_without_executing_anything(
    tmp_path: Path, text: str, expected: str
) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_sources(write(tmp_path, text))


def test_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--feeds"):
        load_sources(tmp_path / "nope.yaml")
