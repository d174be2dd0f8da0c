"""Collection on the real-world corpus (../shared/realworld), file by file.

Feeds and podcasts are served over a real loopback HTTP server and collected the way the
daily job collects them; feedparser's own test corpus goes through the parser.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import feedparser
import pytest
from conftest import REALWORLD

from tracker.collect.feeds import parse_feed
from tracker.collect.http import HttpClient
from tracker.collect.urls import canonical_url
from tracker.errors import FetchError
from tracker.pipeline import collect_one
from tracker.records import Source, SourceKind
from tracker.storage import Store


def _files(*folders: str) -> list[str]:
    """Relative paths of the corpus files, or one placeholder that makes the `realworld`
    fixture skip (or fail under CI) when the corpus is absent."""
    found = [
        p.relative_to(REALWORLD).as_posix()
        for folder in folders
        if (REALWORLD / folder).is_dir()
        for p in sorted((REALWORLD / folder).iterdir())
    ]
    return found or ["<corpus missing>"]


def readable_entries(raw: bytes) -> int:
    """What feedparser can read from a feed: entries with a title or some text, counted
    once per article (the same canonical link, guid or title-and-date is one article)."""
    keys = set()
    for entry in feedparser.parse(raw).entries:
        text = entry.get("summary") or any(c.get("value") for c in entry.get("content") or [])
        title = (entry.get("title") or "").strip()
        if not title and not text:
            continue
        link = (entry.get("link") or "").strip()
        if link.startswith(("http://", "https://")):
            keys.add(("link", canonical_url(link)))
        elif (entry.get("id") or "").strip():
            keys.add(("guid", entry["id"].strip()))
        else:
            keys.add(
                ("entry", title, str(entry.get("published_parsed") or entry.get("updated_parsed")))
            )
    return len(keys)


@pytest.mark.realworld
@pytest.mark.parametrize("relative", _files("feeds", "podcasts"))
def test_each_real_feed_is_collected_over_http_completely(
    relative: str, realworld: Path, serve, settings, tmp_path: Path
) -> None:
    server = serve(realworld)
    path = realworld / relative
    kind = SourceKind.PODCAST if relative.startswith("podcasts/") else SourceKind.NEWS
    source = Source(path.stem[:60], kind, "auto", url=server.url(relative))
    with Store.open(tmp_path / "t.sqlite") as store, HttpClient(settings.http_policy) as http:
        report = collect_one(store, source, http)
        assert report.status == "ok", report.error
        assert report.items_new == store.item_count() == readable_entries(path.read_bytes())
        if feedparser.parse(path.read_bytes()).bozo:
            assert any(source.name in w for w in report.warnings)
        # Unchanged feed: a conditional request, answered 304, stores nothing.
        again = collect_one(store, source, http)
        assert again.status == "not_modified" and again.http_status == 304
        assert store.item_count() == report.items_new
    assert server.requests[-1].if_none_match and server.requests[-1].status == 304
    with sqlite3.connect(tmp_path / "t.sqlite") as con:
        langs = {lang for (lang,) in con.execute("SELECT DISTINCT lang FROM items")}
        kinds = {k for (k,) in con.execute("SELECT DISTINCT kind FROM items")}
    assert "" not in langs and None not in langs  # every item has a language
    assert kinds <= ({"episode"} if kind is SourceKind.PODCAST else {"article"})


@pytest.mark.realworld
def test_feedparser_test_corpus_never_raises_uncaught(realworld: Path) -> None:
    folder = realworld / "feedparser-tests"
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    assert len(files) > 2000
    parsed = refused = 0
    for path in files:
        kind = SourceKind.PODCAST if "itunes" in path.name else SourceKind.NEWS
        try:
            feed = parse_feed(Source(path.stem, kind, "auto", path=path), path.read_bytes())
        except FetchError as exc:  # a clear refusal (not a feed) is an outcome, not a crash
            assert path.stem in str(exc)
            refused += 1
            continue
        parsed += 1
        for item in feed.items:
            assert item.item_id and isinstance(item.title, str) and isinstance(item.body, str)
    assert parsed > 1000 and refused < parsed


@pytest.mark.realworld
@pytest.mark.parametrize(
    ("name", "lang"),
    [
        ("liberal-gr-iso8859-7__prof18", "el"),
        ("lecerclepsy-noxmldecl-latin1__miniflux", "fr"),
        ("ibash-win1251__miniflux", "ru"),
    ],
)
def test_items_in_other_languages_are_stored_and_counted_not_scored(
    name: str, lang: str, realworld: Path, settings, tmp_path: Path
) -> None:
    # Declared "de" on purpose: the declaration is a hint; the text decides.
    source = Source(name[:20], SourceKind.NEWS, "de", path=realworld / "feeds" / f"{name}.xml")
    with Store.open(tmp_path / "t.sqlite") as store, HttpClient(settings.http_policy) as http:
        report = collect_one(store, source, http)
        assert report.items_new >= 1
        assert report.items_other_lang == report.items_new == store.item_count()
        assert store.items_to_score("any-model", ["de", "en"]) == []
    with sqlite3.connect(tmp_path / "t.sqlite") as con:
        assert {found for (found,) in con.execute("SELECT lang FROM items")} == {lang}
