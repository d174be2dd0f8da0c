"""Full text over a real local HTTP server: real article pages and real transcripts from
../shared/realworld, linked from feeds the test writes."""

from __future__ import annotations

import dataclasses
import sqlite3
import sys
from pathlib import Path

import pytest

from tracker.collect.http import HttpClient
from tracker.collect.robots import Robots
from tracker.pipeline import collect_one
from tracker.records import Source, SourceKind
from tracker.storage import Store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from eval_extraction import token_f1

TEASER = "Kurzer Anreisser aus dem Feed."


def rss(items: list[str], podcast: bool = False) -> bytes:
    ns = ' xmlns:podcast="https://podcastindex.org/namespace/1.0"' if podcast else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"{ns}><channel>'
        f"<title>Test</title><link>http://127.0.0.1/</link>{''.join(items)}</channel></rss>"
    ).encode()


def item(title: str, link: str, extra: str = "") -> str:
    return (
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<description>{TEASER}</description>{extra}</item>"
    )


def rows(db: Path) -> dict[str, sqlite3.Row]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    with con:
        return {r["title"]: r for r in con.execute("SELECT * FROM items")}


@pytest.mark.realworld
def test_article_pages_replace_teasers_and_fallbacks_are_recorded(
    realworld: Path, serve, settings, tmp_path: Path
) -> None:
    pages = serve(realworld)
    pages.content_types[".html"] = "text/html"
    pages.routes["robots.txt"] = [(200, {}, b"User-agent: *\nDisallow: /html/zeit\n")]
    site = tmp_path / "site"
    site.mkdir()
    (site / "feed.xml").write_bytes(
        rss(
            [
                item("Heise", pages.url("html/heise__fundus.html")),
                item("CNBC", pages.url("html/cnbc__fundus.html?utm_source=rss#ref=rss")),
                item("Zeit", pages.url("html/zeit__fundus.html")),
                item("Weg", pages.url("html/missing.html")),
            ]
        )
    )
    feeds = serve(site)
    source = Source("test-news", SourceKind.NEWS, "auto", url=feeds.url("feed.xml"))
    db = tmp_path / "t.sqlite"
    with Store.open(db) as store, HttpClient(settings.http_policy) as http:
        report = collect_one(store, source, http, Robots(http))
        assert report.status == "ok" and report.items_new == 4
        assert report.pages_fetched == 3  # zeit was never requested: robots.txt

        stored = rows(db)
        for name, page in (("Heise", "heise"), ("CNBC", "cnbc")):
            assert stored[name]["text_source"] == "page"
            expected = (realworld / "html" / f"{page}__fundus.expected.txt").read_text("utf-8")
            assert token_f1(stored[name]["text"], expected)[2] > 0.9, name
        assert stored["Heise"]["author"] == "Heise Online; Dirk Knop"
        assert stored["Heise"]["lang"] == "de" and stored["CNBC"]["lang"] == "en"
        # Tracking parameters and fragments do not make a new article id.
        assert stored["CNBC"]["url"].endswith("cnbc__fundus.html?utm_source=rss#ref=rss")
        for name in ("Zeit", "Weg"):
            assert stored[name]["text_source"] == "feed" and TEASER in stored[name]["text"]
        requested = [r.path for r in pages.requests]
        assert "html/zeit__fundus.html" not in requested
        assert requested.count("robots.txt") == 1  # cached per origin

        # The feed changes (no 304): known items are not fetched again, nor overwritten
        # by their teasers.
        store.save_validators(source.name, None, None)
        before = len(pages.requests)
        again = collect_one(store, source, http, Robots(http))
        assert again.items_new == again.items_updated == again.pages_fetched == 0
        assert len(pages.requests) == before
    assert rows(db)["Heise"]["text_source"] == "page"


@pytest.mark.realworld
def test_podcast_episodes_get_their_best_transcript(
    realworld: Path, serve, settings, tmp_path: Path
) -> None:
    files = serve(realworld)

    def tag(name: str, mime: str) -> str:
        return f'<podcast:transcript url="{files.url("transcripts/" + name)}" type="{mime}"/>'

    site = tmp_path / "site"
    site.mkdir()
    (site / "pod.xml").write_bytes(
        rss(
            [
                item(
                    "Buzzcast",
                    "https://example.org/ep/1",
                    tag("buzzcast-ep__transcriptator.srt", "application/x-subrip")
                    + tag("buzzcast-ep__transcriptator.json", "application/json"),
                ),
                item(
                    "Podcasting Q&amp;A",
                    "https://example.org/ep/2",
                    tag("gone.json", "application/json")
                    + tag("buzzsprout-podcasting-qa__podcastindex.vtt", "text/vtt"),
                ),
                item("Ohne", "https://example.org/ep/3", tag("gone.srt", "application/srt")),
            ],
            podcast=True,
        )
    )
    feeds = serve(site)
    source = Source("test-pod", SourceKind.PODCAST, "en", url=feeds.url("pod.xml"))
    db = tmp_path / "t.sqlite"
    with Store.open(db) as store, HttpClient(settings.http_policy) as http:
        report = collect_one(store, source, http, Robots(http))
    assert report.items_new == 3 and report.pages_fetched == 1 + 2 + 1
    requested = [r.path for r in files.requests]
    assert "transcripts/buzzcast-ep__transcriptator.json" in requested  # JSON beats SRT
    assert "transcripts/buzzcast-ep__transcriptator.srt" not in requested
    stored = rows(db)
    buzz, qa, without = stored["Buzzcast"], stored["Podcasting Q&A"], stored["Ohne"]
    assert (buzz["kind"], buzz["text_source"]) == ("transcript", "transcript")
    assert len(buzz["text"].split()) > 500 and "Alban:" in buzz["text"]
    assert qa["text_source"] == "transcript" and qa["text"].startswith("Sarah: ")
    assert (without["kind"], without["text_source"]) == ("episode", "feed")
    assert TEASER in without["text"]


@pytest.mark.realworld
def test_links_into_private_networks_keep_the_feed_text(
    realworld: Path, serve, settings, tmp_path: Path
) -> None:
    pages = serve(realworld)
    site = tmp_path / "site"
    site.mkdir()
    (site / "feed.xml").write_bytes(rss([item("Heise", pages.url("html/heise__fundus.html"))]))
    feeds = serve(site)
    source = Source("test-news", SourceKind.NEWS, "auto", url=feeds.url("feed.xml"))
    strict = dataclasses.replace(settings, allow_private_addresses=False)
    with Store.open(tmp_path / "t.sqlite") as store, HttpClient(strict.http_policy) as http:
        report = collect_one(store, source, http, Robots(http))
    assert report.status == "ok" and report.items_new == 1  # the feed itself is configured
    assert pages.requests == []  # neither robots.txt nor the page was requested
    assert rows(tmp_path / "t.sqlite")["Heise"]["text_source"] == "feed"
